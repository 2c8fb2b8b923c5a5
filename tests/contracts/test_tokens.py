"""Misbehaving tokens: each either works, is refused with a clear reason, or has its failed payouts credited.

The expected outcome of each is listed in the README ("Tokens that misbehave").
"""

from __future__ import annotations

import ape
import pytest
from ape import chain

from tests.contracts.conftest import DELIVERABLE
from tests.contracts.terms import ETH, REVIEW, RULING, UNIT, Terms, fee


@pytest.fixture
def mock(project, owner, client, escrow):
    """Factory: deploy a mock token by contract name, mint to the client, who approves the escrow for it all."""

    def deploy(name):
        token = owner.deploy(getattr(project, name))
        token.mint(client, 1_000_000 * UNIT, sender=owner)
        token.approve(escrow, 2**256 - 1, sender=client)
        return token

    return deploy


def _submit(escrow, job, index=0):
    escrow.submit(job.id, job.abi, index, DELIVERABLE, sender=job.terms.freelancer)


def test_fee_on_transfer__funding__refused_clearly(escrow, client, open_job, mock):
    fot = mock("fee_on_transfer_token_mock")
    with ape.reverts("payouts: token delivered less than sent"):
        open_job(token=fot)
    job = open_job(token=fot, fund=0)  # a job without funding is harmless
    with ape.reverts("payouts: token delivered less than sent"):
        escrow.fund(job.id, job.abi, 1, sender=client)
    assert fot.balanceOf(escrow) == 0


def test_no_return_value__works_like_a_standard_token(escrow, client, freelancer, open_job, mock):
    usdt = mock("no_return_token_mock")
    job = open_job((100 * UNIT,), token=usdt)
    _submit(escrow, job)
    escrow.approve(job.id, job.abi, 0, sender=client)
    assert usdt.balanceOf(freelancer) == 99 * UNIT
    assert usdt.balanceOf(escrow) == UNIT


def test_returns_false__funding_refused_payouts_credited(escrow, owner, client, freelancer, open_job, mock):
    falsy = mock("false_return_token_mock")
    job = open_job((100 * UNIT,), token=falsy)
    falsy.set_failing(True, sender=owner)
    with ape.reverts("payouts: token transfer failed"):
        open_job(token=falsy, salt=1)
    _submit(escrow, job)
    receipt = escrow.approve(job.id, job.abi, 0, sender=client)
    [credited] = receipt.decode_logs(escrow.Credited)
    assert (credited.job_id, credited.account, credited.token, credited.amount) == (
        job.id,
        freelancer,
        falsy,
        99 * UNIT,
    )
    assert escrow.credits(falsy, freelancer) == 99 * UNIT
    with ape.reverts("payouts: withdrawal failed"):
        escrow.withdraw(falsy, freelancer, sender=freelancer)
    falsy.set_failing(False, sender=owner)
    receipt = escrow.withdraw(falsy, freelancer, sender=freelancer)
    [withdrawn] = receipt.decode_logs(escrow.Withdrawn)
    assert (withdrawn.account, withdrawn.token, withdrawn.to, withdrawn.amount) == (
        freelancer,
        falsy,
        freelancer,
        99 * UNIT,
    )
    assert falsy.balanceOf(freelancer) == 99 * UNIT
    assert escrow.credits(falsy, freelancer) == 0


def test_blocklist__blocked_freelancer_credited_client_and_arbiter_still_paid(
    escrow, owner, client, freelancer, arbiter, stranger, open_job, mock
):
    blocky = mock("blocklist_token_mock")
    job = open_job((1_000 * UNIT, UNIT), token=blocky)
    _submit(escrow, job)
    escrow.dispute(job.id, job.abi, 0, sender=client)
    blocky.set_blocked(freelancer, True, sender=owner)
    client_before = blocky.balanceOf(client)

    receipt = escrow.resolve(job.id, job.abi, 0, 5_000, sender=arbiter)

    net = 475 * UNIT - fee(475 * UNIT, 100)
    [credited] = receipt.decode_logs(escrow.Credited)
    assert (credited.account, credited.amount) == (freelancer, net)
    assert blocky.balanceOf(client) == client_before + 475 * UNIT
    assert blocky.balanceOf(arbiter) == 50 * UNIT
    with ape.reverts("payouts: withdrawal failed"):
        escrow.withdraw(blocky, freelancer, sender=freelancer)
    escrow.withdraw(blocky, stranger, sender=freelancer)  # to another address of the freelancer's choosing
    assert blocky.balanceOf(stranger) == net


def test_blocklist__blocked_client__cannot_fund(escrow, owner, client, open_job, mock):
    blocky = mock("blocklist_token_mock")
    job = open_job((UNIT,), token=blocky, fund=0)
    blocky.set_blocked(client, True, sender=owner)
    with ape.reverts("blocklist: blocked"):
        escrow.fund(job.id, job.abi, 1, sender=client)


def test_withdraw__nothing__reverts(escrow, token, freelancer):
    with ape.reverts("payouts: nothing to withdraw"):
        escrow.withdraw(token, freelancer, sender=freelancer)


def test_withdraw__zero_recipient__reverts(escrow, owner, client, freelancer, open_job, mock):
    blocky = mock("blocklist_token_mock")
    job = open_job((UNIT,), token=blocky)
    _submit(escrow, job)
    blocky.set_blocked(freelancer, True, sender=owner)
    escrow.approve(job.id, job.abi, 0, sender=client)
    with ape.reverts("payouts: zero recipient"):
        escrow.withdraw(blocky, ETH, sender=freelancer)


def test_zero_reverting__no_zero_transfers_are_ever_made(escrow, client, freelancer, arbiter, open_job, mock):
    zero = mock("zero_revert_token_mock")
    job = open_job((100 * UNIT, 100 * UNIT), token=zero, arbiter_fee_bps=0)
    _submit(escrow, job)
    escrow.dispute(job.id, job.abi, 0, sender=client)
    receipt = escrow.resolve(job.id, job.abi, 0, 10_000, sender=arbiter)  # client share and arbiter fee are 0
    assert receipt.decode_logs(escrow.Credited) == []
    assert zero.balanceOf(freelancer) == 99 * UNIT


@pytest.mark.parametrize("decimals", [6, 18])
def test_decimals__amounts_are_raw_units(project, escrow, owner, client, freelancer, open_job, decimals):
    coin = owner.deploy(project.TestToken, "Coin", "COIN", decimals)
    one = 10**decimals
    coin.mint(client, 1_000_000 * one, sender=owner)
    coin.approve(escrow, 2**256 - 1, sender=client)
    job = open_job((250_000 * one,), token=coin)
    _submit(escrow, job)
    escrow.approve(job.id, job.abi, 0, sender=client)
    assert coin.balanceOf(freelancer) == 247_500 * one
    assert escrow.fees_accrued(coin) == 2_500 * one


def test_pausable__funding_refused_payouts_credited_until_unpaused(escrow, owner, client, freelancer, open_job, mock):
    paused = mock("pausable_token_mock")
    job = open_job((100 * UNIT,), token=paused)
    _submit(escrow, job)
    paused.set_paused(True, sender=owner)
    with ape.reverts():
        open_job(token=paused, salt=1)  # the token's own revert bubbles up from transferFrom
    escrow.approve(job.id, job.abi, 0, sender=client)
    assert escrow.credits(paused, freelancer) == 99 * UNIT
    paused.set_paused(False, sender=owner)
    escrow.withdraw(paused, freelancer, sender=freelancer)
    assert paused.balanceOf(freelancer) == 99 * UNIT


def test_eth__refusing_wallet_is_credited(project, escrow, owner, client, arbiter, create, consent, freelancer):
    wallet = owner.deploy(project.attacker_wallet_mock)
    wallet.set_mode(1, ETH, b"", sender=owner)
    terms = Terms.of(wallet, freelancer, ETH, arbiter, [UNIT])  # the refusing wallet is the client
    data = escrow.create_job.encode_input(terms.abi, consent(terms), 1)
    job_id = wallet.execute(escrow, data, sender=owner, value=UNIT).decode_logs(escrow.JobCreated)[0].job_id
    chain.pending_timestamp += terms.durations[0] + 1
    receipt = escrow.reclaim(job_id, terms.abi, 0, sender=client)
    assert receipt.decode_logs(escrow.Credited)[0].amount == UNIT
    before = owner.balance
    wallet.execute(escrow, escrow.withdraw.encode_input(ETH, owner), sender=client)
    assert escrow.credits(ETH, wallet) == 0 and owner.balance == before + UNIT


# --- a reentrant hook on every payout and pull path ----------------------------------------------


@pytest.fixture
def reentrant(escrow, client, submitted_job, mock):
    """A reentrant token, and a pot the re-entry goes for: platform fees accrued in ETH, which
    `collect_fees(ETH)` (locked, value-moving, short calldata) would pay out if the lock let it."""
    token = mock("reentrant_token_mock")
    pot = submitted_job(amounts=(100 * UNIT,), token=ETH, salt=99)
    escrow.approve(pot.id, pot.abi, 0, sender=client)
    assert escrow.fees_accrued(ETH) == UNIT
    return token


PAYOUTS = ["approve", "release", "reclaim", "resolve", "default_ruling", "settle", "deduction", "withdraw"]
PAYOUTS += ["collect_fees"]
PULLS = ["create", "fund", "add_milestones"]


@pytest.mark.parametrize("path", PAYOUTS + PULLS)
def test_reentrant_hook__every_path__lock_holds_and_books_balance(
    escrow, owner, client, freelancer, arbiter, stranger, open_job, reentrant, agree, path
):
    token = reentrant
    job = open_job((100 * UNIT, 100 * UNIT), token=token, fund=1 if path == "fund" else 2)
    trigger = None
    if path in ("approve", "release", "resolve", "default_ruling", "deduction", "withdraw"):
        _submit(escrow, job)
    if path == "approve":
        trigger = lambda: escrow.approve(job.id, job.abi, 0, sender=client)  # noqa: E731
    elif path == "release":
        chain.pending_timestamp += REVIEW
        trigger = lambda: escrow.release(job.id, job.abi, 0, sender=stranger)  # noqa: E731
    elif path == "reclaim":
        chain.pending_timestamp = job.deadline(0) + 1
        trigger = lambda: escrow.reclaim(job.id, job.abi, 0, sender=client)  # noqa: E731
    elif path == "resolve":
        escrow.dispute(job.id, job.abi, 0, sender=client)
        trigger = lambda: escrow.resolve(job.id, job.abi, 0, 5_000, sender=arbiter)  # noqa: E731
    elif path == "default_ruling":
        escrow.dispute(job.id, job.abi, 0, sender=client)
        chain.pending_timestamp += RULING
        trigger = lambda: escrow.apply_default_ruling(job.id, job.abi, 0, sender=client)  # noqa: E731
    elif path == "settle":
        trigger = lambda: agree.settle(job, 5_000, sender=stranger)  # noqa: E731
    elif path == "deduction":
        trigger = lambda: agree.deduct(job, 0, 5_000, by=client)  # noqa: E731
    elif path == "withdraw":
        token.set_blocked(freelancer, True, sender=owner)
        escrow.approve(job.id, job.abi, 0, sender=client)  # credited
        token.set_blocked(freelancer, False, sender=owner)
        trigger = lambda: escrow.withdraw(token, freelancer, sender=freelancer)  # noqa: E731
    elif path == "collect_fees":
        for index in (0, 1):
            _submit(escrow, job, index)
            escrow.approve(job.id, job.abi, index, sender=client)
        trigger = lambda: escrow.collect_fees(token, sender=stranger)  # noqa: E731
    elif path == "create":
        trigger = lambda: open_job((UNIT,), token=token, salt=7).receipt  # noqa: E731
    elif path == "fund":
        trigger = lambda: escrow.fund(job.id, job.abi, 1, sender=client)  # noqa: E731
    elif path == "add_milestones":
        trigger = lambda: agree.add(job, [(UNIT, 40 * 86_400)], 1, by=client)  # noqa: E731
    escrow_before = token.balanceOf(escrow)
    hook_sender = client if path in PULLS else escrow
    token.arm(hook_sender, escrow, escrow.collect_fees.encode_input(ETH), sender=owner)

    receipt = trigger()

    assert token.hook_calls() == 1
    assert not token.hook_succeeded()  # re-entering a value-moving function hits the lock
    assert escrow.fees_accrued(ETH) == UNIT  # the pot is untouched
    moved = token.balanceOf(escrow) - escrow_before
    assert (moved > 0) if path in PULLS else (moved < 0)  # the payout (or pull) itself went through
    assert receipt.decode_logs(escrow.Credited) == []
    escrow.collect_fees(ETH, sender=stranger)  # outside the callback the same call works
    assert escrow.fees_accrued(ETH) == 0


def test_reentrant_hook__heavier_than_the_payout_cap__is_credited(
    escrow, owner, client, freelancer, open_job, reentrant, stranger
):
    """A hook re-entering with a long call (here `release` with a job's whole terms, read from the mock's
    storage) needs more than the 100,000 gas a token payout gets: the transfer fails, as a whole, and is
    credited; the hook's own effects are undone with it."""
    token = reentrant
    victim = open_job((10 * UNIT,), token=token, salt=98)
    _submit(escrow, victim)
    job = open_job((100 * UNIT,), token=token)
    _submit(escrow, job)
    token.arm(escrow, escrow, escrow.release.encode_input(victim.id, victim.abi, 0), sender=owner)
    receipt = escrow.approve(job.id, job.abi, 0, sender=client)
    assert receipt.decode_logs(escrow.Credited)[0].account == freelancer
    assert token.hook_calls() == 0
    assert escrow.get_job(victim.id).milestones[0].status == 1
    with ape.reverts("payouts: withdrawal failed"):  # still armed: the withdrawal's transfer fails the same way
        escrow.withdraw(token, stranger, sender=freelancer)
    token.arm(escrow, ETH, b"", sender=owner)  # disarmed
    escrow.withdraw(token, stranger, sender=freelancer)
    assert token.balanceOf(stranger) == 99 * UNIT
