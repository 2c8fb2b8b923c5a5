"""Misbehaving tokens: each either works, is refused with a clear reason, or has its failed payouts credited.

The expected outcome of each is listed in the README ("Tokens that misbehave").
"""

from __future__ import annotations

import ape
import pytest
from ape import chain

from tests.contracts.conftest import ETH, REVIEW, RULING, UNIT, settlement_signatures


@pytest.fixture
def mock(project, owner, client):
    """Factory: deploy a mock token by contract name and mint to the client."""

    def deploy(name):
        token = owner.deploy(getattr(project, name))
        token.mint(client, 1_000_000 * UNIT, sender=owner)
        return token

    return deploy


def _submit(escrow, freelancer, job, index=0):
    escrow.submit(job.id, index, b"\x01" * 32, job.terms, sender=freelancer)


def test_fee_on_transfer__funding__refused_clearly(escrow, client, open_job, mock):
    fot = mock("fee_on_transfer_token_mock")
    with ape.reverts("payouts: token delivered less than sent"):
        open_job(pay_token=fot)
    job = open_job(pay_token=fot, fund=0)  # a job without funding is harmless
    fot.approve(escrow, 300 * UNIT, sender=client)
    with ape.reverts("payouts: token delivered less than sent"):
        escrow.fund(job.id, 1, job.terms, sender=client)
    assert fot.balanceOf(escrow) == 0


def test_no_return_value__works_like_a_standard_token(escrow, client, freelancer, open_job, mock):
    usdt = mock("no_return_token_mock")
    job = open_job((100 * UNIT,), pay_token=usdt)
    _submit(escrow, freelancer, job)
    escrow.approve(job.id, 0, sender=client)
    assert usdt.balanceOf(freelancer) == 99 * UNIT
    assert usdt.balanceOf(escrow) == UNIT


def test_returns_false__funding_refused_payouts_credited(escrow, owner, client, freelancer, open_job, mock):
    falsy = mock("false_return_token_mock")
    job = open_job((100 * UNIT,), pay_token=falsy)
    falsy.set_failing(True, sender=owner)
    with ape.reverts("payouts: token transfer failed"):
        open_job(pay_token=falsy)
    _submit(escrow, freelancer, job)
    receipt = escrow.approve(job.id, 0, sender=client)
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


def test_blocklist__blocked_freelancer_credited_client_still_paid(
    escrow, owner, client, freelancer, arbiter, stranger, open_job, mock
):
    blocky = mock("blocklist_token_mock")
    job = open_job((1_000 * UNIT, UNIT), pay_token=blocky)
    _submit(escrow, freelancer, job)
    escrow.dispute(job.id, 0, sender=client)
    blocky.set_blocked(freelancer, True, sender=owner)
    client_before = blocky.balanceOf(client)

    receipt = escrow.resolve(job.id, 0, 5_000, job.terms, sender=arbiter)

    [credited] = receipt.decode_logs(escrow.Credited)
    assert (credited.account, credited.amount) == (freelancer, 475 * UNIT - 4_750_000)
    assert blocky.balanceOf(client) == client_before + 475 * UNIT
    assert blocky.balanceOf(arbiter) == 50 * UNIT
    with ape.reverts("payouts: withdrawal failed"):
        escrow.withdraw(blocky, freelancer, sender=freelancer)
    escrow.withdraw(blocky, stranger, sender=freelancer)  # to another address of the freelancer's choosing
    assert blocky.balanceOf(stranger) == 475 * UNIT - 4_750_000


def test_withdraw__nothing_or_zero_recipient__reverts(escrow, token, freelancer):
    with ape.reverts("payouts: nothing to withdraw"):
        escrow.withdraw(token, freelancer, sender=freelancer)


def test_withdraw__zero_recipient__reverts(escrow, owner, client, freelancer, open_job, mock):
    blocky = mock("blocklist_token_mock")
    job = open_job((UNIT,), pay_token=blocky)
    _submit(escrow, freelancer, job)
    blocky.set_blocked(freelancer, True, sender=owner)
    escrow.approve(job.id, 0, sender=client)
    with ape.reverts("payouts: zero recipient"):
        escrow.withdraw(blocky, ETH, sender=freelancer)


def test_zero_reverting__no_zero_transfers_are_ever_made(escrow, owner, client, freelancer, arbiter, open_job, mock):
    zero = mock("zero_revert_token_mock")
    job = open_job((100 * UNIT, 100 * UNIT), pay_token=zero, arbiter_fee_bps=0)
    _submit(escrow, freelancer, job)
    escrow.dispute(job.id, 0, sender=client)
    receipt = escrow.resolve(job.id, 0, 10_000, job.terms, sender=arbiter)  # client share and arbiter fee are 0
    assert receipt.decode_logs(escrow.Credited) == []
    assert zero.balanceOf(freelancer) == 99 * UNIT


@pytest.mark.parametrize("decimals", [6, 18])
def test_decimals__amounts_are_raw_units(project, escrow, owner, client, freelancer, open_job, decimals):
    coin = owner.deploy(project.TestToken, "Coin", "COIN", decimals)
    one = 10**decimals
    coin.mint(client, 1_000_000 * one, sender=owner)
    job = open_job((250_000 * one,), pay_token=coin)
    _submit(escrow, freelancer, job)
    escrow.approve(job.id, 0, sender=client)
    assert coin.balanceOf(freelancer) == 247_500 * one
    assert escrow.fees_accrued(coin) == 2_500 * one


def test_pausable__funding_refused_payouts_credited_until_unpaused(escrow, owner, client, freelancer, open_job, mock):
    paused = mock("pausable_token_mock")
    job = open_job((100 * UNIT,), pay_token=paused)
    _submit(escrow, freelancer, job)
    paused.set_paused(True, sender=owner)
    with ape.reverts():
        open_job(pay_token=paused)  # the token's own revert bubbles up from transferFrom
    escrow.approve(job.id, 0, sender=client)
    assert escrow.credits(paused, freelancer) == 99 * UNIT
    paused.set_paused(False, sender=owner)
    escrow.withdraw(paused, freelancer, sender=freelancer)
    assert paused.balanceOf(freelancer) == 99 * UNIT


def test_eth__refusing_wallet_is_credited(project, escrow, owner, client, arbiter):
    wallet = owner.deploy(project.attacker_wallet_mock)
    wallet.set_mode(1, ETH, b"", sender=owner)
    from tests.contracts.conftest import make_terms

    terms = make_terms(arbiter, [UNIT], [chain.pending_timestamp + 86_400])
    job_id = escrow.create_job(wallet, ETH, terms, b"\x00" * 32, 1, sender=client, value=UNIT).return_value
    wallet.execute(escrow, escrow.submit.encode_input(job_id, 0, b"\x01" * 32, terms), sender=owner)
    receipt = escrow.approve(job_id, 0, sender=client)
    assert receipt.decode_logs(escrow.Credited)[0].amount == UNIT - UNIT // 100
    wallet.execute(escrow, escrow.withdraw.encode_input(ETH, owner), sender=owner)
    assert escrow.credits(ETH, wallet) == 0


# --- a reentrant hook on every payout path ------------------------------------


@pytest.fixture
def reentrant(escrow, client, freelancer, open_job, mock):
    """A reentrant token, and a victim job whose milestone 0 anyone could release right now."""
    token = mock("reentrant_token_mock")
    victim = open_job((10 * UNIT,), pay_token=token)
    _submit(escrow, freelancer, victim)
    chain.pending_timestamp += REVIEW
    return token, victim


PATHS = ["approve", "release", "reclaim", "resolve", "default_ruling", "settle", "withdraw", "collect_fees"]


@pytest.mark.parametrize("path", PATHS)
def test_reentrant_hook__every_payout_path__lock_holds_and_books_balance(
    escrow, owner, client, freelancer, arbiter, stranger, open_job, reentrant, path
):
    token, victim = reentrant
    job = open_job((100 * UNIT, 100 * UNIT), pay_token=token)
    trigger = None
    if path in ("approve", "release", "resolve", "default_ruling", "withdraw"):
        _submit(escrow, freelancer, job)
    if path == "approve":
        trigger = lambda: escrow.approve(job.id, 0, sender=client)  # noqa: E731
    elif path == "release":
        chain.pending_timestamp += REVIEW
        trigger = lambda: escrow.release(job.id, 0, sender=stranger)  # noqa: E731
    elif path == "reclaim":
        chain.pending_timestamp = job.deadlines[0] + 1
        trigger = lambda: escrow.reclaim(job.id, 0, job.terms, sender=client)  # noqa: E731
    elif path == "resolve":
        escrow.dispute(job.id, 0, sender=client)
        trigger = lambda: escrow.resolve(job.id, 0, 5_000, job.terms, sender=arbiter)  # noqa: E731
    elif path == "default_ruling":
        escrow.dispute(job.id, 0, sender=client)
        chain.pending_timestamp += RULING
        trigger = lambda: escrow.apply_default_ruling(job.id, 0, sender=client)  # noqa: E731
    elif path == "settle":
        sigs = settlement_signatures(escrow, job.id, 5_000, (client, freelancer))
        trigger = lambda: escrow.settle(job.id, 5_000, job.terms, *sigs, sender=stranger)  # noqa: E731
    elif path == "withdraw":
        token.set_blocked(freelancer, True, sender=owner)
        escrow.approve(job.id, 0, sender=client)  # credited
        token.set_blocked(freelancer, False, sender=owner)
        trigger = lambda: escrow.withdraw(token, freelancer, sender=freelancer)  # noqa: E731
    elif path == "collect_fees":
        _submit(escrow, freelancer, job)
        escrow.approve(job.id, 0, sender=client)
        _submit(escrow, freelancer, job, 1)
        escrow.approve(job.id, 1, sender=client)
        trigger = lambda: escrow.collect_fees(token, sender=stranger)  # noqa: E731
    escrow_before = token.balanceOf(escrow)
    token.arm(escrow, escrow, escrow.release.encode_input(victim.id, 0), sender=owner)

    receipt = trigger()

    assert token.hook_calls() == 1
    assert not token.hook_succeeded()  # re-entering any value-moving function hits the lock
    assert escrow.get_job(victim.id).milestones[0].status == 1  # the victim is untouched
    moved_out = escrow_before - token.balanceOf(escrow)
    assert moved_out > 0 and receipt.decode_logs(escrow.Credited) == []
    escrow.release(victim.id, 0, sender=stranger)  # outside the callback the same call works
