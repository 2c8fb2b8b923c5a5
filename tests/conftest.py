"""Fixtures for the suites that run under plain pytest (indexer, backend, browser).

The contract suite runs under `ape test` with its own fixtures in tests/contracts/.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from backend.app.core.config import Settings
from backend.app.core.migrate import upgrade
from launcher.stack import ROOT, Stack, free_port, run_ape
from tests.support.chain import LocalChain
from tests.support.databases import database_name, postgres_database, sqlite_database

BUILD_MANIFEST = ROOT / ".build" / "__local__.json"


@pytest.fixture(scope="session")
def local_chain(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalChain]:
    """Anvil on a free port with Escrow and TestToken deployed by `ape run deploy`."""
    folder = tmp_path_factory.mktemp("chain")
    stack = Stack(log_dir=folder / "logs")
    try:
        rpc_url = stack.start_anvil(free_port())
        deployments = folder / "deployments.json"
        run_ape(
            ["run", "deploy"],
            rpc_url=rpc_url,
            deployments_file=deployments,
            log=folder / "logs" / "deploy.log",
        )
        yield LocalChain.connect(rpc_url, deployments)
    finally:
        stack.stop()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated, empty SQLite file, copied for every test that asks for a database."""
    folder = tmp_path_factory.mktemp("sqlite-template")
    with sqlite_database(folder) as url:
        upgrade(url)
    return folder / "jiedan.db"


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str]:
    """The name of a migrated, empty PostgreSQL database that every test's database is created from."""
    with postgres_database("jiedan_template") as url:
        upgrade(url)  # disposes its engine: no connection is left to block the copies
        yield database_name(url)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty database of its own: a SQLite file, then the same tests on PostgreSQL (each a copy of
    the session's migrated template)."""
    if request.param == "sqlite":
        manager = sqlite_database(tmp_path, template=request.getfixturevalue("sqlite_template"))
    else:
        manager = postgres_database(template=request.getfixturevalue("postgres_template"))
    with manager as url:
        yield url


@pytest.fixture
def settings(local_chain: LocalChain, database_url: str) -> Settings:
    return Settings(
        database_url=database_url,
        rpc_url=local_chain.rpc_url,
        deployments_file=local_chain.deployments_file,
        build_manifest=BUILD_MANIFEST,
        poll_interval=0.1,
    )
