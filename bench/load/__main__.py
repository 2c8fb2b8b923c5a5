"""Load the API with many signed-in wallets, then check every write landed exactly once.

\b
    python -m bench.load                      # SQLite (50 users) then PostgreSQL (200 users), 30 s each
    python -m bench.load --json               # the same figures as one JSON object
    python -m bench.load --db postgresql --users 200 --seconds 30 --processes 2

Each run starts its own system: a fresh, migrated database (a SQLite file in a temporary folder, or a new
PostgreSQL database on JIEDAN_TEST_POSTGRES_URL's server, dropped afterwards) and the API in `--processes`
uvicorn workers on a loopback port, with request rate limits switched off. Users are wallets made with
eth-account that sign in with EIP-4361, then, concurrently until the time is up, post and publish jobs, send
proposals (some refused on purpose), open threads, send messages and attachments, read threads and search.
Afterwards the database is checked: every write answered 2xx is there exactly once, every refused one left
nothing, every attachment's bytes are on disk and no file is orphaned. Printed: requests/s, latency
p50/p95/p99, errors by type, 5xx, "database is locked" errors, lost and duplicated writes. The exit status is
1 when a target is missed (a lost, duplicated or half-done write; a 5xx; a locked database).

Bounded: at most 1,000 users and 600 s; the generator only ever talks to the API it started on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

from bench.load import report, server
from bench.load.verify import verify
from bench.load.workload import Tally, run_users

DEFAULT_USERS = {"sqlite": 50, "postgresql": 200}
MAX_USERS = 1_000
MAX_SECONDS = 600


def run_one(*, db: str, users: int, seconds: float, processes: int, seed: int, console: Console) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="jiedan-load-") as folder_name:
        folder = Path(folder_name)
        with server.fresh_database(db, folder) as database_url:
            with server.running_api(database_url=database_url, folder=folder, processes=processes) as api:
                with Progress(
                    TextColumn(f"[bold]{db}[/] {users} users"),
                    BarColumn(),
                    TextColumn("{task.fields[status]}"),
                    TimeRemainingColumn(),
                    console=console,
                    transient=True,
                ) as progress:
                    task = progress.add_task("load", total=seconds, status="signing in")

                    def tick(tally: Tally, elapsed: float) -> None:
                        bad = sum(n for kind, n in tally.outcomes.items() if not kind.startswith("2"))
                        rate = tally.requests / elapsed if elapsed else 0.0
                        status = f"{tally.requests} requests  {rate:.0f}/s  non-2xx {bad}"
                        progress.update(task, completed=min(elapsed, seconds), status=status)

                    tally, elapsed = asyncio.run(
                        run_users(api.base_url, users=users, seconds=seconds, seed=seed, on_tick=tick)
                    )
                log = api.log_text()
            verdict = verify(database_url, tally.writes, api.files_dir)
    locked = log.count("database is locked") + sum(body.count("database is locked") for body in tally.bodies_5xx)
    result = report.figures(
        db=db, users=users, processes=processes, seconds=elapsed, tally=tally, verdict=verdict, locked=locked
    )
    result["unavailable_causes"] = unavailable_causes(log)
    return result


def unavailable_causes(log: str) -> dict[str, int]:
    """Why the API answered 503 (its log line per refusal), e.g. a pool timeout or a dropped connection."""
    causes: Counter[str] = Counter()
    for line in log.splitlines():
        if "database unavailable on " in line:
            causes[line.split(": ", 1)[-1][:80]] += 1
    return dict(causes.most_common(5))


@click.command(help=__doc__)
@click.option("--json", "as_json", is_flag=True, help="Print the figures as one JSON object.")
@click.option("--db", type=click.Choice(["sqlite", "postgresql", "both"]), default="both", show_default=True)
@click.option(
    "--users", type=click.IntRange(1, MAX_USERS), help="Concurrent users [default: 50 SQLite, 200 PostgreSQL]"
)
@click.option("--seconds", type=click.FloatRange(1, MAX_SECONDS), default=30, show_default=True)
@click.option("--processes", type=click.IntRange(1, 8), default=2, show_default=True, help="API worker processes.")
@click.option("--seed", type=int, default=7, show_default=True, help="Seed of the users' choices.")
def main(as_json: bool, db: str, users: int | None, seconds: float, processes: int, seed: int) -> None:
    console = Console(stderr=True)
    results = []
    for kind in ("sqlite", "postgresql") if db == "both" else (db,):
        result = run_one(
            db=kind,
            users=users or DEFAULT_USERS[kind],
            seconds=seconds,
            processes=processes,
            seed=seed,
            console=console,
        )
        results.append(result)
        if not as_json:
            click.echo(report.table(result))
    if as_json:
        click.echo(json.dumps({"runs": results, "targets_met": all(r["targets_met"] for r in results)}, indent=2))
    sys.exit(0 if all(r["targets_met"] for r in results) else 1)


if __name__ == "__main__":
    main()
