"""Command line: `python -m launcher up` runs the whole marketplace locally."""

from __future__ import annotations

import shutil
import signal
import sys
import time
from pathlib import Path

import click
from rich.console import Console

from launcher.stack import DEMO_WALLETS, ROOT, Stack, StackError, start_marketplace

console = Console()


@click.group()
def cli() -> None:
    """Run the Jiedan marketplace on this machine."""


@cli.command()
@click.option("--port", default=8000, show_default=True, help="Port of the API and web UI.")
@click.option("--chain-port", default=0, help="Port of the local Anvil chain (default: a free one).")
@click.option(
    "--run-dir",
    default=ROOT / "var" / "run",
    type=click.Path(path_type=Path),
    show_default=True,
    help="Where this run keeps its SQLite database, deployments file and logs (wiped at start).",
)
@click.option(
    "--demo-jobs",
    default=60,
    show_default=True,
    type=click.IntRange(0, 60),
    help="Listings to seed through the API (people, proposals, messages); most are hired and played on the chain.",
)
def up(port: int, chain_port: int, run_dir: Path, demo_jobs: int) -> None:
    """Start Anvil, deploy, the indexer and the API, seed the demo, check the indexer with `verify`.

    Ctrl-C stops every child process.
    """
    if run_dir.exists():
        shutil.rmtree(run_dir)
    stack = Stack(log_dir=run_dir / "logs")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    started = time.monotonic()
    try:
        running = start_marketplace(
            stack,
            run_dir,
            api_port=port,
            chain_port=chain_port,
            demo_jobs=demo_jobs,
            working=console.status,
            done=lambda message: console.print(f"[green]✓[/] {message}"),
        )
        _print_summary(running.url, running.rpc_url, time.monotonic() - started)
        while True:
            stack.check_alive()
            time.sleep(0.5)
    except StackError as error:
        console.print(f"[red]✗ {error}[/]")
        sys.exit(1)
    except KeyboardInterrupt:
        console.print("stopping…")
    finally:
        stack.stop()
        console.print("every child process stopped")


def _print_summary(url: str, rpc_url: str, seconds: float) -> None:
    click.echo("\nDemo wallets (Anvil's public test keys: never use them on a real network):")
    for role, (address, key) in DEMO_WALLETS.items():
        click.echo(f"  {role:<11} {address}  private key {key}")
    click.echo(
        "  The other seeded people are accounts 4-32 of Anvil's mnemonic "
        "'test test test test test test test test test test test junk'."
    )
    click.echo(
        f"\nJiedan is up in {seconds:.1f} s\n"
        f"  web UI and API  {url}   (API docs: {url}/docs, health: {url}/health)\n"
        f"  chain RPC       {rpc_url}   chain id 31337\n"
        "  To use a browser wallet, add a network with that RPC URL and chain id 31337, then import\n"
        "  a private key above. Press Ctrl-C to stop everything."
    )


if __name__ == "__main__":
    cli()
