"""Escrow runs EscrowAgreements' code in its own storage (delegatecall), so both must lay storage out the same way.

Both initialise the same modules in the same order; this compiles each with `vyper -f layout` and compares the
storage and transient-storage layouts (the reentrancy lock the delegated functions take must be the escrow's).
"""

from __future__ import annotations

import json
import subprocess
import sys
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


@cache
def layout(contract: str) -> dict:
    result = subprocess.run(
        [sys.executable, "-m", "vyper", "-f", "layout", f"contracts/{contract}.vy"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def test_escrow_and_agreements__identical_storage_layouts():
    escrow, agreements = layout("Escrow")["storage_layout"], layout("EscrowAgreements")["storage_layout"]
    assert escrow == agreements
    slots = [v["slot"] for module in escrow.values() for v in module.values()]
    assert sorted(slots) == list(range(len(slots)))  # contiguous, nothing overlapping


def test_escrow_and_agreements__same_reentrancy_lock():
    assert layout("Escrow")["transient_storage_layout"] == layout("EscrowAgreements")["transient_storage_layout"]
    assert "$.nonreentrant_key" in layout("Escrow")["transient_storage_layout"]


def test_escrow_and_agreements__same_immutable_for_the_reputation_contract():
    """The delegated code reads `reputation` from its own code: at the same offset, set to the same contract by the
    deployment (tests/contracts/conftest.py passes the one Reputation to both)."""
    escrow, agreements = layout("Escrow")["code_layout"], layout("EscrowAgreements")["code_layout"]
    assert escrow["escrow_core"] == agreements["escrow_core"]


def test_every_job_storage_variable_is_in_the_escrow_core_module():
    modules = layout("Escrow")["storage_layout"]
    assert list(modules) == ["ownable", "ownable_2step", "payouts", "settings", "escrow_core"]
    assert set(modules["escrow_core"]) == {"terms_hash_of", "_jobs", "_milestones", "_consents_used"}
