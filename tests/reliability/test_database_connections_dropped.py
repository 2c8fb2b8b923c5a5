"""PostgreSQL drops the API's connections (pg_terminate_backend): idle ones are replaced unnoticed, a request
caught mid-transaction gets a clean 503 problem with nothing half-done, and the API carries on."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import psycopg
import pytest
from fastapi.testclient import TestClient

from backend.app.core.config import Settings
from backend.app.core.migrate import upgrade
from backend.app.main import create_app
from bench.load.server import RunningApi
from tests.reliability.live import api_process, published_thread, signed_in, stored_files
from tests.support.databases import postgres_database

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_url() -> Iterator[str]:
    with postgres_database() as url:
        upgrade(url)
        yield url


@pytest.fixture
def api(pg_url: str, tmp_path: Path) -> Iterator[RunningApi]:
    with api_process(pg_url, tmp_path) as running:
        yield running


def direct(url: str) -> psycopg.Connection:
    return psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True)


def terminate_api_connections(admin: psycopg.Connection, *, waiting_on_lock: bool = False) -> int:
    condition = "AND wait_event_type = 'Lock'" if waiting_on_lock else ""
    rows = admin.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "  # noqa: S608 - fixed text
        f"WHERE datname = current_database() AND pid <> pg_backend_pid() {condition}"
    ).fetchall()
    return len(rows)


def blocked_then_terminated(pg_url: str, thread_id: int, send: Callable[[], httpx.Response]) -> httpx.Response:
    """Hold the thread's row so the API's write waits inside its transaction, then drop that connection."""
    answer: list[httpx.Response] = []
    with direct(pg_url) as admin, direct(pg_url) as locker:
        locker.execute("BEGIN")
        locker.execute("SELECT id FROM threads WHERE id = %s FOR UPDATE", (thread_id,))
        sender = threading.Thread(target=lambda: answer.append(send()))
        sender.start()
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if terminate_api_connections(admin, waiting_on_lock=True):
                break
            time.sleep(0.05)
        else:
            pytest.fail("the API's write never waited on the locked row")
        locker.execute("ROLLBACK")
        sender.join(timeout=15)
    return answer[0]


def test_idle_connections_dropped__the_next_request_succeeds(api: RunningApi, pg_url: str):
    client, freelancer = signed_in(api.base_url), signed_in(api.base_url)
    thread_id = published_thread(client, freelancer)
    with direct(pg_url) as admin:
        assert terminate_api_connections(admin) >= 1, "the API should hold pooled connections"
    answer = freelancer.post(f"/api/threads/{thread_id}/messages", json={"body": "after the drop"})
    assert answer.status_code == 201, answer.text  # the checkout check replaced the dead connection


def test_idle_connections_dropped__anonymous_listing_reads_on_the_event_loop_succeed(api: RunningApi, pg_url: str):
    """Anonymous listing reads use the asyncio pool (api/point_reads.py); its dropped connections are replaced too."""
    client, freelancer = signed_in(api.base_url), signed_in(api.base_url)
    published_thread(client, freelancer)
    [post] = httpx.get(f"{api.base_url}/api/job-posts").json()["items"]
    for _ in range(3):  # the asyncio pool holds a connection now
        assert httpx.get(f"{api.base_url}/api/job-posts/{post['id']}").status_code == 200
    with direct(pg_url) as admin:
        assert terminate_api_connections(admin) >= 2, "the API should hold pooled connections of both kinds"
    for _ in range(3):
        answer = httpx.get(f"{api.base_url}/api/job-posts/{post['id']}")
        assert answer.status_code == 200, answer.text
        assert answer.json()["title"] == "A job to talk about"


def test_connection_dropped_mid_transaction__503_problem__nothing_written__then_recovers(api: RunningApi, pg_url: str):
    client, freelancer = signed_in(api.base_url), signed_in(api.base_url)
    thread_id = published_thread(client, freelancer)

    answer = blocked_then_terminated(
        pg_url, thread_id, lambda: freelancer.post(f"/api/threads/{thread_id}/messages", json={"body": "cut off"})
    )
    assert answer.status_code == 503, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["type"].endswith("/database-unavailable")
    assert answer.headers["retry-after"] == "1"

    content = b"bytes of an upload cut off\n" * 40
    upload = blocked_then_terminated(
        pg_url,
        thread_id,
        lambda: freelancer.post(f"/api/threads/{thread_id}/attachments", params={"filename": "a.txt"}, content=content),
    )
    assert upload.status_code == 503, upload.text
    with direct(pg_url) as check:
        assert check.execute("SELECT count(*) FROM messages WHERE body = 'cut off'").fetchone() == (0,)
        assert check.execute("SELECT count(*) FROM attachments").fetchone() == (0,)
    assert not stored_files(api.files_dir), "the cut-off upload removed the file it had placed"

    again = freelancer.post(f"/api/threads/{thread_id}/messages", json={"body": "cut off"})
    assert again.status_code == 201, again.text  # retried by the user: exactly one copy
    with direct(pg_url) as check:
        assert check.execute("SELECT count(*) FROM messages WHERE body = 'cut off'").fetchone() == (1,)


def test_postgresql_unreachable__anonymous_listing_read_on_the_event_loop__503_problem():
    """The asyncio point reads (api/point_reads.py) answer as the sync ones do when PostgreSQL cannot be reached."""
    app = create_app(Settings(database_url="postgresql+psycopg://postgres@127.0.0.1:9/none"))
    assert app.state.point_reads.async_rows is not None
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/api/job-posts/1")
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["retry-after"] == "1"
    assert response.json()["type"].endswith("/database-unavailable")
    assert "127.0.0.1:9" not in response.text and "psycopg" not in response.text
    app.state.engine.dispose()
