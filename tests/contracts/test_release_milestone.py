"""release_milestone: the client pays a milestone to the freelancer, once."""

from __future__ import annotations

import ape
import pytest

from tests.contracts.conftest import UNIT


def test_release__by_client__pays_freelancer_and_logs(escrow, token, client, freelancer, open_job):
    job_id, _ = open_job((300 * UNIT, 500 * UNIT))
    freelancer_before = token.balanceOf(freelancer)

    receipt = escrow.release_milestone(job_id, 0, sender=client)

    assert token.balanceOf(freelancer) == freelancer_before + 300 * UNIT
    assert token.balanceOf(escrow) == 500 * UNIT
    job = escrow.get_job(job_id)
    assert job.paid == 300 * UNIT
    assert [m.released for m in job.milestones] == [True, False]
    [released] = receipt.decode_logs(escrow.MilestoneReleased)
    assert (released.job_id, released.milestone, released.recipient, released.amount) == (
        job_id,
        0,
        freelancer,
        300 * UNIT,
    )


def test_release__every_milestone__empties_the_job(escrow, token, client, open_job):
    job_id, _ = open_job((300 * UNIT, 500 * UNIT))
    escrow.release_milestone(job_id, 1, sender=client)
    escrow.release_milestone(job_id, 0, sender=client)
    job = escrow.get_job(job_id)
    assert job.paid == job.funded == 800 * UNIT
    assert token.balanceOf(escrow) == 0


def test_release__twice__reverts(escrow, client, open_job):
    job_id, _ = open_job()
    escrow.release_milestone(job_id, 0, sender=client)
    with ape.reverts("escrow: milestone already released"):
        escrow.release_milestone(job_id, 0, sender=client)


@pytest.mark.parametrize("caller", ["freelancer", "stranger", "owner"])
def test_release__by_other_than_client__reverts(request, escrow, open_job, caller):
    job_id, _ = open_job()
    with ape.reverts("escrow: not client"):
        escrow.release_milestone(job_id, 0, sender=request.getfixturevalue(caller))


def test_release__unknown_milestone__reverts(escrow, client, open_job):
    job_id, _ = open_job((UNIT,))
    with ape.reverts("escrow: no such milestone"):
        escrow.release_milestone(job_id, 1, sender=client)


def test_release__unknown_job__reverts(escrow, client):
    with ape.reverts("escrow: no such job"):
        escrow.release_milestone(7, 0, sender=client)
