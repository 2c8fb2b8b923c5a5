"""Bounded payouts: no recipient and no token can make a payout cost its caller more than a bounded amount of gas.

An ERC-20 transfer gets at most 100,000 gas and an ETH send 50,000; a payout that fails (here: one that burns
all the gas it is given) is credited to its recipient, who withdraws it later, to any address. An EIP-1271
check gets at most 150,000 gas. Before each payout the call must have gas for the whole cap.
"""

from __future__ import annotations

from collections import Counter

import ape
import pytest
from ape import chain
from eth_abi import decode

from tests.contracts.conftest import DELIVERABLE
from tests.contracts.terms import DAY, ETH, RULING, UNIT, Terms, fee

TOKEN_PAYOUT_GAS = 100_000
ETH_PAYOUT_GAS = 50_000
SIGNATURE_GAS = 150_000
CREDIT_COST = 30_000  # the credit's storage write and the Credited event
GAS = 3_000_000  # the caller offers far more than any cap


@pytest.fixture
def burner(project, owner, client, escrow):
    token = owner.deploy(project.gas_burning_token_mock)
    token.mint(client, 1_000_000 * UNIT, sender=owner)
    token.approve(escrow, 2**256 - 1, sender=client)
    return token


@pytest.fixture
def wallet(project, owner):
    """A contract wallet that burns all gas when it receives ETH or checks a signature."""
    return owner.deploy(project.gas_burning_wallet_mock)


def test_token_payout__gas_burning_recipient__credited_and_the_callers_gas_bounded(
    escrow, owner, client, freelancer, stranger, submitted_job, burner
):
    normal = submitted_job(amounts=(100 * UNIT, UNIT), token=burner, salt=1)
    hostile = submitted_job(amounts=(100 * UNIT, UNIT), token=burner, salt=2)
    baseline = escrow.approve(normal.id, normal.abi, 0, sender=client, gas_limit=GAS).gas_used
    burner.set_burning(freelancer, True, sender=owner)

    receipt = escrow.approve(hostile.id, hostile.abi, 0, sender=client, gas_limit=GAS)

    assert receipt.gas_used <= baseline + TOKEN_PAYOUT_GAS + CREDIT_COST
    net = 100 * UNIT - fee(100 * UNIT, 100)
    [credited] = receipt.decode_logs(escrow.Credited)
    assert (credited.job_id, credited.account, credited.token, credited.amount) == (hostile.id, freelancer, burner, net)
    assert escrow.credits(burner, freelancer) == net
    with ape.reverts("payouts: withdrawal failed"):  # to itself, still burning
        escrow.withdraw(burner, freelancer, sender=freelancer, gas_limit=GAS)
    receipt = escrow.withdraw(burner, stranger, sender=freelancer)  # to an address of its choosing
    [withdrawn] = receipt.decode_logs(escrow.Withdrawn)
    assert (withdrawn.account, withdrawn.token, withdrawn.to, withdrawn.amount) == (freelancer, burner, stranger, net)
    assert burner.balanceOf(stranger) == net and escrow.credits(burner, freelancer) == 0


def test_token_payout__one_burning_recipient_does_not_block_the_others(
    escrow, owner, client, freelancer, arbiter, disputed_job, burner
):
    job = disputed_job(amounts=(1_000 * UNIT,), token=burner)
    burner.set_burning(freelancer, True, sender=owner)
    before = burner.balanceOf(client), burner.balanceOf(arbiter)

    receipt = escrow.resolve(job.id, job.abi, 0, 5_000, sender=arbiter, gas_limit=GAS)

    [credited] = receipt.decode_logs(escrow.Credited)
    assert (credited.account, credited.amount) == (freelancer, 475 * UNIT - fee(475 * UNIT, 100))
    assert (burner.balanceOf(client) - before[0], burner.balanceOf(arbiter) - before[1]) == (475 * UNIT, 50 * UNIT)
    assert receipt.gas_used < 450_000  # one capped payout burnt; the job ended and was recorded
    assert receipt.decode_logs(escrow.JobEnded)[0].recorded


def test_token_payout__burning_client_on_reclaim__credited(escrow, owner, client, stranger, open_job, burner):
    job = open_job((10 * UNIT,), token=burner)
    burner.set_burning(client, True, sender=owner)
    chain.pending_timestamp = job.deadline(0) + 1
    receipt = escrow.reclaim(job.id, job.abi, 0, sender=stranger, gas_limit=GAS)
    assert receipt.decode_logs(escrow.Credited)[0].amount == 10 * UNIT
    assert receipt.gas_used < 400_000


def test_payout__too_little_gas_for_the_cap__reverts_instead_of_crediting(escrow, client, submitted_job, burner):
    """A caller cannot starve the payout (through the 63/64 rule) to force a credit: it needs gas for the cap."""
    job = submitted_job(amounts=(UNIT, UNIT), token=burner)
    with ape.reverts("payouts: not enough gas"):
        escrow.approve(job.id, job.abi, 0, sender=client, gas_limit=150_000)
    assert escrow.get_job(job.id).milestones[0].status == 1
    assert escrow.credits(burner, job.terms.freelancer) == 0


@pytest.fixture
def eth_job_of_wallet(escrow, owner, freelancer, wallet, consent):
    """Factory: an ETH job whose client is the burning wallet (it creates the job through `execute`)."""

    def build(amounts, arbiter, fund=None):
        terms = Terms.of(wallet, freelancer, ETH, arbiter, amounts)
        fund = len(amounts) if fund is None else fund
        data = escrow.create_job.encode_input(terms.abi, consent(terms), fund)
        receipt = wallet.execute(escrow, data, sender=owner, value=sum(amounts[:fund]))
        [created] = receipt.decode_logs(escrow.JobCreated)
        return created.job_id, terms, created.start

    return build


def test_eth_payout__gas_burning_wallet__credited_and_the_callers_gas_bounded(
    escrow, owner, arbiter, stranger, wallet, eth_job_of_wallet
):
    job_id, terms, start = eth_job_of_wallet((UNIT, UNIT), arbiter)
    chain.pending_timestamp = start + terms.durations[1] + 1
    wallet.set_burning(False, sender=owner)
    baseline = escrow.reclaim(job_id, terms.abi, 0, sender=stranger, gas_limit=GAS).gas_used
    wallet.set_burning(True, sender=owner)

    receipt = escrow.reclaim(job_id, terms.abi, 1, sender=stranger, gas_limit=GAS)

    assert receipt.decode_logs(escrow.Credited)[0].amount == UNIT
    assert escrow.credits(ETH, wallet) == UNIT
    # The last reclaim also ends the job (the reputation call, at most 250,000 gas, but it uses far less).
    assert receipt.gas_used <= baseline + ETH_PAYOUT_GAS + CREDIT_COST + 60_000
    before = owner.balance
    wallet.execute(escrow, escrow.withdraw.encode_input(ETH, owner), sender=stranger)
    assert owner.balance == before + UNIT
    assert escrow.credits(ETH, wallet) == 0


def test_eth_payout__burning_client_share_of_a_ruling__credited_the_rest_paid(
    escrow, owner, freelancer, arbiter, wallet, eth_job_of_wallet
):
    job_id, terms, _ = eth_job_of_wallet((100 * UNIT,), arbiter)
    wallet.set_burning(False, sender=owner)
    escrow.submit(job_id, terms.abi, 0, DELIVERABLE, sender=freelancer)
    wallet.execute(escrow, escrow.dispute.encode_input(job_id, terms.abi, 0), sender=owner)
    wallet.set_burning(True, sender=owner)
    before = freelancer.balance, arbiter.balance
    receipt = escrow.resolve(job_id, terms.abi, 0, 2_000, sender=arbiter, gas_limit=GAS)
    [credited] = receipt.decode_logs(escrow.Credited)
    assert (credited.account, credited.amount) == (wallet, 95 * UNIT - 19 * UNIT)
    assert freelancer.balance - before[0] == 19 * UNIT - fee(19 * UNIT, 100)


def test_collect_fees__burning_fee_recipient__credited(escrow, owner, client, wallet, submitted_job):
    job = submitted_job(amounts=(100 * UNIT,), token=ETH)
    escrow.approve(job.id, job.abi, 0, sender=client)
    escrow.set_fee_recipient(wallet, sender=owner)
    receipt = escrow.collect_fees(ETH, sender=client, gas_limit=GAS)
    [credited] = receipt.decode_logs(escrow.Credited)
    assert (credited.job_id, credited.account, credited.amount) == (0, wallet, UNIT)
    assert receipt.gas_used < 150_000
    assert escrow.fees_accrued(ETH) == 0 and escrow.credits(ETH, wallet) == UNIT


def test_consent__gas_burning_eip1271_wallet__refused_within_the_signature_cap(escrow, client, wallet, make_terms):
    terms = make_terms((UNIT,), freelancer=wallet)
    data = escrow.create_job.encode_input(terms.abi, b"\x01" * 65, 0)
    w3 = chain.provider.web3
    tx = w3.eth.send_transaction({"from": str(client.address), "to": str(escrow.address), "data": data, "gas": GAS})
    receipt = w3.eth.wait_for_transaction_receipt(tx)
    assert receipt["status"] == 0
    assert receipt["gasUsed"] < SIGNATURE_GAS + 100_000  # not the caller's 3,000,000
    with ape.reverts("escrow: bad consent"):
        escrow.create_job(terms.abi, b"\x01" * 65, 0, sender=client, gas_limit=GAS)


def test_settle__gas_burning_eip1271_party__a_refusal_not_an_out_of_gas(arbiter, stranger, eth_job_of_wallet, agree):
    job_id, terms, _ = eth_job_of_wallet((UNIT,), arbiter)
    with ape.reverts("escrow: bad client signature"):
        agree.at.settle(job_id, terms.abi, 0, 2**40, b"\x01" * 65, b"\x01" * 65, sender=stranger, gas_limit=GAS)


def test_default_ruling__burning_recipient_still_closes(escrow, owner, client, freelancer, disputed_job, burner):
    job = disputed_job(amounts=(10 * UNIT,), token=burner)
    chain.pending_timestamp += RULING
    burner.set_burning(client, True, sender=owner)
    receipt = escrow.apply_default_ruling(job.id, job.abi, 0, sender=freelancer, gas_limit=GAS)
    assert receipt.decode_logs(escrow.Credited)[0].account == client
    assert escrow.get_job(job.id).ended


# --- a caller who gives too little gas ----------------------------------------------------------

GAS_LIMITS = range(40_000, 260_000, 2_000)  # from below what any payout call needs to far above its cap


def _revert_reason(tx_hash: bytes) -> str:
    """A failed transaction's revert reason, or the node's error for one without (e.g. "out of gas")."""
    frame = chain.provider.make_request("debug_traceTransaction", ["0x" + tx_hash.hex(), {"tracer": "callTracer"}])
    output = bytes.fromhex((frame.get("output") or "0x")[2:])
    if output[:4] == bytes.fromhex("08c379a0"):  # Error(string)
        return decode(["string"], output[4:])[0]
    return frame.get("error", "")


def _sweep(sender, to, data: bytes, check) -> Counter:
    """Sends `data` once per gas limit of GAS_LIMITS, each time from the same state, and calls
    `check(mined_ok, reason)` after each (before the state is restored); counts the outcomes."""
    w3 = chain.provider.web3
    outcomes: Counter = Counter()
    for limit in GAS_LIMITS:
        snapshot = chain.snapshot()
        tx = w3.eth.send_transaction({"from": str(sender.address), "to": str(to.address), "data": data, "gas": limit})
        mined_ok = w3.eth.wait_for_transaction_receipt(tx)["status"] == 1
        reason = None if mined_ok else _revert_reason(tx)
        check(mined_ok, reason)
        outcomes["paid" if mined_ok else reason] += 1
        chain.restore(snapshot)
    return outcomes


def _paid_or_refused(outcomes: Counter) -> None:
    assert outcomes["paid"] > 0 and outcomes["payouts: not enough gas"] > 0, outcomes
    others = {o for o in outcomes if o not in ("paid", "payouts: not enough gas")}
    assert all(o.lower().startswith(("out of gas", "outofgas")) for o in others), outcomes


def test_token_payout__any_gas_limit__paid_in_full_or_refused_never_starved_into_a_credit(
    escrow, client, freelancer, token, submitted_job
):
    """Whatever gas limit the caller picks, the transfer gets its whole cap or the call reverts: nobody can
    starve an ordinary payout (through the 63/64 rule) so that it fails and is credited instead."""
    job = submitted_job(amounts=(100 * UNIT, UNIT))
    net = 100 * UNIT - fee(100 * UNIT, 100)
    before = token.balanceOf(freelancer)

    def check(mined_ok, reason):
        assert escrow.credits(token, freelancer) == 0, "a payout the freelancer could receive was credited"
        assert token.balanceOf(freelancer) == before + (net if mined_ok else 0)

    _paid_or_refused(_sweep(client, escrow, escrow.approve.encode_input(job.id, job.abi, 0), check))


def test_eth_payout__any_gas_limit__a_wallet_that_needs_gas_to_receive_is_paid_or_the_call_refused(
    project, escrow, owner, freelancer, arbiter, stranger, consent
):
    """A contract wallet whose receive hook needs real gas (well within the 50,000 forwarded) is paid in full
    whatever gas limit the caller of the reclaim picks, or the call reverts; it is never credited."""
    wallet = owner.deploy(project.thirsty_wallet_mock)
    terms = Terms.of(wallet, freelancer, ETH, arbiter, (UNIT, UNIT), (10 * DAY, 20 * DAY))
    data = escrow.create_job.encode_input(terms.abi, consent(terms), 2)
    [created] = wallet.execute(escrow, data, sender=owner, value=2 * UNIT).decode_logs(escrow.JobCreated)
    chain.mine(1, timestamp=created.start + 10 * DAY + 1)  # milestone 0 missed its deadline; 1 has not

    def check(mined_ok, reason):
        assert escrow.credits(ETH, wallet) == 0, "a payout the wallet could receive was credited"
        assert wallet.received() == (UNIT if mined_ok else 0)

    outcomes = _sweep(stranger, escrow, escrow.reclaim.encode_input(created.job_id, terms.abi, 0), check)
    _paid_or_refused(outcomes)
