"""Run the Ape contract suite (tests/contracts, on a fresh Anvil) against another contracts/ tree.

    JIEDAN_CONTRACTS_DIR=/tmp/mutant/contracts python tools/ape_suite_on.py [pytest args...]

Ape compiles the project's contracts/ folder, so this builds a throwaway project beside the tree:
the repository's ape-config.yaml and tests/ (linked) with $JIEDAN_CONTRACTS_DIR as its contracts/,
and runs `ape test tests/contracts -x -q` there on a free port. tools/mutate.py uses it as the
second kill stage, for the mutants the model suite let through:

    python tools/mutate.py --ids 10,57 --kill "{python} tools/ape_suite_on.py"

Exits with the suite's status.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main(argv: list[str]) -> int:
    tree = Path(os.environ.get("JIEDAN_CONTRACTS_DIR") or ROOT / "contracts").resolve()
    if not (tree / "Escrow.vy").exists():
        sys.stderr.write(f"error: {tree} holds no Escrow.vy (set JIEDAN_CONTRACTS_DIR to a contracts/ tree)\n")
        return 2
    with tempfile.TemporaryDirectory(prefix="ape-suite-") as tmp:
        project = Path(tmp)
        shutil.copy(ROOT / "ape-config.yaml", project / "ape-config.yaml")
        (project / "tests").symlink_to(ROOT / "tests")
        shutil.copytree(tree, project / "contracts")
        env = dict(os.environ, APE_FOUNDRY_HOST=f"http://127.0.0.1:{_free_port()}", PYTHONPATH=str(ROOT))
        ape = Path(sys.executable).with_name("ape")
        command = [str(ape), "test", "tests/contracts", "-x", "-q", *argv]
        return subprocess.run(command, cwd=project, env=env, check=False).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
