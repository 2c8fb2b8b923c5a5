"""Take the README's screenshots of the main pages from a freshly started demo marketplace.

.venv/bin/python tools/screenshots.py [--out docs/screenshots] [--demo-jobs 6]

The on-chain demo jobs come from `ape run demo`; the off-chain part (profiles, listings,
proposals, a conversation) is created here through the JSON API by the demo wallets, each
signed in through the page's own "Sign in" button (SIWE), as a person would.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

import click

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from launcher.browser import CHROMIUM, CHROMIUM_ARGS, wallet_script  # noqa: E402
from launcher.stack import DEMO_WALLETS, ROOT, Stack, free_port, start_marketplace  # noqa: E402

FREELANCER = DEMO_WALLETS["freelancer"][0]

PAGES = [  # (file name, path, viewport width, height, signed in as, selector to wait for)
    ("home", "/", 1200, 800, "client", "main"),
    ("search", "/search?q=logo", 1200, 900, "freelancer", ".hit"),
    ("talent", "/search?kind=talent", 1200, 800, "client", ".hit"),
    ("post-form", "/post", 1200, 1000, "client", "#post-form"),
    ("post", "/posts/1", 1200, 1100, "client", ".proposal"),
    ("post-phone", "/posts/1", 390, 844, "freelancer", "h1"),
    ("proposals", "/proposals", 1200, 700, "client", "table.inbox"),
    ("messages", "/messages/1", 1200, 800, "client", ".attachment"),
    ("profile", f"/profiles/{FREELANCER}", 1200, 900, "freelancer", ".record"),
    ("dashboard", "/dashboard", 1200, 1000, "client", ".notes"),
    ("arbiter", "/arbiter", 1200, 500, "arbiter", "h1"),
    ("moderation", "/moderation", 1200, 700, "owner", ".report-item"),
    ("escrow", "/escrow", 1200, 800, "client", "main"),
    ("job", "/jobs/1", 1200, 800, "client", "table.milestones"),
    ("hire", "/hire", 1200, 700, "client", "#hire-form"),
    ("job-phone", "/jobs/3", 390, 844, "client", "table.milestones"),
]

PROFILE = {
    "display_name": "Mei Lin",
    "bio": "Brand designer in Hangzhou. I have drawn **forty logos** for tea brands.\n\n- logos\n- packaging",
    "skills": ["logo-design", "illustration", "packaging"],
    "hourly_rate": "40000000",
    "availability": "available",
    "links": ["https://example.com/mei"],
}
POSTS = [
    ("Logo for a jasmine tea shop", "design", ["logo-design", "illustration"], 500),
    ("Vyper escrow audit", "development", ["vyper", "audit"], 2400),
    ("Translate a tea menu into English", "writing", ["translation"], 120),
]


def _api(page, method: str, path: str, body: object | None = None) -> object:
    return page.evaluate("([m, p, b]) => Jiedan.request(m, p, b === null ? undefined : b)", [method, path, body])


def _sign_in(page) -> None:
    page.goto("/dashboard")
    page.get_by_role("button", name="Sign in").click()
    page.locator("#signed-in").wait_for()


def _seed(pages: dict, token: str) -> None:
    """Profiles, listings, a proposal, a conversation with an attachment, a report."""
    client, freelancer, owner = pages["client"], pages["freelancer"], pages["owner"]
    _api(freelancer, "PUT", "/api/me/profile", {**PROFILE, "rate_token": token})
    _api(client, "PUT", "/api/me/profile", {"display_name": "Jasmine Garden Teas", "skills": []})
    ids = []
    for title, category, skills, budget in POSTS:
        body = {
            "title": title,
            "description": f"We need **{title.lower()}**. Two milestones; files in the thread.",
            "category": category,
            "skills": skills,
            "budget": str(budget * 10**6),
            "token": token,
            "milestones": [
                {"title": "First draft", "amount": str(budget * 4 * 10**5)},
                {"title": "Final files", "amount": str(budget * 6 * 10**5)},
            ],
        }
        post = _api(client, "POST", "/api/job-posts", body)
        _api(client, "POST", f"/api/job-posts/{post['id']}/publish", {})
        ids.append(post["id"])
    proposal = {
        "cover_letter": "Forty tea brands so far; sketches in three days.",
        "milestones": [{"title": "Sketches", "amount": "200000000"}, {"title": "Final files", "amount": "300000000"}],
    }
    sent = _api(freelancer, "POST", f"/api/job-posts/{ids[0]}/proposals", proposal)
    _api(client, "POST", f"/api/proposals/{sent['id']}/shortlist", {})
    thread = _api(freelancer, "POST", f"/api/job-posts/{ids[0]}/threads", {})
    _api(freelancer, "POST", f"/api/threads/{thread['id']}/messages", {"body": "Hello! Any colours you love?"})
    _api(client, "POST", f"/api/threads/{thread['id']}/messages", {"body": "Green and gold. The brief is attached."})
    client.evaluate(
        """(id) => fetch(`/api/threads/${id}/attachments?filename=brief.txt`, {method: "POST",
             headers: {"Content-Type": "application/octet-stream"}, body: "Jasmine Garden: green and gold.\\n"})""",
        thread["id"],
    )
    _api(owner, "POST", "/api/reports", {"kind": "job", "ref": str(ids[2]), "reason": "Posted three times."})


@click.command()
@click.option("--out", default=ROOT / "docs" / "screenshots", type=click.Path(path_type=Path), show_default=True)
@click.option("--demo-jobs", default=6, show_default=True, help="On-chain demo jobs (`ape run demo`).")
def cli(out: Path, demo_jobs: int) -> None:
    """Start the demo marketplace, open each main page as a demo wallet, save PNGs."""
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    os.environ["JIEDAN_MODERATORS"] = json.dumps([DEMO_WALLETS["owner"][0]])  # the API inherits it
    with tempfile.TemporaryDirectory() as folder:
        stack = Stack(log_dir=Path(folder) / "logs")
        try:
            running = start_marketplace(stack, Path(folder), api_port=free_port(), demo_jobs=demo_jobs, done=click.echo)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
                pages = {}
                for role, (address, _key) in DEMO_WALLETS.items():
                    context = browser.new_context(base_url=running.url)
                    context.add_init_script(wallet_script(running.rpc_url, address))
                    pages[role] = context.new_page()
                    _sign_in(pages[role])
                token = pages["client"].evaluate("document.body.dataset.token")
                _seed(pages, token)
                for name, path, width, height, role, ready in PAGES:
                    if path.startswith("/jobs/") and not demo_jobs:
                        click.echo(f"skipped {path}: no demo jobs on chain (its old picture stays)")
                        continue
                    page = pages[role]
                    page.set_viewport_size({"width": width, "height": height})
                    page.goto(path)
                    page.wait_for_function("document.getElementById('account').textContent.length > 0")
                    try:
                        page.wait_for_selector(ready, timeout=15_000)
                    except Exception:  # noqa: BLE001 - still worth a picture; say what was missing
                        click.echo(f"warning: {path} shows no {ready}", err=True)
                    target = out / f"{name}.png"
                    page.screenshot(path=target, full_page=True)
                    click.echo(f"saved {target.relative_to(ROOT)}")
                browser.close()
        finally:
            stack.stop()


if __name__ == "__main__":
    cli()
