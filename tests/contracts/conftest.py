"""Contract fixtures: accounts named after roles, deployed contracts, job factories."""

from __future__ import annotations

import pytest
from eth_utils import keccak

UNIT = 10**6  # the test token has 6 decimals


@pytest.fixture(scope="session")
def owner(accounts):
    return accounts[0]


@pytest.fixture(scope="session")
def client(accounts):
    return accounts[1]


@pytest.fixture(scope="session")
def freelancer(accounts):
    return accounts[2]


@pytest.fixture(scope="session")
def stranger(accounts):
    return accounts[4]


@pytest.fixture(scope="session")
def token(project, owner, client):
    token = owner.deploy(project.TestToken, "Jiedan USD", "jUSD", 6)
    token.mint(client, 1_000_000 * UNIT, sender=owner)
    return token


@pytest.fixture(scope="session")
def escrow(project, owner):
    return owner.deploy(project.Escrow)


@pytest.fixture
def metadata_hash():
    return keccak(text='{"title":"Landing page"}')


@pytest.fixture
def open_job(escrow, token, client, freelancer, metadata_hash):
    """Factory: a job created and fully funded by `client`; returns (job_id, receipt)."""

    def create(amounts=(300 * UNIT, 500 * UNIT)):
        token.approve(escrow, sum(amounts), sender=client)
        receipt = escrow.create_job(freelancer, token, list(amounts), metadata_hash, sender=client)
        return receipt.return_value, receipt

    return create
