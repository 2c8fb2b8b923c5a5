"""Edge timing: every deadline, window and expiry at t-1, t and t+1 seconds; dispute and approve in one block.

Inclusive ends (docs/escrow-v2.md): submit until the deadline; reclaim and a stranger's cancel after it;
release and the default ruling from review_end / ruling_end; dispute and resolve before them; offers,
settlements and amendments are good until their expiry, inclusive.
"""

from __future__ import annotations

import ape
import pytest
from ape import chain

from tests.contracts.conftest import DELIVERABLE
from tests.contracts.terms import FAR, UNIT, sign

OK = None
AROUND = [-1, 0, 1]


def _at(timestamp):
    chain.pending_timestamp = timestamp


def _expect(reason, call):
    if reason is OK:
        assert call().status == 1
    else:
        with ape.reverts(reason):
            call()


@pytest.mark.parametrize(("offset", "reason"), zip(AROUND, [OK, OK, "escrow: deadline passed"], strict=True))
def test_submit__around_deadline(escrow, freelancer, open_job, offset, reason):
    job = open_job()
    _at(job.deadline(0) + offset)
    _expect(reason, lambda: escrow.submit(job.id, job.abi, 0, DELIVERABLE, sender=freelancer))


@pytest.mark.parametrize(
    ("offset", "reason"), zip(AROUND, ["escrow: deadline not passed", "escrow: deadline not passed", OK], strict=True)
)
def test_reclaim__around_deadline(escrow, stranger, open_job, offset, reason):
    job = open_job()
    _at(job.deadline(0) + offset)
    _expect(reason, lambda: escrow.reclaim(job.id, job.abi, 0, sender=stranger))


@pytest.mark.parametrize(
    ("offset", "reason"), zip(AROUND, ["escrow: not client", "escrow: not client", OK], strict=True)
)
def test_cancel_unfunded_by_a_stranger__around_the_first_unfunded_deadline(escrow, stranger, open_job, offset, reason):
    job = open_job((UNIT, UNIT), fund=1)
    _at(job.deadline(1) + offset)
    _expect(reason, lambda: escrow.cancel_unfunded(job.id, job.abi, sender=stranger))


def _review_end(escrow, job):
    return escrow.get_job(job.id).milestones[0].review_end


@pytest.mark.parametrize(("offset", "reason"), zip(AROUND, ["escrow: review period running", OK, OK], strict=True))
def test_release__around_review_end(escrow, stranger, submitted_job, offset, reason):
    job = submitted_job()
    _at(_review_end(escrow, job) + offset)
    _expect(reason, lambda: escrow.release(job.id, job.abi, 0, sender=stranger))


@pytest.mark.parametrize(
    ("offset", "reason"), zip(AROUND, [OK, "escrow: review period over", "escrow: review period over"], strict=True)
)
def test_dispute__around_review_end(escrow, client, submitted_job, offset, reason):
    job = submitted_job()
    _at(_review_end(escrow, job) + offset)
    _expect(reason, lambda: escrow.dispute(job.id, job.abi, 0, sender=client))


def _ruling_end(escrow, job):
    return escrow.get_job(job.id).milestones[0].ruling_end


@pytest.mark.parametrize(
    ("offset", "reason"), zip(AROUND, [OK, "escrow: ruling window over", "escrow: ruling window over"], strict=True)
)
def test_resolve__around_ruling_end(escrow, arbiter, disputed_job, offset, reason):
    job = disputed_job()
    _at(_ruling_end(escrow, job) + offset)
    _expect(reason, lambda: escrow.resolve(job.id, job.abi, 0, 5_000, sender=arbiter))


@pytest.mark.parametrize(("offset", "reason"), zip(AROUND, ["escrow: ruling window running", OK, OK], strict=True))
def test_default_ruling__around_ruling_end(escrow, client, disputed_job, offset, reason):
    job = disputed_job()
    _at(_ruling_end(escrow, job) + offset)
    _expect(reason, lambda: escrow.apply_default_ruling(job.id, job.abi, 0, sender=client))


@pytest.mark.parametrize(("offset", "reason"), zip(AROUND, [OK, OK, "escrow: offer expired"], strict=True))
def test_create_job__around_offer_expiry(make_terms, create, offset, reason):
    expiry = chain.pending_timestamp + 100
    terms = make_terms(offer_expiry=expiry)
    _at(expiry + offset)
    _expect(reason, lambda: create(terms).receipt)


@pytest.mark.parametrize(("offset", "reason"), zip(AROUND, [OK, OK, "escrow: settlement expired"], strict=True))
def test_settle__around_expiry(stranger, open_job, agree, offset, reason):
    job = open_job()
    expiry = chain.pending_timestamp + 100
    _at(expiry + offset)
    _expect(reason, lambda: agree.settle(job, 5_000, sender=stranger, expiry=expiry))


@pytest.mark.parametrize("amendment", ["extend", "add", "deduct"])
@pytest.mark.parametrize(("offset", "reason"), zip(AROUND, [OK, OK, "escrow: amendment expired"], strict=True))
def test_amendments__around_expiry(client, submitted_job, agree, amendment, offset, reason):
    job = submitted_job()
    expiry = chain.pending_timestamp + 100
    _at(expiry + offset)
    calls = {
        "extend": lambda: agree.extend(job, 1, 40 * 86_400, by=client, expiry=expiry),
        "add": lambda: agree.add(job, [(UNIT, 40 * 86_400)], 0, by=client, expiry=expiry),
        "deduct": lambda: agree.deduct(job, 0, 5_000, by=client, expiry=expiry),
    }
    _expect(reason, calls[amendment])


@pytest.mark.parametrize("first", ["approve", "dispute"])
def test_dispute_and_approve__same_block__first_one_wins(escrow, client, freelancer, submitted_job, first):
    job = submitted_job()
    w3 = chain.provider.web3
    calls = {
        "approve": (client, escrow.approve.encode_input(job.id, job.abi, 0)),
        "dispute": (freelancer, escrow.dispute.encode_input(job.id, job.abi, 0)),
    }
    order = [first, "dispute" if first == "approve" else "approve"]
    w3.provider.make_request("evm_setAutomine", [False])
    try:
        hashes = [
            w3.eth.send_transaction(
                {"from": str(calls[name][0].address), "to": str(escrow.address), "data": calls[name][1], "gas": 600_000}
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


def test_settlement_and_submit__same_block__the_submit_voids_the_settlement(
    escrow, client, freelancer, stranger, open_job, agree, domain
):
    """A freelancer's submit mined before a settlement signed at the old nonce makes the settlement fail."""
    job = open_job()
    typed = domain.settlement(job.id, 0, 0)
    settle = agree.at.settle.encode_input(job.id, job.abi, 0, FAR, sign(client, typed), sign(freelancer, typed))
    submit = escrow.submit.encode_input(job.id, job.abi, 0, DELIVERABLE)
    w3 = chain.provider.web3
    w3.provider.make_request("evm_setAutomine", [False])
    try:
        hashes = [
            w3.eth.send_transaction({"from": str(w.address), "to": str(escrow.address), "data": d, "gas": 900_000})
            for w, d in ((freelancer, submit), (stranger, settle))
        ]
        w3.provider.make_request("evm_mine", [])
    finally:
        w3.provider.make_request("evm_setAutomine", [True])
    assert [w3.eth.get_transaction_receipt(h)["status"] for h in hashes] == [1, 0]
    assert not escrow.get_job(job.id).settled
