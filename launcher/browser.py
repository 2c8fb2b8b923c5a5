"""Debian's Chromium driven by Playwright, with an injected EIP-1193 wallet that forwards to Anvil.

Used by the browser tests and by tools/screenshots.py. Never `playwright install`: the
browser is /usr/bin/chromium from apt (tools/bootstrap.sh --browser).
"""

from __future__ import annotations

import os
from pathlib import Path

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
_WALLET_JS = (Path(__file__).parent / "injected_wallet.js").read_text()


def wallet_script(rpc_url: str, account: str) -> str:
    """The init script that makes `window.ethereum` the wallet of `account` on the chain at `rpc_url`."""
    return _WALLET_JS.replace("__RPC_URL__", rpc_url).replace("__ACCOUNT__", account)
