"""The deployments file: what `ape run deploy` deployed, per chain id, for the API and the indexer.

One JSON document holds every chain a marketplace was deployed to:

    {"chains": {"31337": {"chain_id": 31337, "network": "local", "contracts": {
        "Escrow": {"address": "0x…", "block": 3, "transaction": "0x…", "constructor_args": "0x…",
                   "verification": "verification/31337/Escrow.json"}, …}, …}}}

Deploying to one chain rewrites that chain's entry only (`record_chain`); a reader picks a chain by
id, or takes the only one there is (`load_deployment`).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eth_utils import to_checksum_address


class DeploymentError(RuntimeError):
    """The deployments file or the build manifest is missing or unusable."""


@dataclass(frozen=True)
class DeployedContract:
    name: str
    address: str
    block: int


@dataclass(frozen=True)
class Deployment:
    chain_id: int
    contracts: dict[str, DeployedContract]

    def get(self, name: str) -> DeployedContract:
        try:
            return self.contracts[name]
        except KeyError:
            raise DeploymentError(f"no contract named {name!r} in the deployments file") from None


def read_document(path: Path) -> dict[str, Any]:
    """The whole document ({"chains": {}} when the file does not exist yet)."""
    if not path.is_file():
        return {"chains": {}}
    try:
        document: dict[str, Any] = json.loads(path.read_text())
    except json.JSONDecodeError as error:
        raise DeploymentError(f"{path} is not JSON: {error}") from None
    if not isinstance(document.get("chains"), dict):
        raise DeploymentError(f'{path} has no "chains" object: deploy again with `ape run deploy`')
    return document


def chain_ids(path: Path) -> list[int]:
    """The chain ids the file holds a deployment for."""
    return sorted(int(chain_id) for chain_id in read_document(path)["chains"])


def chain_entry(path: Path, chain_id: int | None = None) -> dict[str, Any]:
    """The raw entry of `chain_id`, or of the file's only chain when `chain_id` is None."""
    if not path.is_file():
        raise DeploymentError(f"no deployments file at {path}: run `ape run deploy` first")
    chains = read_document(path)["chains"]
    if chain_id is None:
        if len(chains) != 1:
            held = ", ".join(sorted(chains, key=int)) or "none"
            raise DeploymentError(f"{path} holds the chains {held}: set JIEDAN_CHAIN_ID to the one to serve")
        return dict(next(iter(chains.values())))
    try:
        return dict(chains[str(chain_id)])
    except KeyError:
        held = ", ".join(sorted(chains, key=int)) or "none"
        raise DeploymentError(f"{path} holds no deployment for chain {chain_id} (it holds: {held})") from None


def load_deployment(path: Path, chain_id: int | None = None) -> Deployment:
    """The contracts deployed on `chain_id` (or on the file's only chain)."""
    entry = chain_entry(path, chain_id)
    return Deployment(
        chain_id=int(entry["chain_id"]),
        contracts={
            name: DeployedContract(name=name, address=to_checksum_address(item["address"]), block=int(item["block"]))
            for name, item in entry["contracts"].items()
        },
    )


def record_chain(path: Path, entry: dict[str, Any]) -> None:
    """Write one chain's entry (replacing that chain's earlier one, keeping the others), atomically."""
    document = read_document(path)
    document["chains"][str(entry["chain_id"])] = entry
    document["chains"] = dict(sorted(document["chains"].items(), key=lambda item: int(item[0])))
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    partial.write_text(json.dumps(document, indent=2) + "\n")
    partial.replace(path)
