"""Edge timing: every deadline and window at t-1, t and t+1 seconds; dispute and approve in one block, both orders."""

from __future__ import annotations

import ape
import pytest
from ape import chain

OK = None


def _at(timestamp):
    chain.pending_timestamp = timestamp


@pytest.mark.parametrize(("offset", "reason"), [(-1, OK), (0, OK), (1, "escrow: deadline passed")])
def test_submit__around_deadline(escrow, freelancer, open_job, offset, reason):
    job = open_job()
    _at(job.deadlines[0] + offset)
    if reason is OK:
        escrow.submit(job.id, 0, b"\x01" * 32, job.terms, sender=freelancer)
    else:
        with ape.reverts(reason):
            escrow.submit(job.id, 0, b"\x01" * 32, job.terms, sender=freelancer)


@pytest.mark.parametrize(
    ("offset", "reason"), [(-1, "escrow: deadline not passed"), (0, "escrow: deadline not passed"), (1, OK)]
)
def test_reclaim__around_deadline(escrow, client, open_job, offset, reason):
    job = open_job()
    _at(job.deadlines[0] + offset)
    if reason is OK:
        escrow.reclaim(job.id, 0, job.terms, sender=client)
    else:
        with ape.reverts(reason):
            escrow.reclaim(job.id, 0, job.terms, sender=client)


def _review_end(escrow, job):
    return escrow.get_job(job.id).milestones[0].review_end


@pytest.mark.parametrize(("offset", "reason"), [(-1, "escrow: review period running"), (0, OK), (1, OK)])
def test_release__around_review_end(escrow, stranger, submitted_job, offset, reason):
    job = submitted_job()
    _at(_review_end(escrow, job) + offset)
    if reason is OK:
        escrow.release(job.id, 0, sender=stranger)
    else:
        with ape.reverts(reason):
            escrow.release(job.id, 0, sender=stranger)


@pytest.mark.parametrize(
    ("offset", "reason"), [(-1, OK), (0, "escrow: review period over"), (1, "escrow: review period over")]
)
def test_dispute__around_review_end(escrow, client, submitted_job, offset, reason):
    job = submitted_job()
    _at(_review_end(escrow, job) + offset)
    if reason is OK:
        escrow.dispute(job.id, 0, sender=client)
    else:
        with ape.reverts(reason):
            escrow.dispute(job.id, 0, sender=client)


def _ruling_end(escrow, job):
    return escrow.get_job(job.id).milestones[0].ruling_end


@pytest.mark.parametrize(
    ("offset", "reason"), [(-1, OK), (0, "escrow: ruling window over"), (1, "escrow: ruling window over")]
)
def test_resolve__around_ruling_end(escrow, arbiter, disputed_job, offset, reason):
    job = disputed_job()
    _at(_ruling_end(escrow, job) + offset)
    if reason is OK:
        escrow.resolve(job.id, 0, 5_000, job.terms, sender=arbiter)
    else:
        with ape.reverts(reason):
            escrow.resolve(job.id, 0, 5_000, job.terms, sender=arbiter)


@pytest.mark.parametrize(("offset", "reason"), [(-1, "escrow: ruling window running"), (0, OK), (1, OK)])
def test_default_ruling__around_ruling_end(escrow, client, disputed_job, offset, reason):
    job = disputed_job()
    _at(_ruling_end(escrow, job) + offset)
    if reason is OK:
        escrow.apply_default_ruling(job.id, 0, sender=client)
    else:
        with ape.reverts(reason):
            escrow.apply_default_ruling(job.id, 0, sender=client)


@pytest.mark.parametrize("first", ["approve", "dispute"])
def test_dispute_and_approve__same_block__first_one_wins(escrow, token, client, freelancer, submitted_job, first):
    job = submitted_job()
    w3 = chain.provider.web3
    calls = {
        "approve": (client, escrow.approve.encode_input(job.id, 0)),
        "dispute": (freelancer, escrow.dispute.encode_input(job.id, 0)),
    }
    order = [first, "dispute" if first == "approve" else "approve"]
    w3.provider.make_request("evm_setAutomine", [False])
    try:
        hashes = [
            w3.eth.send_transaction(
                {"from": str(calls[name][0]), "to": str(escrow.address), "data": calls[name][1], "gas": 300_000}
            )
            for name in order
        ]
        w3.provider.make_request("evm_mine", [])
    finally:
        w3.provider.make_request("evm_setAutomine", [True])
    receipts = [w3.eth.get_transaction_receipt(h) for h in hashes]
    assert receipts[0]["blockNumber"] == receipts[1]["blockNumber"]
    assert receipts[0]["transactionIndex"] < receipts[1]["transactionIndex"]
    assert [r["status"] for r in receipts] == [1, 0]
    status = escrow.get_job(job.id).milestones[0].status
    assert status == (3 if first == "approve" else 2)  # APPROVED, or DISPUTED with the money frozen
