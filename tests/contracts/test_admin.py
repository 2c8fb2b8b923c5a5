"""Admin limits: fee for future jobs (cap 5%), its recipient, pausing new jobs, two-step ownership; no custody."""

from __future__ import annotations

import ape
from ape import chain

from tests.contracts.conftest import PLATFORM_FEE_BPS, UNIT, make_terms


def test_set_platform_fee__owner__applies_to_future_jobs_only(escrow, token, owner, client, freelancer, open_job):
    running = open_job((100 * UNIT,))
    receipt = escrow.set_platform_fee(500, sender=owner)
    [event] = receipt.decode_logs(escrow.PlatformFeeChanged)
    assert (event.previous_bps, event.new_bps) == (PLATFORM_FEE_BPS, 500)
    assert escrow.platform_fee_bps() == 500

    escrow.submit(running.id, 0, b"\x01" * 32, running.terms, sender=freelancer)
    paid = escrow.approve(running.id, 0, sender=client).decode_logs(escrow.MilestoneApproved)[0]
    assert paid.platform_fee == UNIT  # still the 1% fixed at creation

    later = open_job((100 * UNIT,), platform_fee_bps=500)
    escrow.submit(later.id, 0, b"\x01" * 32, later.terms, sender=freelancer)
    assert escrow.approve(later.id, 0, sender=client).decode_logs(escrow.MilestoneApproved)[0].platform_fee == 5 * UNIT


def test_set_platform_fee__above_cap__reverts(escrow, owner):
    with ape.reverts("settings: fee above cap"):
        escrow.set_platform_fee(501, sender=owner)


def test_create_job__fee_changed_since_terms_were_built__reverts(escrow, token, owner, client, freelancer, arbiter):
    terms = make_terms(arbiter, [UNIT], [chain.pending_timestamp + 86_400])
    escrow.set_platform_fee(200, sender=owner)
    with ape.reverts("escrow: platform fee changed"):
        escrow.create_job(freelancer, token, terms, b"\x00" * 32, 0, sender=client)


def test_set_fee_recipient__owner__collect_goes_there(escrow, token, owner, client, stranger, submitted_job):
    receipt = escrow.set_fee_recipient(stranger, sender=owner)
    [event] = receipt.decode_logs(escrow.FeeRecipientChanged)
    assert event.new_recipient == stranger
    job = submitted_job(amounts=(100 * UNIT,))
    escrow.approve(job.id, 0, sender=client)
    receipt = escrow.collect_fees(token, sender=client)
    assert token.balanceOf(stranger) == UNIT
    assert escrow.fees_accrued(token) == 0
    [collected] = receipt.decode_logs(escrow.FeesCollected)
    assert (collected.token, collected.recipient, collected.amount) == (token, stranger, UNIT)


def test_set_fee_recipient__zero__reverts(escrow, owner):
    with ape.reverts("settings: zero recipient"):
        escrow.set_fee_recipient("0x" + "00" * 20, sender=owner)


def test_collect_fees__nothing_accrued__reverts(escrow, token, stranger):
    with ape.reverts("settings: no fees to collect"):
        escrow.collect_fees(token, sender=stranger)


def test_pause__logs_and_blocks_only_new_jobs(escrow, owner, client, freelancer, open_job):
    job = open_job()
    receipt = escrow.pause(sender=owner)
    assert receipt.decode_logs(escrow.Paused)[0].account == owner
    assert escrow.paused()
    escrow.submit(job.id, 0, b"\x01" * 32, job.terms, sender=freelancer)
    escrow.approve(job.id, 0, sender=client)  # running jobs keep working
    with ape.reverts("settings: already paused"):
        escrow.pause(sender=owner)
    assert escrow.unpause(sender=owner).decode_logs(escrow.Unpaused)[0].account == owner
    with ape.reverts("settings: not paused"):
        escrow.unpause(sender=owner)


def test_ownership__two_step_transfer(escrow, owner, stranger):
    receipt = escrow.transfer_ownership(stranger, sender=owner)
    assert receipt.decode_logs(escrow.OwnershipTransferStarted)[0].new_owner == stranger
    assert escrow.owner() == owner and escrow.pending_owner() == stranger
    escrow.accept_ownership(sender=stranger)
    assert escrow.owner() == stranger
    with ape.reverts("ownable: caller is not the owner"):
        escrow.set_platform_fee(0, sender=owner)


def test_no_admin_function_moves_escrowed_funds(escrow):
    names = {abi.name for abi in escrow.contract_type.mutable_methods}
    admin = {"set_platform_fee", "set_fee_recipient", "pause", "unpause", "transfer_ownership", "accept_ownership"}
    assert admin <= names
    assert "renounce_ownership" not in names
    assert not {name for name in names if "sweep" in name or "rescue" in name or "emergency" in name}
