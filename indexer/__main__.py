"""Command line: `python -m indexer --help`."""

from __future__ import annotations

import logging
import sys

import click
from rich.logging import RichHandler

from backend.app.core.config import get_settings
from backend.app.core.contracts import DeploymentError
from indexer.main import Indexer, IndexerError


def _indexer() -> Indexer:
    try:
        indexer = Indexer(get_settings())
        indexer.check_chain()
    except (DeploymentError, IndexerError) as error:
        click.echo(f"indexer: {error}", err=True)
        sys.exit(2)
    return indexer


@click.group()
@click.option("-v", "--verbose", is_flag=True, help="Log every batch.")
def cli(verbose: bool) -> None:
    """Project the escrow's events into the SQL tables the API reads.

    Configuration comes from JIEDAN_* environment variables: JIEDAN_RPC_URL,
    JIEDAN_DATABASE_URL, JIEDAN_DEPLOYMENTS_FILE, JIEDAN_CONFIRMATIONS, JIEDAN_BATCH_SIZE.
    """
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(message)s",
        handlers=[RichHandler(show_path=False)],
    )
    logging.getLogger("indexer").setLevel(logging.INFO)


@cli.command()
@click.option("--once", is_flag=True, help="Stop when caught up with the head instead of following.")
def run(once: bool) -> None:
    """Index from the checkpoint, then follow new blocks."""
    indexer = _indexer()
    try:
        written = indexer.catch_up()
        click.echo(f"caught up: {written} new events")
        if not once:
            indexer.follow()
    except IndexerError as error:
        click.echo(f"indexer: {error}", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        pass


@cli.command()
def status() -> None:
    """Print the chain head, the checkpoint and the lag."""
    current = _indexer().status()
    click.echo(f"chain {current.chain_id}: head {current.head}, checkpoint {current.checkpoint}, lag {current.lag}")


if __name__ == "__main__":
    cli()
