"""Every revert reason in the contract modules is hit by at least one test, and the generated reference is current."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import ape

from tests.contracts.terms import UNIT

ROOT = Path(__file__).resolve().parents[2]
REVERT = re.compile(r'(?:assert .*?,|raise)\s*"([a-z_0-9]+: [^"]+)"')


def test_every_revert_reason_is_tested():
    reasons = set()
    for source in (ROOT / "contracts").glob("*.vy"):
        reasons |= set(REVERT.findall(source.read_text()))
    for source in (ROOT / "contracts" / "modules").glob("*.vy"):
        reasons |= set(REVERT.findall(source.read_text()))
    tests = "".join(path.read_text() for path in (ROOT / "tests" / "contracts").rglob("test_*.py"))
    untested = sorted(reason for reason in reasons if f'"{reason}"' not in tests)
    assert untested == []


def test_reference_docs_are_current():
    result = subprocess.run([sys.executable, "tools/contract_docs.py", "--check"], cwd=ROOT, capture_output=True)
    assert result.returncode == 0, result.stdout.decode()


def test_job_end__too_little_gas_for_reputation__reverts_instead_of_skipping_the_record(escrow, client, submitted_job):
    """Anyone may end a job (release, reclaim): a caller must not starve the reputation call to skip the record."""
    job = submitted_job(amounts=(UNIT,))
    with ape.reverts("escrow: not enough gas to record reputation"):
        escrow.approve(job.id, job.abi, 0, sender=client, gas_limit=300_000)
    assert escrow.get_job(job.id).milestones[0].status == 1
