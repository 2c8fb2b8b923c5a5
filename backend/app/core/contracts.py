"""The deployed contracts: addresses from the deployments file, ABIs from Ape's build output.

ABIs are never copied by hand: they come from the compiler's manifest (`ape compile`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
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


def load_deployment(path: Path) -> Deployment:
    if not path.is_file():
        raise DeploymentError(f"no deployments file at {path}: run `ape run deploy` first")
    document = json.loads(path.read_text())
    return Deployment(
        chain_id=int(document["chain_id"]),
        contracts={
            name: DeployedContract(name=name, address=to_checksum_address(entry["address"]), block=entry["block"])
            for name, entry in document["contracts"].items()
        },
    )


@lru_cache(maxsize=8)
def _manifest(path: Path, mtime: float) -> dict[str, Any]:
    del mtime  # part of the cache key only: a recompile invalidates the cache
    result: dict[str, Any] = json.loads(path.read_text())
    return result


def load_abi(manifest_path: Path, contract_name: str) -> list[dict[str, Any]]:
    """The ABI of `contract_name` from Ape's manifest (`.build/__local__.json`)."""
    if not manifest_path.is_file():
        raise DeploymentError(f"no compiled contracts at {manifest_path}: run `ape compile` first")
    manifest = _manifest(manifest_path, manifest_path.stat().st_mtime)
    try:
        abi: list[dict[str, Any]] = manifest["contractTypes"][contract_name]["abi"]
    except KeyError:
        raise DeploymentError(f"contract {contract_name!r} is not in {manifest_path}") from None
    return abi
