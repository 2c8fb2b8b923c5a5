"""Escrow activity mined fast on Anvil: JSON-RPC batches of eth_sendTransaction from the unlocked
demo wallets with explicit nonce and gas (no estimation), automine off and one `evm_mine` per
many transactions. Used by the indexer's crash tests and by bench/indexer.

Every job has `milestones` milestones, all released: 2 + milestones escrow events per job
(JobCreated, JobFunded, MilestoneReleased × milestones).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from eth_abi import abi as eth_abi
from eth_utils import function_signature_to_4byte_selector, keccak

from launcher.stack import DEMO_WALLETS

CREATE = function_signature_to_4byte_selector("create_job(address,address,uint256[],bytes32)")
RELEASE = function_signature_to_4byte_selector("release_milestone(uint256,uint256)")
APPROVE = function_signature_to_4byte_selector("approve(address,uint256)")
GWEI = 10**9


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
    """Create `jobs` funded jobs and release every milestone; returns what was mined."""
    deployment = json.loads(deployments_file.read_text())
    escrow = deployment["contracts"]["Escrow"]["address"]
    token = deployment["contracts"]["TestToken"]["address"]
    client, freelancer = DEMO_WALLETS["client"][0], DEMO_WALLETS["freelancer"][0]
    rpc = RawRpc(rpc_url)
    gas_price = hex(2 * GWEI)  # the base fee is pinned to 1 gwei before every block (full blocks raise it)
    first_block = int(rpc.call("eth_blockNumber"), 16) + 1
    first_job = (
        int(rpc.call("eth_call", {"to": escrow, "data": "0x" + keccak(text="job_count()")[:4].hex()}, "latest"), 16) + 1
    )
    nonce = int(rpc.call("eth_getTransactionCount", client, "pending"), 16)
    rpc.call("evm_setAutomine", False)
    rpc.call("anvil_setNextBlockBaseFeePerGas", hex(GWEI))
    try:
        txs: list[dict[str, Any]] = []

        def tx(data: bytes, gas: int) -> None:
            nonlocal nonce
            txs.append(
                {
                    "from": client,
                    "to": escrow if data[:4] != APPROVE else token,
                    "data": "0x" + data.hex(),
                    "gas": hex(gas),
                    "gasPrice": gas_price,
                    "nonce": hex(nonce),
                }
            )
            nonce += 1

        tx(APPROVE + eth_abi.encode(["address", "uint256"], [escrow, 2**256 - 1]), 100_000)
        amounts = [1] * milestones
        for index in range(jobs):
            metadata = keccak(text=f"bench job {first_job + index}")
            tx(
                CREATE
                + eth_abi.encode(
                    ["address", "address", "uint256[]", "bytes32"], [freelancer, token, amounts, metadata]
                ),
                500_000 + 50_000 * milestones,
            )
        for index in range(jobs):
            for milestone in range(milestones):
                tx(RELEASE + eth_abi.encode(["uint256", "uint256"], [first_job + index, milestone]), 200_000)
        for start in range(0, len(txs), per_block):
            block = txs[start : start + per_block]
            for part in range(0, len(block), chunk):
                rpc.batch([("eth_sendTransaction", [item]) for item in block[part : part + chunk]])
            rpc.call("evm_mine")
            rpc.call("anvil_setNextBlockBaseFeePerGas", hex(GWEI))
    finally:
        rpc.call("evm_setAutomine", True)
    last_block = int(rpc.call("eth_blockNumber"), 16)
    job_count = int(
        rpc.call("eth_call", {"to": escrow, "data": "0x" + keccak(text="job_count()")[:4].hex()}, "latest"), 16
    )
    if job_count != first_job + jobs - 1:
        raise RuntimeError(f"expected {jobs} new jobs, the escrow counts {job_count - first_job + 1}")
    return Mined(jobs=jobs, events=jobs * (2 + milestones), first_block=first_block, last_block=last_block)
