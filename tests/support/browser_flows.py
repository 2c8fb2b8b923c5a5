"""Steps the browser tests share: signing in, hiring the way escrow v2 hires (a listing, the freelancer's proposal
signed in its wallet, the client's accept that creates and funds the job), moving chain time.

The client's listing is posted through the API from its signed-in page (the post form has tests of its own);
the freelancer's proposal goes through the post page's form, whose wallet signs the escrow terms
(eth_signTypedData_v4); the client's Accept and fund sends the allowance and create-and-fund from its wallet.
"""

from __future__ import annotations

import re
from decimal import Decimal

from playwright.sync_api import Page, expect

from tests.support.activity import travel

__all__ = [
    "accept",
    "hire",
    "milestone_state",
    "post_listing",
    "propose",
    "sign_in",
    "travel",
]

UNIT = 10**6


def sign_in(page: Page, path: str = "/dashboard") -> None:
    """Sign in through the header's button (SIWE, signed by the injected wallet) and wait for the name."""
    page.goto(path)
    page.get_by_role("button", name="Sign in").click()
    page.locator("#signed-in").wait_for()


def _units(amounts: str) -> list[str]:
    return [str(int(Decimal(a.strip()) * UNIT)) for a in amounts.split(",")]


def post_listing(client: Page, *, amounts: str = "300, 500", title: str = "Translate a manual") -> str:
    """A published listing of the signed-in client with one milestone per amount; returns its page's path."""
    plan = [{"title": f"Part {i + 1}", "amount": amount} for i, amount in enumerate(_units(amounts))]
    token = client.evaluate("document.body.dataset.token")
    post_id = client.evaluate(
        """async (body) => {
            const post = await Jiedan.api("/api/job-posts", body);
            await Jiedan.api(`/api/job-posts/${post.id}/publish`, {});
            return post.id;
        }""",
        {
            "title": title,
            "description": "A manual of twenty pages.",
            "category": "writing",
            "skills": ["translation"],
            "budget": str(sum(int(m["amount"]) for m in plan)),
            "token": token,
            "milestones": plan,
        },
    )
    return f"/posts/{post_id}"


def propose(freelancer: Page, post_path: str, *, days: str = "7, 14", signed_in: bool = False) -> None:
    """The freelancer sends a proposal with the listing's plan, due `days` after hiring; its wallet signs the terms."""
    if signed_in:
        freelancer.goto(post_path)
    else:
        sign_in(freelancer, post_path)
    freelancer.get_by_label("Cover letter").fill("I translate manuals every week.")
    dues = freelancer.get_by_label("Due, days after hiring")
    for index, day in enumerate(days.split(",")):
        dues.nth(index).fill(day.strip())
    freelancer.get_by_role("button", name="Send proposal").click()
    expect(freelancer.get_by_role("heading", name=re.compile("Your proposal"))).to_be_visible()
    expect(freelancer.locator("#consent-state")).to_contain_text("You signed the escrow terms")


def accept(client: Page, post_path: str, freelancer: str, *, reject: int = 0) -> None:
    """The client accepts the freelancer's proposal: Accept and fund (allowance, create-and-fund from its wallet),
    rejecting the wallet's first `reject` requests as a person would."""
    client.goto(post_path)
    if reject:
        client.evaluate(f"window.ethereum.rejectNext = {reject}")
    proposal = client.locator(f'.proposal:has(a[href="/profiles/{freelancer}"])')
    proposal.get_by_role("button", name="Accept and fund").click()


def hire(client: Page, freelancer: Page, *, amounts: str = "300, 500", days: str = "7, 14") -> int:
    """The client posts a listing, the freelancer proposes (signing the escrow terms), the client accepts and funds;
    returns the escrow job's id once its page shows it (the indexer saw it)."""
    sign_in(client, "/post")
    path = post_listing(client, amounts=amounts)
    propose(freelancer, path, days=days)
    accept(client, path, freelancer.evaluate("Jiedan.account"))
    # The escrow job's page, or the error in words (fail fast rather than wait for a URL).
    expect(client.locator("#status.error").or_(client.locator("table.milestones"))).to_be_visible(timeout=30_000)
    assert re.search(r"/jobs/\d+$", client.url), client.locator("#status").text_content()
    return int(client.url.rsplit("/", 1)[1])


def milestone_state(page: Page, index: int):
    return page.locator(f'tr[data-milestone="{index}"] .state')
