"""Owner and fees (module `settings`, unchanged from v1): the fee for future jobs (cap 5%), its recipient, pausing
new jobs, two-step ownership, collect_fees by anyone to the recipient. Nothing the owner does moves a job's money."""

from __future__ import annotations

import ape
import pytest

from tests.contracts.conftest import DELIVERABLE, deploy_escrow
from tests.contracts.terms import ETH, PLATFORM_FEE_BPS, UNIT


def test_deploy__owner_fee_recipient_and_agreements(escrow, owner, fee_recipient, agreements):
    assert (escrow.owner(), escrow.pending_owner()) == (owner, "0x" + "00" * 20)
    assert (escrow.platform_fee_bps(), escrow.fee_recipient(), escrow.paused(), escrow.job_count()) == (
        PLATFORM_FEE_BPS,
        fee_recipient,
        False,
        0,
    )
    assert escrow.agreements() == agreements


def test_deploy__agreements_must_be_a_contract(project, owner, reputation, stranger):
    with ape.reverts("escrow: agreements is not a contract"):
        owner.deploy(project.Escrow, reputation, 100, owner, stranger)


def test_deploy__fee_above_cap_or_zero_recipient__reverts(project, owner, reputation, agreements):
    with ape.reverts("settings: fee above cap"):
        owner.deploy(project.Escrow, reputation, 501, owner, agreements)
    with ape.reverts("settings: zero recipient"):
        owner.deploy(project.Escrow, reputation, 100, ETH, agreements)


def test_set_platform_fee__owner__applies_to_future_jobs_only(escrow, owner, client, freelancer, open_job):
    running = open_job((100 * UNIT,))
    receipt = escrow.set_platform_fee(500, sender=owner)
    [event] = receipt.decode_logs(escrow.PlatformFeeChanged)
    assert (event.previous_bps, event.new_bps) == (PLATFORM_FEE_BPS, 500)
    assert escrow.platform_fee_bps() == 500

    escrow.submit(running.id, running.abi, 0, DELIVERABLE, sender=freelancer)
    paid = escrow.approve(running.id, running.abi, 0, sender=client).decode_logs(escrow.MilestoneApproved)[0]
    assert paid.platform_fee == UNIT  # still the 1% of its terms

    later = open_job((100 * UNIT,), platform_fee_bps=500)
    escrow.submit(later.id, later.abi, 0, DELIVERABLE, sender=freelancer)
    approved = escrow.approve(later.id, later.abi, 0, sender=client).decode_logs(escrow.MilestoneApproved)[0]
    assert approved.platform_fee == 5 * UNIT


def test_set_platform_fee__above_cap__reverts(escrow, owner):
    escrow.set_platform_fee(500, sender=owner)
    with ape.reverts("settings: fee above cap"):
        escrow.set_platform_fee(501, sender=owner)


def test_create_job__fee_changed_since_the_terms_were_signed__reverts(escrow, owner, make_terms, create):
    terms = make_terms()
    escrow.set_platform_fee(200, sender=owner)
    with ape.reverts("escrow: platform fee changed"):
        create(terms)


def test_set_fee_recipient__owner__collect_goes_there(
    escrow, token, owner, client, stranger, fee_recipient, submitted_job
):
    receipt = escrow.set_fee_recipient(stranger, sender=owner)
    [event] = receipt.decode_logs(escrow.FeeRecipientChanged)
    assert (event.previous_recipient, event.new_recipient) == (fee_recipient, stranger)
    job = submitted_job(amounts=(100 * UNIT,))
    escrow.approve(job.id, job.abi, 0, sender=client)
    before = token.balanceOf(stranger)
    receipt = escrow.collect_fees(token, sender=client)
    assert token.balanceOf(stranger) == before + UNIT
    assert escrow.fees_accrued(token) == 0
    [collected] = receipt.decode_logs(escrow.FeesCollected)
    assert (collected.token, collected.recipient, collected.amount) == (token, stranger, UNIT)


def test_set_fee_recipient__zero__reverts(escrow, owner):
    with ape.reverts("settings: zero recipient"):
        escrow.set_fee_recipient(ETH, sender=owner)


def test_collect_fees__only_ended_jobs_fees(escrow, token, client, fee_recipient, submitted_job):
    job = submitted_job(amounts=(100 * UNIT, 100 * UNIT))
    escrow.approve(job.id, job.abi, 0, sender=client)
    with ape.reverts("settings: no fees to collect"):  # the job still holds its fee until it ends
        escrow.collect_fees(token, sender=client)
    escrow.submit(job.id, job.abi, 1, DELIVERABLE, sender=job.terms.freelancer)
    escrow.approve(job.id, job.abi, 1, sender=client)
    before = token.balanceOf(fee_recipient)
    escrow.collect_fees(token, sender=client)
    assert token.balanceOf(fee_recipient) == before + 2 * UNIT


def test_collect_fees__eth(escrow, client, fee_recipient, submitted_job):
    job = submitted_job(amounts=(100 * UNIT,), token=ETH)
    escrow.approve(job.id, job.abi, 0, sender=client)
    before = fee_recipient.balance
    escrow.collect_fees(ETH, sender=client)
    assert fee_recipient.balance == before + UNIT


def test_collect_fees__nothing_accrued__reverts(escrow, token, stranger):
    with ape.reverts("settings: no fees to collect"):
        escrow.collect_fees(token, sender=stranger)


def test_pause__logs_and_blocks_only_new_jobs(escrow, owner, client, freelancer, open_job, make_terms, create):
    job = open_job()
    receipt = escrow.pause(sender=owner)
    assert receipt.decode_logs(escrow.Paused)[0].account == owner
    assert escrow.paused()
    with ape.reverts("settings: new jobs paused"):
        create(make_terms(salt=1))
    escrow.submit(job.id, job.abi, 0, DELIVERABLE, sender=freelancer)
    escrow.approve(job.id, job.abi, 0, sender=client)  # running jobs keep working
    with ape.reverts("settings: already paused"):
        escrow.pause(sender=owner)
    assert escrow.unpause(sender=owner).decode_logs(escrow.Unpaused)[0].account == owner
    with ape.reverts("settings: not paused"):
        escrow.unpause(sender=owner)


def test_pause__amendments_and_settlements_keep_working(escrow, owner, client, stranger, open_job, agree):
    job = open_job()
    escrow.pause(sender=owner)
    agree.extend(job, 0, 40 * 86_400, by=client)
    agree.add(job, [(UNIT, 50 * 86_400)], 1, by=client)
    agree.settle(job, 5_000, sender=stranger)
    assert escrow.get_job(job.id).settled


@pytest.mark.parametrize(
    "call",
    ["set_platform_fee", "set_fee_recipient", "pause", "unpause", "transfer_ownership"],
)
def test_owner_functions__anyone_else__reverts(escrow, owner, stranger, call):
    if call == "unpause":
        escrow.pause(sender=owner)
    args = {"set_platform_fee": (0,), "set_fee_recipient": (stranger,), "transfer_ownership": (stranger,)}
    with ape.reverts("ownable: caller is not the owner"):
        getattr(escrow, call)(*args.get(call, ()), sender=stranger)


def test_ownership__two_step_transfer(escrow, owner, stranger):
    receipt = escrow.transfer_ownership(stranger, sender=owner)
    assert receipt.decode_logs(escrow.OwnershipTransferStarted)[0].new_owner == stranger
    assert escrow.owner() == owner and escrow.pending_owner() == stranger
    with ape.reverts("ownable_2step: caller is not the new owner"):
        escrow.accept_ownership(sender=owner)
    escrow.accept_ownership(sender=stranger)
    assert escrow.owner() == stranger
    with ape.reverts("ownable: caller is not the owner"):
        escrow.set_platform_fee(0, sender=owner)


def test_no_admin_function_moves_escrowed_funds(project, escrow):
    names = {abi.name for abi in escrow.contract_type.mutable_methods}
    admin = {"set_platform_fee", "set_fee_recipient", "pause", "unpause", "transfer_ownership", "accept_ownership"}
    assert admin <= names
    assert "renounce_ownership" not in names
    delegated = {abi.name for abi in project.EscrowAgreements.contract_type.mutable_methods}
    everything = names | delegated
    assert not {name for name in everything if any(w in name for w in ("sweep", "rescue", "emergency", "upgrade"))}
    assert delegated == {
        "settle",
        "extend_deadline",
        "add_milestones",
        "accept_with_deduction",
    }


def test_another_escrow__has_its_own_jobs_and_fees(project, owner, fee_recipient, escrow, open_job):
    other = deploy_escrow(project, owner, 0, fee_recipient).escrow
    open_job()
    assert (escrow.job_count(), other.job_count(), other.platform_fee_bps()) == (1, 0, 0)
