"""Liveness: every job ends in bounded time whatever one party does (docs/escrow-v2.md, "Liveness").

A live milestone always has someone who can close it without the silent party: OPEN and funded -> reclaim
after its deadline (anyone); OPEN and unfunded -> cancel_unfunded after the first unfunded deadline (anyone);
SUBMITTED -> release after review (anyone); DISPUTED -> apply_default_ruling after the ruling window (either
party). Each case plays only the actors other than the silent one (and a stranger), moves time by at most the
job's own bounds, and ends with the job ended and all its money delivered: the escrow keeps only the fees.
"""

from __future__ import annotations

import ape
import pytest
from ape import chain

from tests.contracts.conftest import DELIVERABLE, balances
from tests.contracts.terms import DISPUTED, LIVE, MAX_HORIZON, MAX_PERIOD, OPEN, REVIEW, RULING, SUBMITTED, UNIT

AMOUNT = 100 * UNIT
SILENT = ("client", "freelancer", "arbiter")


def close_everything(escrow, job, actors, stranger):
    """Close every live milestone of `job` with `actors` (role -> account, the silent one absent) and a stranger,
    waiting only as long as the rules make them; returns the seconds waited."""
    start = chain.pending_timestamp
    state = escrow.get_job(job.id)
    bound = job.start + max(job.terms.durations) + 1
    for index, m in enumerate(state.milestones):
        if m.status == SUBMITTED:
            if "client" in actors:
                escrow.approve(job.id, job.abi, index, sender=actors["client"])
            else:
                chain.pending_timestamp = max(chain.pending_timestamp, m.review_end)
                escrow.release(job.id, job.abi, index, sender=stranger)
        elif m.status == DISPUTED:
            if "arbiter" in actors:
                escrow.resolve(job.id, job.abi, index, 5_000, sender=actors["arbiter"])
            else:
                chain.pending_timestamp = max(chain.pending_timestamp, m.ruling_end)
                party = actors.get("client") or actors["freelancer"]
                escrow.apply_default_ruling(job.id, job.abi, index, sender=party)
    state = escrow.get_job(job.id)
    if state.funded_count < state.milestone_count:
        chain.pending_timestamp = max(chain.pending_timestamp, job.deadline(state.funded_count) + 1)
        escrow.cancel_unfunded(job.id, job.abi, sender=stranger)
    for index, m in enumerate(escrow.get_job(job.id).milestones):
        if m.status == OPEN:
            chain.pending_timestamp = max(chain.pending_timestamp, job.deadline(index) + 1)
            escrow.reclaim(job.id, job.abi, index, sender=stranger)
    waited = chain.pending_timestamp - start
    assert chain.pending_timestamp <= max(bound, start) + REVIEW + RULING
    return waited


@pytest.mark.parametrize("silent", SILENT)
@pytest.mark.parametrize("state", ["funded", "unfunded", "submitted", "disputed"])
def test_liveness__one_party_silent__milestone_money_delivered_in_bounded_time(
    request, escrow, token, client, freelancer, arbiter, stranger, open_job, state, silent
):
    job = open_job((AMOUNT,), fund=0 if state == "unfunded" else 1)
    if state in ("submitted", "disputed"):
        escrow.submit(job.id, job.abi, 0, DELIVERABLE, sender=freelancer)
    if state == "disputed":
        escrow.dispute(job.id, job.abi, 0, sender=client)
    people = (client, freelancer, arbiter)
    before = balances(token, *people)
    actors = {role: request.getfixturevalue(role) for role in SILENT if role != silent}

    close_everything(escrow, job, actors, stranger)

    assert escrow.get_job(job.id).ended
    delivered = sum(a - b for a, b in zip(balances(token, *people), before, strict=True))
    fees = escrow.fees_accrued(token)
    assert delivered + fees == (0 if state == "unfunded" else AMOUNT)
    assert token.balanceOf(escrow) == fees


@pytest.mark.parametrize("silent", SILENT)
def test_liveness__a_job_in_every_state_at_once_ends(
    request, escrow, token, client, freelancer, arbiter, stranger, open_job, silent
):
    """Funded open, submitted, disputed (by either party) and unfunded milestones in one job: it still ends."""
    job = open_job([AMOUNT] * 5, fund=4, durations=[10 * 86_400] * 4 + [5 * 86_400])
    for index in (1, 2, 3):
        escrow.submit(job.id, job.abi, index, DELIVERABLE, sender=freelancer)
    escrow.dispute(job.id, job.abi, 2, sender=client)
    escrow.dispute(job.id, job.abi, 3, sender=freelancer)
    actors = {role: request.getfixturevalue(role) for role in SILENT if role != silent}

    close_everything(escrow, job, actors, stranger)

    state = escrow.get_job(job.id)
    assert state.ended and not any(m.status in LIVE for m in state.milestones)
    assert token.balanceOf(escrow) == escrow.fees_accrued(token)


def test_liveness__unfunded_milestone_past_its_deadline__a_stranger_cancels_it(escrow, stranger, open_job):
    job = open_job((AMOUNT, AMOUNT), fund=1, durations=(20 * 86_400, 10 * 86_400))
    chain.pending_timestamp = job.deadline(1)
    with ape.reverts("escrow: not client"):  # the first unfunded milestone could still be delivered in time
        escrow.cancel_unfunded(job.id, job.abi, sender=stranger)
    chain.pending_timestamp = job.deadline(1) + 1
    receipt = escrow.cancel_unfunded(job.id, job.abi, sender=stranger)
    [event] = receipt.decode_logs(escrow.MilestonesCancelled)
    assert (event.by, event.first_milestone, event.count) == (stranger, 1, 1)
    chain.pending_timestamp = job.deadline(0) + 1
    escrow.reclaim(job.id, job.abi, 0, sender=stranger)
    assert escrow.get_job(job.id).ended


def test_liveness__a_client_that_never_funds__the_job_ends_without_it(escrow, freelancer, stranger, open_job):
    job = open_job((AMOUNT, AMOUNT, AMOUNT), fund=0)
    chain.pending_timestamp = job.deadline(0) + 1
    escrow.cancel_unfunded(job.id, job.abi, sender=freelancer)  # anyone, the freelancer included
    assert escrow.get_job(job.id).ended


def test_liveness__a_hostile_party_bumping_the_nonce_cannot_keep_a_job_open(
    escrow, token, client, freelancer, stranger, submitted_job
):
    """Nonce bumps void signatures (settlements, amendments) but no unilateral path needs one."""
    job = submitted_job(amounts=(AMOUNT, AMOUNT))
    for _ in range(3):
        escrow.increment_nonce(job.id, job.abi, sender=client)
    chain.pending_timestamp += REVIEW
    escrow.release(job.id, job.abi, 0, sender=stranger)
    escrow.increment_nonce(job.id, job.abi, sender=client)
    chain.pending_timestamp = job.deadline(1) + 1
    escrow.reclaim(job.id, job.abi, 1, sender=stranger)
    assert escrow.get_job(job.id).ended
    assert token.balanceOf(escrow) == escrow.fees_accrued(token)


def test_liveness__deadlines_are_bounded_by_the_horizon_and_windows_by_a_year(make_terms, create):
    with ape.reverts("escrow: bad duration"):
        create(make_terms((UNIT,), (MAX_HORIZON + 1,)), fund=0)
    with ape.reverts("escrow: bad review period"):
        create(make_terms((UNIT,), review_period=MAX_PERIOD + 1), fund=0)
    with ape.reverts("escrow: bad ruling window"):
        create(make_terms((UNIT,), ruling_window=MAX_PERIOD + 1), fund=0)
