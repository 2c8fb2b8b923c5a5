"""Two API processes on one PostgreSQL database behave as one marketplace: a session made on one is valid on
the other, a rate limit is counted once across both (JIEDAN_RATE_LIMIT_STORE=database), an idempotent retry
sent to the other is replayed, and an attachment uploaded through one downloads from the other (the files
directory is the storage they share)."""

from __future__ import annotations

import uuid
from pathlib import Path

import httpx
import pytest

from tests.reliability.live import api_process, published_thread, signed_in

SEARCHES = 6
SHARED = {
    "JIEDAN_RATE_LIMIT_ENABLED": "true",
    "JIEDAN_RATE_LIMIT_STORE": "database",
    "JIEDAN_RATE_LIMIT_SEARCH": str(SEARCHES),
    "JIEDAN_RATE_LIMIT_SIGN_IN": "1000",
    "JIEDAN_RATE_LIMIT_MESSAGES": "1000",
}


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_two_api_processes__one_session__one_rate_limit__one_idempotency_store__one_file_store(
    database_url: str, tmp_path: Path
):
    with (
        api_process(database_url, tmp_path, **SHARED) as first,
        api_process(database_url, tmp_path, **SHARED) as second,
    ):
        assert first.base_url != second.base_url
        # one account's searches alternate between the processes: its limit is reached once, not once per process
        searcher = signed_in(first.base_url)
        on_either = [searcher, httpx.Client(base_url=second.base_url, cookies=searcher.cookies, timeout=30)]
        statuses = [api.get("/api/search/jobs", params={"q": "logo"}).status_code for api in on_either * SEARCHES]
        assert statuses == [200] * SEARCHES + [429] * SEARCHES

        client = signed_in(first.base_url)
        freelancer = signed_in(first.base_url)
        thread_id = published_thread(client, freelancer)
        on_second = httpx.Client(base_url=second.base_url, cookies=freelancer.cookies, timeout=30)
        me = on_second.get("/api/me")
        assert me.status_code == 200 and me.json()["address"] == freelancer.address, me.text  # the session is shared

        key = {"Idempotency-Key": str(uuid.uuid4())}
        sent = freelancer.post(f"/api/threads/{thread_id}/messages", json={"body": "first try"}, headers=key)
        retried = on_second.post(f"/api/threads/{thread_id}/messages", json={"body": "first try"}, headers=key)
        assert sent.status_code == retried.status_code == 201
        assert retried.headers.get("Idempotent-Replayed") == "true" and retried.content == sent.content
        bodies = [m["body"] for m in freelancer.get(f"/api/threads/{thread_id}").json()["messages"]]
        assert bodies.count("first try") == 1

        upload = freelancer.post(
            f"/api/threads/{thread_id}/attachments", params={"filename": "brief.txt"}, content=b"the brief"
        )
        assert upload.status_code == 201, upload.text
        downloaded = on_second.get(upload.json()["attachment"]["url"])
        assert downloaded.status_code == 200 and downloaded.content == b"the brief"
