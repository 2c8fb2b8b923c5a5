"""Take the README's screenshots of the main pages from a freshly started demo marketplace.

.venv/bin/python tools/screenshots.py [--out docs/screenshots]
"""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path

import click

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from launcher.browser import CHROMIUM, CHROMIUM_ARGS, wallet_script  # noqa: E402
from launcher.stack import DEMO_WALLETS, ROOT, Stack, free_port, start_marketplace  # noqa: E402

PAGES = [  # (file name, path, viewport width, height)
    ("jobs", "/", 1200, 800),
    ("job", "/jobs/1", 1200, 800),
    ("hire", "/hire", 1200, 700),
    ("job-phone", "/jobs/3", 390, 844),
]


@click.command()
@click.option("--out", default=ROOT / "docs" / "screenshots", type=click.Path(path_type=Path), show_default=True)
def cli(out: Path) -> None:
    """Start the demo marketplace, open each main page as the demo client, save PNGs."""
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        stack = Stack(log_dir=Path(folder) / "logs")
        try:
            running = start_marketplace(stack, Path(folder), api_port=free_port(), demo_jobs=6, done=click.echo)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
                for name, path, width, height in PAGES:
                    context = browser.new_context(base_url=running.url, viewport={"width": width, "height": height})
                    context.add_init_script(wallet_script(running.rpc_url, DEMO_WALLETS["client"][0]))
                    page = context.new_page()
                    page.goto(path)
                    page.wait_for_function("document.getElementById('account').textContent.length > 0")
                    if re.match(r"/jobs/\d+", path):
                        page.wait_for_selector("table.milestones")
                    target = out / f"{name}.png"
                    page.screenshot(path=target, full_page=True)
                    click.echo(f"saved {target.relative_to(ROOT)}")
                    context.close()
                browser.close()
        finally:
            stack.stop()


if __name__ == "__main__":
    cli()
