"""Shared helpers for the Ape scripts: accounts by role and where the deployments file is."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ape import accounts, chain

from backend.app.core.deployments import DeploymentError, chain_entry

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


def read_deployments() -> dict[str, Any]:
    """The deployments file's entry for the connected chain."""
    try:
        return chain_entry(deployments_path(), chain.chain_id)
    except DeploymentError as error:
        raise SystemExit(str(error)) from None
