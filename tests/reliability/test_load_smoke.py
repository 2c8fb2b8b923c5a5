"""`python -m bench.load` for a few seconds with a few users: no write lost or doubled, no 5xx, no locked SQLite."""

from __future__ import annotations

import json
import subprocess
import sys

from launcher.stack import ROOT, tool_env


def test_load__a_few_users_for_a_few_seconds__every_write_exactly_once_and_no_5xx():
    command = [sys.executable, "-m", "bench.load", "--json", "--db", "both", "--users", "8", "--seconds", "3"]
    done = subprocess.run(command, cwd=ROOT, env=tool_env(), capture_output=True, text=True, timeout=180)
    result = json.loads(done.stdout)
    for run in result["runs"]:
        assert run["writes"]["ok"] > 20, run  # the workload really wrote
        assert run["lost_writes"] == 0 and run["duplicated_writes"] == 0, run
        assert run["refused_writes_that_left_rows"] == 0 and run["orphan_files"] == 0, run
        assert run["attachments_missing_bytes"] == 0, run
        assert run["server_errors_5xx"] == 0 and run["database_locked"] == 0, run
    assert [run["db"] for run in result["runs"]] == ["sqlite", "postgresql"]
    assert done.returncode == 0, done.stderr[-2000:]
