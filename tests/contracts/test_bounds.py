"""Bounds: every milestone index is checked against the presented schedule, every job id against the jobs.

v1 keyed milestone words `job_id << 8 | milestone` and did not check the index in four entry points, so an index
of one job reached another job's milestone. v2 keys them [job][index] and refuses any index >= the schedule's
length with "escrow: no such milestone" before reading anything; any id that names no job gets "escrow: no such
job". For each function the setup puts milestone 0 of two jobs in the state where the call would succeed (and
proves it), so the index is the only thing wrong.
"""

from __future__ import annotations

import ape
import pytest
from ape import chain

from tests.contracts.conftest import DELIVERABLE
from tests.contracts.terms import FAR, RULING, UNIT, sign

INDEXED = (
    "submit",
    "approve",
    "release",
    "reclaim",
    "dispute",
    "resolve",
    "apply_default_ruling",
    "extend_deadline",
    "accept_with_deduction",
)


def bad_indexes(count: int, other_job: int) -> list[int]:
    return [count, count + 1, 255, 256, other_job << 8, (other_job << 8) | 1, 2**255, 2**256 - 1]


@pytest.fixture
def prepare(escrow, client, freelancer, arbiter, stranger, open_job, domain, agree):
    """Per function: two jobs with milestone 0 ready for it; returns (job, other job, call(job, index))."""

    def setup(name):
        jobs = [open_job((UNIT, 2 * UNIT), salt=salt) for salt in (1, 2)]
        for job in jobs:
            if name in ("approve", "release", "dispute", "resolve", "apply_default_ruling", "accept_with_deduction"):
                escrow.submit(job.id, job.abi, 0, DELIVERABLE, sender=freelancer)
            if name in ("resolve", "apply_default_ruling"):
                escrow.dispute(job.id, job.abi, 0, sender=client)
        if name == "release":
            chain.pending_timestamp += 3 * 86_400
        if name == "reclaim":
            chain.pending_timestamp = jobs[0].deadline(0) + 1
        if name == "apply_default_ruling":
            chain.pending_timestamp += RULING
        calls = {
            "submit": lambda j, i: escrow.submit(j.id, j.abi, i, DELIVERABLE, sender=freelancer),
            "approve": lambda j, i: escrow.approve(j.id, j.abi, i, sender=client),
            "release": lambda j, i: escrow.release(j.id, j.abi, i, sender=stranger),
            "reclaim": lambda j, i: escrow.reclaim(j.id, j.abi, i, sender=stranger),
            "dispute": lambda j, i: escrow.dispute(j.id, j.abi, i, sender=client),
            "resolve": lambda j, i: escrow.resolve(j.id, j.abi, i, 5_000, sender=arbiter),
            "apply_default_ruling": lambda j, i: escrow.apply_default_ruling(j.id, j.abi, i, sender=client),
            "extend_deadline": lambda j, i: agree.at.extend_deadline(
                j.id,
                j.abi,
                i,
                99 * 86_400,
                FAR,
                sign(freelancer, domain.extend_deadline(j.id, i, 99 * 86_400, 0)),
                sender=client,
            ),
            "accept_with_deduction": lambda j, i: agree.at.accept_with_deduction(
                j.id, j.abi, i, 5_000, FAR, sign(freelancer, domain.deduction(j.id, i, 5_000, 1)), sender=client
            ),
        }
        return jobs[0], jobs[1], calls[name]

    return setup


@pytest.mark.parametrize("function", INDEXED)
def test_every_indexed_function__refuses_an_index_outside_the_schedule(prepare, function):
    job, other, call = prepare(function)
    for index in bad_indexes(len(job.terms.milestones), other.id):
        with ape.reverts("escrow: no such milestone"):
            call(job, index)
    with chain.isolate():
        assert call(job, 0).status == 1  # the same call with a real index goes through


@pytest.mark.parametrize("function", INDEXED)
def test_every_indexed_function__an_index_of_another_job_does_not_reach_it(escrow, prepare, function):
    """The words v1 would have aliased (job 2's milestone 0 at job 1's index 2 << 8) are left untouched."""
    job, other, call = prepare(function)
    before = [escrow.get_job(j.id) for j in (job, other)]
    with ape.reverts("escrow: no such milestone"):
        call(job, other.id << 8)
    assert [escrow.get_job(j.id) for j in (job, other)] == before


ID_TAKING = {
    "fund": lambda e, a, j, who: e.fund(j, a, 1, sender=who["client"]),
    "submit": lambda e, a, j, who: e.submit(j, a, 0, DELIVERABLE, sender=who["freelancer"]),
    "approve": lambda e, a, j, who: e.approve(j, a, 0, sender=who["client"]),
    "release": lambda e, a, j, who: e.release(j, a, 0, sender=who["stranger"]),
    "reclaim": lambda e, a, j, who: e.reclaim(j, a, 0, sender=who["stranger"]),
    "dispute": lambda e, a, j, who: e.dispute(j, a, 0, sender=who["client"]),
    "resolve": lambda e, a, j, who: e.resolve(j, a, 0, 5_000, sender=who["arbiter"]),
    "apply_default_ruling": lambda e, a, j, who: e.apply_default_ruling(j, a, 0, sender=who["client"]),
    "cancel_unfunded": lambda e, a, j, who: e.cancel_unfunded(j, a, sender=who["client"]),
    "increment_nonce": lambda e, a, j, who: e.increment_nonce(j, a, sender=who["client"]),
    "rate": lambda e, a, j, who: e.rate(j, a, 5, b"", sender=who["client"]),
    "settle": lambda e, a, j, who: who["at"].settle(j, a, 5_000, FAR, b"", b"", sender=who["stranger"]),
    "extend_deadline": lambda e, a, j, who: who["at"].extend_deadline(
        j, a, 0, 99 * 86_400, FAR, b"", sender=who["client"]
    ),
    "add_milestones": lambda e, a, j, who: who["at"].add_milestones(j, a, [(1, 1)], 0, FAR, b"", sender=who["client"]),
    "accept_with_deduction": lambda e, a, j, who: who["at"].accept_with_deduction(
        j, a, 0, 5_000, FAR, b"", sender=who["client"]
    ),
}


@pytest.mark.parametrize("function", list(ID_TAKING))
def test_every_job_function__refuses_an_id_that_names_no_job(
    escrow, agreements_at, client, freelancer, arbiter, stranger, open_job, function
):
    job = open_job(fund=0)
    open_job(fund=0, salt=1)
    who = {"client": client, "freelancer": freelancer, "arbiter": arbiter, "stranger": stranger, "at": agreements_at}
    for job_id in (0, escrow.job_count() + 1, 2**255, 2**256 - 1):
        with ape.reverts("escrow: no such job"):
            ID_TAKING[function](escrow, job.abi, job_id, who)
    with ape.reverts("escrow: wrong terms"):  # a real job, with another job's terms
        ID_TAKING[function](escrow, job.abi, job.id + 1, who)


def test_get_job__refuses_an_id_that_names_no_job(escrow, open_job):
    open_job()
    for job_id in (0, 2, 2**255, 2**256 - 1):
        with ape.reverts("escrow: no such job"):
            escrow.get_job(job_id)
