"""End to end in Chromium: the client hires and funds from the wallet, releases a milestone,
and every page shows the state that came back through the indexer."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.support.chain import wallet

pytestmark = pytest.mark.browser

UNIT = 10**6


def test_hire_fund_and_release__through_wallet_and_indexer(wallet_page, marketplace):
    token = marketplace.contract("TestToken")
    freelancer_before = token.functions.balanceOf(wallet("freelancer")).call()

    client = wallet_page(wallet("client"))
    client.goto("/hire")
    expect(client.locator("#account")).to_have_text(wallet("client"))
    client.get_by_label("Job title").fill("Landing page for a tea shop")
    client.get_by_label("Freelancer's address").fill(wallet("freelancer"))
    client.get_by_label(re.compile("Milestone amounts")).fill("300, 500.25")
    client.get_by_role("button", name="Create and fund").click()

    client.wait_for_url(re.compile(r"/jobs/\d+$"))
    job_id = int(client.url.rsplit("/", 1)[1])
    rows = client.locator("table.milestones tbody tr")
    expect(rows).to_have_count(2)  # rendered once the indexer saw the job
    expect(client.locator("#funded")).to_have_text("800.25 jUSD")
    expect(rows.nth(0).locator(".state")).to_have_text("funded")

    rows.nth(0).get_by_role("button", name="Release payment").click()
    expect(client.locator("#status")).to_have_text("Milestone 1 released: the freelancer is paid.")
    expect(rows.nth(0).locator(".state")).to_have_text("released")
    expect(rows.nth(0).get_by_role("button", name="Release payment")).to_be_hidden()
    expect(rows.nth(1).get_by_role("button", name="Release payment")).to_be_visible()

    assert token.functions.balanceOf(wallet("freelancer")).call() == freelancer_before + 300 * UNIT

    freelancer = wallet_page(wallet("freelancer"))
    freelancer.goto(f"/jobs/{job_id}")
    expect(freelancer.locator("table.milestones .state").nth(0)).to_have_text("released")
    expect(freelancer.locator("#account")).to_have_text(wallet("freelancer"))
    expect(freelancer.locator("button.release")).to_have_count(2)
    for button in freelancer.locator("button.release").all():
        expect(button).to_be_hidden()  # only the client may release

    freelancer.goto("/escrow")
    expect(freelancer.get_by_role("link", name=f"#{job_id}")).to_be_visible()
