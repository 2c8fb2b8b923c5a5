"""Contract fixtures: accounts named after roles, deployed contracts, job factories."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from ape import chain
from eth_utils import keccak

UNIT = 10**6  # the test token has 6 decimals
DAY = 86_400
REVIEW = 3 * DAY
RULING = 7 * DAY
ARBITER_FEE_BPS = 500  # 5% of a disputed milestone
PLATFORM_FEE_BPS = 100  # 1% of what the freelancer is paid
ETH = "0x" + "00" * 20
ZERO = ETH

# Milestone states (the low byte of a milestone word in escrow_core).
OPEN, SUBMITTED, DISPUTED, APPROVED, RELEASED, RECLAIMED, RESOLVED, DEFAULTED, SETTLED, CANCELLED = range(10)


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
def arbiter(accounts):
    return accounts[3]


@pytest.fixture(scope="session")
def stranger(accounts):
    return accounts[4]


@pytest.fixture(scope="session")
def fee_recipient(accounts):
    return accounts[5]


@pytest.fixture(scope="session")
def token(project, owner, client):
    token = owner.deploy(project.TestToken, "Jiedan USD", "jUSD", 6)
    token.mint(client, 1_000_000 * UNIT, sender=owner)
    return token


@pytest.fixture(scope="session")
def reputation(project, owner):
    return owner.deploy(project.Reputation)


@pytest.fixture(scope="session")
def escrow(project, owner, reputation, fee_recipient):
    escrow = owner.deploy(project.Escrow, reputation, PLATFORM_FEE_BPS, fee_recipient)
    reputation.register_escrow(escrow, sender=owner)
    return escrow


@pytest.fixture
def metadata_hash():
    return keccak(text='{"title":"Landing page"}')


@dataclass
class Job:
    """A job as its client created it: what tests pass back as `terms`."""

    id: int
    token: object
    amounts: list[int]
    deadlines: list[int]
    terms: tuple
    receipt: object = field(repr=False)

    def amount(self, index: int) -> int:
        return self.amounts[index]


def make_terms(
    arbiter,
    amounts,
    deadlines,
    arbiter_fee_bps=ARBITER_FEE_BPS,
    platform_fee_bps=PLATFORM_FEE_BPS,
    review=REVIEW,
    ruling=RULING,
):
    return (
        str(arbiter),
        arbiter_fee_bps,
        platform_fee_bps,
        review,
        ruling,
        [(a, d) for a, d in zip(amounts, deadlines, strict=True)],
    )


@pytest.fixture
def open_job(escrow, token, client, freelancer, arbiter, metadata_hash):
    """Factory: a job created by `client`, funding its first `fund` milestones (all by default)."""

    def create(amounts=(300 * UNIT, 500 * UNIT), fund=None, deadlines=None, pay_token=None, **term_options):
        amounts = list(amounts)
        pay_token = token if pay_token is None else pay_token
        fund = len(amounts) if fund is None else fund
        now = chain.pending_timestamp
        deadlines = list(deadlines) if deadlines else [now + (i + 1) * 10 * DAY for i in range(len(amounts))]
        terms = make_terms(arbiter, amounts, deadlines, **term_options)
        funding = sum(amounts[:fund])
        if str(pay_token) == ETH:
            receipt = escrow.create_job(freelancer, ETH, terms, metadata_hash, fund, sender=client, value=funding)
        else:
            if funding:
                pay_token.approve(escrow, funding, sender=client)
            receipt = escrow.create_job(freelancer, pay_token, terms, metadata_hash, fund, sender=client)
        return Job(receipt.return_value, pay_token, amounts, deadlines, terms, receipt)

    return create


@pytest.fixture
def submitted_job(open_job, escrow, freelancer):
    """Factory: a funded job whose milestone `index` the freelancer submitted."""

    def create(index=0, **options):
        job = open_job(**options)
        escrow.submit(job.id, index, keccak(text="deliverable"), job.terms, sender=freelancer)
        return job

    return create


@pytest.fixture
def disputed_job(submitted_job, escrow, client):
    """Factory: a job whose milestone `index` was submitted, then disputed by `by` (the client by default)."""

    def create(index=0, by=None, **options):
        job = submitted_job(index=index, **options)
        escrow.dispute(job.id, index, sender=by or client)
        return job

    return create


def milestone(escrow, job_id, index):
    return escrow.get_job(job_id).milestones[index]


def signature(account, digest) -> bytes:
    """A 65-byte (r, s, v) signature of `digest` by a test account."""
    sig = account.sign_raw_msghash(digest)
    return bytes(sig.r) + bytes(sig.s) + bytes([sig.v])


def settlement_signatures(escrow, job_id, freelancer_bps, signers, nonce=None):
    """Each signer's signature of the job's settlement at its current (or the given) nonce."""
    nonce = escrow.get_job(job_id).nonce if nonce is None else nonce
    digest = escrow.settlement_digest(job_id, freelancer_bps, nonce)
    return [signature(who, digest) for who in signers]
