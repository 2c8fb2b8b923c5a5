"""cancel_unfunded, increment_nonce and rate."""

from __future__ import annotations

import ape

from tests.contracts.conftest import UNIT


def test_cancel_unfunded__closes_unfunded_milestones(escrow, client, freelancer, open_job):
    job = open_job((UNIT, UNIT, UNIT), fund=1)
    receipt = escrow.cancel_unfunded(job.id, sender=client)
    state = escrow.get_job(job.id)
    assert (state.cancelled, state.open_count, state.nonce, state.ended) == (True, 1, 1, False)
    [event] = receipt.decode_logs(escrow.MilestonesCancelled)
    assert (event.job_id, event.first_milestone, event.count) == (job.id, 1, 2)
    escrow.submit(job.id, 0, b"\x01" * 32, job.terms, sender=freelancer)  # funded ones still run


def test_cancel_unfunded__nothing_unfunded__reverts(escrow, client, open_job):
    job = open_job()
    with ape.reverts("escrow: nothing to cancel"):
        escrow.cancel_unfunded(job.id, sender=client)


def test_cancel_unfunded__twice__reverts(escrow, client, open_job):
    job = open_job((UNIT, UNIT, UNIT), fund=1)
    escrow.cancel_unfunded(job.id, sender=client)
    with ape.reverts("escrow: unfunded milestones cancelled"):
        escrow.cancel_unfunded(job.id, sender=client)


def test_cancel_unfunded__everything_unfunded__ends_job_without_volume(escrow, client, freelancer, open_job):
    job = open_job((UNIT, UNIT), fund=0)
    receipt = escrow.cancel_unfunded(job.id, sender=client)
    [ended] = receipt.decode_logs(escrow.JobEnded)
    assert (ended.job_id, ended.client, ended.freelancer, ended.volume, ended.recorded) == (
        job.id,
        client,
        freelancer,
        0,
        True,
    )


def test_increment_nonce__ended_job__reverts(escrow, client, open_job):
    job = open_job((UNIT,), fund=0)
    escrow.cancel_unfunded(job.id, sender=client)
    with ape.reverts("escrow: job ended"):
        escrow.increment_nonce(job.id, sender=client)


def test_rate__each_party_once__recorded_in_reputation(escrow, reputation, client, freelancer, submitted_job):
    job = submitted_job(amounts=(UNIT,))
    escrow.approve(job.id, 0, sender=client)

    receipt = escrow.rate(job.id, 4, b"\x07" * 32, sender=client)
    [event] = receipt.decode_logs(escrow.JobRated)
    assert (event.job_id, event.rater, event.subject, event.score, event.comment_hash) == (
        job.id,
        client,
        freelancer,
        4,
        b"\x07" * 32,
    )
    [recorded] = receipt.decode_logs(reputation.RatingRecorded)
    assert (recorded.escrow, recorded.job_id, recorded.subject, recorded.rater, recorded.score) == (
        escrow,
        job.id,
        freelancer,
        client,
        4,
    )
    escrow.rate(job.id, 2, b"\x08" * 32, sender=freelancer)
    state = escrow.get_job(job.id)
    assert state.client_rated and state.freelancer_rated
    assert (reputation.stats(freelancer).rating_count, reputation.stats(freelancer).rating_sum) == (1, 4)
    assert (reputation.stats(client).rating_count, reputation.stats(client).rating_sum) == (1, 2)
    with ape.reverts("escrow: already rated"):
        escrow.rate(job.id, 5, b"\x00" * 32, sender=client)


def test_rate__job_running__reverts(escrow, client, open_job):
    job = open_job()
    with ape.reverts("escrow: job not ended"):
        escrow.rate(job.id, 5, b"\x00" * 32, sender=client)


def test_rate__score_out_of_range__reverts(escrow, client, submitted_job):
    job = submitted_job(amounts=(UNIT,))
    escrow.approve(job.id, 0, sender=client)
    for score in (0, 6):
        with ape.reverts("escrow: score out of range"):
            escrow.rate(job.id, score, b"\x00" * 32, sender=client)
