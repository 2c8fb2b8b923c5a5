"""Escrow activity mined fast on Anvil: JSON-RPC batches of eth_sendTransaction from the unlocked
demo wallets with explicit nonce and gas (no estimation), automine off and one `evm_mine` per
many transactions. Used by the indexer's crash tests and by bench/indexer.

Every job has `milestones` milestones of one unit each, fully funded at creation, all submitted by
the freelancer and approved by the client: 2 × milestones + 3 events per job (Escrow JobCreated,
MilestoneSubmitted and MilestoneApproved per milestone, JobEnded; Reputation JobRecorded).
Creations, submissions and approvals go in separate blocks (they depend on each other). The consents'
salts are the freelancer's lowest ones no job used yet (`free_salts`), as the app allots them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from eth_abi import abi as eth_abi
from eth_account import Account
from eth_utils import function_signature_to_4byte_selector, keccak

from backend.app.core.deployments import load_deployment
from backend.app.core.escrow_terms import FIRST_SALT, Milestone, Terms, domain_separator, signing_digest
from launcher.stack import DEMO_WALLETS

TERMS = "(address,address,address,address,uint256,uint256,uint256,uint256,bytes32,uint256,uint256,(uint256,uint256)[])"
CREATE = function_signature_to_4byte_selector(f"create_job({TERMS},bytes,uint256)")
SUBMIT = function_signature_to_4byte_selector(f"submit(uint256,{TERMS},uint256,bytes32)")
APPROVE_MILESTONE = function_signature_to_4byte_selector(f"approve(uint256,{TERMS},uint256)")
TOKEN_APPROVE = function_signature_to_4byte_selector("approve(address,uint256)")
CONSENT_USED = function_signature_to_4byte_selector("consent_used(address,uint256)")
GWEI = 10**9
DAY = 86_400


def events_per_job(milestones: int) -> int:
    return 2 * milestones + 3


def bench_terms(*, token: str, platform_fee_bps: int, offer_expiry: int, milestones: int, salt: int) -> Terms:
    """Terms of a bench job between the demo client and freelancer: the demo arbiter, no arbiter fee, one-day
    windows, one unit per milestone due in 300 days; `salt` numbers the freelancer's consent (one job each)."""
    return Terms(
        client=DEMO_WALLETS["client"][0],
        freelancer=DEMO_WALLETS["freelancer"][0],
        token=token,
        arbiter=DEMO_WALLETS["arbiter"][0],
        arbiter_fee_bps=0,
        platform_fee_bps=platform_fee_bps,
        review_period=DAY,
        ruling_window=DAY,
        metadata_hash=keccak(text=f"bench job {salt}"),
        salt=salt,
        offer_expiry=offer_expiry,
        milestones=(Milestone(1, 300 * DAY),) * milestones,
    )


def encode_create(terms: Terms, consent: bytes, fund_count: int) -> bytes:
    return CREATE + eth_abi.encode([TERMS, "bytes", "uint256"], [terms.as_abi(), consent, fund_count])


def consent(terms: Terms, separator: bytes) -> bytes:
    """The demo freelancer's EIP-712 signature of the terms (its key is Anvil's public dev key)."""
    digest = signing_digest(terms.struct_hash(), separator)
    return bytes(Account.unsafe_sign_hash(digest, DEMO_WALLETS["freelancer"][1]).signature)


def escrow_call(rpc: RawRpc, escrow: str, signature: str) -> int:
    """A view of the escrow without arguments, as an integer (job_count, platform_fee_bps)."""
    return int(rpc.call("eth_call", {"to": escrow, "data": "0x" + keccak(text=signature)[:4].hex()}, "latest"), 16)


def free_salts(rpc: RawRpc, escrow: str, freelancer: str, count: int, *, chunk: int = 1000) -> list[int]:
    """The freelancer's `count` lowest salts that no job used (the escrow's `consent_used`, asked in batches)."""
    salts: list[int] = []
    start = FIRST_SALT
    while len(salts) < count:
        candidates = range(start, start + min(chunk, count - len(salts)))
        data = [CONSENT_USED + eth_abi.encode(["address", "uint256"], [freelancer, salt]) for salt in candidates]
        calls = [("eth_call", [{"to": escrow, "data": "0x" + call.hex()}, "latest"]) for call in data]
        salts += [salt for salt, used in zip(candidates, rpc.batch(calls), strict=True) if int(used, 16) == 0]
        start = candidates.stop
    return salts


@dataclass
class Mined:
    jobs: int
    events: int
    first_block: int
    last_block: int


class RawRpc:
    def __init__(self, url: str) -> None:
        self.url = url
        self.client = httpx.Client(timeout=120)
        self.id = 0

    def call(self, method: str, *params: Any) -> Any:
        self.id += 1
        reply = self.client.post(self.url, json={"jsonrpc": "2.0", "id": self.id, "method": method, "params": params})
        document = reply.json()
        if "error" in document:
            raise RuntimeError(f"{method}: {document['error']}")
        return document["result"]

    def batch(self, calls: list[tuple[str, list[Any]]]) -> list[Any]:
        payload = []
        for method, params in calls:
            self.id += 1
            payload.append({"jsonrpc": "2.0", "id": self.id, "method": method, "params": params})
        replies = self.client.post(self.url, json=payload).json()
        errors = [reply["error"] for reply in replies if "error" in reply]
        if errors:
            raise RuntimeError(f"{len(errors)} of {len(calls)} calls failed, first: {errors[0]}")
        return [reply["result"] for reply in replies]


def mine_escrow_activity(
    rpc_url: str,
    deployments_file: Path,
    jobs: int,
    *,
    milestones: int = 2,
    per_block: int = 200,
    chunk: int = 1000,
) -> Mined:
    """Create `jobs` funded jobs, submit and approve every milestone; returns what was mined."""
    deployment = load_deployment(deployments_file)
    escrow, token = deployment.get("Escrow").address, deployment.get("TestToken").address
    client, freelancer = DEMO_WALLETS["client"][0], DEMO_WALLETS["freelancer"][0]
    rpc = RawRpc(rpc_url)
    gas_price = hex(2 * GWEI)  # the base fee is pinned to 1 gwei before every block (full blocks raise it)
    first_block = int(rpc.call("eth_blockNumber"), 16) + 1
    first_job = escrow_call(rpc, escrow, "job_count()") + 1
    fee_bps = escrow_call(rpc, escrow, "platform_fee_bps()")
    expiry = int(rpc.call("eth_getBlockByNumber", "latest", False)["timestamp"], 16) + 300 * DAY
    separator = domain_separator(deployment.chain_id, escrow)
    jobs_terms = [
        bench_terms(token=token, platform_fee_bps=fee_bps, offer_expiry=expiry, milestones=milestones, salt=salt)
        for salt in free_salts(rpc, escrow, freelancer, jobs)
    ]
    nonces = {
        sender: int(rpc.call("eth_getTransactionCount", sender, "pending"), 16) for sender in (client, freelancer)
    }
    rpc.call("evm_setAutomine", False)
    rpc.call("anvil_setNextBlockBaseFeePerGas", hex(GWEI))
    try:

        def tx(sender: str, to: str, data: bytes, gas: int) -> dict[str, Any]:
            item = {
                "from": sender,
                "to": to,
                "data": "0x" + data.hex(),
                "gas": hex(gas),
                "gasPrice": gas_price,
                "nonce": hex(nonces[sender]),
            }
            nonces[sender] += 1
            return item

        creates = [
            tx(client, token, TOKEN_APPROVE + eth_abi.encode(["address", "uint256"], [escrow, 2**256 - 1]), 100_000)
        ]
        for terms in jobs_terms:
            creates.append(
                tx(
                    client,
                    escrow,
                    encode_create(terms, consent(terms, separator), milestones),
                    400_000 + 30_000 * milestones,
                )
            )
        submits = [
            tx(
                freelancer,
                escrow,
                SUBMIT
                + eth_abi.encode(
                    ["uint256", TERMS, "uint256", "bytes32"],
                    [first_job + index, terms.as_abi(), milestone, b"\x11" * 32],
                ),
                200_000,
            )
            for index, terms in enumerate(jobs_terms)
            for milestone in range(milestones)
        ]
        approves = [
            tx(
                client,
                escrow,
                APPROVE_MILESTONE
                + eth_abi.encode(["uint256", TERMS, "uint256"], [first_job + index, terms.as_abi(), milestone]),
                500_000,
            )
            for index, terms in enumerate(jobs_terms)
            for milestone in range(milestones)
        ]
        for phase in (creates, submits, approves):
            for start in range(0, len(phase), per_block):
                block = phase[start : start + per_block]
                for part in range(0, len(block), chunk):
                    rpc.batch([("eth_sendTransaction", [item]) for item in block[part : part + chunk]])
                rpc.call("evm_mine")
                rpc.call("anvil_setNextBlockBaseFeePerGas", hex(GWEI))
    finally:
        rpc.call("evm_setAutomine", True)
    last_block = int(rpc.call("eth_blockNumber"), 16)
    job_count = escrow_call(rpc, escrow, "job_count()")
    if job_count != first_job + jobs - 1:
        raise RuntimeError(f"expected {jobs} new jobs, the escrow counts {job_count - first_job + 1}")
    return Mined(jobs=jobs, events=jobs * events_per_job(milestones), first_block=first_block, last_block=last_block)
