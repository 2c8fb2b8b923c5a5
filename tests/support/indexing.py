"""Helpers for the indexer tests: own Anvil chains, a second database of the same kind, table snapshots."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.app.core.config import Settings
from backend.app.core.db import make_engine
from backend.app.core.migrate import upgrade
from backend.app.models.chain import ChainEvent
from indexer.handlers import PROJECTION_TABLES
from launcher.stack import Stack, free_port, run_ape
from tests.support.chain import LocalChain
from tests.support.databases import postgres_database, sqlite_database


@contextmanager
def deployed_chain(folder: Path, stack: Stack, name: str = "anvil", anvil_args: list[str] | None = None):
    """An Anvil of our own (it may be reorged, stopped or restarted) with the contracts deployed."""
    port = free_port()
    rpc_url = stack.start_anvil(port, name=name) if not anvil_args else start_anvil(stack, port, name, anvil_args)
    deployments = folder / "deployments.json"
    run_ape(["run", "deploy"], rpc_url=rpc_url, deployments_file=deployments, log=folder / "logs" / "deploy.log")
    yield LocalChain.connect(rpc_url, deployments)


def start_anvil(stack: Stack, port: int, name: str, extra: list[str]) -> str:
    from launcher.stack import NODE_BIN, _rpc_ready, wait_until

    rpc_url = f"http://127.0.0.1:{port}"
    stack.start(name, [str(NODE_BIN / "anvil"), "--port", str(port), "--host", "127.0.0.1", *extra])
    wait_until(lambda: _rpc_ready(rpc_url), what=f"{name} at {rpc_url}", stack=stack)
    return rpc_url


@contextmanager
def another_database(database_url: str, folder: Path) -> Iterator[str]:
    """A second migrated, empty database of the same kind as `database_url`."""
    folder.mkdir(parents=True, exist_ok=True)
    manager = postgres_database() if database_url.startswith("postgresql") else sqlite_database(folder)
    with manager as url:
        upgrade(url)
        yield url


def snapshot(settings: Settings) -> dict[str, list[tuple[Any, ...]]]:
    """Every projection table and the raw events (without surrogate ids), in a stable order."""
    engine = make_engine(settings.database_url)
    try:
        with Session(engine) as session:
            tables = {
                table.name: [
                    tuple(row) for row in session.execute(select(table).order_by(*table.primary_key.columns)).all()
                ]
                for table in PROJECTION_TABLES
            }
            tables["chain_events"] = [
                tuple(row)
                for row in session.execute(
                    select(
                        ChainEvent.block_number,
                        ChainEvent.block_hash,
                        ChainEvent.log_index,
                        ChainEvent.tx_hash,
                        ChainEvent.event_name,
                        ChainEvent.args_json,
                    ).order_by(ChainEvent.block_number, ChainEvent.log_index)
                ).all()
            ]
    finally:
        engine.dispose()
    return tables


def rpc(chain: LocalChain, method: str, *params: Any) -> Any:
    reply = chain.w3.provider.make_request(method, list(params))  # type: ignore[arg-type]
    if "error" in reply:
        raise RuntimeError(f"{method}: {reply['error']}")
    return reply["result"]
