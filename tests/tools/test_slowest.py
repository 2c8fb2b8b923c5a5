"""tools/slowest.py lists the slowest tests of real pytest JUnit reports, slowest first, across reports."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _report(tmp_path: Path, name: str, sleeps: dict[str, float]) -> Path:
    tests = tmp_path / f"test_{name}.py"
    body = "import time\n" + "".join(f"def test_{t}():\n    time.sleep({s})\n" for t, s in sleeps.items())
    tests.write_text(body)
    report = tmp_path / f"junit-{name}.xml"
    run = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tests), f"--junitxml={report}"]
    alone = {**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}  # no Ape or boa plugins: a plain run
    subprocess.run(run, cwd=tmp_path, check=True, capture_output=True, env=alone)
    return report


def test_slowest__lists_the_slowest_tests_of_several_reports__slowest_first(tmp_path: Path):
    first = _report(tmp_path, "a", {"quick": 0, "slow": 0.6})
    second = _report(tmp_path, "b", {"slower": 0.9, "middling": 0.3})
    out = subprocess.run(
        [sys.executable, "tools/slowest.py", "--top", "3", str(first), str(second)],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.splitlines()
    assert [line.split("::")[-1] for line in out] == ["test_slower", "test_slow", "test_middling"]
    assert float(out[0].split()[0]) >= 0.9


def test_slowest__a_missing_report_is_a_clear_error(tmp_path: Path):
    run = subprocess.run(
        [sys.executable, "tools/slowest.py", str(tmp_path / "nope.xml")], cwd=ROOT, capture_output=True, text=True
    )
    assert run.returncode == 2 and "no such report" in run.stderr
