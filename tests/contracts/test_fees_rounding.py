"""Fees round up: fee(x, bps) = ceil(x * bps / 10_000), so a non-zero rate never rounds a fee to 0.

Splits round down for the freelancer side (share), and nothing is created or lost by rounding: every closed
milestone's payouts plus its fees add up to its amount exactly.
"""

from __future__ import annotations

import pytest
from ape import chain

from tests.contracts.conftest import DELIVERABLE
from tests.contracts.terms import RULING, fee, share

AMOUNTS = (1, 19, 199, 9_999, 10_000, 10_001, 123_456_789)
RATES = (1, 7, 99, 100, 101, 333, 499, 500)


def test_fee_formula__ceil_and_never_zero_for_a_non_zero_rate():
    assert fee(19, 500) == 1  # 0.95 -> 1
    assert fee(1, 1) == 1
    assert fee(10_000, 1) == 1 and fee(10_001, 1) == 2
    assert all(fee(x, bps) >= 1 for x in AMOUNTS for bps in RATES)
    assert fee(0, 500) == 0 and fee(10**30, 0) == 0


@pytest.mark.parametrize("bps", RATES)
def test_platform_fee__every_rate__rounds_up_on_approve(escrow, token, owner, client, freelancer, open_job, bps):
    escrow.set_platform_fee(bps, sender=owner)
    job = open_job(AMOUNTS, durations=[86_400] * len(AMOUNTS), platform_fee_bps=bps)
    fees = []
    for index, amount in enumerate(AMOUNTS):
        escrow.submit(job.id, job.abi, index, DELIVERABLE, sender=freelancer)
        receipt = escrow.approve(job.id, job.abi, index, sender=client)
        [approved] = receipt.decode_logs(escrow.MilestoneApproved)
        assert approved.platform_fee == fee(amount, bps) > 0
        assert approved.amount + approved.platform_fee == amount
        fees.append(approved.platform_fee)
    [ended] = receipt.decode_logs(escrow.JobEnded)
    assert ended.platform_fees == sum(fees) == escrow.fees_accrued(token)
    assert ended.paid == sum(AMOUNTS) - sum(fees)


def test_platform_fee__19_units_at_500_bps__cost_1_unit(escrow, token, owner, client, freelancer, open_job):
    escrow.set_platform_fee(500, sender=owner)
    job = open_job((19,), platform_fee_bps=500)
    escrow.submit(job.id, job.abi, 0, DELIVERABLE, sender=freelancer)
    before = token.balanceOf(freelancer)
    escrow.approve(job.id, job.abi, 0, sender=client)
    assert token.balanceOf(freelancer) - before == 18
    assert escrow.fees_accrued(token) == 1


def test_platform_fee__zero_rate__no_fee(escrow, token, owner, client, freelancer, open_job):
    escrow.set_platform_fee(0, sender=owner)
    job = open_job((19,), platform_fee_bps=0)
    escrow.submit(job.id, job.abi, 0, DELIVERABLE, sender=freelancer)
    receipt = escrow.approve(job.id, job.abi, 0, sender=client)
    assert receipt.decode_logs(escrow.MilestoneApproved)[0].platform_fee == 0
    assert escrow.fees_accrued(token) == 0


@pytest.mark.parametrize("arbiter_bps", [1, 333, 999, 1_000])
def test_arbiter_fee__rounds_up_and_the_rest_splits_down(escrow, arbiter, disputed_job, arbiter_bps):
    amounts = (19, 10_001, 1)
    job = disputed_job(amounts=amounts, arbiter_fee_bps=arbiter_bps)
    for index, amount in enumerate(amounts):
        if index:
            escrow.submit(job.id, job.abi, index, DELIVERABLE, sender=job.terms.freelancer)
            escrow.dispute(job.id, job.abi, index, sender=job.terms.client)
        receipt = escrow.resolve(job.id, job.abi, index, 3_333, sender=arbiter)
        [event] = receipt.decode_logs(escrow.DisputeResolved)
        gross = share(amount - fee(amount, arbiter_bps), 3_333)
        assert event.arbiter_fee == fee(amount, arbiter_bps) > 0
        assert (event.to_freelancer, event.platform_fee) == (gross - fee(gross, 100), fee(gross, 100))
        assert event.to_freelancer + event.to_client + event.arbiter_fee + event.platform_fee == amount


def test_default_ruling__odd_unit_to_the_client_fee_rounds_up(escrow, client, disputed_job):
    job = disputed_job(amounts=(19,))
    chain.pending_timestamp += RULING
    [event] = escrow.apply_default_ruling(job.id, job.abi, 0, sender=client).decode_logs(escrow.DefaultRulingApplied)
    assert (event.to_client, event.to_freelancer, event.platform_fee) == (10, 9 - 1, 1)


def test_settle_and_deduction__fee_of_the_freelancer_side_rounds_up(escrow, client, stranger, submitted_job, agree):
    job = submitted_job(amounts=(19, 21))
    [deducted] = agree.deduct(job, 0, 5_000, by=client).decode_logs(agree.at.MilestoneDeducted)
    assert (deducted.to_client, deducted.to_freelancer, deducted.platform_fee) == (10, 8, 1)
    [settled] = agree.settle(job, 5_000, sender=stranger).decode_logs(agree.at.JobSettled)
    assert (settled.to_client, settled.to_freelancer, settled.platform_fee) == (11, 9, 1)
