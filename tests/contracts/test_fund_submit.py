"""fund and submit: the client funds milestones in order; the freelancer submits a funded one by its deadline."""

from __future__ import annotations

import ape
from ape import chain
from eth_utils import keccak

from tests.contracts.conftest import ETH, REVIEW, SUBMITTED, UNIT

DELIVERABLE = keccak(text="deliverable v1")


def test_fund__next_milestones__pulls_their_sum_and_logs(escrow, token, client, open_job):
    job = open_job((100 * UNIT, 200 * UNIT, 300 * UNIT), fund=1)
    token.approve(escrow, 500 * UNIT, sender=client)
    before = token.balanceOf(client)

    receipt = escrow.fund(job.id, 2, job.terms, sender=client)

    assert token.balanceOf(client) == before - 500 * UNIT
    assert token.balanceOf(escrow) == 600 * UNIT
    state = escrow.get_job(job.id)
    assert (state.funded_count, state.nonce) == (3, 1)
    [funded] = receipt.decode_logs(escrow.JobFunded)
    assert (funded.job_id, funded.funder, funded.amount, funded.first_milestone, funded.funded_count) == (
        job.id,
        client,
        500 * UNIT,
        1,
        3,
    )


def test_fund__eth_job__takes_the_value(escrow, client, open_job):
    job = open_job((UNIT, 2 * UNIT), fund=0, pay_token=ETH)
    escrow.fund(job.id, 2, job.terms, sender=client, value=3 * UNIT)
    assert escrow.balance == 3 * UNIT


def test_fund__by_freelancer__reverts(escrow, freelancer, open_job):
    job = open_job(fund=0)
    with ape.reverts("escrow: not client"):
        escrow.fund(job.id, 1, job.terms, sender=freelancer)


def test_fund__past_the_schedule__reverts(escrow, client, open_job):
    job = open_job((UNIT, UNIT), fund=1)
    with ape.reverts("escrow: bad fund count"):
        escrow.fund(job.id, 2, job.terms, sender=client)
    with ape.reverts("escrow: bad fund count"):
        escrow.fund(job.id, 0, job.terms, sender=client)


def test_fund__wrong_terms__reverts(escrow, token, client, open_job):
    job = open_job((UNIT, UNIT), fund=1)
    token.approve(escrow, 10 * UNIT, sender=client)
    forged = job.terms[:5] + ([(UNIT, job.deadlines[0]), (1, job.deadlines[1])],)
    with ape.reverts("escrow: wrong terms"):
        escrow.fund(job.id, 1, forged, sender=client)


def test_fund__after_cancel__reverts(escrow, client, open_job):
    job = open_job((UNIT, UNIT, UNIT), fund=1)
    escrow.cancel_unfunded(job.id, sender=client)
    with ape.reverts("escrow: unfunded milestones cancelled"):
        escrow.fund(job.id, 1, job.terms, sender=client)


def test_fund__unknown_job__reverts(escrow, client, open_job):
    job = open_job()
    with ape.reverts("escrow: no such job"):
        escrow.fund(job.id + 1, 1, job.terms, sender=client)


def test_submit__funded_milestone__starts_review_and_logs(escrow, freelancer, open_job):
    job = open_job()
    receipt = escrow.submit(job.id, 1, DELIVERABLE, job.terms, sender=freelancer)

    now = chain.blocks.head.timestamp
    m = escrow.get_job(job.id).milestones[1]
    assert (m.status, m.amount, m.review_end, m.platform_fee_bps) == (SUBMITTED, job.amounts[1], now + REVIEW, 100)
    [event] = receipt.decode_logs(escrow.MilestoneSubmitted)
    assert (event.job_id, event.milestone, event.freelancer, event.deliverable_hash) == (
        job.id,
        1,
        freelancer,
        DELIVERABLE,
    )
    assert (event.amount, event.review_end) == (job.amounts[1], now + REVIEW)


def test_submit__by_client__reverts(escrow, client, open_job):
    job = open_job()
    with ape.reverts("escrow: not freelancer"):
        escrow.submit(job.id, 0, DELIVERABLE, job.terms, sender=client)


def test_submit__unfunded__reverts(escrow, freelancer, open_job):
    job = open_job((UNIT, UNIT), fund=1)
    with ape.reverts("escrow: milestone not funded"):
        escrow.submit(job.id, 1, DELIVERABLE, job.terms, sender=freelancer)


def test_submit__no_such_milestone__reverts(escrow, freelancer, open_job):
    job = open_job((UNIT,))
    with ape.reverts("escrow: no such milestone"):
        escrow.submit(job.id, 1, DELIVERABLE, job.terms, sender=freelancer)


def test_submit__twice__reverts(escrow, freelancer, submitted_job):
    job = submitted_job()
    with ape.reverts("escrow: milestone not open"):
        escrow.submit(job.id, 0, DELIVERABLE, job.terms, sender=freelancer)


def test_submit__wrong_terms__reverts(escrow, freelancer, open_job):
    job = open_job()
    forged = (job.terms[0], job.terms[1], job.terms[2], 1, job.terms[4], job.terms[5])
    with ape.reverts("escrow: wrong terms"):
        escrow.submit(job.id, 0, DELIVERABLE, forged, sender=freelancer)


def test_submit__after_deadline__reverts(escrow, freelancer, open_job):
    job = open_job()
    chain.pending_timestamp = job.deadlines[0] + 1
    with ape.reverts("escrow: deadline passed"):
        escrow.submit(job.id, 0, DELIVERABLE, job.terms, sender=freelancer)


def test_submit__job_ended__reverts(escrow, client, freelancer, open_job):
    job = open_job((UNIT, UNIT), fund=0)
    escrow.cancel_unfunded(job.id, sender=client)
    with ape.reverts("escrow: job ended"):
        escrow.submit(job.id, 0, DELIVERABLE, job.terms, sender=freelancer)
