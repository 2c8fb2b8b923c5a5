"""Shared helpers for the Ape scripts: accounts by role and the deployments file."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from ape import accounts, chain

DEFAULT_DEPLOYMENTS_FILE = Path("var/deployments.json")

# Demo roles on a local chain: index into Ape's test accounts (Anvil's mnemonic).
DEMO_ROLES = {"owner": 0, "client": 1, "freelancer": 2, "arbiter": 3}


def deployments_path() -> Path:
    """The deployments file the backend and indexer read (JIEDAN_DEPLOYMENTS_FILE)."""
    return Path(os.environ.get("JIEDAN_DEPLOYMENTS_FILE", DEFAULT_DEPLOYMENTS_FILE))


def load_account(name: str) -> Any:
    """An account by alias, or `TEST::n` for Ape's n-th test account."""
    if name.startswith("TEST::"):
        return accounts.test_accounts[int(name.removeprefix("TEST::"))]
    return accounts.load(name)


def role(name: str) -> Any:
    """The test account that plays `name` in the local demo."""
    return accounts.test_accounts[DEMO_ROLES[name]]


def deploy_block(contract: Any) -> int:
    """The block a contract was deployed in (from its deployment receipt)."""
    return int(chain.get_receipt(contract.txn_hash).block_number)


def write_deployments(contracts: dict[str, Any]) -> Path:
    """Write {name: {address, block}} plus the chain id, atomically."""
    path = deployments_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "chain_id": chain.chain_id,
        "contracts": {
            name: {"address": str(contract.address), "block": deploy_block(contract)}
            for name, contract in contracts.items()
        },
    }
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(document, indent=2) + "\n")
    tmp.replace(path)
    return path


def read_deployments() -> dict[str, Any]:
    path = deployments_path()
    if not path.is_file():
        raise SystemExit(f"no deployments file at {path}: run `ape run deploy` first")
    document: dict[str, Any] = json.loads(path.read_text())
    if document["chain_id"] != chain.chain_id:
        raise SystemExit(f"{path} is for chain {document['chain_id']}, connected to chain {chain.chain_id}")
    return document
