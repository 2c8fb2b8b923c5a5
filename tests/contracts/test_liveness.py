"""Liveness: from every milestone state, with any one party silent for good, every unit reaches someone in bounded time.

Each case plays only the other actors (and a stranger), moves time by at most the job's own bounds
(deadline, review period, ruling window) and ends with the milestone's money fully delivered: the
escrow keeps nothing of it but the platform fee.
"""

from __future__ import annotations

import pytest
from ape import chain

from tests.contracts.conftest import REVIEW, RULING, UNIT

AMOUNT = 100 * UNIT
STATES = ("funded", "submitted", "disputed")
SILENT = ("client", "freelancer", "arbiter")


def _to_state(escrow, job, state, client, freelancer):
    if state in ("submitted", "disputed"):
        escrow.submit(job.id, 0, b"\x01" * 32, job.terms, sender=freelancer)
    if state == "disputed":
        escrow.dispute(job.id, 0, sender=client)


def _finish(escrow, job, state, silent, client, freelancer, arbiter, stranger):
    """Only actors other than `silent` act; returns the seconds of time travel used."""
    start = chain.pending_timestamp
    if state == "funded":
        if silent == "freelancer":
            chain.pending_timestamp = job.deadlines[0] + 1
            escrow.reclaim(job.id, 0, job.terms, sender=stranger)
        else:
            escrow.submit(job.id, 0, b"\x01" * 32, job.terms, sender=freelancer)
            state = "submitted"
    if state == "submitted":
        if silent == "client":
            chain.pending_timestamp += REVIEW
            escrow.release(job.id, 0, sender=stranger)
        else:
            escrow.approve(job.id, 0, sender=client)
    if state == "disputed":
        if silent == "arbiter":
            chain.pending_timestamp += RULING
            escrow.apply_default_ruling(job.id, 0, sender=client)
        elif silent == "client":
            chain.pending_timestamp += RULING
            escrow.apply_default_ruling(job.id, 0, sender=freelancer)
        else:
            escrow.resolve(job.id, 0, 5_000, job.terms, sender=arbiter)
    return chain.pending_timestamp - start


@pytest.mark.parametrize("silent", SILENT)
@pytest.mark.parametrize("state", STATES)
def test_liveness__one_party_silent__milestone_money_delivered_in_bounded_time(
    escrow, token, client, freelancer, arbiter, stranger, open_job, state, silent
):
    job = open_job((AMOUNT,))
    _to_state(escrow, job, state, client, freelancer)
    before = {who: token.balanceOf(who) for who in (client, freelancer, arbiter)}

    waited = _finish(escrow, job, state, silent, client, freelancer, arbiter, stranger)

    assert waited <= max(job.deadlines[0] - chain.blocks.head.timestamp, 0) + REVIEW + RULING + 10 * 86_400
    delivered = sum(token.balanceOf(who) - before[who] for who in before)
    fees = escrow.fees_accrued(token)
    assert delivered + fees == AMOUNT
    assert token.balanceOf(escrow) == fees
    assert escrow.get_job(job.id).ended


def test_liveness__unfunded_milestones_hold_no_money_and_the_client_can_end_the_job(escrow, token, client, open_job):
    job = open_job((AMOUNT, AMOUNT), fund=1)
    chain.pending_timestamp = job.deadlines[0] + 1
    escrow.reclaim(job.id, 0, job.terms, sender=client)
    escrow.cancel_unfunded(job.id, sender=client)
    assert escrow.get_job(job.id).ended
    assert token.balanceOf(escrow) == 0
