"""Contract fixtures: accounts named after roles, the deployed v2 contracts, terms and job factories.

Deployment follows the production order: Reputation names the escrow's address before it exists
(predicted from the deployer's nonce), then EscrowAgreements, then Escrow; the fixture asserts the
prediction. Settlements and amendments are called on the escrow's address with the EscrowAgreements
ABI (`agreements_at`). Terms and signatures are built in tests/contracts/terms.py only.
"""

from __future__ import annotations

import itertools
import os
from dataclasses import dataclass, field

import pytest
import rlp
from ape import chain
from eth_utils import keccak, to_checksum_address

from tests.contracts.terms import ETH, FAR, PLATFORM_FEE_BPS, UNIT, Domain, Terms, as_milestones, sign

ZERO = ETH
DELIVERABLE = keccak(text="deliverable v1")
MAX_UINT = 2**256 - 1


def pytest_configure(config):
    """Switch titanoboa's pytest plugin off for this suite: installed for tests/model, it anchors boa's in-process
    EVM around every fixture and test, which this suite (on Anvil) never uses, and its anchors' teardown errors
    ("No checkpoint ... was found") when Ape's session fixtures outlive them."""
    plugin = config.pluginmanager.get_plugin("boa_test")
    if plugin is not None:
        config.pluginmanager.unregister(plugin)


@pytest.fixture(scope="session", autouse=True)
def lean_revert_errors():
    """Reverts without Ape's debugging enrichment: for every revert, ape-foundry fetches the call trace, prints it,
    and ape-vyper maps it to a source traceback to look for a dev message (about 0.5 s a revert), and this suite
    expects hundreds of reverts. The revert reason `ape.reverts` checks is the node's, unchanged; the trace stays
    available lazily on the error. JIEDAN_TRACES=1 keeps Ape's behaviour (to debug a failure)."""
    if os.environ.get("JIEDAN_TRACES") == "1":
        yield
        return
    from ape.exceptions import ContractLogicError, TransactionError  # noqa: PLC0415
    from ape_foundry.provider import FoundryProvider  # noqa: PLC0415

    def handle_execution_reverted(self, exception, revert_message=None, **kwargs):
        if revert_message in (None, "", "0x"):
            revert_message = TransactionError.DEFAULT_MESSAGE
        revert_message = revert_message.removeprefix("revert: ")
        kwargs["set_ape_traceback"] = False
        return ContractLogicError(base_err=exception, revert_message=revert_message, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(FoundryProvider, "_handle_execution_reverted", handle_execution_reverted)
        yield


# --- roles -------------------------------------------------------------------------------------


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
def newcomer(accounts):
    """A second freelancer, who holds no token."""
    return accounts[6]


# --- deployment --------------------------------------------------------------------------------


def create_address(sender, nonce: int) -> str:
    """The address a CREATE from `sender` at `nonce` deploys to."""
    raw = bytes.fromhex(str(getattr(sender, "address", sender))[2:])
    return to_checksum_address(keccak(rlp.encode([raw, nonce]))[12:])


@dataclass(frozen=True)
class Deployment:
    reputation: object
    agreements: object
    escrow: object
    predicted: str


def deploy_escrow(project, deployer, fee_bps=PLATFORM_FEE_BPS, recipient=None, writers=()) -> Deployment:
    """Reputation (naming the escrow's predicted address, plus `writers`), EscrowAgreements, Escrow, in that order."""
    predicted = create_address(deployer, deployer.nonce + 2)
    reputation = deployer.deploy(project.Reputation, [predicted, *writers])
    agreements = deployer.deploy(project.EscrowAgreements, reputation)
    escrow = deployer.deploy(project.Escrow, reputation, fee_bps, recipient or deployer, agreements)
    assert escrow.address == predicted, "the escrow was not deployed at the address Reputation names"
    return Deployment(reputation, agreements, escrow, predicted)


@pytest.fixture(scope="session")
def deployment(project, owner, fee_recipient) -> Deployment:
    return deploy_escrow(project, owner, PLATFORM_FEE_BPS, fee_recipient)


@pytest.fixture(scope="session")
def reputation(deployment):
    return deployment.reputation


@pytest.fixture(scope="session")
def agreements(deployment):
    """The EscrowAgreements contract itself (holds nothing; its code runs in the escrow's storage)."""
    return deployment.agreements


@pytest.fixture(scope="session")
def escrow(deployment):
    return deployment.escrow


@pytest.fixture(scope="session")
def agreements_at(project, escrow):
    """The escrow's address with the EscrowAgreements ABI: settle and the three amendments."""
    return project.EscrowAgreements.at(escrow.address)


@pytest.fixture(scope="session")
def domain(escrow) -> Domain:
    return Domain.of(escrow, chain.chain_id)


@pytest.fixture(scope="session")
def token(project, owner, client, escrow):
    """The test token (6 decimals); the client holds a million and has approved the escrow for all of it."""
    token = owner.deploy(project.TestToken, "Jiedan USD", "jUSD", 6)
    token.mint(client, 1_000_000 * UNIT, sender=owner)
    token.approve(escrow, MAX_UINT, sender=client)
    return token


# --- jobs --------------------------------------------------------------------------------------


@dataclass
class Job:
    """A job as created: its id, its current terms (amendments replace them) and its start."""

    id: int
    terms: Terms
    start: int
    receipt: object = field(repr=False)

    @property
    def abi(self) -> tuple:
        return self.terms.abi

    @property
    def token(self) -> str:
        return self.terms.token

    def amount(self, index: int) -> int:
        return self.terms.milestones[index].amount

    def deadline(self, index: int) -> int:
        return self.start + self.terms.milestones[index].duration


@pytest.fixture
def make_terms(client, freelancer, arbiter, token):
    """Factory: Terms between the role accounts, in the test token unless `token` is given. Each gets the next
    salt, counting up as the app allots them (from 1,000 here, clear of the small salts tests give
    explicitly): a consent is used once per (freelancer, salt)."""
    salts = itertools.count(1_000)

    def build(amounts=(300 * UNIT, 500 * UNIT), durations=None, **options) -> Terms:
        options.setdefault("salt", next(salts))
        defaults = {"client": client, "freelancer": freelancer, "token": token, "arbiter": arbiter}
        parties = {role: options.pop(role, None) or default for role, default in defaults.items()}
        return Terms.of(amounts=amounts, durations=durations, **parties, **options)

    return build


@pytest.fixture
def consent(domain):
    """Factory: the freelancer's consent to `terms` (signed by `signer`, the terms' freelancer by default)."""

    def signed(terms: Terms, signer=None) -> bytes:
        return sign(signer or terms.freelancer, domain.consent(terms))

    return signed


@pytest.fixture
def create(escrow, consent):
    """Factory: the client creates a job from `terms` with the freelancer's consent, funding `fund` milestones."""

    def create_job(terms: Terms, fund=None, signature=None, sender=None, value=None) -> Job:
        fund = len(terms.milestones) if fund is None else fund
        if value is None:
            value = sum(terms.amounts[:fund]) if terms.token == ETH else 0
        signature = consent(terms) if signature is None else signature
        receipt = escrow.create_job(terms.abi, signature, fund, sender=sender or terms.client, value=value)
        return Job(receipt.return_value, terms, receipt.timestamp, receipt)

    return create_job


@pytest.fixture
def open_job(make_terms, create):
    """Factory: a job created by `client`, funding its first `fund` milestones (all by default)."""

    def build(amounts=(300 * UNIT, 500 * UNIT), fund=None, durations=None, **options) -> Job:
        return create(make_terms(amounts, durations, **options), fund=fund)

    return build


@pytest.fixture
def submitted_job(open_job, escrow):
    """Factory: a funded job whose milestone `index` the freelancer submitted."""

    def build(index=0, **options) -> Job:
        job = open_job(**options)
        escrow.submit(job.id, job.abi, index, DELIVERABLE, sender=job.terms.freelancer)
        return job

    return build


@pytest.fixture
def disputed_job(submitted_job, escrow):
    """Factory: a job whose milestone `index` was submitted, then disputed by `by` (the client by default)."""

    def build(index=0, by=None, **options) -> Job:
        job = submitted_job(index=index, **options)
        escrow.dispute(job.id, job.abi, index, sender=by or job.terms.client)
        return job

    return build


def nonce(escrow, job: Job) -> int:
    return escrow.get_job(job.id).nonce


def milestone(escrow, job: Job, index: int):
    return escrow.get_job(job.id).milestones[index]


@dataclass
class Agreements:
    """Settle and amend a job with the other party's EIP-712 signature; the job's terms follow the amendments."""

    escrow: object
    at: object
    domain: Domain

    def _other(self, job: Job, by) -> str:
        caller = str(by.address)
        return job.terms.freelancer if caller == job.terms.client else job.terms.client

    def settle(self, job: Job, freelancer_bps: int, sender, expiry=FAR, signers=None, at_nonce=None):
        typed = self.domain.settlement(job.id, freelancer_bps, _nonce(self, job, at_nonce), expiry)
        client_signer, freelancer_signer = signers or (job.terms.client, job.terms.freelancer)
        signatures = (sign(client_signer, typed), sign(freelancer_signer, typed))
        return self.at.settle(job.id, job.abi, freelancer_bps, expiry, *signatures, sender=sender)

    def extend(self, job: Job, index: int, new_duration: int, by, expiry=FAR, signer=None):
        typed = self.domain.extend_deadline(job.id, index, new_duration, _nonce(self, job, None), expiry)
        signature = sign(signer or self._other(job, by), typed)
        receipt = self.at.extend_deadline(job.id, job.abi, index, new_duration, expiry, signature, sender=by)
        job.terms = job.terms.extended(index, new_duration)
        return receipt

    def add(self, job: Job, added, fund_count: int, by, expiry=FAR, signer=None, value=None):
        added = as_milestones(added)
        typed = self.domain.add_milestones(job.id, added, fund_count, _nonce(self, job, None), expiry)
        signature = sign(signer or job.terms.freelancer, typed)
        new_terms = job.terms.with_added(added)
        if value is None and job.terms.token == ETH:
            funded = self.escrow.get_job(job.id).funded_count
            value = sum(new_terms.amounts[funded : funded + fund_count])
        receipt = self.at.add_milestones(
            job.id, job.abi, [m.abi for m in added], fund_count, expiry, signature, sender=by, value=value or 0
        )
        job.terms = new_terms
        return receipt

    def deduct(self, job: Job, index: int, freelancer_bps: int, by, expiry=FAR, signer=None):
        typed = self.domain.deduction(job.id, index, freelancer_bps, _nonce(self, job, None), expiry)
        signature = sign(signer or self._other(job, by), typed)
        return self.at.accept_with_deduction(job.id, job.abi, index, freelancer_bps, expiry, signature, sender=by)


def _nonce(agreements: Agreements, job: Job, given):
    return agreements.escrow.get_job(job.id).nonce if given is None else given


@pytest.fixture
def agree(escrow, agreements_at, domain) -> Agreements:
    return Agreements(escrow, agreements_at, domain)


def balances(token, *who) -> list[int]:
    """Balances of `who` in `token` (an ERC-20 contract, or ETH for native)."""
    if str(token) == ETH:
        return [chain.provider.get_balance(str(getattr(w, "address", w))) for w in who]
    return [token.balanceOf(w) for w in who]
