"""The wallet's refusals and mistakes get clear words on the page, and nothing happens on chain."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.support.browser_flows import accept, post_listing, propose, sign_in
from tests.support.chain import wallet

pytestmark = pytest.mark.browser

UNIT = 10**6


def _proposed(wallet_page, client: str, *, amounts: str = "300, 500") -> tuple[object, str]:
    """A listing of `client` with the demo freelancer's signed proposal; the client's page and the listing's path."""
    page = wallet_page(client)
    sign_in(page, "/post")
    path = post_listing(page, amounts=amounts)
    propose(wallet_page(wallet("freelancer")), path)
    return page, path


def test_hire__user_rejects_the_permit__says_why_and_creates_nothing(wallet_page, marketplace, fresh_wallet):
    escrow = marketplace.contract("Escrow")
    jobs_before = escrow.functions.job_count().call()
    page, path = _proposed(wallet_page, fresh_wallet(jusd=1_000))
    accept(page, path, wallet("freelancer"), reject=1)

    expect(page.locator("#status")).to_have_text(
        "You rejected the permit: without it the escrow cannot take the 800 jUSD."
    )
    expect(page.locator("#status")).to_have_class(re.compile("error"))
    assert escrow.functions.job_count().call() == jobs_before
    assert page.url.endswith(path)


def test_hire__user_rejects_the_escrow_transaction__says_so(wallet_page, marketplace, fresh_wallet):
    client = fresh_wallet(jusd=1_000)
    escrow, token = marketplace.contract("Escrow"), marketplace.contract("TestToken")
    approve = token.functions.approve(escrow.address, 800 * UNIT).transact({"from": client})
    marketplace.chain.w3.eth.wait_for_transaction_receipt(approve)  # allowance already in place
    jobs_before = escrow.functions.job_count().call()
    page, path = _proposed(wallet_page, client)
    accept(page, path, wallet("freelancer"), reject=1)

    expect(page.locator("#status")).to_have_text("You rejected the request in your wallet.")
    assert escrow.functions.job_count().call() == jobs_before
    assert token.functions.allowance(client, escrow.address).call() == 800 * UNIT


def test_hire__too_little_balance__says_how_much_before_any_signature(wallet_page, marketplace, fresh_wallet):
    client = fresh_wallet(jusd=100)
    page, path = _proposed(wallet_page, client, amounts="300, 500.5")
    accept(page, path, wallet("freelancer"))

    expect(page.locator("#status")).to_have_text("you hold 100 jUSD; this funding needs 800.5 jUSD")
    token = marketplace.contract("TestToken")
    assert token.functions.allowance(client, marketplace.contract("Escrow").address).call() == 0


def _proposal_form(wallet_page, fresh_wallet):
    """A new client's published listing, open at its proposal form in a new freelancer's signed-in page."""
    client = wallet_page(fresh_wallet())
    sign_in(client, "/post")
    path = post_listing(client)
    freelancer = wallet_page(fresh_wallet())
    sign_in(freelancer, path)
    freelancer.get_by_label("Cover letter").fill("Hello")
    return freelancer


def test_propose__user_rejects_signing_the_terms__says_so_and_sends_nothing(wallet_page, fresh_wallet):
    freelancer = _proposal_form(wallet_page, fresh_wallet)
    freelancer.evaluate("window.ethereum.rejectNext = 1")
    freelancer.get_by_role("button", name="Send proposal").click()
    expect(freelancer.locator("#proposal-form .form-error")).to_have_text("You rejected the request in your wallet.")
    assert freelancer.evaluate("fetch('/api/me/proposals').then(r => r.json())") == []


def test_connect__wallet_on_another_chain__asks_to_switch(wallet_page, other_chain):
    page = wallet_page(wallet("client"), rpc_url=other_chain)
    page.goto("/escrow")
    expect(page.locator("#status")).to_have_text("Your wallet is on chain 1337; switch it to chain 31337.")
    expect(page.locator("#account")).to_have_text("")


def test_propose__bad_amount__says_which(wallet_page, fresh_wallet):
    freelancer = _proposal_form(wallet_page, fresh_wallet)
    freelancer.get_by_label(re.compile("^Amount")).first.fill("lots")
    freelancer.get_by_role("button", name="Send proposal").click()
    expect(freelancer.locator("#proposal-form")).to_contain_text('"lots" is not an amount')
