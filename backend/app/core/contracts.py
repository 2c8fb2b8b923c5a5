"""The deployed contracts' ABIs, from Ape's build output (addresses: core/deployments.py).

ABIs are never copied by hand: they come from the compiler's manifest (`ape compile`).
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from backend.app.core.deployments import DeploymentError


@lru_cache(maxsize=8)
def _manifest(path: Path, mtime: float) -> dict[str, Any]:
    del mtime  # part of the cache key only: a recompile invalidates the cache
    result: dict[str, Any] = json.loads(path.read_text())
    return result


# Contracts whose address also answers another contract's ABI: the escrow delegatecalls
# EscrowAgreements (settle and the amendments) from its fallback, in its own storage, so those
# functions are called, and their events emitted, at the escrow's address.
RUNS_ALSO: dict[str, tuple[str, ...]] = {"Escrow": ("EscrowAgreements",)}


def _entry_key(entry: dict[str, Any]) -> tuple[str, str, str]:
    inputs = ",".join(str(i.get("type")) + str(i.get("components", "")) for i in entry.get("inputs", []))
    return entry["type"], entry.get("name", ""), inputs


def load_abi(manifest_path: Path, contract_name: str) -> list[dict[str, Any]]:
    """The ABI callable at a deployed `contract_name`, from Ape's manifest (`.build/__local__.json`).

    For the Escrow that is its own ABI plus EscrowAgreements' functions and events (`RUNS_ALSO`),
    each entry once; the delegate's constructor is not part of it.
    """
    if not manifest_path.is_file():
        raise DeploymentError(f"no compiled contracts at {manifest_path}: run `ape compile` first")
    manifest = _manifest(manifest_path, manifest_path.stat().st_mtime)
    abi: list[dict[str, Any]] = []
    seen: set[tuple[str, str, str]] = set()
    for position, name in enumerate((contract_name, *RUNS_ALSO.get(contract_name, ()))):
        try:
            entries: list[dict[str, Any]] = manifest["contractTypes"][name]["abi"]
        except KeyError:
            raise DeploymentError(f"contract {name!r} is not in {manifest_path}") from None
        for entry in entries:
            key = _entry_key(entry)
            if key in seen or (position > 0 and entry["type"] in ("constructor", "fallback", "receive")):
                continue
            seen.add(key)
            abi.append(entry)
    return abi
