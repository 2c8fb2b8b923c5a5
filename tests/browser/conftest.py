"""A running marketplace (Anvil, deploy, indexer, API as real processes) and Chromium with wallets."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from backend.app.core.contracts import load_abi, load_deployment
from backend.app.core.migrate import upgrade
from launcher.stack import ROOT, Stack, app_env, free_port, run_ape
from tests.support.chain import LocalChain
from tests.support.databases import unavailable

CHROMIUM = Path(os.environ.get("JIEDAN_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
WALLET_JS = (Path(__file__).parents[1] / "support" / "wallet.js").read_text()
ARTIFACTS = ROOT / "test-artifacts"


@dataclass(frozen=True)
class Marketplace:
    url: str
    chain: LocalChain

    def contract(self, name: str):
        address = load_deployment(self.chain.deployments_file).get(name).address
        return self.chain.w3.eth.contract(address=address, abi=load_abi(ROOT / ".build" / "__local__.json", name))


@pytest.fixture(scope="module")
def marketplace(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Marketplace]:
    folder = tmp_path_factory.mktemp("marketplace")
    stack = Stack(log_dir=folder / "logs")
    try:
        rpc_url = stack.start_anvil(free_port())
        deployments = folder / "deployments.json"
        run_ape(["run", "deploy"], rpc_url=rpc_url, deployments_file=deployments, log=folder / "logs" / "deploy.log")
        database_url = f"sqlite:///{folder / 'jiedan.db'}"
        upgrade(database_url)
        env = app_env(rpc_url=rpc_url, database_url=database_url, deployments_file=deployments)
        stack.start_indexer(env)
        url = stack.start_api(env, free_port())
        yield Marketplace(url=url, chain=LocalChain.connect(rpc_url, deployments))
    finally:
        stack.stop()


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        unavailable(f"Chromium at {CHROMIUM} (tools/bootstrap.sh --browser installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def wallet_page(request: pytest.FixtureRequest, browser, marketplace: Marketplace) -> Iterator[Callable]:
    """Factory: a page in its own browser context whose window.ethereum is `address`'s wallet."""
    contexts = []

    def open_as(address: str, rpc_url: str | None = None):
        context = browser.new_context(base_url=marketplace.url, viewport={"width": 1100, "height": 900})
        wallet_rpc = rpc_url or marketplace.chain.rpc_url
        context.add_init_script(WALLET_JS.replace("__RPC_URL__", wallet_rpc).replace("__ACCOUNT__", address))
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(20_000)
        return page

    yield open_as
    failed = getattr(request.node, "report_call", None) is not None and request.node.report_call.failed
    if failed:
        ARTIFACTS.mkdir(exist_ok=True)
        for number, context in enumerate(contexts):
            for page_number, page in enumerate(context.pages):
                page.screenshot(path=ARTIFACTS / f"{request.node.name}-{number}-{page_number}.png", full_page=True)
    for context in contexts:
        context.close()


@pytest.fixture(scope="session", autouse=True)
def _clean_artifacts():
    shutil.rmtree(ARTIFACTS, ignore_errors=True)


@pytest.fixture(scope="module")
def other_chain(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A second, real Anvil with another chain id: where a misconfigured wallet points."""
    stack = Stack(log_dir=tmp_path_factory.mktemp("other-chain"))
    try:
        yield stack.start_anvil(free_port(), extra_args=("--chain-id", "1337"))
    finally:
        stack.stop()
