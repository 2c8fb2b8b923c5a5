"""Reputation v2: writers fixed at deployment (or changed after an announced 7-day delay); a job counts as completed
only when it paid its freelancer; counterparties and jobs together; ratings only from parties of a paid, ended job."""

from __future__ import annotations

import ape
import pytest
from ape import chain

from tests.contracts.conftest import DELIVERABLE, deploy_escrow
from tests.contracts.terms import RULING, UNIT, fee

WEEK = 7 * 86_400
NOT_WRITER = "reputation: caller is not a registered escrow"


def test_writers__fixed_at_deployment_with_the_predicted_escrow(deployment, escrow, reputation):
    assert deployment.predicted == escrow.address
    assert reputation.is_escrow(escrow)
    assert not reputation.is_escrow(deployment.agreements)  # its code runs as the escrow, never as itself
    assert escrow.reputation() == reputation
    assert escrow.agreements() == deployment.agreements


def test_writers__constructor_logs_each_and_refuses_zero_or_twice(project, owner, stranger, accounts):
    reputation = owner.deploy(project.Reputation, [stranger, accounts[6]])
    receipt = chain.get_receipt(reputation.creation_metadata.txn_hash)
    registered = [log.escrow for log in receipt.decode_logs(reputation.EscrowRegistered)]
    assert registered == [stranger, accounts[6]]
    assert reputation.is_escrow(stranger) and reputation.is_escrow(accounts[6])
    with ape.reverts("reputation: zero escrow"):
        owner.deploy(project.Reputation, ["0x" + "00" * 20])
    with ape.reverts("reputation: already registered"):
        owner.deploy(project.Reputation, [stranger, stranger])
    owner.deploy(project.Reputation, [])  # no writer at all is allowed


def test_announce__owner_only_logs_the_effective_time(reputation, owner, stranger):
    with ape.reverts("ownable: caller is not the owner"):
        reputation.announce_escrow(stranger, True, sender=stranger)
    receipt = reputation.announce_escrow(stranger, True, sender=owner)
    [event] = receipt.decode_logs(reputation.EscrowChangeAnnounced)
    assert (event.escrow, event.allowed, event.effective_at) == (stranger, True, receipt.timestamp + WEEK)
    assert tuple(reputation.pending_escrow_change(stranger)) == (True, receipt.timestamp + WEEK)
    assert not reputation.is_escrow(stranger)  # nothing changes before the delay


def test_announce__refusals(reputation, escrow, owner, stranger):
    with ape.reverts("reputation: zero escrow"):
        reputation.announce_escrow("0x" + "00" * 20, True, sender=owner)
    with ape.reverts("reputation: no change"):
        reputation.announce_escrow(escrow, True, sender=owner)
    with ape.reverts("reputation: no change"):
        reputation.announce_escrow(stranger, False, sender=owner)
    reputation.announce_escrow(stranger, True, sender=owner)
    with ape.reverts("reputation: change pending"):
        reputation.announce_escrow(stranger, True, sender=owner)


def test_apply__after_seven_days_by_anyone(reputation, owner, stranger, accounts):
    newcomer = accounts[6]
    at = reputation.announce_escrow(newcomer, True, sender=owner).timestamp + WEEK
    chain.pending_timestamp = at - 1
    with ape.reverts("reputation: change not yet effective"):
        reputation.apply_escrow_change(newcomer, sender=stranger)
    chain.pending_timestamp = at
    receipt = reputation.apply_escrow_change(newcomer, sender=stranger)
    assert receipt.decode_logs(reputation.EscrowRegistered)[0].escrow == newcomer
    assert reputation.is_escrow(newcomer)
    assert tuple(reputation.pending_escrow_change(newcomer)) == (False, 0)
    with ape.reverts("reputation: no change pending"):
        reputation.apply_escrow_change(newcomer, sender=stranger)


def test_apply__removal__the_escrow_keeps_paying_but_is_no_longer_recorded(
    escrow, reputation, token, owner, client, freelancer, stranger, submitted_job
):
    job = submitted_job(amounts=(100 * UNIT,))
    at = reputation.announce_escrow(escrow, False, sender=owner).timestamp + WEEK
    assert reputation.is_escrow(escrow)  # still a writer during the week readers get to see it coming
    chain.pending_timestamp = at
    receipt = reputation.apply_escrow_change(escrow, sender=stranger)
    assert receipt.decode_logs(reputation.EscrowUnregistered)[0].escrow == escrow
    before = token.balanceOf(freelancer)
    receipt = escrow.approve(job.id, job.abi, 0, sender=client)
    assert token.balanceOf(freelancer) == before + 99 * UNIT
    assert not receipt.decode_logs(escrow.JobEnded)[0].recorded
    assert reputation.stats(freelancer).jobs_as_freelancer == 0
    with ape.reverts(NOT_WRITER):
        escrow.rate(job.id, job.abi, 5, b"\x00" * 32, sender=client)


def test_cancel__owner_only_and_the_change_never_applies(reputation, owner, stranger):
    at = reputation.announce_escrow(stranger, True, sender=owner).timestamp + WEEK
    with ape.reverts("ownable: caller is not the owner"):
        reputation.cancel_escrow_change(stranger, sender=stranger)
    receipt = reputation.cancel_escrow_change(stranger, sender=owner)
    assert receipt.decode_logs(reputation.EscrowChangeCancelled)[0].escrow == stranger
    with ape.reverts("reputation: no change pending"):
        reputation.cancel_escrow_change(stranger, sender=owner)
    chain.pending_timestamp = at
    with ape.reverts("reputation: no change pending"):
        reputation.apply_escrow_change(stranger, sender=stranger)
    assert not reputation.is_escrow(stranger)


def test_another_escrow__writes_only_once_its_announced_change_applied(
    project, owner, reputation, fee_recipient, stranger
):
    other = deploy_escrow(project, owner, 100, fee_recipient).escrow  # named by its own Reputation, not this one
    assert not reputation.is_escrow(other)
    at = reputation.announce_escrow(other, True, sender=owner).timestamp + WEEK
    chain.pending_timestamp = at
    reputation.apply_escrow_change(other, sender=stranger)
    assert reputation.is_escrow(other)


@pytest.mark.parametrize("method", ["record_job", "record_rating"])
def test_writes__refused_from_anyone_but_a_writer(reputation, client, freelancer, token, owner, method):
    for who in (owner, client, freelancer):
        with ape.reverts(NOT_WRITER):
            if method == "record_job":
                reputation.record_job(1, client, freelancer, token, UNIT, 0, 0, 0, 0, sender=who)
            else:
                reputation.record_rating(1, client, freelancer, 5, b"\x00" * 32, sender=who)


def test_record_rating__score_out_of_range__reverts_even_for_a_writer(project, owner, accounts):
    wallet = owner.deploy(project.attacker_wallet_mock)
    reputation = owner.deploy(project.Reputation, [wallet])
    for score in (0, 6):
        data = reputation.record_rating.encode_input(1, accounts[1], accounts[2], score, b"\x00" * 32)
        with ape.reverts("reputation: score out of range"):
            wallet.execute(reputation, data, sender=owner)


def test_record_job__written_with_the_escrow_that_wrote(escrow, reputation, token, client, freelancer, submitted_job):
    job = submitted_job(amounts=(100 * UNIT,))
    receipt = escrow.approve(job.id, job.abi, 0, sender=client)
    [event] = receipt.decode_logs(reputation.JobRecorded)
    assert (event.escrow, event.job_id, event.client, event.freelancer, event.token, event.volume) == (
        escrow,
        job.id,
        client,
        freelancer,
        token,
        99 * UNIT,
    )
    assert reputation.stats(client).jobs_as_client == 1
    assert reputation.stats(freelancer).jobs_as_freelancer == 1
    assert reputation.volume(client, token).as_client == 99 * UNIT
    assert reputation.volume(freelancer, token).as_freelancer == 99 * UNIT


def test_completed__only_a_job_that_paid_its_freelancer(escrow, reputation, token, client, freelancer, open_job):
    job = open_job((100 * UNIT,))
    chain.pending_timestamp = job.deadline(0) + 1
    receipt = escrow.reclaim(job.id, job.abi, 0, sender=client)
    assert receipt.decode_logs(reputation.JobRecorded)[0].volume == 0
    assert (reputation.stats(client).jobs_as_client, reputation.stats(freelancer).jobs_as_freelancer) == (0, 0)
    assert reputation.counterparties(client) == 0
    assert reputation.jobs_together(client, freelancer) == 0
    assert reputation.volume(client, token).as_client == 0


def test_counterparties_and_jobs_together(escrow, reputation, client, freelancer, newcomer, submitted_job):
    def paid_job(hired, salt):
        job = submitted_job(amounts=(UNIT,), freelancer=hired, salt=salt)
        escrow.approve(job.id, job.abi, 0, sender=client)

    paid_job(freelancer, 1)
    paid_job(freelancer, 2)
    assert (reputation.counterparties(client), reputation.counterparties(freelancer)) == (1, 1)
    assert reputation.jobs_together(client, freelancer) == reputation.jobs_together(freelancer, client) == 2
    paid_job(newcomer, 3)
    assert (reputation.counterparties(client), reputation.counterparties(newcomer)) == (2, 1)
    assert reputation.jobs_together(client, newcomer) == 1
    assert reputation.jobs_together(freelancer, newcomer) == 0
    assert reputation.stats(client).jobs_as_client == 3


def test_disputes__opened_won_lost_and_default_draw(escrow, reputation, client, freelancer, arbiter, open_job):
    job = open_job((UNIT, UNIT, UNIT, UNIT))
    for index in range(4):
        escrow.submit(job.id, job.abi, index, DELIVERABLE, sender=freelancer)
    escrow.dispute(job.id, job.abi, 0, sender=client)
    escrow.dispute(job.id, job.abi, 1, sender=freelancer)
    escrow.dispute(job.id, job.abi, 2, sender=freelancer)
    escrow.dispute(job.id, job.abi, 3, sender=client)
    escrow.resolve(job.id, job.abi, 0, 2_000, sender=arbiter)  # the client wins
    escrow.resolve(job.id, job.abi, 1, 8_000, sender=arbiter)  # the freelancer wins
    escrow.resolve(job.id, job.abi, 2, 5_000, sender=arbiter)  # an even ruling: nobody's
    assert reputation.stats(client).disputes_opened == 0  # nothing recorded before the job ends
    chain.pending_timestamp += RULING
    escrow.apply_default_ruling(job.id, job.abi, 3, sender=client)  # nobody's; the job ends
    c, f = reputation.stats(client), reputation.stats(freelancer)
    assert (c.disputes_opened, c.disputes_won, c.disputes_lost) == (2, 1, 1)
    assert (f.disputes_opened, f.disputes_won, f.disputes_lost) == (2, 1, 1)


def test_rating__only_after_a_paid_job(escrow, reputation, client, freelancer, open_job, submitted_job):
    unpaid = open_job((UNIT,), fund=0, salt=1)
    escrow.cancel_unfunded(unpaid.id, unpaid.abi, sender=client)
    with ape.reverts("escrow: freelancer not paid"):
        escrow.rate(unpaid.id, unpaid.abi, 5, b"\x00" * 32, sender=client)
    paid = submitted_job(amounts=(UNIT,), salt=2)
    escrow.approve(paid.id, paid.abi, 0, sender=client)
    escrow.rate(paid.id, paid.abi, 5, b"\x00" * 32, sender=freelancer)
    stats = reputation.stats(client)
    assert (stats.rating_count, stats.rating_sum) == (1, 5)


def test_volume__net_of_fees_per_token(escrow, reputation, token, client, freelancer, submitted_job):
    eth = submitted_job(amounts=(10_000,), token="0x" + "00" * 20, salt=1)
    escrow.approve(eth.id, eth.abi, 0, sender=client)
    jusd = submitted_job(amounts=(10_001,), salt=2)
    escrow.approve(jusd.id, jusd.abi, 0, sender=client)
    assert reputation.volume(freelancer, "0x" + "00" * 20).as_freelancer == 10_000 - fee(10_000, 100)
    assert reputation.volume(freelancer, token).as_freelancer == 10_001 - fee(10_001, 100)


def test_soulbound__no_transfer_functions(reputation):
    names = {abi.name for abi in reputation.contract_type.mutable_methods}
    assert not {name for name in names if "transfer" in name and name != "transfer_ownership"}
    assert not {"approve", "transferFrom", "safeTransferFrom", "delegate", "renounce_ownership"} & names


def test_ownership__two_step(reputation, owner, stranger):
    reputation.transfer_ownership(stranger, sender=owner)
    assert reputation.owner() == owner and reputation.pending_owner() == stranger
    with ape.reverts("ownable_2step: caller is not the new owner"):
        reputation.accept_ownership(sender=owner)
    reputation.accept_ownership(sender=stranger)
    with ape.reverts("ownable: caller is not the owner"):
        reputation.announce_escrow(owner, True, sender=owner)
