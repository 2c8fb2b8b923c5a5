"""The audit's finding 1, written against v2: no job can reach another job's milestones or money.

In v1 milestone words were keyed `job_id << 8 | milestone` and approve, release, dispute and resolve never
checked the index: a job of the attacker's (unfunded, with the attacker as client, freelancer or arbiter)
could approve, dispute or resolve a victim's milestone at index `victim << 8 | k` and be paid its money. In v2
every call presents its job's terms (bound by their 256-bit hash), milestone words are keyed [job][index] and
every index is checked. Each scenario below ends by checking that the victim's state and money are untouched.
"""

from __future__ import annotations

import ape
import pytest
from ape import chain

from tests.contracts.conftest import DELIVERABLE, balances
from tests.contracts.terms import CANCELLED, ETH, FAR, LIVE, SETTLED, UNIT, Terms, sign


@pytest.fixture
def attackers(accounts):
    """The attacker's own client, freelancer and arbiter (three colluding accounts)."""
    return accounts[7], accounts[8], accounts[9]


@pytest.fixture
def attacker_job(escrow, attackers, create):
    """Factory: a job between the attacker's accounts, unfunded unless `fund` says otherwise."""

    def build(token, amounts=(UNIT,), fund=0, salt=0):
        a_client, a_freelancer, a_arbiter = attackers
        terms = Terms.of(a_client, a_freelancer, token, a_arbiter, amounts, salt=salt)
        return create(terms, fund=fund)

    return build


def snapshot(escrow, token, job, people):
    return escrow.get_job(job.id), balances(token, escrow, *people)


@pytest.mark.parametrize("pay", ["token", "eth"])
def test_unfunded_job__cannot_approve_release_dispute_or_resolve_another_jobs_milestone(
    escrow, token, client, freelancer, attackers, submitted_job, attacker_job, pay
):
    coin = token if pay == "token" else ETH
    victim = submitted_job(amounts=(100 * UNIT, 200 * UNIT), token=coin)
    a_client, a_freelancer, a_arbiter = attackers
    own = attacker_job(coin)
    # (The attackers' own ETH pays the gas of their failed transactions: only token balances of theirs are compared.)
    people = (client, freelancer, *attackers) if pay == "token" else (client, freelancer)
    before = snapshot(escrow, coin, victim, people)
    aliases = [(victim.id << 8) | k for k in range(2)] + [victim.id, 2**256 - 1]

    for index in aliases:
        with ape.reverts("escrow: no such milestone"):
            escrow.approve(own.id, own.abi, index, sender=a_client)
        with ape.reverts("escrow: no such milestone"):
            escrow.release(own.id, own.abi, index, sender=a_client)
        with ape.reverts("escrow: no such milestone"):
            escrow.dispute(own.id, own.abi, index, sender=a_freelancer)
        with ape.reverts("escrow: no such milestone"):
            escrow.resolve(own.id, own.abi, index, 10_000, sender=a_arbiter)
        with ape.reverts("escrow: no such milestone"):
            escrow.reclaim(own.id, own.abi, index, sender=a_client)
    # The victim's id with the attacker's terms, and the victim's terms from the attacker's accounts.
    with ape.reverts("escrow: wrong terms"):
        escrow.resolve(victim.id, own.abi, 0, 10_000, sender=a_arbiter)
    with ape.reverts("escrow: wrong terms"):
        escrow.approve(victim.id, own.abi, 0, sender=a_client)
    with ape.reverts("escrow: not arbiter"):
        escrow.resolve(victim.id, victim.abi, 0, 10_000, sender=a_arbiter)
    with ape.reverts("escrow: not client"):
        escrow.approve(victim.id, victim.abi, 0, sender=a_client)
    with ape.reverts("escrow: not a party"):
        escrow.dispute(victim.id, victim.abi, 0, sender=a_freelancer)
    # Terms that name the attacker as the victim job's arbiter are not the victim's terms.
    forged = victim.terms.but(arbiter=str(a_arbiter.address))
    with ape.reverts("escrow: wrong terms"):
        escrow.resolve(victim.id, forged.abi, 0, 10_000, sender=a_arbiter)

    assert snapshot(escrow, coin, victim, people) == before


def test_attackers_funded_job__runs_its_own_milestones_only(
    escrow, token, owner, client, freelancer, attackers, submitted_job, attacker_job
):
    victim = submitted_job(amounts=(100 * UNIT, 200 * UNIT))
    a_client, a_freelancer, a_arbiter = attackers
    token.mint(a_client, 10 * UNIT, sender=owner)
    token.approve(escrow, 10 * UNIT, sender=a_client)
    own = attacker_job(token, amounts=[UNIT] * 10, fund=10)
    victim_before = escrow.get_job(victim.id)
    for index in range(10):
        escrow.submit(own.id, own.abi, index, DELIVERABLE, sender=a_freelancer)
        escrow.dispute(own.id, own.abi, index, sender=a_client)
        escrow.resolve(own.id, own.abi, index, 10_000, sender=a_arbiter)
    assert escrow.get_job(victim.id) == victim_before
    # What the attacker's side took out is exactly what it put in (the arbiter's and platform's fees included).
    assert token.balanceOf(escrow) == 300 * UNIT + escrow.fees_accrued(token)


def test_settled_job__every_milestone_closed_and_none_paid_twice(
    escrow, token, client, freelancer, arbiter, stranger, open_job, agree
):
    job = open_job([100 * UNIT] * 5, fund=4)
    abi = job.abi
    for index in (0, 1, 2):
        escrow.submit(job.id, abi, index, DELIVERABLE, sender=freelancer)
    escrow.approve(job.id, abi, 0, sender=client)  # 0 approved, 1 submitted, 2 disputed, 3 funded, 4 unfunded
    escrow.dispute(job.id, abi, 2, sender=client)
    agree.settle(job, 5_000, sender=stranger)

    state = escrow.get_job(job.id)
    assert [m.status for m in state.milestones] == [3, SETTLED, SETTLED, SETTLED, CANCELLED]
    assert not any(m.status in LIVE for m in state.milestones)
    people = (client, freelancer, arbiter, stranger)
    before = balances(token, escrow, *people)
    assert before[0] == escrow.fees_accrued(token)  # the escrow holds nothing of the job but its fees
    chain.pending_timestamp += 400 * 86_400  # every deadline, review period and ruling window is over
    calls = (
        lambda i: escrow.approve(job.id, abi, i, sender=client),
        lambda i: escrow.release(job.id, abi, i, sender=stranger),
        lambda i: escrow.reclaim(job.id, abi, i, sender=stranger),
        lambda i: escrow.resolve(job.id, abi, i, 10_000, sender=arbiter),
        lambda i: escrow.apply_default_ruling(job.id, abi, i, sender=freelancer),
        lambda i: escrow.submit(job.id, abi, i, DELIVERABLE, sender=freelancer),
        lambda i: agree.deduct(job, i, 10_000, by=client),
    )
    for index in range(5):
        for call in calls:
            with ape.reverts("escrow: job ended"):
                call(index)
    with ape.reverts("escrow: job ended"):
        agree.settle(job, 10_000, sender=stranger)
    with ape.reverts("escrow: job ended"):
        escrow.cancel_unfunded(job.id, abi, sender=client)
    assert balances(token, escrow, *people) == before


def test_eth_jobs__cannot_be_drained_cross_job(escrow, client, freelancer, attackers, attacker_job, open_job, domain):
    victim = open_job((5 * UNIT, 5 * UNIT), token=ETH)
    a_client, a_freelancer, a_arbiter = attackers
    own = attacker_job(ETH, amounts=(UNIT,), fund=1)
    assert balances(ETH, escrow) == [11 * UNIT]

    # A settlement both attackers sign for their own job, presented with the victim's id or terms.
    typed = domain.settlement(own.id, 0, 0)
    signatures = (sign(a_client, typed), sign(a_freelancer, typed))
    at = ape.project.EscrowAgreements.at(escrow.address)
    with ape.reverts("escrow: wrong terms"):
        at.settle(victim.id, own.abi, 0, FAR, *signatures, sender=a_client)
    with ape.reverts("escrow: bad client signature"):
        at.settle(victim.id, victim.abi, 0, FAR, *signatures, sender=a_client)
    # Terms that claim the victim's schedule under the attacker's job id.
    claimed = own.terms.but(milestones=victim.terms.milestones)
    with ape.reverts("escrow: wrong terms"):
        at.settle(own.id, claimed.abi, 0, FAR, *signatures, sender=a_client)
    with ape.reverts("escrow: no such milestone"):
        chain.pending_timestamp = victim.deadline(1) + 1
        escrow.reclaim(own.id, own.abi, (victim.id << 8) | 1, sender=a_client)

    at.settle(own.id, own.abi, 0, FAR, *signatures, sender=a_client)  # the attacker's own job pays back its own
    assert balances(ETH, escrow) == [10 * UNIT]
    assert escrow.get_job(victim.id).open_count == 2
    chain.pending_timestamp = victim.deadline(1) + 1
    for index in (0, 1):
        escrow.reclaim(victim.id, victim.abi, index, sender=a_client)  # anyone may reclaim: it pays the client
    assert balances(ETH, escrow) == [0]


def test_terms_hash_is_256_bits_and_binds_the_job(escrow, make_terms, create):
    """v1's commitment was 160 bits; v2 binds a job to the full EIP-712 struct hash of its terms."""
    job = create(make_terms())
    assert len(job.terms.struct_hash) == 32
    assert escrow.terms_hash_of(job.id) == job.terms.struct_hash
