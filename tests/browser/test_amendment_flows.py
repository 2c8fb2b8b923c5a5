"""Amendments in Chromium, each party in their own wallet: one proposes by signing (延期 a later deadline, a
milestone more, 扣款验收 a deduction), the other agrees by sending it; the job page shows what the indexer saw."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

from tests.support.browser_flows import hire, milestone_state
from tests.support.chain import wallet

pytestmark = pytest.mark.browser

HASH = "0x" + "ab" * 32
DAY = 86_400


def _utc(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%d %H:%M UTC")


def test_extend_deadline__the_freelancer_asks__the_client_agrees(wallet_page, marketplace):
    client, freelancer = wallet_page(wallet("client")), wallet_page(wallet("freelancer"))
    job_id = hire(client, freelancer, amounts="100, 200", days="7, 14")
    freelancer.goto(f"/jobs/{job_id}")
    row = freelancer.locator('tr[data-milestone="1"]')
    row.get_by_label("More days").fill("10")
    row.get_by_role("button", name="Propose a later deadline (延期)").click()
    expect(freelancer.locator("#status")).to_contain_text("proposed and signed")
    expect(freelancer.locator("#amendment-list")).to_contain_text("The freelancer proposes milestone 2 due")

    client.goto(f"/jobs/{job_id}")
    client.locator(".amendment").get_by_role("button", name="Agree and send").click()
    expect(client.locator("#status")).to_have_text("Milestone 2's deadline is extended.")
    start = marketplace.contract("Escrow").functions.get_job(job_id).call()[4]
    expect(client.locator('tr[data-milestone="1"] td[data-label="Deadline"]')).to_have_text(_utc(start + 24 * DAY))
    expect(client.locator("#amendments")).to_be_hidden()


def test_add_milestone__the_freelancer_signs__the_client_adds_and_funds(wallet_page, marketplace):
    client, freelancer = wallet_page(wallet("client")), wallet_page(wallet("freelancer"))
    job_id = hire(client, freelancer, amounts="100", days="7")
    freelancer.goto(f"/jobs/{job_id}")
    freelancer.get_by_label("New milestone (jUSD)").fill("50.5")
    freelancer.get_by_label("Due in (days from now)").fill("20")
    freelancer.get_by_role("button", name="Propose a milestone").click()
    expect(freelancer.locator("#amendment-list")).to_contain_text("1 more milestone(s), 50.5 jUSD")

    client.goto(f"/jobs/{job_id}")
    client.locator(".amendment").get_by_role("button", name="Agree and send").click()
    expect(client.locator("#status")).to_have_text("The milestones are added to the job.")
    expect(milestone_state(client, 1)).to_have_text("funded")
    expect(client.locator("#funded")).to_contain_text("150.5 jUSD")


def test_accept_with_deduction__the_client_proposes_a_share__the_freelancer_agrees(wallet_page, marketplace):
    token = marketplace.contract("TestToken")
    client, freelancer = wallet_page(wallet("client")), wallet_page(wallet("freelancer"))
    job_id = hire(client, freelancer, amounts="200", days="7")
    freelancer.goto(f"/jobs/{job_id}?deliverable={HASH}&milestone=0")
    freelancer.locator('tr[data-milestone="0"]').get_by_role("button", name="Submit this milestone").click()
    expect(milestone_state(freelancer, 0)).to_have_text("submitted")

    client.goto(f"/jobs/{job_id}")
    row = client.locator('tr[data-milestone="0"]')
    row.get_by_label("Freelancer gets (%)").fill("75")
    row.get_by_role("button", name="Propose a deduction (扣款验收)").click()
    expect(client.locator("#amendment-list")).to_contain_text("accepted with 75% to the freelancer")

    before = token.functions.balanceOf(wallet("freelancer")).call()
    freelancer.reload()
    freelancer.locator(".amendment").get_by_role("button", name="Agree and send").click()
    expect(freelancer.locator("#status")).to_have_text("Milestone 1 is accepted with the deduction both signed.")
    expect(milestone_state(freelancer, 0)).to_have_text("deducted")
    fee_bps = marketplace.contract("Escrow").functions.platform_fee_bps().call()
    gross = 150 * 10**6
    assert token.functions.balanceOf(wallet("freelancer")).call() == before + gross - -(-gross * fee_bps // 10_000)
