"""End to end: offer -> consent -> hire and fund -> deliver -> accept and pay -> extend -> add -> dispute -> ruling
-> deduction -> rate -> collect fees."""

from __future__ import annotations

from eth_utils import keccak

from tests.contracts.terms import APPROVED, DEDUCTED, RESOLVED, UNIT, Milestone, fee, share, sign


def test_job_story__milestones_approved_amended_ruled_and_deducted__everyone_paid_and_rated(
    escrow, reputation, token, client, freelancer, arbiter, fee_recipient, make_terms, create, domain, agree
):
    # The freelancer signs the offer with the proposal; the client hires later, funding two milestones of three.
    terms = make_terms((300 * UNIT, 500 * UNIT, 200 * UNIT), salt=42)
    consent = sign(freelancer, domain.consent(terms))
    before = {who: token.balanceOf(who) for who in (client, freelancer, arbiter)}
    job = create(terms, fund=2, signature=consent)

    escrow.submit(job.id, job.abi, 0, keccak(text="v1"), sender=freelancer)
    escrow.approve(job.id, job.abi, 0, sender=client)
    agree.extend(job, 1, 40 * 86_400, by=freelancer)  # the client agrees to more time for milestone 1
    agree.add(job, (Milestone(100 * UNIT, 60 * 86_400),), 2, by=client)  # funds milestone 2 and the new 3
    escrow.submit(job.id, job.abi, 1, keccak(text="v2"), sender=freelancer)
    escrow.dispute(job.id, job.abi, 1, sender=client)
    escrow.resolve(job.id, job.abi, 1, 6_000, sender=arbiter)
    escrow.submit(job.id, job.abi, 2, keccak(text="v3"), sender=freelancer)
    escrow.submit(job.id, job.abi, 3, keccak(text="v4"), sender=freelancer)
    escrow.approve(job.id, job.abi, 2, sender=client)
    receipt = agree.deduct(job, 3, 8_000, by=client)  # accepted with a 20% deduction; the job ends

    # 300 approved: 3 fee; 500 disputed: 25 arbiter fee, 475 * 60% = 285 gross, 2.85 fee, 190 back;
    # 200 approved: 2 fee; 100 deducted: 80 gross, 0.8 fee, 20 back.
    fees = fee(300 * UNIT, 100) + fee(285 * UNIT, 100) + fee(200 * UNIT, 100) + fee(80 * UNIT, 100)
    paid = 300 * UNIT + 285 * UNIT + 200 * UNIT + 80 * UNIT - fees
    assert share(475 * UNIT, 6_000) == 285 * UNIT
    assert token.balanceOf(freelancer) - before[freelancer] == paid
    assert before[client] - token.balanceOf(client) == 1_100 * UNIT - 190 * UNIT - 20 * UNIT
    assert token.balanceOf(arbiter) - before[arbiter] == 25 * UNIT
    assert escrow.fees_accrued(token) == fees == 8_650_000
    assert token.balanceOf(escrow) == escrow.fees_accrued(token)
    state = escrow.get_job(job.id)
    assert state.ended and state.paid and state.open_count == 0
    assert [m.status for m in state.milestones] == [APPROVED, RESOLVED, APPROVED, DEDUCTED]
    [ended] = receipt.decode_logs(agree.at.JobEnded)
    assert (ended.job_id, ended.client, ended.freelancer, ended.paid, ended.platform_fees, ended.recorded) == (
        job.id,
        client,
        freelancer,
        paid,
        fees,
        True,
    )

    escrow.rate(job.id, job.abi, 4, keccak(text="good"), sender=client)
    escrow.rate(job.id, job.abi, 5, keccak(text="fair"), sender=freelancer)
    stats = reputation.stats(freelancer)
    assert (stats.jobs_as_freelancer, stats.rating_count, stats.rating_sum) == (1, 1, 4)
    assert (stats.disputes_won, stats.disputes_lost, stats.disputes_opened) == (1, 0, 0)
    client_stats = reputation.stats(client)
    assert (client_stats.jobs_as_client, client_stats.disputes_opened, client_stats.disputes_lost) == (1, 1, 1)
    assert reputation.volume(freelancer, token).as_freelancer == paid
    assert reputation.jobs_together(client, freelancer) == 1

    before_fees = token.balanceOf(fee_recipient)
    escrow.collect_fees(token, sender=client)
    assert token.balanceOf(fee_recipient) - before_fees == fees
    assert token.balanceOf(escrow) == 0
