"""Property-based fuzzing of every operation in the OpenAPI document, over real HTTP to a live server.

Schemathesis generates requests from `/openapi.json` (valid and invalid ones) and sends them to
uvicorn running the app on a free port, signed in with a session cookie so the authorised paths
run too. Every answer must be below 500, and every error must be an RFC 9457 problem document with
no stack trace in it. Bounded: `JIEDAN_FUZZ_EXAMPLES` per operation (default 4) on SQLite; the slow profile
(`JIEDAN_SLOW=1`) explores 50 random examples per operation on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error

from backend.app.core.migrate import upgrade
from launcher.stack import DEMO_WALLETS, Stack, free_port, wait_until
from tests.conftest import BUILD_MANIFEST
from tests.support.chain import LocalChain
from tests.support.databases import postgres_database, sqlite_database
from tests.support.factories import job_post_body
from tests.support.siwe import DOMAIN, URI, build_message, key_of, sign

PROBLEM = "application/problem+json"
SLOW = os.environ.get("JIEDAN_SLOW") == "1"
EXAMPLES = int(os.environ.get("JIEDAN_FUZZ_EXAMPLES", "50" if SLOW else "4"))
TRACE_MARKERS = ("Traceback (most recent call last)", 'File "/', "sqlalchemy.exc", "psycopg.", "sqlite3.")


class LiveApi:
    def __init__(self, url: str, cookie: str) -> None:
        self.url = url
        self.cookie = cookie


def _healthy(url: str) -> bool:
    return httpx.get(url + "/health", timeout=5).status_code == 200


def _signed_in_cookie(url: str) -> str:
    key = key_of("client")
    with httpx.Client(base_url=url, timeout=30) as client:
        nonce = client.post("/api/auth/nonce").json()
        message = build_message(address=DEMO_WALLETS["client"][0], nonce=nonce["nonce"], chain_id=nonce["chain_id"])
        response = client.post("/api/auth/verify", json={"message": message, "signature": sign(message, key)})
        assert response.status_code == 200, response.text
        # something of the caller's own for the authorised paths to find
        post = client.post("/api/job-posts", json=job_post_body())
        assert post.status_code == 201, post.text
        assert client.post(f"/api/job-posts/{post.json()['id']}/publish").status_code == 200
        return response.cookies["jiedan_session"]


# SQLite always; PostgreSQL too in the slow profile (the same app code, and the budget is ~90 s per run)
DATABASES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)] if SLOW else ["sqlite"]


@pytest.fixture(scope="module", params=DATABASES)
def live_api(
    request: pytest.FixtureRequest, local_chain: LocalChain, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveApi]:
    """uvicorn serving the app on a free port, on a migrated SQLite or PostgreSQL database."""
    folder = tmp_path_factory.mktemp("fuzz")
    manager = sqlite_database(folder) if request.param == "sqlite" else postgres_database()
    with manager as database_url:
        upgrade(database_url)
        stack = Stack(log_dir=folder / "logs")
        env = {
            "JIEDAN_DATABASE_URL": database_url,
            "JIEDAN_RPC_URL": local_chain.rpc_url,
            "JIEDAN_DEPLOYMENTS_FILE": str(local_chain.deployments_file),
            "JIEDAN_BUILD_MANIFEST": str(BUILD_MANIFEST),
            "JIEDAN_SIWE_DOMAIN": DOMAIN,
            "JIEDAN_SIWE_URI": URI,
            "JIEDAN_FILES_DIR": str(folder / "files"),
            "JIEDAN_MODERATORS": json.dumps([DEMO_WALLETS["client"][0]]),  # so moderation routes run too
            "JIEDAN_DEFAULT_ARBITER": DEMO_WALLETS["arbiter"][0],
            "JIEDAN_RATE_LIMIT_ENABLED": "false",  # the fuzzer must reach the handlers, not the limiter
            "JIEDAN_POLL_INTERVAL": "0.2",
        }
        try:
            url = stack.start_api(env, free_port())
            stack.start_indexer(env)  # /health answers 503 until the indexer keeps up: run the real one
            wait_until(lambda: _healthy(url), what="the indexer caught up", stack=stack)
            yield LiveApi(url, _signed_in_cookie(url))
        finally:
            stack.stop()
            log = folder / "logs" / "api.log"
            if log.exists() and "Traceback" in log.read_text(errors="replace"):
                print(log.read_text(errors="replace")[-4000:])  # shown when a test failed


@pytest.fixture(scope="module")
def live_schema(live_api: LiveApi) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_url(live_api.url + "/openapi.json")


schema = schemathesis.pytest.from_fixture("live_schema")


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=not SLOW,  # the same requests on every run unless the slow profile explores
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_every_operation__fuzzed__no_server_error_and_every_error_a_problem(case, live_api):
    signing_out = case.path == "/api/auth/sign-out"  # would end the shared session for the rest of the run
    response = case.call(
        base_url=live_api.url,
        cookies={} if signing_out else {"jiedan_session": live_api.cookie},
        timeout=30,
    )
    case.validate_response(response, checks=[not_a_server_error])
    if response.status_code >= 400:
        content_type = response.headers.get("content-type", [""])[0]
        assert content_type == PROBLEM, f"{case.method} {case.path} → {response.status_code} {content_type}"
        problem = json.loads(response.content)
        assert problem["status"] == response.status_code
        assert {"type", "title", "detail"} <= problem.keys()
        text = response.content.decode(errors="replace")
        assert not any(marker in text for marker in TRACE_MARKERS), text


def test_live_server__chunked_body_over_1_mib__413_problem(live_api):
    """Over real HTTP through uvicorn: a chunked body (no Content-Length) is counted as it streams."""
    cookies = {"jiedan_session": live_api.cookie}

    def chunks(total: int, piece: bytes):
        for _ in range(total // len(piece)):
            yield piece

    with httpx.Client(base_url=live_api.url, cookies=cookies, timeout=30) as client:
        body = b'{"title": "' + b"x" * (1536 * 1024) + b'"}'
        response = client.post(
            "/api/job-posts", content=chunks(len(body), body[:1024]), headers={"content-type": "application/json"}
        )
        assert response.request.headers.get("transfer-encoding") == "chunked"
        assert response.status_code == 413, response.text
        assert response.headers["content-type"] == PROBLEM
        assert response.json()["detail"] == "request bodies here are limited to 1048576 bytes"
