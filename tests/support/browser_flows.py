"""Steps the browser tests share: hiring through /hire, waiting for the indexed job, moving chain time."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.support.activity import travel
from tests.support.chain import wallet

__all__ = ["fill_hire_form", "hire", "milestone_state", "travel"]


def fill_hire_form(
    page: Page,
    *,
    amounts: str = "300, 500",
    days: str = "7, 14",
    fund_count: str = "",
    review_hours: str = "72",
    freelancer: str | None = None,
) -> None:
    page.goto("/hire")
    page.get_by_label("Job title").fill("Translate a manual")
    page.get_by_label("Freelancer's address").fill(freelancer or wallet("freelancer"))
    page.get_by_label(re.compile("Milestone amounts")).fill(amounts)
    page.get_by_label(re.compile("deadline, in days")).fill(days)
    page.get_by_label("Milestones to fund now").fill(fund_count)
    page.get_by_label(re.compile("Arbiter's address")).fill(wallet("arbiter"))
    page.get_by_label("Review period (hours)").fill(review_hours)


def hire(page: Page, **form: str) -> int:
    """Create and fund a job from the client's page; returns its id once the indexer shows it."""
    fill_hire_form(page, **form)
    page.get_by_role("button", name="Create and fund").click()
    page.wait_for_url(re.compile(r"/jobs/\d+$"))
    expect(page.locator("table.milestones")).to_be_visible()  # rendered once the indexer saw the job
    return int(page.url.rsplit("/", 1)[1])


def milestone_state(page: Page, index: int):
    return page.locator(f'tr[data-milestone="{index}"] .state')
