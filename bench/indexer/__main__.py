"""Benchmark the indexer: mine escrow events on Anvil, time a backfill from zero into SQLite and
PostgreSQL (events/s, peak RSS of the indexer process), then measure follow-mode lag.

    python -m bench.indexer               # 100,000 events, both databases, a table
    python -m bench.indexer --json        # the same figures as one JSON object
    python -m bench.indexer --events 20000 --databases sqlite

PostgreSQL: the server at JIEDAN_TEST_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432/test),
where a throwaway database is created and dropped.
"""

from __future__ import annotations

import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import click
import httpx
from eth_utils import keccak

from backend.app.core.deployments import load_deployment
from backend.app.core.migrate import upgrade
from launcher.stack import DEMO_WALLETS, ROOT, Stack, free_port, run_ape, tool_env
from tests.support.databases import postgres_database, sqlite_database
from tests.support.indexing import start_anvil
from tests.support.mining import (
    RawRpc,
    bench_terms,
    encode_create,
    escrow_call,
    events_per_job,
    mine_escrow_activity,
)

BUILD_MANIFEST = ROOT / ".build" / "__local__.json"


def _env(rpc_url: str, database_url: str, deployments: Path, **extra: str) -> dict[str, str]:
    return tool_env(
        {
            "JIEDAN_RPC_URL": rpc_url,
            "JIEDAN_DATABASE_URL": database_url,
            "JIEDAN_DEPLOYMENTS_FILE": str(deployments),
            "JIEDAN_BUILD_MANIFEST": str(BUILD_MANIFEST),
            **extra,
        }
    )


def _backfill(env: dict[str, str]) -> dict[str, Any]:
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.indexer.backfill"], cwd=ROOT, env=env, stdout=subprocess.PIPE
    )
    assert process.stdout is not None
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise click.ClickException(f"backfill failed (exit {process.returncode})")
    result: dict[str, Any] = json.loads(output)
    result["events_per_s"] = round(result["events"] / result["seconds"])
    result["seconds"] = round(result["seconds"], 2)
    result["peak_rss_mib"] = round(usage.ru_maxrss / 1024, 1)  # Linux: KiB
    return result


def _follow_lag(rpc_url: str, env: dict[str, str], deployments: Path, blocks: int, interval: float) -> dict[str, Any]:
    """Blocks mined every `interval` s, one new job each; lag = block seen on the node → checkpoint row."""
    from sqlalchemy import create_engine, text

    client = httpx.Client(timeout=10)

    def rpc(method: str, *params: Any) -> Any:
        reply = client.post(rpc_url, json={"jsonrpc": "2.0", "id": 1, "method": method, "params": params}).json()
        if "error" in reply:
            raise RuntimeError(reply["error"])
        return reply["result"]

    deployment = load_deployment(deployments)
    escrow, token = deployment.get("Escrow").address, deployment.get("TestToken").address
    client_wallet, freelancer = DEMO_WALLETS["client"][0], DEMO_WALLETS["freelancer"][0]
    now = int(rpc("eth_getBlockByNumber", "latest", False)["timestamp"], 16)
    terms = bench_terms(escrow_call(RawRpc(rpc_url), escrow, "platform_fee_bps()"), now + 300 * 86_400, 2)
    engine = create_engine(env["JIEDAN_DATABASE_URL"])
    follower = subprocess.Popen(
        [sys.executable, "-m", "indexer", "run"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    lags: list[float] = []
    try:
        time.sleep(3)  # the follower's start-up and catch-up
        rpc("anvil_setNextBlockBaseFeePerGas", hex(10**9))
        rpc("evm_setIntervalMining", 0)
        rpc("evm_setAutomine", False)
        head = int(rpc("eth_blockNumber"), 16)
        for index in range(blocks):
            data = encode_create(freelancer, token, terms, keccak(text=f"lag {index}"), 2)
            rpc(
                "eth_sendTransaction",
                {"from": client_wallet, "to": escrow, "data": "0x" + data.hex(), "gas": hex(700_000)},
            )
            time.sleep(interval)
            rpc("evm_mine")
            mined = time.perf_counter()
            head += 1
            while True:
                with engine.connect() as connection:
                    checkpoint = connection.execute(text("SELECT block_number FROM indexer_checkpoints")).scalar()
                if checkpoint is not None and checkpoint >= head:
                    lags.append(time.perf_counter() - mined)
                    break
                if time.perf_counter() - mined > 30:
                    raise click.ClickException("the follower did not index a new block within 30 s")
                time.sleep(0.005)
    finally:
        rpc("evm_setAutomine", True)
        follower.terminate()
        follower.wait()
        engine.dispose()
    lags.sort()
    p95 = lags[min(len(lags) - 1, math.ceil(0.95 * len(lags)) - 1)]
    return {
        "blocks": len(lags),
        "block_interval_s": interval,
        "lag_p50_s": round(statistics.median(lags), 3),
        "lag_p95_s": round(p95, 3),
        "lag_p95_blocks": round(p95 / interval, 2),
    }


@click.command()
@click.option("--events", default=100_000, show_default=True, help="Escrow events to mine (7 per job).")
@click.option("--databases", default="sqlite,postgres", show_default=True, help="Comma-separated: sqlite, postgres.")
@click.option("--lag-blocks", default=20, show_default=True, help="Blocks mined while measuring follow lag.")
@click.option("--block-interval", default=1.0, show_default=True, help="Seconds between blocks for the lag run.")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as one JSON object.")
def main(events: int, databases: str, lag_blocks: int, block_interval: float, as_json: bool) -> None:
    """Mine escrow events on Anvil, time backfills from zero and measure follow-mode lag."""
    say = (lambda *_: None) if as_json else (lambda message: click.echo(message, err=True))
    with ExitStack() as stack, tempfile.TemporaryDirectory(prefix="bench-indexer-") as folder_name:
        folder = Path(folder_name)
        chain = Stack(log_dir=folder / "logs")
        stack.callback(chain.stop)
        rpc_url = start_anvil(chain, free_port(), "anvil", ["--gas-limit", "3000000000", "--order", "fifo"])
        deployments = folder / "deployments.json"
        run_ape(["run", "deploy"], rpc_url=rpc_url, deployments_file=deployments, log=folder / "logs" / "deploy.log")
        jobs = math.ceil(events / events_per_job(2))
        began = time.perf_counter()
        mined = mine_escrow_activity(rpc_url, deployments, jobs, milestones=2, per_block=500, chunk=500)
        mining = time.perf_counter() - began
        say(f"mined {mined.events:,} escrow events in blocks {mined.first_block}-{mined.last_block} ({mining:.0f} s)")
        result: dict[str, Any] = {
            "events": mined.events,
            "blocks": mined.last_block,
            "mining_s": round(mining, 1),
            "backfill": {},
        }
        lag_env = None
        for kind in [name.strip() for name in databases.split(",") if name.strip()]:
            manager = sqlite_database(folder / kind) if kind == "sqlite" else postgres_database()
            (folder / kind).mkdir(exist_ok=True)
            database_url = stack.enter_context(manager)
            upgrade(database_url)
            env = _env(rpc_url, database_url, deployments)
            figures = _backfill(env)
            result["backfill"][kind] = figures
            say(
                f"backfill {kind:8} {figures['events']:,} events in {figures['seconds']} s: "
                f"{figures['events_per_s']:,} events/s, peak RSS {figures['peak_rss_mib']} MiB"
            )
            lag_env = lag_env or env
        if lag_env is not None and lag_blocks:
            result["follow"] = _follow_lag(rpc_url, lag_env, deployments, lag_blocks, block_interval)
            follow = result["follow"]
            say(
                f"follow   lag p50 {follow['lag_p50_s']} s, p95 {follow['lag_p95_s']} s "
                f"= {follow['lag_p95_blocks']} blocks at one block per {block_interval} s"
            )
    if as_json:
        click.echo(json.dumps(result))


if __name__ == "__main__":
    main()
