"""On-chain activity for tests: real escrow v2 transactions built with web3.py contract objects from the
build manifest and sent from Anvil's unlocked wallets (no backend transaction builders).

A job's terms are not in the escrow's storage: every call presents them. `terms_of` rebuilds a job's
current terms from its `JobCreated` event and the amendments after it (`DeadlineExtended`,
`MilestonesAdded`), as the indexer does, with the one `Terms` type of `backend.app.core.escrow_terms`.
Signatures (the freelancer's consent, settlements, amendments) are made by Anvil's own keys through
`eth_signTypedData_v4`, as a browser wallet makes them. A consent's salt is its freelancer's lowest one
that no job used (the escrow's `consent_used`) and that this process has not handed out already
(`make_terms`), as the app allots them: small and sequential, so the escrow's used-consent words are shared.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from eth_utils import keccak, to_checksum_address
from web3 import Web3
from web3.contract import Contract
from web3.logs import DISCARD
from web3.types import TxReceipt

from backend.app.core.contracts import load_abi
from backend.app.core.escrow_terms import Milestone, Terms, lowest_free_salt, milestones_from_event, typed_data
from backend.app.services.chain import ChainGateway
from launcher.stack import ROOT
from tests.support.chain import wallet

UNIT = 10**6
DAY = 86_400
REVIEW_PERIOD = 3 * DAY
RULING_WINDOW = 7 * DAY
ARBITER_FEE_BPS = 500
HORIZON = 365 * DAY  # default milestone duration: a year after the job's start
OFFER_TTL = 30 * DAY
SIGNATURE_TTL = 7 * DAY
BUILD_MANIFEST = ROOT / ".build" / "__local__.json"
_HANDED_OUT: dict[tuple[str, str, str], set[int]] = {}  # (chain, escrow, freelancer) → salts handed out

# get_job(job_id) → JobView: the positions of its fields
VIEW_COUNT, VIEW_FUNDED, VIEW_OPEN, VIEW_NONCE, VIEW_START = 0, 1, 2, 3, 4
VIEW_SETTLED, VIEW_CANCELLED, VIEW_ENDED, VIEW_PAID, VIEW_CLIENT_RATED, VIEW_FREELANCER_RATED = 5, 6, 7, 8, 9, 10
VIEW_MILESTONES = 11


def transact(w3: Web3, call: Any, sender: str, *, value: int = 0, gas: int | None = None) -> TxReceipt:
    """Send a contract call from an unlocked wallet and wait for it; fails on a revert."""
    params: dict[str, Any] = {"from": sender, "value": value}
    if gas is not None:
        params["gas"] = gas
    tx_hash = call.transact(params)
    receipt = w3.eth.wait_for_transaction_receipt(tx_hash, timeout=30)
    assert receipt["status"] == 1, f"transaction reverted: {receipt}"
    return receipt


def chain_time(w3: Web3) -> int:
    return int(w3.eth.get_block("latest")["timestamp"])


def travel(w3: Web3, seconds: int) -> None:
    """Move the chain's clock forward and mine a block."""
    w3.provider.make_request("evm_increaseTime", [seconds])  # type: ignore[arg-type]
    w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]


def sign_typed(w3: Web3, signer: str, payload: dict[str, Any]) -> bytes:
    """`signer`'s EIP-712 signature of `payload`, made by the node (Anvil holds the dev keys), as a wallet would."""
    reply = w3.provider.make_request("eth_signTypedData_v4", [signer, json.dumps(payload)])  # type: ignore[arg-type]
    if "error" in reply:
        raise RuntimeError(f"eth_signTypedData_v4 for {signer}: {reply['error']}")
    return bytes.fromhex(reply["result"].removeprefix("0x"))


def next_salt(escrow: Contract, freelancer: str) -> int:
    """The freelancer's lowest salt that no job used and that this process has not handed out yet."""
    node = str(getattr(escrow.w3.provider, "endpoint_uri", ""))
    handed = _HANDED_OUT.setdefault((node, escrow.address, to_checksum_address(freelancer)), set())
    salt = lowest_free_salt(lambda s: escrow.functions.consent_used(freelancer, s).call(), handed)
    handed.add(salt)
    return salt


def make_terms(
    w3: Web3,
    escrow: Contract,
    amounts: Sequence[int],
    *,
    client: str | None = None,
    freelancer: str | None = None,
    token: str,
    durations: Sequence[int] | None = None,
    arbiter: str | None = None,
    arbiter_fee_bps: int = ARBITER_FEE_BPS,
    review_period: int = REVIEW_PERIOD,
    ruling_window: int = RULING_WINDOW,
    metadata_hash: bytes | str | None = None,
    salt: int | None = None,
) -> Terms:
    """Terms a freelancer could sign now: the escrow's current platform fee, an offer good for 30 days, the
    freelancer's next salt (`next_salt`) unless one is given."""
    if durations is None:
        durations = [HORIZON + index for index in range(len(amounts))]
    freelancer = freelancer or wallet("freelancer")
    return Terms(
        client=client or wallet("client"),
        freelancer=freelancer,
        token=token,
        arbiter=arbiter or wallet("arbiter"),
        arbiter_fee_bps=arbiter_fee_bps,
        platform_fee_bps=escrow.functions.platform_fee_bps().call(),
        review_period=review_period,
        ruling_window=ruling_window,
        metadata_hash=metadata_hash if metadata_hash is not None else keccak(text="a listing"),
        salt=next_salt(escrow, freelancer) if salt is None else salt,
        offer_expiry=chain_time(w3) + OFFER_TTL,
        milestones=tuple(Milestone(int(a), int(d)) for a, d in zip(amounts, durations, strict=True)),
    )


def consent(gateway: ChainGateway, w3: Web3, terms: Terms) -> bytes:
    """The freelancer's signature of the terms: what lets the client create the job."""
    payload = terms.consent_typed_data(chain_id=gateway.chain_id, escrow=gateway.escrow.address)
    return sign_typed(w3, terms.freelancer, payload)


def create_job(
    gateway: ChainGateway,
    w3: Web3,
    amounts: Sequence[int],
    title: str = "A job",
    *,
    fund_count: int | None = None,
    token: Contract | None = None,
    client: str | None = None,
    freelancer: str | None = None,
    **terms_options: Any,
) -> int:
    """The client (the demo one by default) hires the freelancer with their consent and funds the first
    `fund_count` milestones (all by default)."""
    token = token or gateway.token
    terms = make_terms(
        w3,
        gateway.escrow,
        amounts,
        client=client,
        freelancer=freelancer,
        token=token.address,
        metadata_hash=keccak(text=title),
        **terms_options,
    )
    count = len(amounts) if fund_count is None else fund_count
    funding = terms.amount_of(0, count)
    if funding:
        transact(w3, token.functions.approve(gateway.escrow.address, funding), terms.client)
    call = gateway.escrow.functions.create_job(terms.as_abi(), consent(gateway, w3, terms), count)
    receipt = transact(w3, call, terms.client)
    [created] = gateway.escrow.events.JobCreated().process_receipt(receipt, errors=DISCARD)
    job_id: int = created["args"]["job_id"]
    return job_id


def terms_of(gateway: ChainGateway, job_id: int) -> Terms:
    """The job's current terms: its JobCreated event, then every amendment in chain order."""
    events = gateway.escrow.events
    found = []
    for kind in (events.JobCreated, events.DeadlineExtended, events.MilestonesAdded):
        found += kind().get_logs(from_block=0, argument_filters={"job_id": job_id})
    found.sort(key=lambda log: (log["blockNumber"], log["logIndex"]))
    [created, *amendments] = found
    assert created["event"] == "JobCreated", created
    terms = Terms.from_event(created["args"])
    for log in amendments:
        args = log["args"]
        if log["event"] == "DeadlineExtended":
            terms = terms.with_duration(args["milestone"], args["new_duration"])
        else:
            terms = terms.with_milestones(milestones_from_event(args["milestones"]))
    return terms


def view(gateway: ChainGateway, job_id: int) -> tuple:
    return tuple(gateway.escrow.functions.get_job(job_id).call())


def nonce_of(gateway: ChainGateway, job_id: int) -> int:
    return int(view(gateway, job_id)[VIEW_NONCE])


def _party(terms: Terms, role: str) -> str:
    return {"client": terms.client, "freelancer": terms.freelancer}[role]


def fund(gateway: ChainGateway, w3: Web3, job_id: int, count: int = 1, *, token: Contract | None = None) -> None:
    terms = terms_of(gateway, job_id)
    first = view(gateway, job_id)[VIEW_FUNDED]
    amount = terms.amount_of(first, count)
    transact(w3, (token or gateway.token).functions.approve(gateway.escrow.address, amount), terms.client)
    transact(w3, gateway.escrow.functions.fund(job_id, terms.as_abi(), count), terms.client)


def submit(gateway: ChainGateway, w3: Web3, job_id: int, milestone: int, deliverable: str = "work") -> TxReceipt:
    terms = terms_of(gateway, job_id)
    call = gateway.escrow.functions.submit(job_id, terms.as_abi(), milestone, keccak(text=deliverable))
    return transact(w3, call, terms.freelancer)


def approve(gateway: ChainGateway, w3: Web3, job_id: int, milestone: int) -> TxReceipt:
    terms = terms_of(gateway, job_id)
    return transact(w3, gateway.escrow.functions.approve(job_id, terms.as_abi(), milestone), terms.client, gas=800_000)


def pay(gateway: ChainGateway, w3: Web3, job_id: int, milestone: int) -> None:
    """Get a funded milestone paid: the freelancer submits it, the client approves it."""
    submit(gateway, w3, job_id, milestone)
    approve(gateway, w3, job_id, milestone)


def release(gateway: ChainGateway, w3: Web3, job_id: int, milestone: int, by: str = "owner") -> TxReceipt:
    """Anyone releases a submitted milestone whose review period is over."""
    call = gateway.escrow.functions.release(job_id, terms_of(gateway, job_id).as_abi(), milestone)
    return transact(w3, call, wallet(by), gas=800_000)


def reclaim(gateway: ChainGateway, w3: Web3, job_id: int, milestone: int, by: str = "client") -> TxReceipt:
    call = gateway.escrow.functions.reclaim(job_id, terms_of(gateway, job_id).as_abi(), milestone)
    return transact(w3, call, wallet(by), gas=800_000)


def dispute(gateway: ChainGateway, w3: Web3, job_id: int, milestone: int, by: str = "client") -> TxReceipt:
    terms = terms_of(gateway, job_id)
    return transact(w3, gateway.escrow.functions.dispute(job_id, terms.as_abi(), milestone), _party(terms, by))


def resolve(gateway: ChainGateway, w3: Web3, job_id: int, milestone: int, freelancer_bps: int) -> TxReceipt:
    terms = terms_of(gateway, job_id)
    call = gateway.escrow.functions.resolve(job_id, terms.as_abi(), milestone, freelancer_bps)
    return transact(w3, call, terms.arbiter, gas=800_000)


def apply_default_ruling(
    gateway: ChainGateway, w3: Web3, job_id: int, milestone: int, by: str = "freelancer"
) -> TxReceipt:
    terms = terms_of(gateway, job_id)
    call = gateway.escrow.functions.apply_default_ruling(job_id, terms.as_abi(), milestone)
    return transact(w3, call, _party(terms, by), gas=800_000)


def signed(
    gateway: ChainGateway, w3: Web3, signer: str, primary: str, message: dict[str, Any]
) -> tuple[bytes, dict[str, Any]]:
    """`signer`'s signature of an EIP-712 message of the escrow's domain, and the payload signed."""
    payload = typed_data(primary, message, chain_id=gateway.chain_id, escrow=gateway.escrow.address)
    return sign_typed(w3, signer, payload), payload


def settle(gateway: ChainGateway, w3: Web3, job_id: int, freelancer_bps: int, by: str = "owner") -> TxReceipt:
    """Both parties sign the split at the job's nonce, good for a week; anyone (`by`) submits the signatures."""
    terms = terms_of(gateway, job_id)
    expiry = chain_time(w3) + SIGNATURE_TTL
    message = {"jobId": job_id, "freelancerBps": freelancer_bps, "nonce": nonce_of(gateway, job_id), "expiry": expiry}
    client_sig, _ = signed(gateway, w3, terms.client, "Settlement", message)
    freelancer_sig, _ = signed(gateway, w3, terms.freelancer, "Settlement", message)
    call = gateway.escrow.functions.settle(job_id, terms.as_abi(), freelancer_bps, expiry, client_sig, freelancer_sig)
    return transact(w3, call, wallet(by), gas=1_500_000)


def extend_deadline(
    gateway: ChainGateway, w3: Web3, job_id: int, milestone: int, new_duration: int, by: str = "client"
) -> TxReceipt:
    """`by` extends a milestone's deadline with the other party's signature (延期)."""
    terms = terms_of(gateway, job_id)
    other = terms.freelancer if by == "client" else terms.client
    expiry = chain_time(w3) + SIGNATURE_TTL
    message = {
        "jobId": job_id,
        "milestone": milestone,
        "newDuration": new_duration,
        "nonce": nonce_of(gateway, job_id),
        "expiry": expiry,
    }
    signature, _ = signed(gateway, w3, other, "ExtendDeadline", message)
    call = gateway.escrow.functions.extend_deadline(job_id, terms.as_abi(), milestone, new_duration, expiry, signature)
    return transact(w3, call, _party(terms, by))


def add_milestones(
    gateway: ChainGateway,
    w3: Web3,
    job_id: int,
    milestones: Sequence[tuple[int, int]],
    fund_count: int = 0,
    *,
    token: Contract | None = None,
) -> TxReceipt:
    """The client adds milestones (amount, duration from the start) with the freelancer's signature and funds
    the next `fund_count` milestones in the same call."""
    terms = terms_of(gateway, job_id)
    added = [Milestone(int(a), int(d)) for a, d in milestones]
    funding = terms.with_milestones(added).amount_of(view(gateway, job_id)[VIEW_FUNDED], fund_count)
    if funding:
        transact(w3, (token or gateway.token).functions.approve(gateway.escrow.address, funding), terms.client)
    expiry = chain_time(w3) + SIGNATURE_TTL
    message = {
        "jobId": job_id,
        "milestones": [{"amount": m.amount, "duration": m.duration} for m in added],
        "fundCount": fund_count,
        "nonce": nonce_of(gateway, job_id),
        "expiry": expiry,
    }
    signature, _ = signed(gateway, w3, terms.freelancer, "AddMilestones", message)
    call = gateway.escrow.functions.add_milestones(
        job_id, terms.as_abi(), [(m.amount, m.duration) for m in added], fund_count, expiry, signature
    )
    return transact(w3, call, terms.client, gas=1_500_000)


def accept_with_deduction(
    gateway: ChainGateway, w3: Web3, job_id: int, milestone: int, freelancer_bps: int, by: str = "freelancer"
) -> TxReceipt:
    """`by` closes a submitted (or disputed) milestone with the share the other party signed (扣款验收)."""
    terms = terms_of(gateway, job_id)
    other = terms.freelancer if by == "client" else terms.client
    expiry = chain_time(w3) + SIGNATURE_TTL
    message = {
        "jobId": job_id,
        "milestone": milestone,
        "freelancerBps": freelancer_bps,
        "nonce": nonce_of(gateway, job_id),
        "expiry": expiry,
    }
    signature, _ = signed(gateway, w3, other, "Deduction", message)
    call = gateway.escrow.functions.accept_with_deduction(
        job_id, terms.as_abi(), milestone, freelancer_bps, expiry, signature
    )
    return transact(w3, call, _party(terms, by), gas=1_500_000)


def cancel_unfunded(gateway: ChainGateway, w3: Web3, job_id: int, by: str = "client") -> TxReceipt:
    terms = terms_of(gateway, job_id)
    sender = terms.client if by == "client" else wallet(by)
    return transact(w3, gateway.escrow.functions.cancel_unfunded(job_id, terms.as_abi()), sender, gas=800_000)


def increment_nonce(gateway: ChainGateway, w3: Web3, job_id: int, by: str = "client") -> TxReceipt:
    terms = terms_of(gateway, job_id)
    return transact(w3, gateway.escrow.functions.increment_nonce(job_id, terms.as_abi()), _party(terms, by))


def rate(gateway: ChainGateway, w3: Web3, job_id: int, score: int, by: str = "client") -> TxReceipt:
    terms = terms_of(gateway, job_id)
    call = gateway.escrow.functions.rate(
        job_id, terms.as_abi(), score, keccak(text=f"{by} rates job {job_id}: {score}")
    )
    return transact(w3, call, _party(terms, by), gas=400_000)


def withdraw(gateway: ChainGateway, w3: Web3, token: str, account: str, to: str) -> TxReceipt:
    return transact(w3, gateway.escrow.functions.withdraw(token, to), account)


def reputation(gateway: ChainGateway, w3: Web3) -> Contract:
    """The Reputation contract of the deployment."""
    return w3.eth.contract(address=gateway.deployment.get("Reputation").address, abi=_abi("Reputation"))


def deploy(w3: Web3, contract_name: str, *args: Any, sender: str | None = None) -> Contract:
    """Deploy a contract of the build manifest (e.g. a misbehaving test token) from a demo wallet."""
    contract_type = _manifest()["contractTypes"][contract_name]
    factory = w3.eth.contract(abi=contract_type["abi"], bytecode=contract_type["deploymentBytecode"]["bytecode"])
    receipt = transact(w3, factory.constructor(*args), sender or wallet("owner"))
    return w3.eth.contract(address=receipt["contractAddress"], abi=contract_type["abi"])


def _abi(contract_name: str) -> list[dict[str, Any]]:
    return load_abi(BUILD_MANIFEST, contract_name)


_MANIFEST: dict[str, Any] = {}


def _manifest() -> dict[str, Any]:
    if not _MANIFEST:
        _MANIFEST.update(json.loads(BUILD_MANIFEST.read_text()))
    return _MANIFEST
