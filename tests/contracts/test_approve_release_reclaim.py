"""approve, release after the review period, and reclaim after a missed deadline."""

from __future__ import annotations

import ape
import pytest
from ape import chain

from tests.contracts.conftest import DELIVERABLE, balances
from tests.contracts.terms import APPROVED, ETH, RECLAIMED, RELEASED, REVIEW, SUBMITTED, UNIT


def test_approve__by_client__pays_freelancer_less_fee_and_logs(escrow, token, client, freelancer, submitted_job):
    job = submitted_job(amounts=(300 * UNIT, 500 * UNIT))
    freelancer_before, escrow_before = balances(token, freelancer, escrow)

    receipt = escrow.approve(job.id, job.abi, 0, sender=client)

    assert balances(token, freelancer, escrow) == [freelancer_before + 297 * UNIT, escrow_before - 297 * UNIT]
    state = escrow.get_job(job.id)
    assert (state.milestones[0].status, state.open_count, state.nonce, state.ended) == (APPROVED, 1, 2, False)
    [event] = receipt.decode_logs(escrow.MilestoneApproved)
    assert (event.job_id, event.milestone, event.freelancer, event.amount, event.platform_fee) == (
        job.id,
        0,
        freelancer,
        297 * UNIT,
        3 * UNIT,
    )
    assert escrow.fees_accrued(token) == 0  # the fee stays with the job until it ends
    assert receipt.decode_logs(escrow.JobEnded) == []


def test_approve__last_milestone__ends_job_accrues_fees_and_records(escrow, reputation, token, client, submitted_job):
    job = submitted_job(amounts=(100 * UNIT,))
    receipt = escrow.approve(job.id, job.abi, 0, sender=client)
    state = escrow.get_job(job.id)
    assert state.ended and state.paid and state.open_count == 0
    assert escrow.fees_accrued(token) == UNIT
    [ended] = receipt.decode_logs(escrow.JobEnded)
    assert (ended.job_id, ended.paid, ended.platform_fees, ended.recorded) == (job.id, 99 * UNIT, UNIT, True)
    assert len(receipt.decode_logs(reputation.JobRecorded)) == 1


def test_approve__eth_job__pays_in_eth(escrow, client, freelancer, submitted_job):
    job = submitted_job(amounts=(UNIT, UNIT), token=ETH)
    [before] = balances(ETH, freelancer)
    escrow.approve(job.id, job.abi, 0, sender=client)
    assert balances(ETH, freelancer, escrow) == [before + UNIT - UNIT // 100, UNIT + UNIT // 100]


@pytest.mark.parametrize("who", ["freelancer", "arbiter", "stranger"])
def test_approve__not_the_client__reverts(request, escrow, submitted_job, who):
    job = submitted_job()
    with ape.reverts("escrow: not client"):
        escrow.approve(job.id, job.abi, 0, sender=request.getfixturevalue(who))


def test_approve__not_submitted__reverts(escrow, client, open_job):
    job = open_job()
    with ape.reverts("escrow: not submitted"):
        escrow.approve(job.id, job.abi, 0, sender=client)


def test_approve__twice__reverts(escrow, client, submitted_job):
    job = submitted_job()
    escrow.approve(job.id, job.abi, 0, sender=client)
    with ape.reverts("escrow: not submitted"):
        escrow.approve(job.id, job.abi, 0, sender=client)


def test_approve__disputed__reverts(escrow, client, disputed_job):
    job = disputed_job()
    with ape.reverts("escrow: not submitted"):
        escrow.approve(job.id, job.abi, 0, sender=client)


def test_approve__job_settled__reverts(escrow, client, stranger, submitted_job, agree):
    job = submitted_job()
    agree.settle(job, 5_000, sender=stranger)
    with ape.reverts("escrow: job ended"):
        escrow.approve(job.id, job.abi, 0, sender=client)


def test_approve__wrong_terms__reverts(escrow, client, submitted_job):
    job = submitted_job()
    cheaper = job.terms.but(platform_fee_bps=0)
    with ape.reverts("escrow: wrong terms"):
        escrow.approve(job.id, cheaper.abi, 0, sender=client)


def test_approve__no_such_milestone__reverts(escrow, client, submitted_job):
    job = submitted_job()
    with ape.reverts("escrow: no such milestone"):
        escrow.approve(job.id, job.abi, 2, sender=client)


def test_approve__checks_in_order(escrow, client, stranger, submitted_job):
    job = submitted_job(amounts=(UNIT,))
    escrow.approve(job.id, job.abi, 0, sender=client)
    with ape.reverts("escrow: not client"):
        escrow.approve(job.id, job.abi, 5, sender=stranger)
    with ape.reverts("escrow: job ended"):
        escrow.approve(job.id, job.abi, 5, sender=client)


def test_release__after_review__anyone_pays_freelancer(escrow, token, freelancer, stranger, submitted_job):
    job = submitted_job(amounts=(300 * UNIT, 500 * UNIT))
    chain.pending_timestamp += REVIEW
    [before] = balances(token, freelancer)

    receipt = escrow.release(job.id, job.abi, 0, sender=stranger)

    assert balances(token, freelancer) == [before + 297 * UNIT]
    state = escrow.get_job(job.id)
    assert (state.milestones[0].status, state.open_count, state.nonce) == (RELEASED, 1, 2)
    [event] = receipt.decode_logs(escrow.MilestoneReleased)
    assert (event.job_id, event.milestone, event.freelancer, event.amount, event.platform_fee, event.by) == (
        job.id,
        0,
        freelancer,
        297 * UNIT,
        3 * UNIT,
        stranger,
    )


def test_release__last_milestone__ends_job(escrow, token, stranger, submitted_job):
    job = submitted_job(amounts=(100 * UNIT,))
    chain.pending_timestamp += REVIEW
    receipt = escrow.release(job.id, job.abi, 0, sender=stranger)
    assert escrow.get_job(job.id).ended
    assert receipt.decode_logs(escrow.JobEnded)[0].paid == 99 * UNIT
    assert escrow.fees_accrued(token) == UNIT


def test_release__during_review__reverts(escrow, stranger, submitted_job):
    job = submitted_job()
    with ape.reverts("escrow: review period running"):
        escrow.release(job.id, job.abi, 0, sender=stranger)


def test_release__not_submitted__reverts(escrow, stranger, open_job):
    job = open_job()
    chain.pending_timestamp += REVIEW
    with ape.reverts("escrow: not submitted"):
        escrow.release(job.id, job.abi, 0, sender=stranger)


def test_release__disputed__reverts(escrow, stranger, disputed_job):
    job = disputed_job()
    chain.pending_timestamp += REVIEW
    with ape.reverts("escrow: not submitted"):
        escrow.release(job.id, job.abi, 0, sender=stranger)


def test_release__wrong_terms__reverts(escrow, stranger, submitted_job):
    job = submitted_job()
    chain.pending_timestamp += REVIEW
    with ape.reverts("escrow: wrong terms"):
        escrow.release(job.id, job.terms.but(freelancer=str(stranger.address)).abi, 0, sender=stranger)


def test_release__checks_in_order(escrow, stranger, submitted_job):
    job = submitted_job()
    with ape.reverts("escrow: no such milestone"):  # the index before the milestone's state and time
        escrow.release(job.id, job.abi, 2, sender=stranger)
    with ape.reverts("escrow: not submitted"):
        escrow.release(job.id, job.abi, 1, sender=stranger)


def test_reclaim__after_deadline__anyone_returns_the_funds_to_the_client(escrow, token, client, stranger, open_job):
    job = open_job((300 * UNIT, 500 * UNIT))
    chain.pending_timestamp = job.deadline(0) + 1
    client_before, escrow_before = balances(token, client, escrow)

    receipt = escrow.reclaim(job.id, job.abi, 0, sender=stranger)

    assert balances(token, client, escrow) == [client_before + 300 * UNIT, escrow_before - 300 * UNIT]
    state = escrow.get_job(job.id)
    assert (state.milestones[0].status, state.open_count, state.nonce) == (RECLAIMED, 1, 1)
    [event] = receipt.decode_logs(escrow.MilestoneReclaimed)
    assert (event.job_id, event.milestone, event.client, event.amount, event.by) == (
        job.id,
        0,
        client,
        300 * UNIT,
        stranger,
    )


def test_reclaim__every_milestone__ends_job_unpaid(escrow, client, open_job):
    job = open_job((UNIT,))
    chain.pending_timestamp = job.deadline(0) + 1
    receipt = escrow.reclaim(job.id, job.abi, 0, sender=client)
    [ended] = receipt.decode_logs(escrow.JobEnded)
    assert (ended.paid, ended.platform_fees, ended.recorded) == (0, 0, True)
    assert not escrow.get_job(job.id).paid


def test_reclaim__before_deadline__reverts(escrow, client, open_job):
    job = open_job()
    chain.pending_timestamp = job.deadline(0)
    with ape.reverts("escrow: deadline not passed"):
        escrow.reclaim(job.id, job.abi, 0, sender=client)


def test_reclaim__submitted__reverts(escrow, client, submitted_job):
    job = submitted_job()
    chain.pending_timestamp = job.deadline(0) + 1
    with ape.reverts("escrow: milestone not open"):
        escrow.reclaim(job.id, job.abi, 0, sender=client)


def test_reclaim__twice__reverts(escrow, client, open_job):
    job = open_job()
    chain.pending_timestamp = job.deadline(0) + 1
    escrow.reclaim(job.id, job.abi, 0, sender=client)
    with ape.reverts("escrow: milestone not open"):
        escrow.reclaim(job.id, job.abi, 0, sender=client)


def test_reclaim__unfunded__reverts(escrow, client, open_job):
    job = open_job((UNIT, UNIT), fund=1)
    chain.pending_timestamp = job.deadline(1) + 1
    with ape.reverts("escrow: milestone not funded"):
        escrow.reclaim(job.id, job.abi, 1, sender=client)


def test_reclaim__no_such_milestone__reverts(escrow, client, open_job):
    job = open_job((UNIT,))
    with ape.reverts("escrow: no such milestone"):
        escrow.reclaim(job.id, job.abi, 1, sender=client)


def test_reclaim__wrong_terms__reverts(escrow, client, open_job):
    job = open_job((UNIT, UNIT))
    forged = job.terms.but(milestones=[(UNIT, 1), (UNIT, 1)])  # deadlines already passed
    chain.pending_timestamp += 10
    with ape.reverts("escrow: wrong terms"):
        escrow.reclaim(job.id, forged.abi, 0, sender=client)


def test_reclaim__checks_in_order(escrow, client, freelancer, open_job):
    job = open_job((UNIT, UNIT), fund=1)
    escrow.submit(job.id, job.abi, 0, DELIVERABLE, sender=freelancer)
    with ape.reverts("escrow: milestone not funded"):  # before the deadline
        escrow.reclaim(job.id, job.abi, 1, sender=client)
    with ape.reverts("escrow: milestone not open"):  # before the deadline
        escrow.reclaim(job.id, job.abi, 0, sender=client)
    assert escrow.get_job(job.id).milestones[0].status == SUBMITTED
