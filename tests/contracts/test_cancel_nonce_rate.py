"""cancel_unfunded, increment_nonce and rate."""

from __future__ import annotations

import ape
import pytest
from ape import chain

from tests.contracts.conftest import DELIVERABLE, nonce
from tests.contracts.terms import CANCELLED, OPEN, UNIT


def test_cancel_unfunded__by_client__closes_unfunded_milestones(escrow, client, freelancer, open_job):
    job = open_job((UNIT, UNIT, UNIT), fund=1)
    receipt = escrow.cancel_unfunded(job.id, job.abi, sender=client)
    state = escrow.get_job(job.id)
    assert (state.cancelled, state.funded_count, state.open_count, state.nonce, state.ended) == (True, 3, 1, 1, False)
    assert [m.status for m in state.milestones] == [OPEN, CANCELLED, CANCELLED]
    [event] = receipt.decode_logs(escrow.MilestonesCancelled)
    assert (event.job_id, event.by, event.first_milestone, event.count) == (job.id, client, 1, 2)
    assert receipt.decode_logs(escrow.JobEnded) == []
    escrow.submit(job.id, job.abi, 0, DELIVERABLE, sender=freelancer)  # the funded one still runs


def test_cancel_unfunded__everything_unfunded__ends_job_without_pay(escrow, reputation, client, freelancer, open_job):
    job = open_job((UNIT, UNIT), fund=0)
    receipt = escrow.cancel_unfunded(job.id, job.abi, sender=client)
    [ended] = receipt.decode_logs(escrow.JobEnded)
    assert (ended.job_id, ended.client, ended.freelancer, ended.paid, ended.platform_fees, ended.recorded) == (
        job.id,
        client,
        freelancer,
        0,
        0,
        True,
    )
    assert reputation.stats(freelancer).jobs_as_freelancer == 0  # an unpaid job is not a completed one


def test_cancel_unfunded__the_longest_schedule_none_funded__cancels_all_fifty(escrow, client, open_job):
    longest = 50  # the escrow's MAX_MILESTONES: the loop's bound is exactly the schedule
    job = open_job((UNIT,) * longest, fund=0)
    receipt = escrow.cancel_unfunded(job.id, job.abi, sender=client)
    state = escrow.get_job(job.id)
    assert [m.status for m in state.milestones] == [CANCELLED] * longest
    [event] = receipt.decode_logs(escrow.MilestonesCancelled)
    assert (event.first_milestone, event.count, state.ended) == (0, longest, True)


def test_cancel_unfunded__stranger_after_the_first_unfunded_deadline(escrow, client, stranger, open_job):
    job = open_job((UNIT, UNIT, UNIT), fund=1, durations=(10 * 86_400, 5 * 86_400, 30 * 86_400))
    chain.pending_timestamp = job.deadline(1)
    with ape.reverts("escrow: not client"):
        escrow.cancel_unfunded(job.id, job.abi, sender=stranger)
    chain.pending_timestamp = job.deadline(1) + 1
    receipt = escrow.cancel_unfunded(job.id, job.abi, sender=stranger)
    assert receipt.decode_logs(escrow.MilestonesCancelled)[0].by == stranger


@pytest.mark.parametrize("who", ["freelancer", "arbiter"])
def test_cancel_unfunded__other_roles_are_strangers_before_the_deadline(request, escrow, open_job, who):
    job = open_job((UNIT, UNIT), fund=1)
    with ape.reverts("escrow: not client"):
        escrow.cancel_unfunded(job.id, job.abi, sender=request.getfixturevalue(who))


def test_cancel_unfunded__nothing_unfunded__reverts(escrow, client, open_job):
    job = open_job()
    with ape.reverts("escrow: nothing to cancel"):
        escrow.cancel_unfunded(job.id, job.abi, sender=client)


def test_cancel_unfunded__twice__reverts(escrow, client, open_job):
    job = open_job((UNIT, UNIT, UNIT), fund=1)
    escrow.cancel_unfunded(job.id, job.abi, sender=client)
    with ape.reverts("escrow: nothing to cancel"):
        escrow.cancel_unfunded(job.id, job.abi, sender=client)


def test_cancel_unfunded__job_ended__reverts(escrow, client, open_job):
    job = open_job((UNIT,), fund=0)
    escrow.cancel_unfunded(job.id, job.abi, sender=client)
    with ape.reverts("escrow: job ended"):
        escrow.cancel_unfunded(job.id, job.abi, sender=client)


def test_cancel_unfunded__checks_in_order(escrow, client, stranger, open_job):
    job = open_job()
    with ape.reverts("escrow: wrong terms"):
        escrow.cancel_unfunded(job.id, job.terms.but(salt=3).abi, sender=stranger)
    with ape.reverts("escrow: nothing to cancel"):  # before the caller
        escrow.cancel_unfunded(job.id, job.abi, sender=stranger)
    with ape.reverts("escrow: no such job"):
        escrow.cancel_unfunded(job.id + 1, job.abi, sender=client)


@pytest.mark.parametrize("who", ["client", "freelancer"])
def test_increment_nonce__by_a_party__logs_the_new_nonce(request, escrow, open_job, who):
    job = open_job()
    party = request.getfixturevalue(who)
    for expected in (1, 2):
        receipt = escrow.increment_nonce(job.id, job.abi, sender=party)
        [event] = receipt.decode_logs(escrow.NonceIncremented)
        assert (event.job_id, event.by, event.nonce) == (job.id, party, expected)
    assert nonce(escrow, job) == 2


@pytest.mark.parametrize("who", ["arbiter", "stranger"])
def test_increment_nonce__not_a_party__reverts(request, escrow, open_job, who):
    job = open_job()
    with ape.reverts("escrow: not a party"):
        escrow.increment_nonce(job.id, job.abi, sender=request.getfixturevalue(who))


def test_increment_nonce__ended_job__reverts(escrow, client, stranger, open_job):
    job = open_job((UNIT,), fund=0)
    escrow.cancel_unfunded(job.id, job.abi, sender=client)
    with ape.reverts("escrow: not a party"):  # the party check comes first
        escrow.increment_nonce(job.id, job.abi, sender=stranger)
    with ape.reverts("escrow: job ended"):
        escrow.increment_nonce(job.id, job.abi, sender=client)


def test_increment_nonce__wrong_terms__reverts(escrow, client, open_job):
    job = open_job()
    with ape.reverts("escrow: wrong terms"):
        escrow.increment_nonce(job.id, job.terms.but(salt=1).abi, sender=client)


@pytest.fixture
def paid_job(submitted_job, escrow, client):
    """A job whose one milestone was approved: ended, and its freelancer paid."""
    job = submitted_job(amounts=(UNIT,))
    escrow.approve(job.id, job.abi, 0, sender=client)
    return job


def test_rate__each_party_once__recorded_in_reputation(escrow, reputation, client, freelancer, paid_job):
    job = paid_job
    receipt = escrow.rate(job.id, job.abi, 4, b"\x07" * 32, sender=client)
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
    assert recorded.comment_hash == b"\x07" * 32
    escrow.rate(job.id, job.abi, 2, b"\x08" * 32, sender=freelancer)
    state = escrow.get_job(job.id)
    assert state.client_rated and state.freelancer_rated
    assert (reputation.stats(freelancer).rating_count, reputation.stats(freelancer).rating_sum) == (1, 4)
    assert (reputation.stats(client).rating_count, reputation.stats(client).rating_sum) == (1, 2)
    for party in (client, freelancer):
        with ape.reverts("escrow: already rated"):
            escrow.rate(job.id, job.abi, 5, b"\x00" * 32, sender=party)


def test_rate__job_running__reverts(escrow, client, open_job):
    job = open_job()
    with ape.reverts("escrow: job not ended"):
        escrow.rate(job.id, job.abi, 5, b"\x00" * 32, sender=client)


def test_rate__freelancer_never_paid__reverts(escrow, client, freelancer, open_job):
    job = open_job((UNIT,))
    chain.pending_timestamp = job.deadline(0) + 1
    escrow.reclaim(job.id, job.abi, 0, sender=client)
    for party in (client, freelancer):
        with ape.reverts("escrow: freelancer not paid"):
            escrow.rate(job.id, job.abi, 1, b"\x00" * 32, sender=party)


def test_rate__cancelled_job__reverts(escrow, client, open_job):
    job = open_job((UNIT,), fund=0)
    escrow.cancel_unfunded(job.id, job.abi, sender=client)
    with ape.reverts("escrow: freelancer not paid"):
        escrow.rate(job.id, job.abi, 5, b"\x00" * 32, sender=client)


def test_rate__paid_only_its_fee__reverts(escrow, client, submitted_job):
    """A 1-unit milestone at a 1% fee pays the freelancer 1 - ceil(0.01) = 0: nothing reached them."""
    job = submitted_job(amounts=(1,))
    receipt = escrow.approve(job.id, job.abi, 0, sender=client)
    assert receipt.decode_logs(escrow.JobEnded)[0].paid == 0
    with ape.reverts("escrow: freelancer not paid"):
        escrow.rate(job.id, job.abi, 5, b"\x00" * 32, sender=client)


@pytest.mark.parametrize("score", [0, 6, 2**256 - 1])
def test_rate__score_out_of_range__reverts(escrow, client, paid_job, score):
    with ape.reverts("escrow: score out of range"):
        escrow.rate(paid_job.id, paid_job.abi, score, b"\x00" * 32, sender=client)


@pytest.mark.parametrize("who", ["arbiter", "stranger"])
def test_rate__not_a_party__reverts(request, escrow, paid_job, who):
    with ape.reverts("escrow: not a party"):
        escrow.rate(paid_job.id, paid_job.abi, 5, b"\x00" * 32, sender=request.getfixturevalue(who))


def test_rate__checks_in_order(escrow, client, stranger, open_job, paid_job):
    running = open_job(salt=1)
    with ape.reverts("escrow: not a party"):
        escrow.rate(running.id, running.abi, 0, b"", sender=stranger)
    with ape.reverts("escrow: job not ended"):  # before the score
        escrow.rate(running.id, running.abi, 0, b"", sender=client)
    escrow.rate(paid_job.id, paid_job.abi, 5, b"", sender=client)
    with ape.reverts("escrow: already rated"):  # before the score
        escrow.rate(paid_job.id, paid_job.abi, 0, b"", sender=client)
