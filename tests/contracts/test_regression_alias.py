"""Regression (audit finding, critical): a milestone index must never reach another job's milestone.

Milestone words used to be stored by `job_id << 8 | index`, and approve, release, dispute, resolve
and apply_default_ruling did not check the index against the job's milestone count. In a job A, the
index `V << 8 | k` then named job V's milestone k whenever A's id bits are a subset of V's: an
attacker's unfunded job (gas only), naming his own second wallet as freelancer and a third as
arbiter, could pay itself other people's submitted milestones, in its own job's token at the
victim's amount, and settle did not close milestone words, so a settled job stayed a target.

The rules these tests hold: a job's parties and arbiter act on that job's milestones only; an index
outside the job is refused with "escrow: no such milestone" by every function that takes one; and a
milestone closed by a settlement or a cancellation stays closed.
"""

from __future__ import annotations

import ape
import pytest
from ape import chain
from eth_utils import keccak

from tests.contracts.conftest import (
    CANCELLED,
    DAY,
    ETH,
    OPEN,
    PLATFORM_FEE_BPS,
    REVIEW,
    RULING,
    SETTLED,
    UNIT,
    Job,
    make_terms,
    settlement_signatures,
)

NO_SUCH_MILESTONE = "escrow: no such milestone"


@pytest.fixture(scope="session")
def accomplice(accounts):
    """The attacker's second wallet: the freelancer of the attacker's job."""
    return accounts[6]


@pytest.fixture(scope="session")
def accomplice_arbiter(accounts):
    """The attacker's third wallet: the arbiter of the attacker's job."""
    return accounts[7]


@pytest.fixture
def attacker_job(escrow, token, stranger, accomplice, accomplice_arbiter):
    """Factory: an unfunded one-milestone job created by `stranger` (the attacker); it costs only gas."""

    def create(pay_token=None):
        pay_token = token if pay_token is None else pay_token
        deadlines = [chain.pending_timestamp + 30 * DAY]
        terms = make_terms(accomplice_arbiter, [UNIT], deadlines)
        receipt = escrow.create_job(accomplice, pay_token, terms, keccak(text="bait"), 0, sender=stranger)
        return Job(receipt.return_value, pay_token, [UNIT], deadlines, terms, receipt)

    return create


@pytest.fixture
def victim_of(escrow, open_job):
    """Factory: creates throwaway jobs until the next id has every bit of the attacker's job id, then
    calls `make` (a job factory) for the victim's job, whose id is checked to be that next id."""

    def create(attacker, make, **options):
        while True:
            next_id = escrow.job_count() + 1
            if next_id != attacker.id and next_id & attacker.id == attacker.id:
                break
            open_job(amounts=(UNIT,), fund=0)
        victim = make(**options)
        assert victim.id == next_id
        return victim

    return create


def alias(attacker, victim, index) -> int:
    """The index in the attacker's job that the old `job_id << 8 | index` key mapped to the victim's milestone."""
    aliased = victim.id << 8 | index
    assert (attacker.id << 8 | aliased) == (victim.id << 8 | index)  # the premise of the attack
    return aliased


def eth_balance(account) -> int:
    return chain.provider.get_balance(str(account))


def statuses(escrow, job) -> list[int]:
    return [m.status for m in escrow.get_job(job.id).milestones]


# --- (a) approve through an alias ----------------------------------------------


def test_alias__unfunded_jobs_client_approves_another_jobs_milestone__refused_and_the_victim_is_still_paid(
    escrow, token, client, freelancer, stranger, accomplice, attacker_job, victim_of, submitted_job
):
    attacker = attacker_job()
    victim = victim_of(attacker, submitted_job, index=1)
    index = alias(attacker, victim, 1)
    held = token.balanceOf(escrow)

    with ape.reverts(NO_SUCH_MILESTONE):
        escrow.approve(attacker.id, index, sender=stranger)
    chain.pending_timestamp += REVIEW
    with ape.reverts(NO_SUCH_MILESTONE):
        escrow.release(attacker.id, index, sender=stranger)

    assert token.balanceOf(accomplice) == 0
    assert token.balanceOf(escrow) == held
    assert escrow.get_job(attacker.id).open_count == 1  # the attacker's job closed nothing
    before = token.balanceOf(freelancer)
    escrow.approve(victim.id, 1, sender=client)
    amount = victim.amount(1)
    assert token.balanceOf(freelancer) - before == amount - amount * PLATFORM_FEE_BPS // 10_000


# --- (b) dispute and resolve through an alias --------------------------------------


def test_alias__dispute_and_ruling_by_the_attackers_own_arbiter__refused(
    escrow,
    token,
    client,
    freelancer,
    arbiter,
    stranger,
    accomplice,
    accomplice_arbiter,
    attacker_job,
    victim_of,
    submitted_job,
):
    attacker = attacker_job()
    victim = victim_of(attacker, submitted_job, index=0)
    index = alias(attacker, victim, 0)

    for party in (stranger, accomplice):
        with ape.reverts(NO_SUCH_MILESTONE):
            escrow.dispute(attacker.id, index, sender=party)
    escrow.dispute(victim.id, 0, sender=client)  # now genuinely disputed in the victim's job
    held = token.balanceOf(escrow)
    with ape.reverts(NO_SUCH_MILESTONE):
        escrow.resolve(attacker.id, index, 10_000, attacker.terms, sender=accomplice_arbiter)
    assert token.balanceOf(accomplice_arbiter) == token.balanceOf(accomplice) == 0
    assert token.balanceOf(escrow) == held

    escrow.resolve(victim.id, 0, 10_000, victim.terms, sender=arbiter)  # the victim's own arbiter still rules
    assert token.balanceOf(arbiter) == victim.amount(0) * 500 // 10_000


def test_alias__default_ruling_through_an_alias__refused(
    escrow, token, client, stranger, accomplice, attacker_job, victim_of, disputed_job
):
    attacker = attacker_job()
    victim = victim_of(attacker, disputed_job, index=0)
    index = alias(attacker, victim, 0)
    chain.pending_timestamp += RULING
    held = token.balanceOf(escrow)
    for party in (stranger, accomplice):
        with ape.reverts(NO_SUCH_MILESTONE):
            escrow.apply_default_ruling(attacker.id, index, sender=party)
    assert token.balanceOf(escrow) == held
    escrow.apply_default_ruling(victim.id, 0, sender=client)


# --- (c) a settled job stays closed ------------------------------------------


def test_settle__every_milestone_stays_closed_and_no_alias_reaches_it(
    escrow,
    token,
    client,
    freelancer,
    arbiter,
    stranger,
    accomplice,
    accomplice_arbiter,
    attacker_job,
    victim_of,
    open_job,
):
    attacker = attacker_job()
    victim = victim_of(attacker, open_job, amounts=(100 * UNIT, 200 * UNIT, 300 * UNIT, 400 * UNIT), fund=3)
    escrow.submit(victim.id, 0, b"\x01" * 32, victim.terms, sender=freelancer)  # left submitted
    escrow.submit(victim.id, 1, b"\x02" * 32, victim.terms, sender=freelancer)
    escrow.dispute(victim.id, 1, sender=client)  # left disputed; 2 funded and open, 3 unfunded
    sigs = settlement_signatures(escrow, victim.id, 5_000, (client, freelancer))
    escrow.settle(victim.id, 5_000, victim.terms, *sigs, sender=stranger)
    held = token.balanceOf(escrow)
    chain.pending_timestamp += RULING  # every review period and ruling window is over

    for k in range(4):
        index = alias(attacker, victim, k)
        with ape.reverts(NO_SUCH_MILESTONE):
            escrow.approve(attacker.id, index, sender=stranger)
        with ape.reverts(NO_SUCH_MILESTONE):
            escrow.release(attacker.id, index, sender=stranger)
        with ape.reverts(NO_SUCH_MILESTONE):
            escrow.dispute(attacker.id, index, sender=stranger)
        with ape.reverts(NO_SUCH_MILESTONE):
            escrow.resolve(attacker.id, index, 10_000, attacker.terms, sender=accomplice_arbiter)
        with ape.reverts(NO_SUCH_MILESTONE):
            escrow.apply_default_ruling(attacker.id, index, sender=accomplice)
        for call in (
            lambda: escrow.approve(victim.id, k, sender=client),  # noqa: B023
            lambda: escrow.release(victim.id, k, sender=stranger),  # noqa: B023
            lambda: escrow.dispute(victim.id, k, sender=freelancer),  # noqa: B023
            lambda: escrow.resolve(victim.id, k, 10_000, victim.terms, sender=arbiter),  # noqa: B023
            lambda: escrow.apply_default_ruling(victim.id, k, sender=freelancer),  # noqa: B023
        ):
            with ape.reverts("escrow: job ended"):
                call()

    assert token.balanceOf(escrow) == held
    assert token.balanceOf(accomplice) == 0
    # funded milestones closed by the settlement, the unfunded one cancelled by it
    assert statuses(escrow, victim) == [SETTLED, SETTLED, SETTLED, CANCELLED]


def test_settle__closed_words_keep_the_dispute_record(escrow, client, freelancer, stranger, disputed_job):
    job = disputed_job(amounts=(100 * UNIT, 200 * UNIT), index=1, by=freelancer)
    before = escrow.get_job(job.id).milestones[1]
    sigs = settlement_signatures(escrow, job.id, 5_000, (client, freelancer))
    escrow.settle(job.id, 5_000, job.terms, *sigs, sender=stranger)
    after = escrow.get_job(job.id).milestones[1]
    assert after.status == SETTLED
    assert (after.amount, after.review_end, after.ruling_end, after.disputer) == (
        before.amount,
        before.review_end,
        before.ruling_end,
        before.disputer,
    )
    assert escrow.get_job(job.id).milestones[0].status == SETTLED


def test_cancel_unfunded__cancelled_milestones_are_closed_and_stay_unreachable(escrow, client, freelancer, open_job):
    job = open_job((UNIT, 2 * UNIT, 3 * UNIT), fund=1)
    escrow.cancel_unfunded(job.id, sender=client)
    assert statuses(escrow, job) == [OPEN, CANCELLED, CANCELLED]
    with ape.reverts("escrow: unfunded milestones cancelled"):
        escrow.fund(job.id, 1, job.terms, sender=client)
    for k in (1, 2):
        with ape.reverts("escrow: milestone not funded"):
            escrow.submit(job.id, k, b"\x01" * 32, job.terms, sender=freelancer)


# --- (d) a cross-token drain --------------------------------------------------


def test_alias__eth_job_aliasing_another_eth_job__refused_and_the_escrows_eth_unchanged(
    escrow, client, freelancer, stranger, accomplice, attacker_job, victim_of, submitted_job
):
    attacker = attacker_job(pay_token=ETH)
    victim = victim_of(attacker, submitted_job, index=0, pay_token=ETH)
    index = alias(attacker, victim, 0)
    held, accomplice_had = eth_balance(escrow), eth_balance(accomplice)
    assert held >= victim.amount(0)

    with ape.reverts(NO_SUCH_MILESTONE):
        escrow.approve(attacker.id, index, sender=stranger)
    chain.pending_timestamp += REVIEW
    with ape.reverts(NO_SUCH_MILESTONE):
        escrow.release(attacker.id, index, sender=stranger)

    assert eth_balance(escrow) == held
    assert eth_balance(accomplice) == accomplice_had
    escrow.approve(victim.id, 0, sender=client)  # the victim's own client still pays its freelancer
    assert eth_balance(escrow) == held - victim.amount(0) + victim.amount(0) * PLATFORM_FEE_BPS // 10_000


def test_alias__eth_job_aliasing_a_token_job__cannot_pay_the_token_amount_in_eth(
    escrow, token, client, stranger, accomplice, attacker_job, victim_of, submitted_job, open_job
):
    open_job(amounts=(500 * UNIT,), pay_token=ETH)  # other people's ETH in the escrow
    attacker = attacker_job(pay_token=ETH)
    victim = victim_of(attacker, submitted_job, index=0)  # paid in jUSD
    index = alias(attacker, victim, 0)
    held, held_token, accomplice_had = eth_balance(escrow), token.balanceOf(escrow), eth_balance(accomplice)

    with ape.reverts(NO_SUCH_MILESTONE):
        escrow.approve(attacker.id, index, sender=stranger)

    assert (eth_balance(escrow), token.balanceOf(escrow)) == (held, held_token)
    assert eth_balance(accomplice) == accomplice_had


# --- every function that takes a milestone index refuses one out of range -----------------

# The job: milestone 0 submitted, 1 disputed, 2 funded and open; count = 3.
IN_RANGE = {
    "submit": 2,
    "approve": 0,
    "release": 0,
    "reclaim": 2,
    "dispute": 0,
    "resolve": 1,
    "apply_default_ruling": 1,
}
OUT_OF_RANGE = {"count": 3, "255": 255, "256": 256, "2**255": 2**255, "2**256-1": 2**256 - 1}


@pytest.mark.parametrize("index", list(OUT_OF_RANGE.values()), ids=list(OUT_OF_RANGE))
@pytest.mark.parametrize("function", list(IN_RANGE))
def test_index_out_of_range__refused_with_no_such_milestone(
    escrow, client, freelancer, arbiter, stranger, open_job, function, index
):
    job = open_job((UNIT, 2 * UNIT, 3 * UNIT))
    escrow.submit(job.id, 0, b"\x01" * 32, job.terms, sender=freelancer)
    escrow.submit(job.id, 1, b"\x02" * 32, job.terms, sender=freelancer)
    escrow.dispute(job.id, 1, sender=client)
    if function == "release":
        chain.pending_timestamp += REVIEW
    elif function == "apply_default_ruling":
        chain.pending_timestamp += RULING
    elif function == "reclaim":
        chain.pending_timestamp = job.deadlines[2] + 1
    calls = {
        "submit": lambda i: escrow.submit(job.id, i, b"\x03" * 32, job.terms, sender=freelancer),
        "approve": lambda i: escrow.approve(job.id, i, sender=client),
        "release": lambda i: escrow.release(job.id, i, sender=stranger),
        "reclaim": lambda i: escrow.reclaim(job.id, i, job.terms, sender=stranger),
        "dispute": lambda i: escrow.dispute(job.id, i, sender=client),
        "resolve": lambda i: escrow.resolve(job.id, i, 5_000, job.terms, sender=arbiter),
        "apply_default_ruling": lambda i: escrow.apply_default_ruling(job.id, i, sender=client),
    }
    with chain.isolate():  # the same call with an index in range would succeed
        assert calls[function](IN_RANGE[function]).status == 1
    with ape.reverts(NO_SUCH_MILESTONE):
        calls[function](index)
