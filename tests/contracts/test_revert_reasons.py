"""Every revert reason in our contract modules is hit by at least one test, and the reference is current."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import ape

from tests.contracts.conftest import UNIT

ROOT = Path(__file__).resolve().parents[2]
REVERT = re.compile(r'(?:assert .*?,|raise)\s*"([a-z_0-9]+: [^"]+)"')


def test_every_revert_reason_is_tested():
    reasons = set()
    for source in (ROOT / "contracts" / "modules").glob("*.vy"):
        reasons |= set(REVERT.findall(source.read_text()))
    tests = "".join(path.read_text() for path in (ROOT / "tests" / "contracts").rglob("test_*.py"))
    untested = sorted(reason for reason in reasons if f'"{reason}"' not in tests)
    assert untested == []


def test_reference_docs_are_current():
    result = subprocess.run([sys.executable, "tools/contract_docs.py", "--check"], cwd=ROOT, capture_output=True)
    assert result.returncode == 0, result.stdout.decode()


def test_job_end__too_little_gas_for_reputation__reverts_instead_of_skipping_the_record(escrow, client, submitted_job):
    job = submitted_job(amounts=(UNIT,))
    with ape.reverts("escrow: not enough gas to record reputation"):
        escrow.approve(job.id, 0, sender=client, gas_limit=150_000)
    assert escrow.get_job(job.id).milestones[0].status == 1
