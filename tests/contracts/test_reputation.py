"""Reputation: written only by registered escrows, records the writer, soulbound, tallies disputes."""

from __future__ import annotations

import ape
from ape import chain

from tests.contracts.conftest import RULING, UNIT


def test_register_escrow__logs_and_refuses_twice_or_eoa(project, reputation, owner, stranger, fee_recipient):
    other = owner.deploy(project.Escrow, reputation, 0, fee_recipient)
    receipt = reputation.register_escrow(other, sender=owner)
    assert receipt.decode_logs(reputation.EscrowRegistered)[0].escrow == other
    assert reputation.is_escrow(other)
    with ape.reverts("reputation: already registered"):
        reputation.register_escrow(other, sender=owner)
    with ape.reverts("reputation: escrow is not a contract"):
        reputation.register_escrow(stranger, sender=owner)


def test_unregister_escrow__jobs_still_pay_but_are_not_recorded(
    escrow, reputation, token, owner, client, freelancer, submitted_job
):
    job = submitted_job(amounts=(100 * UNIT,))
    receipt = reputation.unregister_escrow(escrow, sender=owner)
    assert receipt.decode_logs(reputation.EscrowUnregistered)[0].escrow == escrow
    before = token.balanceOf(freelancer)
    receipt = escrow.approve(job.id, 0, sender=client)
    assert token.balanceOf(freelancer) == before + 99 * UNIT
    assert not receipt.decode_logs(escrow.JobEnded)[0].recorded
    assert reputation.stats(freelancer).jobs_as_freelancer == 0
    with ape.reverts("reputation: caller is not a registered escrow"):
        escrow.rate(job.id, 5, b"\x00" * 32, sender=client)
    with ape.reverts("reputation: not registered"):
        reputation.unregister_escrow(escrow, sender=owner)


def test_record_job__written_with_the_escrow_that_wrote(escrow, reputation, token, client, freelancer, submitted_job):
    job = submitted_job(amounts=(100 * UNIT,))
    receipt = escrow.approve(job.id, 0, sender=client)
    [event] = receipt.decode_logs(reputation.JobRecorded)
    assert (event.escrow, event.job_id, event.client, event.freelancer, event.token, event.volume) == (
        escrow,
        job.id,
        client,
        freelancer,
        token,
        100 * UNIT,
    )
    assert reputation.stats(client).jobs_as_client == 1
    assert reputation.volume(client, token).as_client == 100 * UNIT
    assert reputation.volume(freelancer, token).as_freelancer == 100 * UNIT


def test_disputes__opened_won_lost_and_default_draw(escrow, reputation, client, freelancer, arbiter, open_job):
    job = open_job((UNIT, UNIT, UNIT))
    for index in range(3):
        escrow.submit(job.id, index, b"\x01" * 32, job.terms, sender=freelancer)
    escrow.dispute(job.id, 0, sender=client)
    escrow.dispute(job.id, 1, sender=freelancer)
    escrow.dispute(job.id, 2, sender=freelancer)
    escrow.resolve(job.id, 0, 2_000, job.terms, sender=arbiter)  # client wins
    escrow.resolve(job.id, 1, 8_000, job.terms, sender=arbiter)  # freelancer wins
    assert reputation.stats(client).disputes_opened == 0  # nothing recorded before the job ends
    chain.pending_timestamp += RULING
    escrow.apply_default_ruling(job.id, 2, sender=client)  # a draw; the job ends
    c, f = reputation.stats(client), reputation.stats(freelancer)
    assert (c.disputes_opened, c.disputes_won, c.disputes_lost) == (1, 1, 1)
    assert (f.disputes_opened, f.disputes_won, f.disputes_lost) == (2, 1, 1)


def test_record_rating__score_out_of_range__reverts(project, reputation, owner, accounts):
    # A registered writer that is an EOA cannot exist (register needs a contract), so check the bound
    # through the module's own guard by registering a contract that forwards calls.
    wallet = owner.deploy(project.attacker_wallet_mock)
    reputation.register_escrow(wallet, sender=owner)
    data = reputation.record_rating.encode_input(1, accounts[1], accounts[2], 6, b"\x00" * 32)
    with ape.reverts("reputation: score out of range"):
        wallet.execute(reputation, data, sender=owner)


def test_soulbound__no_transfer_functions(reputation):
    names = {abi.name for abi in reputation.contract_type.mutable_methods}
    assert not {name for name in names if "transfer" in name and name != "transfer_ownership"}
    assert not {"approve", "transferFrom", "safeTransferFrom", "delegate"} & names
