"""Fixtures of the indexer suite: a chain of its own that tests may reorg, stop and restart."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from backend.app.core.config import Settings
from launcher.stack import Stack
from tests.conftest import BUILD_MANIFEST
from tests.support.chain import LocalChain
from tests.support.indexing import deployed_chain


@pytest.fixture(scope="module")
def own_chain(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalChain]:
    """Anvil for this module only, with the contracts deployed: its tests may reorg it."""
    folder = tmp_path_factory.mktemp("own-chain")
    stack = Stack(log_dir=folder / "logs")
    try:
        with deployed_chain(folder, stack) as chain:
            yield chain
    finally:
        stack.stop()


@pytest.fixture
def own_settings(own_chain: LocalChain, database_url: str) -> Settings:
    return Settings(
        database_url=database_url,
        rpc_url=own_chain.rpc_url,
        deployments_file=own_chain.deployments_file,
        build_manifest=BUILD_MANIFEST,
        poll_interval=0.05,
        rpc_retries=2,
        rpc_backoff=0.05,
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Long randomized runs (`@pytest.mark.slow`) run only with JIEDAN_SLOW=1."""
    import os

    if os.environ.get("JIEDAN_SLOW") == "1":
        return
    skip = pytest.mark.skip(reason="long randomized run: set JIEDAN_SLOW=1")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)
