"""settle: both parties sign one split (EIP-712 Settlement, at the job's nonce, until an expiry); anyone submits.

settle is EscrowAgreements code run in the escrow's storage: it is called on the escrow's address with the
EscrowAgreements ABI (`agreements_at`).
"""

from __future__ import annotations

import ape
import pytest
from ape import chain

from tests.contracts.conftest import DELIVERABLE, balances, deploy_escrow, nonce
from tests.contracts.terms import (
    APPROVED,
    CANCELLED,
    FAR,
    SETTLED,
    UNIT,
    Domain,
    fee,
    high_s,
    share,
    sign,
)


def test_settle__signed_split__pays_remaining_cancels_unfunded_and_ends_job(
    escrow, agreements_at, reputation, token, client, freelancer, stranger, open_job, agree
):
    job = open_job((100 * UNIT, 200 * UNIT, 300 * UNIT), fund=2)
    escrow.submit(job.id, job.abi, 0, DELIVERABLE, sender=freelancer)
    escrow.approve(job.id, job.abi, 0, sender=client)  # 99 paid; 200 left funded, 300 unfunded
    before = balances(token, client, freelancer, escrow)
    at_nonce = nonce(escrow, job)

    receipt = agree.settle(job, 2_500, sender=stranger)

    after = balances(token, client, freelancer, escrow)
    assert [a - b for a, b in zip(after, before, strict=True)] == [150 * UNIT, 49_500_000, -(200 * UNIT) + 500_000]
    state = escrow.get_job(job.id)
    assert (state.settled, state.ended, state.paid, state.cancelled) == (True, True, True, False)
    assert (state.nonce, state.funded_count, state.open_count) == (at_nonce + 1, 2, 0)
    assert [m.status for m in state.milestones] == [APPROVED, SETTLED, CANCELLED]
    [event] = receipt.decode_logs(agreements_at.JobSettled)
    assert (event.job_id, event.nonce, event.freelancer_bps) == (job.id, at_nonce, 2_500)
    assert (event.to_freelancer, event.to_client, event.platform_fee) == (49_500_000, 150 * UNIT, 500_000)
    [ended] = receipt.decode_logs(agreements_at.JobEnded)
    assert (ended.job_id, ended.paid, ended.platform_fees, ended.recorded) == (
        job.id,
        99 * UNIT + 49_500_000,
        UNIT + 500_000,
        True,
    )
    assert escrow.fees_accrued(token) == UNIT + 500_000
    assert token.balanceOf(escrow) == escrow.fees_accrued(token)
    [recorded] = receipt.decode_logs(reputation.JobRecorded)  # the delegated code records as the escrow
    assert (recorded.escrow, recorded.job_id, recorded.volume) == (escrow, job.id, 99 * UNIT + 49_500_000)


def test_settle__includes_submitted_and_disputed_milestones(escrow, token, client, stranger, disputed_job, agree):
    job = disputed_job(amounts=(100 * UNIT, 50 * UNIT))
    escrow.submit(job.id, job.abi, 1, DELIVERABLE, sender=job.terms.freelancer)
    agree.settle(job, 10_000, sender=stranger)
    assert [m.status for m in escrow.get_job(job.id).milestones] == [SETTLED, SETTLED]
    assert token.balanceOf(escrow) == fee(150 * UNIT, 100)  # only the platform fee is left


def test_settle__nothing_funded_left__pays_nothing_and_ends(escrow, token, client, freelancer, submitted_job, agree):
    job = submitted_job(amounts=(UNIT, UNIT), fund=1)
    escrow.approve(job.id, job.abi, 0, sender=client)
    receipt = agree.settle(job, 7_000, sender=client)
    [event] = receipt.decode_logs(agree.at.JobSettled)
    assert (event.to_freelancer, event.to_client, event.platform_fee) == (0, 0, 0)
    assert [m.status for m in escrow.get_job(job.id).milestones] == [APPROVED, CANCELLED]
    assert receipt.decode_logs(token.Transfer) == []


def test_settle__split_rounds_down_and_the_fee_up(escrow, stranger, open_job, agree):
    job = open_job((1_001,))
    receipt = agree.settle(job, 3_333, sender=stranger)
    [event] = receipt.decode_logs(agree.at.JobSettled)
    gross = share(1_001, 3_333)
    assert (event.to_freelancer, event.to_client, event.platform_fee) == (
        gross - fee(gross, 100),
        1_001 - gross,
        fee(gross, 100),
    )


def test_settle__eip1271_wallet_party__signs_through_its_wallet(
    project, owner, escrow, freelancer, stranger, make_terms, create, consent, agree
):
    wallet = owner.deploy(project.smart_wallet_mock, freelancer)
    terms = make_terms((UNIT,), freelancer=wallet)
    job = create(terms, signature=consent(terms, signer=freelancer))
    agree.settle(job, 10_000, sender=stranger, signers=(job.terms.client, freelancer))
    assert escrow.get_job(job.id).settled
    assert escrow.credits(job.token, wallet) == 0


def test_settle__only_one_party_signed__reverts(escrow, client, freelancer, stranger, open_job, domain, agree):
    job = open_job()
    typed = domain.settlement(job.id, 5_000, 0)
    by_client, by_freelancer = sign(client, typed), sign(freelancer, typed)
    with ape.reverts("escrow: bad freelancer signature"):
        agree.at.settle(job.id, job.abi, 5_000, FAR, by_client, by_client, sender=stranger)
    with ape.reverts("escrow: bad client signature"):
        agree.at.settle(job.id, job.abi, 5_000, FAR, by_freelancer, by_freelancer, sender=stranger)
    with ape.reverts("escrow: bad client signature"):
        agree.at.settle(job.id, job.abi, 5_000, FAR, by_freelancer, by_client, sender=stranger)


def test_settle__different_split_or_expiry_than_signed__reverts(escrow, client, freelancer, stranger, open_job, domain):
    job = open_job()
    typed = domain.settlement(job.id, 5_000, 0, FAR)
    signatures = (sign(client, typed), sign(freelancer, typed))
    escrow_at = ape.project.EscrowAgreements.at(escrow.address)
    with ape.reverts("escrow: bad client signature"):
        escrow_at.settle(job.id, job.abi, 9_000, FAR, *signatures, sender=stranger)
    with ape.reverts("escrow: bad client signature"):
        escrow_at.settle(job.id, job.abi, 5_000, FAR - 1, *signatures, sender=stranger)


def test_settle__split_above_100__reverts(stranger, open_job, agree):
    job = open_job()
    with ape.reverts("escrow: split above 100%"):
        agree.settle(job, 10_001, sender=stranger)


def test_settle__expired__reverts_and_the_expiry_second_is_good(escrow, stranger, open_job, agree):
    job = open_job()
    expiry = chain.pending_timestamp + 100
    chain.pending_timestamp = expiry + 1
    with ape.reverts("escrow: settlement expired"):
        agree.settle(job, 5_000, sender=stranger, expiry=expiry)
    chain.pending_timestamp = expiry + 2
    agree.settle(job, 5_000, sender=stranger, expiry=expiry + 2)
    assert escrow.get_job(job.id).settled


def test_settle__high_s_signature__reverts(client, freelancer, stranger, open_job, domain, agree):
    job = open_job()
    typed = domain.settlement(job.id, 5_000, 0)
    good = sign(client, typed), sign(freelancer, typed)
    with ape.reverts("escrow: bad client signature"):
        agree.at.settle(job.id, job.abi, 5_000, FAR, high_s(good[0]), good[1], sender=stranger)
    with ape.reverts("escrow: bad freelancer signature"):
        agree.at.settle(job.id, job.abi, 5_000, FAR, good[0], high_s(good[1]), sender=stranger)


@pytest.mark.parametrize("malformed", [b"", b"\x01" * 64, b"\x01" * 66, "bad v"])
def test_settle__malformed_signature__reverts(client, freelancer, stranger, open_job, domain, agree, malformed):
    job = open_job()
    typed = domain.settlement(job.id, 5_000, 0)
    good = sign(client, typed)
    if malformed == "bad v":
        malformed = good[:64] + bytes([good[64] - 27])
    with ape.reverts("escrow: bad client signature"):
        agree.at.settle(job.id, job.abi, 5_000, FAR, malformed, sign(freelancer, typed), sender=stranger)


def test_settle__replayed_on_another_job__reverts(stranger, open_job, agree):
    first, second = open_job(salt=1), open_job(salt=2)
    typed = agree.domain.settlement(first.id, 5_000, 0)
    signatures = (sign(first.terms.client, typed), sign(first.terms.freelancer, typed))
    with ape.reverts("escrow: bad client signature"):
        agree.at.settle(second.id, second.abi, 5_000, FAR, *signatures, sender=stranger)


@pytest.mark.parametrize("move", ["increment_nonce", "submit", "dispute", "fund", "approve"])
def test_settle__signed_before_the_job_changed__reverts(escrow, client, freelancer, stranger, open_job, agree, move):
    job = open_job((UNIT, UNIT), fund=1)
    if move in ("dispute", "approve"):
        escrow.submit(job.id, job.abi, 0, DELIVERABLE, sender=freelancer)
    signed_at = nonce(escrow, job)
    if move == "increment_nonce":
        receipt = escrow.increment_nonce(job.id, job.abi, sender=client)
        [event] = receipt.decode_logs(escrow.NonceIncremented)
        assert (event.job_id, event.by, event.nonce) == (job.id, client, signed_at + 1)
    elif move == "submit":
        escrow.submit(job.id, job.abi, 0, DELIVERABLE, sender=freelancer)
    elif move == "dispute":
        escrow.dispute(job.id, job.abi, 0, sender=freelancer)
    elif move == "fund":
        escrow.fund(job.id, job.abi, 1, sender=client)
    else:
        escrow.approve(job.id, job.abi, 0, sender=client)
    assert nonce(escrow, job) == signed_at + 1
    with ape.reverts("escrow: bad client signature"):
        agree.settle(job, 5_000, sender=stranger, at_nonce=signed_at)
    agree.settle(job, 5_000, sender=stranger)  # signed again at the new nonce


def test_settle__replayed_after_settling__reverts(stranger, open_job, agree):
    job = open_job()
    agree.settle(job, 5_000, sender=stranger)
    with ape.reverts("escrow: job ended"):
        agree.settle(job, 5_000, sender=stranger, at_nonce=0)


def test_settle__signed_for_another_chain_id__reverts(client, freelancer, stranger, open_job, domain, agree):
    job = open_job()
    foreign = Domain(domain.chain_id + 1, domain.verifying_contract)
    typed = foreign.settlement(job.id, 5_000, 0)
    with ape.reverts("escrow: bad client signature"):
        agree.at.settle(job.id, job.abi, 5_000, FAR, sign(client, typed), sign(freelancer, typed), sender=stranger)


def test_settle__signed_for_another_escrow__reverts(project, owner, client, freelancer, stranger, open_job, agree):
    other = deploy_escrow(project, owner).escrow
    job = open_job()
    typed = Domain.of(other, chain.chain_id).settlement(job.id, 5_000, 0)
    assert other.domain_separator() != agree.escrow.domain_separator()
    with ape.reverts("escrow: bad client signature"):
        agree.at.settle(job.id, job.abi, 5_000, FAR, sign(client, typed), sign(freelancer, typed), sender=stranger)


def test_settle__wrong_terms_or_no_such_job__reverts(stranger, open_job, agree):
    job = open_job()
    with ape.reverts("escrow: wrong terms"):
        agree.at.settle(job.id, job.terms.but(salt=9).abi, 5_000, FAR, b"", b"", sender=stranger)
    with ape.reverts("escrow: no such job"):
        agree.at.settle(job.id + 1, job.abi, 5_000, FAR, b"", b"", sender=stranger)


def test_settle__checks_in_order(stranger, open_job, agree, client):
    job = open_job()
    past = chain.pending_timestamp - 1
    with ape.reverts("escrow: split above 100%"):  # before the expiry and the signatures
        agree.at.settle(job.id, job.abi, 10_001, past, b"", b"", sender=stranger)
    with ape.reverts("escrow: settlement expired"):  # before the signatures
        agree.at.settle(job.id, job.abi, 10_000, past, b"", b"", sender=stranger)
    ended = open_job((UNIT,), fund=0, salt=1)
    agree.escrow.cancel_unfunded(ended.id, ended.abi, sender=client)
    with ape.reverts("escrow: job ended"):  # before the split
        agree.at.settle(ended.id, ended.abi, 10_001, past, b"", b"", sender=stranger)


def test_settle__called_on_the_agreements_contract_itself__no_such_job(agreements, stranger, open_job, agree):
    job = open_job()
    typed = agree.domain.settlement(job.id, 5_000, 0)
    signatures = (sign(job.terms.client, typed), sign(job.terms.freelancer, typed))
    with ape.reverts("escrow: no such job"):
        agreements.settle(job.id, job.abi, 5_000, FAR, *signatures, sender=stranger)


def test_escrow_default__plain_eth_and_unknown_calls__revert(escrow, stranger):
    with ape.reverts():
        stranger.transfer(escrow, 1)
    with ape.reverts():
        stranger.transfer(escrow, 0, data=b"\x12\x34\x56\x78")
    assert escrow.balance == 0
