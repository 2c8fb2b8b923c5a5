"""Command line: `python -m launcher up` runs the whole marketplace locally."""

from __future__ import annotations

import shutil
import signal
import sys
import time
from pathlib import Path

import click
from rich.console import Console

from backend.app.core.migrate import upgrade
from launcher.stack import DEMO_WALLETS, ROOT, Stack, StackError, app_env, free_port, run_ape

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
    default=6,
    show_default=True,
    type=click.IntRange(0, 6),
    help="Jobs played through the escrow on the chain to seed the demo.",
)
def up(port: int, chain_port: int, run_dir: Path, demo_jobs: int) -> None:
    """Start Anvil, deploy, seed the demo on chain, then the indexer and the API.

    Ctrl-C stops every child process.
    """
    if run_dir.exists():
        shutil.rmtree(run_dir)
    logs = run_dir / "logs"
    deployments = run_dir / "deployments.json"
    database_url = f"sqlite:///{run_dir / 'jiedan.db'}"
    stack = Stack(log_dir=logs)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    started = time.monotonic()
    try:
        with console.status("starting Anvil…"):
            rpc_url = stack.start_anvil(chain_port or free_port())
        console.print(f"[green]✓[/] chain      {rpc_url} (chain id 31337)")
        with console.status("compiling and deploying the contracts…"):
            run_ape(["run", "deploy"], rpc_url=rpc_url, deployments_file=deployments, log=logs / "deploy.log")
        console.print(f"[green]✓[/] contracts  deployed, addresses in {deployments}")
        if demo_jobs:
            with console.status(f"playing {demo_jobs} demo jobs on the chain…"):
                run_ape(
                    ["run", "demo", "--jobs", str(demo_jobs)],
                    rpc_url=rpc_url,
                    deployments_file=deployments,
                    log=logs / "demo.log",
                )
            console.print(f"[green]✓[/] demo       {demo_jobs} jobs created and funded on chain")
        upgrade(database_url)
        console.print(f"[green]✓[/] database   {database_url} migrated")
        env = app_env(rpc_url=rpc_url, database_url=database_url, deployments_file=deployments)
        stack.start_indexer(env)
        with console.status("starting the API…"):
            url = stack.start_api(env, port)
        console.print(f"[green]✓[/] indexer and API running; logs in {logs}")
        _print_summary(url, rpc_url, time.monotonic() - started)
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
        f"\nJiedan is up in {seconds:.1f} s\n"
        f"  web UI and API  {url}   (API docs: {url}/docs, health: {url}/health)\n"
        f"  chain RPC       {rpc_url}   chain id 31337\n"
        "  To use a browser wallet, add a network with that RPC URL and chain id 31337, then import\n"
        "  a private key above. Press Ctrl-C to stop everything."
    )


if __name__ == "__main__":
    cli()
