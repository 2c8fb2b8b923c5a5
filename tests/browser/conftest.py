"""A running marketplace (Anvil, deploy, indexer, API as real processes) and Chromium with wallets."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest

from backend.app.core.contracts import load_abi
from backend.app.core.deployments import load_deployment
from launcher.browser import CHROMIUM, CHROMIUM_ARGS, wallet_script
from launcher.stack import DEMO_WALLETS, ROOT, Stack, free_port, start_marketplace
from tests.support.browser_flows import sign_in
from tests.support.chain import LocalChain, wallet
from tests.support.databases import unavailable

__all__ = ["MODERATOR", "sign_in"]

ARTIFACTS = ROOT / "test-artifacts"
MODERATOR = DEMO_WALLETS["owner"][0]  # the marketplace's configured moderator in browser tests


@dataclass(frozen=True)
class Marketplace:
    url: str
    chain: LocalChain

    def contract(self, name: str):
        address = load_deployment(self.chain.deployments_file).get(name).address
        return self.chain.w3.eth.contract(address=address, abi=load_abi(ROOT / ".build" / "__local__.json", name))


@pytest.fixture(scope="module")
def marketplace(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Marketplace]:
    """The whole marketplace as real processes, started the way `make demo` starts it (no demo jobs)."""
    folder = tmp_path_factory.mktemp("marketplace")
    stack = Stack(log_dir=folder / "logs")
    moderators = os.environ.get("JIEDAN_MODERATORS")
    os.environ["JIEDAN_MODERATORS"] = json.dumps([MODERATOR])  # the API process inherits it
    try:
        running = start_marketplace(stack, folder, api_port=free_port())
        yield Marketplace(url=running.url, chain=LocalChain.connect(running.rpc_url, running.deployments_file))
    finally:
        if moderators is None:
            os.environ.pop("JIEDAN_MODERATORS", None)
        else:
            os.environ["JIEDAN_MODERATORS"] = moderators
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
        context.add_init_script(wallet_script(wallet_rpc, address))
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(20_000)
        return page

    yield open_as
    _screenshot_on_failure(request, contexts)
    for context in contexts:
        context.close()


def _screenshot_on_failure(request: pytest.FixtureRequest, contexts: list) -> None:
    failed = getattr(request.node, "report_call", None) is not None and request.node.report_call.failed
    if failed:
        ARTIFACTS.mkdir(exist_ok=True)
        for number, context in enumerate(contexts):
            for page_number, page in enumerate(context.pages):
                page.screenshot(path=ARTIFACTS / f"{request.node.name}-{number}-{page_number}.png", full_page=True)


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


UNIT = 10**6
DEMO_ADDRESSES = {address for address, _ in DEMO_WALLETS.values()}
_handed_out: set[str] = set()  # accounts given to a test in this run: each test gets its own


@pytest.fixture
def fresh_wallet(marketplace):
    """Factory: one of Anvil's unlocked accounts that no other test uses, holding `jusd` jUSD."""
    unused = (a for a in marketplace.chain.w3.eth.accounts if a not in DEMO_ADDRESSES and a not in _handed_out)

    def make(jusd: int = 0) -> str:
        address = next(unused)
        _handed_out.add(address)
        if jusd:
            token = marketplace.contract("TestToken")
            tx = token.functions.mint(address, jusd * UNIT).transact({"from": wallet("owner")})
            marketplace.chain.w3.eth.wait_for_transaction_receipt(tx)
        return address

    return make
