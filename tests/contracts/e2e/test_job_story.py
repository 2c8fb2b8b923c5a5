"""End to end: post -> hire and fund -> deliver -> accept and pay -> dispute -> ruling -> rate."""

from __future__ import annotations

from eth_utils import keccak

from tests.contracts.conftest import APPROVED, RESOLVED, UNIT


def test_job_story__two_milestones_approved_and_ruled__everyone_paid_and_rated(
    escrow, reputation, token, client, freelancer, arbiter, fee_recipient, open_job
):
    job = open_job((300 * UNIT, 500 * UNIT))
    before = {who: token.balanceOf(who) for who in (client, freelancer, arbiter)}

    escrow.submit(job.id, 0, keccak(text="v1"), job.terms, sender=freelancer)
    escrow.approve(job.id, 0, sender=client)
    escrow.submit(job.id, 1, keccak(text="v2"), job.terms, sender=freelancer)
    escrow.dispute(job.id, 1, sender=client)
    receipt = escrow.resolve(job.id, 1, 6_000, job.terms, sender=arbiter)

    # 300 approved: 3 fee; 500 disputed: 25 arbiter fee, 475 * 60% = 285 gross, 2.85 fee, 190 back.
    assert token.balanceOf(freelancer) - before[freelancer] == 297 * UNIT + 282_150_000
    assert token.balanceOf(client) - before[client] == 190 * UNIT
    assert token.balanceOf(arbiter) - before[arbiter] == 25 * UNIT
    assert escrow.fees_accrued(token) == 3 * UNIT + 2_850_000
    assert token.balanceOf(escrow) == escrow.fees_accrued(token)
    state = escrow.get_job(job.id)
    assert state.ended and state.open_count == 0
    assert [m.status for m in state.milestones] == [APPROVED, RESOLVED]
    [ended] = receipt.decode_logs(escrow.JobEnded)
    assert (ended.job_id, ended.client, ended.freelancer, ended.volume, ended.recorded) == (
        job.id,
        client,
        freelancer,
        300 * UNIT + 285 * UNIT,
        True,
    )

    escrow.rate(job.id, 4, keccak(text="good"), sender=client)
    escrow.rate(job.id, 5, keccak(text="fair"), sender=freelancer)
    stats = reputation.stats(freelancer)
    assert (stats.jobs_as_freelancer, stats.rating_count, stats.rating_sum) == (1, 1, 4)
    assert (stats.disputes_won, stats.disputes_lost, stats.disputes_opened) == (1, 0, 0)
    client_stats = reputation.stats(client)
    assert (client_stats.jobs_as_client, client_stats.disputes_opened, client_stats.disputes_lost) == (1, 1, 1)
    assert reputation.volume(freelancer, token).as_freelancer == 585 * UNIT

    escrow.collect_fees(token, sender=client)
    assert token.balanceOf(fee_recipient) == 5_850_000
    assert token.balanceOf(escrow) == 0
