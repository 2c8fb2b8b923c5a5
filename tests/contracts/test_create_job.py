"""create_job: the client creates a job and funds every milestone in one transaction."""

from __future__ import annotations

import ape
import pytest

from tests.contracts.conftest import UNIT


def test_create_job__funded_by_client__holds_funds_and_logs(escrow, token, client, freelancer, open_job, metadata_hash):
    client_before = token.balanceOf(client)
    job_id, receipt = open_job((300 * UNIT, 500 * UNIT))

    assert job_id == 1
    assert escrow.job_count() == 1
    assert token.balanceOf(escrow) == 800 * UNIT
    assert token.balanceOf(client) == client_before - 800 * UNIT
    job = escrow.get_job(job_id)
    assert job.client == client
    assert job.freelancer == freelancer
    assert job.token == token
    assert job.metadata_hash == metadata_hash
    assert job.funded == 800 * UNIT
    assert job.paid == 0
    assert [(m.amount, m.released) for m in job.milestones] == [(300 * UNIT, False), (500 * UNIT, False)]

    [created] = receipt.decode_logs(escrow.JobCreated)
    assert created.job_id == job_id
    assert created.client == client
    assert created.freelancer == freelancer
    assert created.token == token
    assert created.metadata_hash == metadata_hash
    assert list(created.amounts) == [300 * UNIT, 500 * UNIT]
    [funded] = receipt.decode_logs(escrow.JobFunded)
    assert (funded.job_id, funded.funder, funded.amount) == (job_id, client, 800 * UNIT)


def test_create_job__ids_increase(open_job):
    first, _ = open_job()
    second, _ = open_job()
    assert (first, second) == (1, 2)


def test_create_job__without_allowance__reverts_and_keeps_nothing(escrow, token, client, freelancer, metadata_hash):
    with ape.reverts():
        escrow.create_job(freelancer, token, [UNIT], metadata_hash, sender=client)
    assert escrow.job_count() == 0
    assert token.balanceOf(escrow) == 0


@pytest.mark.parametrize(
    ("amounts", "reason"),
    [([], "escrow: no milestones"), ([UNIT, 0], "escrow: zero milestone")],
)
def test_create_job__bad_milestones__reverts(escrow, token, client, freelancer, metadata_hash, amounts, reason):
    token.approve(escrow, 10 * UNIT, sender=client)
    with ape.reverts(reason):
        escrow.create_job(freelancer, token, amounts, metadata_hash, sender=client)


def test_create_job__zero_freelancer__reverts(escrow, token, client, metadata_hash):
    with ape.reverts("escrow: freelancer is zero"):
        escrow.create_job("0x" + "00" * 20, token, [UNIT], metadata_hash, sender=client)


def test_create_job__client_hires_self__reverts(escrow, token, client, metadata_hash):
    with ape.reverts("escrow: client is freelancer"):
        escrow.create_job(client, token, [UNIT], metadata_hash, sender=client)


def test_create_job__token_not_a_contract__reverts(escrow, client, freelancer, stranger, metadata_hash):
    with ape.reverts("escrow: token is not a contract"):
        escrow.create_job(freelancer, stranger, [UNIT], metadata_hash, sender=client)


def test_get_job__unknown_id__reverts(escrow):
    with ape.reverts("escrow: no such job"):
        escrow.get_job(99)
