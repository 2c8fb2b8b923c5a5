"""Where the model suite loads the contracts from.

tools/mutate.py runs the suite once per mutant against a temporary copy of
contracts/ holding that mutant, and points JIEDAN_CONTRACTS_DIR at the copy;
without it, the repository's own contracts/ are tested.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO_CONTRACTS = Path(__file__).resolve().parents[2] / "contracts"


def contracts_dir() -> Path:
    """The contracts/ tree to test: $JIEDAN_CONTRACTS_DIR if set, else the repository's."""
    override = os.environ.get("JIEDAN_CONTRACTS_DIR")
    return Path(override) if override else REPO_CONTRACTS
