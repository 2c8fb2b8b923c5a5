"""A real API process on loopback for the fault tests, and wallets signed in to it."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from eth_account import Account

from bench.load.server import RunningApi, running_api
from launcher.sign_in import verify_body

TOKEN = "0x" + "00" * 20  # the native currency: the only token a chainless API lists


@contextmanager
def api_process(database_url: str, folder: Path, **env: str) -> Iterator[RunningApi]:
    """One uvicorn process (no supervisor: its pid is the server's) on a fresh loopback port."""
    with running_api(database_url=database_url, folder=folder, processes=1, extra_env=env) as api:
        yield api


def signed_in(base_url: str, private_key: str | None = None) -> httpx.Client:
    """A client holding the session cookie of a new (or the given) wallet; `.address` names it."""
    account = Account.from_key(private_key or secrets.token_bytes(32))
    client = httpx.Client(base_url=base_url, timeout=30)
    nonce = client.post("/api/auth/nonce").json()
    response = client.post("/api/auth/verify", json=verify_body(nonce, account.key))
    assert response.status_code == 200, response.text
    client.address = account.address  # type: ignore[attr-defined]
    client.key = account.key.hex()  # type: ignore[attr-defined]
    return client


def published_thread(client_of_job: httpx.Client, freelancer: httpx.Client) -> int:
    """A published job of `client_of_job` and the freelancer's thread on it; the thread id."""
    listing = {
        "title": "A job to talk about",
        "category": "design",
        "budget": "100",
        "token": TOKEN,
        "milestones": [{"title": "All of it", "amount": "100"}],
    }
    post = client_of_job.post("/api/job-posts", json=listing)
    assert post.status_code == 201, post.text
    published = client_of_job.post(f"/api/job-posts/{post.json()['id']}/publish")
    assert published.status_code == 200, published.text
    thread = freelancer.post(f"/api/job-posts/{post.json()['id']}/threads", json={})
    assert thread.status_code == 200, thread.text
    return int(thread.json()["id"])


def stored_files(files_dir: Path) -> dict[str, Path]:
    """Content-addressed files on disk by keccak (0x…), staging folder excluded."""
    return {"0x" + p.name: p for p in files_dir.glob("??/*") if p.is_file()}


def staged_leftovers(files_dir: Path) -> list[Path]:
    return [p for p in (files_dir / "tmp").glob("*") if p.is_file()]
