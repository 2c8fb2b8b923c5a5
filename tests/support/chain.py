"""A real Anvil chain with the contracts deployed by the real deploy script."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from web3 import HTTPProvider, Web3
from web3.types import TxReceipt

from backend.app.schemas.tx import UnsignedTx
from launcher.stack import DEMO_WALLETS


@dataclass(frozen=True)
class LocalChain:
    rpc_url: str
    deployments_file: Path
    w3: Web3

    @staticmethod
    def connect(rpc_url: str, deployments_file: Path) -> LocalChain:
        return LocalChain(rpc_url, deployments_file, Web3(HTTPProvider(rpc_url)))


def wallet(role: str) -> str:
    """The address of a demo wallet (unlocked on Anvil, as in a browser wallet)."""
    return DEMO_WALLETS[role][0]


def send(w3: Web3, tx: UnsignedTx) -> TxReceipt:
    """Sign and send as the wallet would (Anvil holds the dev keys), and wait for it to be mined."""
    tx_hash = w3.eth.send_transaction({"from": tx.from_, "to": tx.to, "data": tx.data, "value": int(tx.value, 16)})
    receipt = w3.eth.wait_for_transaction_receipt(tx_hash, timeout=30)
    assert receipt["status"] == 1, f"transaction reverted: {receipt}"
    return receipt
