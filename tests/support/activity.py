"""On-chain activity for tests: real escrow transactions built with web3.py contract objects from the
build manifest and sent from Anvil's unlocked demo wallets (no backend transaction builders).

A job's terms are not in the escrow's storage: every call that needs them (`fund`, `submit`,
`reclaim`, `resolve`, `settle`) reads them back from the job's `JobCreated` event, as the indexer does.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from eth_account import Account
from eth_utils import keccak
from web3 import Web3
from web3.contract import Contract
from web3.logs import DISCARD
from web3.types import TxReceipt

from backend.app.services.chain import ChainGateway
from launcher.stack import DEMO_WALLETS, ROOT
from tests.support.chain import wallet

UNIT = 10**6
DAY = 86_400
REVIEW_PERIOD = 3 * DAY
RULING_WINDOW = 7 * DAY
ARBITER_FEE_BPS = 500
HORIZON = 365 * DAY  # default milestone deadline: a year after the chain's current time

Terms = tuple[str, int, int, int, int, list[tuple[int, int]]]


def transact(w3: Web3, call: Any, sender: str, *, value: int = 0, gas: int | None = None) -> TxReceipt:
    """Send a contract call from an unlocked demo wallet and wait for it; fails on a revert."""
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


def make_terms(
    w3: Web3,
    escrow: Contract,
    amounts: Sequence[int],
    *,
    deadlines: Sequence[int] | None = None,
    arbiter: str | None = None,
    arbiter_fee_bps: int = ARBITER_FEE_BPS,
    review_period: int = REVIEW_PERIOD,
    ruling_window: int = RULING_WINDOW,
) -> Terms:
    now = chain_time(w3)
    if deadlines is None:
        deadlines = [now + HORIZON + index for index in range(len(amounts))]
    return (
        arbiter or wallet("arbiter"),
        arbiter_fee_bps,
        escrow.functions.platform_fee_bps().call(),
        review_period,
        ruling_window,
        [(int(amount), int(deadline)) for amount, deadline in zip(amounts, deadlines, strict=True)],
    )


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
    """The demo client hires the demo freelancer and funds the first `fund_count` milestones (all by default)."""
    client = client or wallet("client")
    freelancer = freelancer or wallet("freelancer")
    token = token or gateway.token
    terms = make_terms(w3, gateway.escrow, amounts, **terms_options)
    count = len(amounts) if fund_count is None else fund_count
    funding = sum(amounts[:count])
    if funding:
        transact(w3, token.functions.approve(gateway.escrow.address, funding), client)
    receipt = transact(
        w3,
        gateway.escrow.functions.create_job(freelancer, token.address, terms, keccak(text=title), count),
        client,
    )
    [created] = gateway.escrow.events.JobCreated().process_receipt(receipt, errors=DISCARD)
    job_id: int = created["args"]["job_id"]
    return job_id


def terms_of(gateway: ChainGateway, job_id: int) -> Terms:
    """The job's terms as created, from its JobCreated event on the current chain."""
    [log] = gateway.escrow.events.JobCreated().get_logs(from_block=0, argument_filters={"job_id": job_id})
    args = log["args"]
    return (
        args["arbiter"],
        args["arbiter_fee_bps"],
        args["platform_fee_bps"],
        args["review_period"],
        args["ruling_window"],
        [(m["amount"], m["deadline"]) if hasattr(m, "keys") else tuple(m) for m in args["milestones"]],
    )


def fund(gateway: ChainGateway, w3: Web3, job_id: int, count: int = 1, *, token: Contract | None = None) -> None:
    terms = terms_of(gateway, job_id)
    first = gateway.escrow.functions.get_job(job_id).call()[6]  # funded_count
    amount = sum(amount for amount, _deadline in terms[5][first : first + count])
    transact(w3, (token or gateway.token).functions.approve(gateway.escrow.address, amount), wallet("client"))
    transact(w3, gateway.escrow.functions.fund(job_id, count, terms), wallet("client"))


def submit(gateway: ChainGateway, w3: Web3, job_id: int, milestone: int, deliverable: str = "work") -> TxReceipt:
    call = gateway.escrow.functions.submit(job_id, milestone, keccak(text=deliverable), terms_of(gateway, job_id))
    return transact(w3, call, wallet("freelancer"))


def approve(gateway: ChainGateway, w3: Web3, job_id: int, milestone: int) -> TxReceipt:
    return transact(w3, gateway.escrow.functions.approve(job_id, milestone), wallet("client"), gas=500_000)


def pay(gateway: ChainGateway, w3: Web3, job_id: int, milestone: int) -> None:
    """Get a funded milestone paid: the freelancer submits it, the client approves it."""
    submit(gateway, w3, job_id, milestone)
    approve(gateway, w3, job_id, milestone)


def release(gateway: ChainGateway, w3: Web3, job_id: int, milestone: int, by: str = "owner") -> TxReceipt:
    """Anyone releases a submitted milestone whose review period is over."""
    return transact(w3, gateway.escrow.functions.release(job_id, milestone), wallet(by), gas=500_000)


def reclaim(gateway: ChainGateway, w3: Web3, job_id: int, milestone: int, by: str = "client") -> TxReceipt:
    call = gateway.escrow.functions.reclaim(job_id, milestone, terms_of(gateway, job_id))
    return transact(w3, call, wallet(by), gas=500_000)


def dispute(gateway: ChainGateway, w3: Web3, job_id: int, milestone: int, by: str = "client") -> TxReceipt:
    return transact(w3, gateway.escrow.functions.dispute(job_id, milestone), wallet(by))


def resolve(gateway: ChainGateway, w3: Web3, job_id: int, milestone: int, freelancer_bps: int) -> TxReceipt:
    call = gateway.escrow.functions.resolve(job_id, milestone, freelancer_bps, terms_of(gateway, job_id))
    return transact(w3, call, wallet("arbiter"), gas=500_000)


def apply_default_ruling(
    gateway: ChainGateway, w3: Web3, job_id: int, milestone: int, by: str = "freelancer"
) -> TxReceipt:
    return transact(w3, gateway.escrow.functions.apply_default_ruling(job_id, milestone), wallet(by), gas=500_000)


def sign_settlement(gateway: ChainGateway, job_id: int, freelancer_bps: int, role: str) -> bytes:
    """A party's EIP-712 signature of the settlement at the job's current nonce (65 bytes: r, s, v)."""
    nonce = gateway.escrow.functions.get_job(job_id).call()[8]
    digest = gateway.escrow.functions.settlement_digest(job_id, freelancer_bps, nonce).call()
    signed = Account.unsafe_sign_hash(digest, DEMO_WALLETS[role][1])
    return bytes(signed.signature)


def settle(gateway: ChainGateway, w3: Web3, job_id: int, freelancer_bps: int, by: str = "owner") -> TxReceipt:
    """Both parties sign the split; anyone (`by`) submits the signatures."""
    call = gateway.escrow.functions.settle(
        job_id,
        freelancer_bps,
        terms_of(gateway, job_id),
        sign_settlement(gateway, job_id, freelancer_bps, "client"),
        sign_settlement(gateway, job_id, freelancer_bps, "freelancer"),
    )
    return transact(w3, call, wallet(by), gas=800_000)


def cancel_unfunded(gateway: ChainGateway, w3: Web3, job_id: int) -> TxReceipt:
    return transact(w3, gateway.escrow.functions.cancel_unfunded(job_id), wallet("client"), gas=500_000)


def increment_nonce(gateway: ChainGateway, w3: Web3, job_id: int, by: str = "client") -> TxReceipt:
    return transact(w3, gateway.escrow.functions.increment_nonce(job_id), wallet(by))


def rate(gateway: ChainGateway, w3: Web3, job_id: int, score: int, by: str = "client") -> TxReceipt:
    call = gateway.escrow.functions.rate(job_id, score, keccak(text=f"{by} rates job {job_id}: {score}"))
    return transact(w3, call, wallet(by), gas=300_000)


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
    abi: list[dict[str, Any]] = _manifest()["contractTypes"][contract_name]["abi"]
    return abi


_MANIFEST: dict[str, Any] = {}


def _manifest() -> dict[str, Any]:
    if not _MANIFEST:
        _MANIFEST.update(json.loads((ROOT / ".build" / "__local__.json").read_text()))
    return _MANIFEST
