"""kill -9 of real indexer processes at random points during backfill and follow, and the node
stopped and restarted under a following indexer: after a restart `verify` passes and the tables
equal a clean run's. JIEDAN_SLOW=1 kills more often; JIEDAN_SEED fixes the random points."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from backend.app.core.config import Settings
from backend.app.core.db import make_engine
from backend.app.models.chain import IndexerCheckpoint
from indexer.main import Indexer, verify_indexer
from launcher.stack import ROOT, Stack, tool_env
from tests.conftest import BUILD_MANIFEST
from tests.support.chain import LocalChain
from tests.support.indexing import another_database, deployed_chain, snapshot
from tests.support.mining import mine_escrow_activity

SLOW = os.environ.get("JIEDAN_SLOW") == "1"
KILLS = 20 if SLOW else 6  # per phase (backfill, follow) and database: 24 in the default run
SEED = int(os.environ.get("JIEDAN_SEED", str(random.randrange(2**32))))


@pytest.fixture(scope="module")
def busy_chain(tmp_path_factory: pytest.TempPathFactory):
    """A chain of its own with a few thousand escrow events already mined."""
    folder = tmp_path_factory.mktemp("busy-chain")
    stack = Stack(log_dir=folder / "logs")
    try:
        with deployed_chain(folder, stack) as chain:
            mine_escrow_activity(chain.rpc_url, chain.deployments_file, 1_200, milestones=1, per_block=40)
            yield chain
    finally:
        stack.stop()


def _settings(chain: LocalChain, database_url: str) -> Settings:
    return Settings(
        database_url=database_url,
        rpc_url=chain.rpc_url,
        deployments_file=chain.deployments_file,
        build_manifest=BUILD_MANIFEST,
        poll_interval=0.05,
        batch_size=3,
    )


def _start(settings: Settings, log: Path, *args: str) -> subprocess.Popen[bytes]:
    env = tool_env(
        {
            "JIEDAN_DATABASE_URL": settings.database_url,
            "JIEDAN_RPC_URL": settings.rpc_url,
            "JIEDAN_DEPLOYMENTS_FILE": str(settings.deployments_file),
            "JIEDAN_BUILD_MANIFEST": str(settings.build_manifest),
            "JIEDAN_BATCH_SIZE": str(settings.batch_size),
            "JIEDAN_POLL_INTERVAL": "0.05",
            "JIEDAN_RPC_BACKOFF": "0.1",
        }
    )
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "indexer", *args], cwd=ROOT, env=env, stdout=out, stderr=out, start_new_session=True
        )


def _kill(process: subprocess.Popen[bytes]) -> bool:
    """SIGKILL the process group; True when the process was still running (a real kill)."""
    alive = process.poll() is None
    if alive:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    return alive


def _checkpoint(settings: Settings) -> int | None:
    engine = make_engine(settings.database_url)
    try:
        with Session(engine) as session:
            row = session.query(IndexerCheckpoint).first()
            return None if row is None else row.block_number
    finally:
        engine.dispose()


def _kill_while_writing(settings: Settings, process: subprocess.Popen[bytes], rng: random.Random) -> bool:
    """Wait until the process commits a batch, then SIGKILL it a random moment later."""
    before = _checkpoint(settings)
    deadline = time.monotonic() + 30
    while _checkpoint(settings) == before and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(rng.uniform(0, 0.25))
    return _kill(process)


def _assert_verified_and_clean(settings: Settings, tmp_path: Path) -> None:
    report = verify_indexer(Indexer(settings))
    assert report.ok, report.differences
    with another_database(settings.database_url, tmp_path / "clean") as clean_url:
        clean = settings.model_copy(update={"database_url": clean_url, "batch_size": 2_000})
        Indexer(clean).catch_up()
        assert snapshot(settings) == snapshot(clean)


def test_kill_9__during_backfill_and_follow__restart_verifies_and_equals_a_clean_run(
    busy_chain: LocalChain, database_url: str, tmp_path: Path
):
    rng = random.Random(SEED)
    print(f"JIEDAN_SEED={SEED}")
    settings = _settings(busy_chain, database_url)
    log = tmp_path / "indexer.log"
    head = busy_chain.w3.eth.block_number

    kills, progress = 0, []
    while kills < KILLS:  # backfill, killed at random points
        process = _start(settings, log, "backfill", "0", str(head))
        kills += _kill_while_writing(settings, process, rng)
        progress.append(_checkpoint(settings))
        if progress[-1] == head:  # finished before the kill: start over on a fresh database is not needed
            break
    assert process.returncode in (-signal.SIGKILL, 0)
    assert len({p for p in progress if p is not None}) >= min(kills, 3), f"no progress between kills: {progress}"

    stop = threading.Event()

    def activity() -> None:
        while not stop.is_set():
            mine_escrow_activity(busy_chain.rpc_url, busy_chain.deployments_file, 10, per_block=10)
            time.sleep(0.1)

    miner = threading.Thread(target=activity)
    miner.start()
    try:
        follow_kills = 0
        while follow_kills < KILLS:  # follow, killed at random points while blocks keep coming
            process = _start(settings, log, "run")
            follow_kills += _kill_while_writing(settings, process, rng)
    finally:
        stop.set()
        miner.join()
    print(f"{kills} kills during backfill, {follow_kills} during follow")

    finished = _start(settings, log, "run", "--once")
    assert finished.wait(timeout=120) == 0, log.read_text()[-3000:]
    assert _checkpoint(settings) == busy_chain.w3.eth.block_number
    _assert_verified_and_clean(settings, tmp_path)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_node_restart__under_a_following_indexer__it_waits_resumes_and_loses_nothing(database_url: str, tmp_path: Path):
    folder = tmp_path / "chain"
    folder.mkdir()
    state = folder / "anvil-state.json"
    stack = Stack(log_dir=folder / "logs")
    try:
        with deployed_chain(folder, stack, anvil_args=["--state", str(state)]) as chain:
            port = int(chain.rpc_url.rsplit(":", 1)[1])
            settings = _settings(chain, database_url)
            mine_escrow_activity(chain.rpc_url, chain.deployments_file, 30, per_block=10)
            log = tmp_path / "indexer.log"
            follower = _start(settings, log, "run")
            try:
                _wait(lambda: _checkpoint(settings) == chain.w3.eth.block_number, "the first catch-up")
                anvil = stack.children.pop("anvil")
                os.killpg(anvil.pid, signal.SIGTERM)  # Anvil writes its state on the way out
                anvil.wait(timeout=20)
                time.sleep(2)  # the indexer meets a dead node for a while
                assert follower.poll() is None, log.read_text()[-3000:]
                from tests.support.indexing import start_anvil

                start_anvil(stack, port, "anvil", ["--state", str(state)])
                mine_escrow_activity(chain.rpc_url, chain.deployments_file, 30, per_block=10)
                _wait(lambda: _checkpoint(settings) == chain.w3.eth.block_number, "the catch-up after the restart")
                assert follower.poll() is None
            finally:
                _kill(follower)
            assert "Connection refused" in log.read_text()  # it met the dead node, and waited
            _assert_verified_and_clean(settings, tmp_path)
    finally:
        stack.stop()


def _wait(condition, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def test_two_indexers__for_one_chain__the_second_waits_on_the_lock_then_takes_over(
    busy_chain: LocalChain, database_url: str, tmp_path: Path
):
    settings = _settings(busy_chain, database_url).model_copy(update={"batch_size": 50})
    first_log, second_log = tmp_path / "first.log", tmp_path / "second.log"
    first = _start(settings, first_log, "run")
    second = None
    try:
        _wait(lambda: _checkpoint(settings) == busy_chain.w3.eth.block_number, "the first indexer's catch-up")
        second = _start(settings, second_log, "run")
        _wait(lambda: "holds the lock; waiting" in second_log.read_text(), "the second indexer to wait")
        mine_escrow_activity(busy_chain.rpc_url, busy_chain.deployments_file, 20, per_block=10)
        _wait(lambda: _checkpoint(settings) == busy_chain.w3.eth.block_number, "the first indexer to follow")
        assert second.poll() is None and "caught up" not in second_log.read_text()

        assert _kill(first)  # the first machine dies: its lock goes with its connection
        mine_escrow_activity(busy_chain.rpc_url, busy_chain.deployments_file, 20, per_block=10)
        _wait(lambda: _checkpoint(settings) == busy_chain.w3.eth.block_number, "the second indexer to take over")
        assert "caught up" in second_log.read_text()
    finally:
        _kill(first)
        if second is not None:
            _kill(second)
    assert "Traceback" not in first_log.read_text() + second_log.read_text()
    _assert_verified_and_clean(settings, tmp_path)
