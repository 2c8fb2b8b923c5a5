"""`python -m indexer` as an operator runs it: backfill, status, verify (which catches a tampered row)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from sqlalchemy import update

from backend.app.core.config import Settings
from backend.app.core.deployments import record_chain
from backend.app.models.chain import ChainJob, ChainMilestone
from backend.app.services.chain import connect_chain
from indexer.main import Indexer, verify_indexer
from launcher.stack import ROOT, tool_env
from tests.support.activity import UNIT, create_job, pay


def _cli(settings: Settings, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    env = tool_env(
        {
            "JIEDAN_DATABASE_URL": settings.database_url,
            "JIEDAN_RPC_URL": settings.rpc_url,
            "JIEDAN_DEPLOYMENTS_FILE": str(settings.deployments_file),
            "JIEDAN_BUILD_MANIFEST": str(settings.build_manifest),
            "JIEDAN_RPC_RETRIES": "1",
            "JIEDAN_RPC_BACKOFF": "0.05",
        }
    )
    return subprocess.run(
        [sys.executable, "-m", "indexer", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )


def test_cli__backfill_status_verify__and_verify_catches_a_tampered_row(settings: Settings, local_chain):
    gateway = connect_chain(settings)
    job_id = create_job(gateway, local_chain.w3, [UNIT, 3 * UNIT])
    pay(gateway, local_chain.w3, job_id, 1)
    head = local_chain.w3.eth.block_number

    backfill = _cli(settings, "backfill", "0", str(head))
    assert backfill.returncode == 0, backfill.stderr
    assert f"-{head}:" in backfill.stdout and "events" in backfill.stdout
    status = _cli(settings, "status")
    assert status.returncode == 0
    assert f"checkpoint {head}" in status.stdout
    verified = _cli(settings, "verify")
    assert verified.returncode == 0, verified.stderr
    assert "verify: ok" in verified.stdout

    indexer = Indexer(settings)
    with indexer.sessions.begin() as session:
        session.execute(update(ChainJob).where(ChainJob.job_id == job_id).values(paid_to_freelancer=1))
        session.execute(update(ChainMilestone).where(ChainMilestone.job_id == job_id).values(state="disputed"))
    report = verify_indexer(indexer)
    assert not report.ok
    assert {difference.table for difference in report.differences} == {"chain_jobs", "chain_milestones"}
    tampered = _cli(settings, "verify")
    assert tampered.returncode == 1
    assert "rows differ" in tampered.stderr and "chain_jobs" in tampered.stderr


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_cli__backfill_beyond_the_checkpoint__refuses_a_gap(settings: Settings, local_chain):
    result = _cli(settings, "backfill", "10000000", "head")
    assert result.returncode == 1
    assert "gap" in result.stderr


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_cli__rpc_unreachable__exits_2_with_a_clear_message(settings: Settings):
    result = _cli(settings.model_copy(update={"rpc_url": "http://127.0.0.1:9"}), "run", "--once")
    assert result.returncode == 2
    assert "unreachable" in result.stderr


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_cli__unknown_contract_address__says_the_deployments_file_is_stale(settings: Settings, local_chain, tmp_path):
    import json

    (entry,) = json.loads(settings.deployments_file.read_text())["chains"].values()
    entry["contracts"]["Escrow"]["address"] = "0x" + "12" * 20
    stale = tmp_path / "stale.json"
    record_chain(stale, entry)
    result = _cli(settings.model_copy(update={"deployments_file": stale}), "run", "--once")
    assert result.returncode == 2
    assert "no contract at" in result.stderr and "stale" in result.stderr


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_cli__database_not_migrated__says_so(settings: Settings, tmp_path):
    result = _cli(settings.model_copy(update={"database_url": f"sqlite:///{tmp_path / 'empty.db'}"}), "status")
    assert result.returncode == 2
    assert "not migrated" in result.stderr


def test_cli__help__names_every_command():
    result = subprocess.run([sys.executable, "-m", "indexer", "--help"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0
    for command in ("run", "backfill", "status", "verify"):
        assert command in result.stdout
