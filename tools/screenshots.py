"""Take the README's screenshots of the main pages from a freshly started demo marketplace.

.venv/bin/python tools/screenshots.py [--out docs/screenshots] [--demo-jobs 60]

The marketplace is seeded exactly as `make demo` seeds it (`launcher/seed.py`: profiles, listings,
proposals and conversations through the API; hiring and every escrow story on the chain). Here
each demo wallet signs in through the page's own "Sign in" button (SIWE), as a person would; the
moderator files one report so the moderation queue has something to show.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

import click
import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from launcher.browser import CHROMIUM, CHROMIUM_ARGS, wallet_script  # noqa: E402
from launcher.stack import DEMO_WALLETS, ROOT, Stack, free_port, start_marketplace  # noqa: E402

FREELANCER = DEMO_WALLETS["freelancer"][0]

# (file name, path, viewport width, height, signed in as, selector to wait for). `{job:N}` is the
# escrow job hired from job post N: 50 is the demo client's disputed-then-ruled and rated job,
# 8 the demo client's job with an open dispute.
PAGES = [
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
    ("dashboard-credit", "/dashboard", 1200, 900, "freelancer", "#credits"),
    ("arbiter", "/arbiter", 1200, 700, "arbiter", "h1"),
    ("moderation", "/moderation", 1200, 700, "owner", ".report-item"),
    ("escrow", "/escrow", 1200, 800, "client", "main"),
    ("job", "/jobs/{job:50}", 1200, 900, "client", "table.milestones"),
    ("job-phone", "/jobs/{job:8}", 390, 844, "client", "table.milestones"),
]


def _api(page, method: str, path: str, body: object | None = None) -> object:
    return page.evaluate("([m, p, b]) => Jiedan.request(m, p, b === null ? undefined : b)", [method, path, body])


def _sign_in(page) -> None:
    page.goto("/dashboard")
    page.get_by_role("button", name="Sign in").click()
    page.locator("#signed-in").wait_for()


def _path(url: str, path: str) -> str | None:
    """`path` with `{job:N}` replaced by the escrow job of job post N (None when that post was not hired)."""
    if "{job:" not in path:
        return path
    post_id = int(path.split("{job:")[1].split("}")[0])
    chain = httpx.get(f"{url}/api/job-posts/{post_id}").json().get("chain")
    return None if chain is None else path.replace(f"{{job:{post_id}}}", str(chain["job_id"]))


@click.command()
@click.option("--out", default=ROOT / "docs" / "screenshots", type=click.Path(path_type=Path), show_default=True)
@click.option("--demo-jobs", default=60, show_default=True, help="Demo listings to seed (as `make demo`).")
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
                report = {"kind": "job", "ref": "3", "reason": "Posted three times."}
                _api(pages["owner"], "POST", "/api/reports", report)
                for name, template, width, height, role, ready in PAGES:
                    path = _path(running.url, template)
                    if path is None:
                        click.echo(f"skipped {template}: that job post was not hired (its old picture stays)")
                        continue
                    page = pages[role]
                    page.set_viewport_size({"width": width, "height": height})
                    response = page.goto(path)
                    if response is not None and response.status >= 500:
                        raise click.ClickException(f"{path} answered {response.status}: see the API log above")
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
