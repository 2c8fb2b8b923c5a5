"""approve, release after the review period, and reclaim after a missed deadline."""

from __future__ import annotations

import ape
from ape import chain

from tests.contracts.conftest import APPROVED, RECLAIMED, RELEASED, REVIEW, UNIT


def test_approve__by_client__pays_freelancer_less_fee_and_logs(escrow, token, client, freelancer, submitted_job):
    job = submitted_job(amounts=(300 * UNIT, 500 * UNIT))
    before = token.balanceOf(freelancer)

    receipt = escrow.approve(job.id, 0, sender=client)

    assert token.balanceOf(freelancer) == before + 297 * UNIT
    assert token.balanceOf(escrow) == 503 * UNIT  # the fee stays until the job ends
    state = escrow.get_job(job.id)
    assert (state.milestones[0].status, state.open_count, state.nonce) == (APPROVED, 1, 1)
    [event] = receipt.decode_logs(escrow.MilestoneApproved)
    assert (event.job_id, event.milestone, event.freelancer, event.amount, event.platform_fee) == (
        job.id,
        0,
        freelancer,
        297 * UNIT,
        3 * UNIT,
    )
    assert escrow.fees_accrued(token) == 0


def test_approve__last_milestone__ends_job_and_accrues_fees(escrow, token, client, submitted_job):
    job = submitted_job(amounts=(100 * UNIT,))
    receipt = escrow.approve(job.id, 0, sender=client)
    assert escrow.get_job(job.id).ended
    assert escrow.fees_accrued(token) == UNIT
    [ended] = receipt.decode_logs(escrow.JobEnded)
    assert (ended.volume, ended.recorded) == (100 * UNIT, True)


def test_approve__by_freelancer__reverts(escrow, freelancer, submitted_job):
    job = submitted_job()
    with ape.reverts("escrow: not client"):
        escrow.approve(job.id, 0, sender=freelancer)


def test_approve__not_submitted__reverts(escrow, client, open_job):
    job = open_job()
    with ape.reverts("escrow: not submitted"):
        escrow.approve(job.id, 0, sender=client)


def test_approve__twice__reverts(escrow, client, submitted_job):
    job = submitted_job()
    escrow.approve(job.id, 0, sender=client)
    with ape.reverts("escrow: not submitted"):
        escrow.approve(job.id, 0, sender=client)


def test_approve__job_settled__reverts(escrow, client, freelancer, stranger, submitted_job):
    from tests.contracts.conftest import settlement_signatures

    job = submitted_job()
    sigs = settlement_signatures(escrow, job.id, 5_000, (client, freelancer))
    escrow.settle(job.id, 5_000, job.terms, *sigs, sender=stranger)
    with ape.reverts("escrow: job ended"):
        escrow.approve(job.id, 0, sender=client)


def test_release__after_review__anyone_pays_freelancer(escrow, token, freelancer, stranger, submitted_job):
    job = submitted_job(amounts=(300 * UNIT, 500 * UNIT))
    chain.pending_timestamp += REVIEW
    before = token.balanceOf(freelancer)

    receipt = escrow.release(job.id, 0, sender=stranger)

    assert token.balanceOf(freelancer) == before + 297 * UNIT
    assert escrow.get_job(job.id).milestones[0].status == RELEASED
    [event] = receipt.decode_logs(escrow.MilestoneReleased)
    assert (event.job_id, event.milestone, event.freelancer, event.amount, event.platform_fee, event.by) == (
        job.id,
        0,
        freelancer,
        297 * UNIT,
        3 * UNIT,
        stranger,
    )


def test_release__during_review__reverts(escrow, stranger, submitted_job):
    job = submitted_job()
    with ape.reverts("escrow: review period running"):
        escrow.release(job.id, 0, sender=stranger)


def test_release__not_submitted__reverts(escrow, stranger, open_job):
    job = open_job()
    with ape.reverts("escrow: not submitted"):
        escrow.release(job.id, 0, sender=stranger)


def test_reclaim__after_deadline__returns_funds_to_client(escrow, token, client, stranger, open_job):
    job = open_job((300 * UNIT, 500 * UNIT))
    chain.pending_timestamp = job.deadlines[0] + 1
    before = token.balanceOf(client)

    receipt = escrow.reclaim(job.id, 0, job.terms, sender=stranger)

    assert token.balanceOf(client) == before + 300 * UNIT
    assert token.balanceOf(escrow) == 500 * UNIT
    m = escrow.get_job(job.id).milestones[0]
    assert (m.status, m.amount) == (RECLAIMED, 300 * UNIT)
    [event] = receipt.decode_logs(escrow.MilestoneReclaimed)
    assert (event.job_id, event.milestone, event.client, event.amount, event.by) == (
        job.id,
        0,
        client,
        300 * UNIT,
        stranger,
    )


def test_reclaim__before_deadline__reverts(escrow, client, open_job):
    job = open_job()
    with ape.reverts("escrow: deadline not passed"):
        escrow.reclaim(job.id, 0, job.terms, sender=client)


def test_reclaim__submitted__reverts(escrow, client, submitted_job):
    job = submitted_job()
    chain.pending_timestamp = job.deadlines[0] + 1
    with ape.reverts("escrow: milestone not open"):
        escrow.reclaim(job.id, 0, job.terms, sender=client)


def test_reclaim__unfunded__reverts(escrow, client, open_job):
    job = open_job((UNIT, UNIT), fund=1)
    chain.pending_timestamp = job.deadlines[1] + 1
    with ape.reverts("escrow: milestone not funded"):
        escrow.reclaim(job.id, 1, job.terms, sender=client)


def test_reclaim__no_such_milestone__reverts(escrow, client, open_job):
    job = open_job((UNIT,))
    with ape.reverts("escrow: no such milestone"):
        escrow.reclaim(job.id, 3, job.terms, sender=client)


def test_reclaim__wrong_terms__reverts(escrow, client, open_job):
    job = open_job((UNIT, UNIT))
    forged = job.terms[:5] + ([(UNIT, 1), (UNIT, 1)],)
    with ape.reverts("escrow: wrong terms"):
        escrow.reclaim(job.id, 0, forged, sender=client)
