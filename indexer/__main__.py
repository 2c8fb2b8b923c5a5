"""Command line: `python -m indexer --help`."""

from __future__ import annotations

import logging
import sys
import time

import click
from rich.console import Console
from rich.logging import RichHandler
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from sqlalchemy.exc import OperationalError

from backend.app.core.config import get_settings
from backend.app.core.deployments import DeploymentError
from indexer.main import BatchResult, Indexer, IndexerError, verify_indexer
from indexer.rpc import RpcUnavailable

EXIT_ERROR = 1
EXIT_SETUP = 2


def _indexer() -> Indexer:
    try:
        indexer = Indexer(get_settings())
        indexer.check_chain()
    except (DeploymentError, IndexerError) as error:
        click.echo(f"indexer: {error}", err=True)
        sys.exit(EXIT_SETUP)
    return indexer


def _log_handler() -> logging.Handler:
    """Rich, wrapped lines on a terminal; one plain line per record in a log file or a pipe, so logs stay greppable."""
    console = Console(stderr=True)
    if console.is_terminal:
        handler: logging.Handler = RichHandler(show_path=False, console=console)
        handler.setFormatter(logging.Formatter("%(message)s"))
        return handler
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    return handler


@click.group()
@click.option("-v", "--verbose", is_flag=True, help="Log every batch.")
def cli(verbose: bool) -> None:
    """Project the deployment's contract events (Escrow, Reputation) into the SQL tables the API reads.

    Configuration comes from JIEDAN_* environment variables: JIEDAN_RPC_URL, JIEDAN_DATABASE_URL,
    JIEDAN_DEPLOYMENTS_FILE, JIEDAN_CONFIRMATIONS, JIEDAN_FINALITY_DEPTH, JIEDAN_BATCH_SIZE,
    JIEDAN_POLL_INTERVAL, JIEDAN_RPC_TIMEOUT, JIEDAN_RPC_RETRIES, JIEDAN_RPC_BACKOFF.

    Exit codes: 0 done, 1 error while indexing (or `verify` found differences), 2 bad setup.
    """
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, handlers=[_log_handler()])
    logging.getLogger("indexer").setLevel(logging.INFO if verbose else logging.WARNING)
    logging.getLogger("httpx").setLevel(logging.WARNING)


@cli.command()
@click.option("--once", is_flag=True, help="Stop when caught up with the head instead of following.")
def run(once: bool) -> None:
    """Index from the checkpoint, then follow new blocks (waits for the node if it goes away)."""
    indexer = _indexer()
    try:
        with indexer.writing(on_wait=lambda: click.echo("indexer: another indexer holds the lock; waiting", err=True)):
            written = indexer.catch_up()
            click.echo(f"caught up: {written} new events")
            if not once:
                indexer.follow()
    except (IndexerError, RpcUnavailable) as error:
        click.echo(f"indexer: {error}", err=True)
        sys.exit(EXIT_ERROR)
    except OperationalError as error:  # the database went away: exit, a supervisor restarts from the checkpoint
        click.echo(f"indexer: database error, nothing of the current batch was kept: {error.orig}", err=True)
        sys.exit(EXIT_ERROR)
    except KeyboardInterrupt:
        pass


@cli.command()
@click.argument("from_block", metavar="FROM", type=int)
@click.argument("to_block", metavar="TO", default="head")
def backfill(from_block: int, to_block: str) -> None:
    """Index blocks FROM..TO (TO: a number or `head`) with a progress bar, then stop.

    Indexing continues from the checkpoint, so FROM may not lie beyond it (that would leave a
    gap); blocks up to the checkpoint are already indexed and are not read again.
    """
    indexer = _indexer()
    try:
        status = indexer.status()
        start = indexer.start_block if status.checkpoint is None else status.checkpoint + 1
        if from_block > start:
            raise IndexerError(
                f"FROM {from_block} lies beyond the next unindexed block {start}: that would leave a gap"
            )
        end = status.head - indexer.settings.confirmations if to_block == "head" else int(to_block)
        if end < start:
            click.echo(f"blocks up to {end} are already indexed (checkpoint {status.checkpoint})")
            return
        began = time.monotonic()
        events = 0
        with Progress(
            TextColumn("[bold]backfill"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("blocks"),
            TextColumn("{task.fields[events]} events, {task.fields[rate]:,.0f} events/s"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=Console(stderr=True),
        ) as progress:
            task = progress.add_task("backfill", total=end - start + 1, events=0, rate=0.0)

            def advance(batch: BatchResult) -> None:
                nonlocal events
                events += batch.events
                rate = events / max(time.monotonic() - began, 1e-9)
                progress.update(task, completed=batch.to_block - start + 1, events=events, rate=rate)

            indexer.catch_up(until=end, progress=advance)
        elapsed = time.monotonic() - began
        click.echo(f"indexed blocks {start}-{end}: {events} events in {elapsed:.1f} s ({events / elapsed:,.0f}/s)")
    except (IndexerError, RpcUnavailable) as error:
        click.echo(f"indexer: {error}", err=True)
        sys.exit(EXIT_ERROR)


@cli.command()
def status() -> None:
    """Print the chain head, the checkpoint and the lag."""
    try:
        current = _indexer().status()
    except RpcUnavailable as error:
        click.echo(f"indexer: {error}", err=True)
        sys.exit(EXIT_ERROR)
    click.echo(f"chain {current.chain_id}: head {current.head}, checkpoint {current.checkpoint}, lag {current.lag}")


@cli.command()
def verify() -> None:
    """Rebuild every projection from the raw events into scratch tables and compare row by row.

    Exits 1 and lists the first differences when a live table differs from its rebuild.
    """
    try:
        indexer = Indexer(get_settings())
    except (DeploymentError, IndexerError) as error:
        click.echo(f"indexer: {error}", err=True)
        sys.exit(EXIT_SETUP)
    report = verify_indexer(indexer)
    tables = ", ".join(f"{name} {count} rows" for name, count in report.rows.items())
    if report.ok:
        click.echo(f"verify: ok — {report.events} raw events rebuild the live tables exactly ({tables})")
        return
    click.echo(f"verify: {report.difference_count} rows differ ({tables})", err=True)
    for difference in report.differences:
        click.echo(
            f"  {difference.table} {difference.key}: live {difference.live} rebuilt {difference.rebuilt}", err=True
        )
    sys.exit(EXIT_ERROR)


if __name__ == "__main__":
    cli()
