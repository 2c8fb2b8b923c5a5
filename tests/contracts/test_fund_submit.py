"""fund and submit: the client funds milestones in order; the freelancer submits a funded one by its deadline."""

from __future__ import annotations

import ape
import pytest
from ape import chain

from tests.contracts.conftest import DELIVERABLE, balances, nonce
from tests.contracts.terms import ETH, REVIEW, SUBMITTED, UNIT


def test_fund__next_milestones__pulls_their_sum_and_logs(escrow, token, client, open_job):
    job = open_job((100 * UNIT, 200 * UNIT, 300 * UNIT), fund=1)
    client_before, escrow_before = balances(token, client, escrow)

    receipt = escrow.fund(job.id, job.abi, 2, sender=client)

    assert balances(token, client, escrow) == [client_before - 500 * UNIT, escrow_before + 500 * UNIT]
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


def test_fund__one_at_a_time__in_order(escrow, client, open_job):
    job = open_job((UNIT, 2 * UNIT, 3 * UNIT), fund=0)
    amounts = [escrow.fund(job.id, job.abi, 1, sender=client).decode_logs(escrow.JobFunded)[0].amount for _ in range(3)]
    assert amounts == [UNIT, 2 * UNIT, 3 * UNIT]
    assert nonce(escrow, job) == 3


def test_fund__eth_job__takes_exactly_the_value(escrow, client, open_job):
    job = open_job((UNIT, 2 * UNIT), fund=0, token=ETH)
    with ape.reverts("payouts: wrong ETH amount"):
        escrow.fund(job.id, job.abi, 2, sender=client, value=3 * UNIT - 1)
    escrow.fund(job.id, job.abi, 2, sender=client, value=3 * UNIT)
    assert balances(ETH, escrow) == [3 * UNIT]


def test_fund__token_job_with_value__reverts(escrow, client, open_job):
    job = open_job(fund=0)
    with ape.reverts("payouts: ETH sent with a token job"):
        escrow.fund(job.id, job.abi, 1, sender=client, value=1)


def test_fund__without_allowance__reverts(escrow, token, client, open_job):
    job = open_job(fund=0)
    token.approve(escrow, 0, sender=client)
    with ape.reverts("erc20: insufficient allowance"):
        escrow.fund(job.id, job.abi, 1, sender=client)
    assert escrow.get_job(job.id).funded_count == 0


@pytest.mark.parametrize("who", ["freelancer", "stranger", "arbiter"])
def test_fund__not_the_client__reverts(request, escrow, open_job, who):
    job = open_job(fund=0)
    with ape.reverts("escrow: not client"):
        escrow.fund(job.id, job.abi, 1, sender=request.getfixturevalue(who))


@pytest.mark.parametrize("count", [0, 2])
def test_fund__bad_count__reverts(escrow, client, open_job, count):
    job = open_job((UNIT, UNIT), fund=1)
    with ape.reverts("escrow: bad fund count"):
        escrow.fund(job.id, job.abi, count, sender=client)


@pytest.mark.parametrize("count", [2**256 - 1])
def test_fund__overflowing_count__reverts_with_bad_fund_count(escrow, client, open_job, count):
    job = open_job((UNIT, UNIT), fund=1)
    with ape.reverts("escrow: bad fund count"):
        escrow.fund(job.id, job.abi, count, sender=client)


def test_fund__everything_funded__reverts(escrow, client, open_job):
    job = open_job()
    with ape.reverts("escrow: bad fund count"):
        escrow.fund(job.id, job.abi, 1, sender=client)


def test_fund__after_cancel__reverts(escrow, client, open_job):
    job = open_job((UNIT, UNIT, UNIT), fund=1)
    escrow.cancel_unfunded(job.id, job.abi, sender=client)
    with ape.reverts("escrow: bad fund count"):
        escrow.fund(job.id, job.abi, 1, sender=client)


def test_fund__job_ended__reverts(escrow, client, open_job):
    job = open_job((UNIT, UNIT), fund=0)
    escrow.cancel_unfunded(job.id, job.abi, sender=client)
    with ape.reverts("escrow: job ended"):
        escrow.fund(job.id, job.abi, 1, sender=client)


def test_fund__wrong_terms__reverts(escrow, client, open_job):
    job = open_job((UNIT, UNIT), fund=1)
    forged = job.terms.but(milestones=[(UNIT, m.duration) for m in job.terms.milestones[:1]] + [(1, 1)])
    with ape.reverts("escrow: wrong terms"):
        escrow.fund(job.id, forged.abi, 1, sender=client)


def test_fund__another_jobs_terms__reverts(escrow, client, open_job):
    first, second = open_job(fund=0, salt=1), open_job(fund=0, salt=2)
    with ape.reverts("escrow: wrong terms"):
        escrow.fund(first.id, second.abi, 1, sender=client)


def test_fund__unknown_job__reverts(escrow, client, open_job):
    job = open_job(fund=0)
    with ape.reverts("escrow: no such job"):
        escrow.fund(job.id + 1, job.abi, 1, sender=client)


def test_fund__checks_in_order__common_then_client_then_running_then_count(escrow, client, stranger, open_job):
    job = open_job((UNIT,), fund=0)
    escrow.cancel_unfunded(job.id, job.abi, sender=client)  # ended
    with ape.reverts("escrow: no such job"):
        escrow.fund(99, job.terms.but(salt=5).abi, 0, sender=stranger)
    with ape.reverts("escrow: wrong terms"):
        escrow.fund(job.id, job.terms.but(salt=5).abi, 0, sender=stranger)
    with ape.reverts("escrow: not client"):
        escrow.fund(job.id, job.abi, 0, sender=stranger)
    with ape.reverts("escrow: job ended"):
        escrow.fund(job.id, job.abi, 0, sender=client)


def test_submit__funded_milestone__starts_review_and_logs(escrow, freelancer, open_job):
    job = open_job()
    receipt = escrow.submit(job.id, job.abi, 1, DELIVERABLE, sender=freelancer)

    now = receipt.timestamp
    state = escrow.get_job(job.id)
    m = state.milestones[1]
    assert (m.status, m.review_end, m.ruling_end, m.disputer) == (SUBMITTED, now + REVIEW, 0, 0)
    assert (state.nonce, state.open_count) == (1, 2)
    [event] = receipt.decode_logs(escrow.MilestoneSubmitted)
    assert (event.job_id, event.milestone, event.freelancer, event.deliverable_hash) == (
        job.id,
        1,
        freelancer,
        DELIVERABLE,
    )
    assert (event.amount, event.review_end) == (job.amount(1), now + REVIEW)


@pytest.mark.parametrize("who", ["client", "stranger", "arbiter"])
def test_submit__not_the_freelancer__reverts(request, escrow, open_job, who):
    job = open_job()
    with ape.reverts("escrow: not freelancer"):
        escrow.submit(job.id, job.abi, 0, DELIVERABLE, sender=request.getfixturevalue(who))


def test_submit__unfunded__reverts(escrow, freelancer, open_job):
    job = open_job((UNIT, UNIT), fund=1)
    with ape.reverts("escrow: milestone not funded"):
        escrow.submit(job.id, job.abi, 1, DELIVERABLE, sender=freelancer)


def test_submit__no_such_milestone__reverts(escrow, freelancer, open_job):
    job = open_job((UNIT,))
    with ape.reverts("escrow: no such milestone"):
        escrow.submit(job.id, job.abi, 1, DELIVERABLE, sender=freelancer)


def test_submit__twice__reverts(escrow, freelancer, submitted_job):
    job = submitted_job()
    with ape.reverts("escrow: milestone not open"):
        escrow.submit(job.id, job.abi, 0, DELIVERABLE, sender=freelancer)


def test_submit__closed_milestone__reverts(escrow, client, freelancer, submitted_job):
    job = submitted_job()
    escrow.approve(job.id, job.abi, 0, sender=client)
    with ape.reverts("escrow: milestone not open"):
        escrow.submit(job.id, job.abi, 0, DELIVERABLE, sender=freelancer)


def test_submit__wrong_terms__reverts(escrow, freelancer, open_job):
    job = open_job()
    with ape.reverts("escrow: wrong terms"):
        escrow.submit(job.id, job.terms.but(review_period=1).abi, 0, DELIVERABLE, sender=freelancer)


def test_submit__after_deadline__reverts(escrow, freelancer, open_job):
    job = open_job()
    chain.pending_timestamp = job.deadline(0) + 1
    with ape.reverts("escrow: deadline passed"):
        escrow.submit(job.id, job.abi, 0, DELIVERABLE, sender=freelancer)


def test_submit__job_ended__reverts(escrow, client, freelancer, open_job):
    job = open_job((UNIT, UNIT), fund=0)
    escrow.cancel_unfunded(job.id, job.abi, sender=client)
    with ape.reverts("escrow: job ended"):
        escrow.submit(job.id, job.abi, 0, DELIVERABLE, sender=freelancer)


def test_submit__checks_in_order(escrow, client, freelancer, open_job):
    job = open_job((UNIT, UNIT), fund=1)
    chain.pending_timestamp = job.deadline(1) + 1
    with ape.reverts("escrow: not freelancer"):  # before the index, funding and deadline
        escrow.submit(job.id, job.abi, 5, DELIVERABLE, sender=client)
    with ape.reverts("escrow: no such milestone"):
        escrow.submit(job.id, job.abi, 2, DELIVERABLE, sender=freelancer)
    with ape.reverts("escrow: milestone not funded"):  # before the deadline
        escrow.submit(job.id, job.abi, 1, DELIVERABLE, sender=freelancer)
    with ape.reverts("escrow: deadline passed"):
        escrow.submit(job.id, job.abi, 0, DELIVERABLE, sender=freelancer)
