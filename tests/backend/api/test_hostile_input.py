"""Hostile input (OWASP API Top 10): odd and huge text, lying uploads, SSRF bait, SIWE replay, no stack traces."""

from __future__ import annotations

import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from fastapi.testclient import TestClient

from backend.app.main import create_app
from tests.support.chain import wallet
from tests.support.factories import job_post_body, offer_body, proposal_body, published_post
from tests.support.siwe import build_message, key_of, sign

PROBLEM = "application/problem+json"
TRACE_MARKERS = ("Traceback", 'File "', "sqlalchemy", "psycopg", "sqlite3", "OperationalError", "no such table")
ODD_TEXT = {  # kept exactly as written
    "rtl-override": "invoice\u202egnp.exe",
    "zero-width-and-combining": "pa\u200by\u0301 me\u2060",
    "astral-emoji": "\U0001f9e7 escrow \U0001d518",
    "tab-newline-cr": "one\ttwo\nthree\r\nfour",
}
CONTROL_TEXT = {  # refused: NUL and the other C0 controls (tab, newline and carriage return excepted)
    "nul": "before\x00after",
    "bell-and-backspace": "bell\x07 backspace\x08",
    "escape-sequence": "escape\x1b[31m red",
    "vertical-tab-and-unit-separator": "a\x0bb\x1fc",
}


def _assert_problem(response, *statuses: int) -> dict:
    assert response.status_code in statuses, (response.status_code, response.text)
    assert response.headers["content-type"] == PROBLEM
    text = response.text
    assert not any(marker in text for marker in TRACE_MARKERS), text
    return response.json()


def _text_targets(client, freelancer, post, thread):
    """(who, method, url, body builder taking the odd text, how to read the stored text back)."""
    return {
        "job title": (client, "POST", "/api/job-posts", lambda t: job_post_body(title="Job " + t), "title"),
        "job description": (client, "POST", "/api/job-posts", lambda t: job_post_body(description=t), "description"),
        "job skill": (client, "POST", "/api/job-posts", lambda t: job_post_body(skills=[t]), None),
        "milestone title": (
            client,
            "POST",
            "/api/job-posts",
            lambda t: job_post_body(milestones=[{"title": t, "amount": "300000000"}]),
            None,
        ),
        "cover letter": (
            freelancer,
            "POST",
            f"/api/job-posts/{post['id']}/proposals",
            lambda t: proposal_body(cover_letter=t),
            "cover_letter",
        ),
        "message": (freelancer, "POST", f"/api/threads/{thread['id']}/messages", lambda t: {"body": t}, "body"),
        "offer title": (freelancer, "POST", "/api/offers", lambda t: offer_body(title="Offer " + t), "title"),
        "profile bio": (freelancer, "PUT", "/api/me/profile", lambda t: {"display_name": "Wei", "bio": t}, "bio"),
        "display name": (freelancer, "PUT", "/api/me/profile", lambda t: {"display_name": t}, "display_name"),
        "report reason": (
            client,
            "POST",
            "/api/reports",
            lambda t: {"kind": "job", "ref": str(post["id"]), "reason": "Spam " + t},
            "reason",
        ),
        "offer description": (freelancer, "POST", "/api/offers", lambda t: offer_body(description=t), "description"),
        "offer skill": (freelancer, "POST", "/api/offers", lambda t: offer_body(skills=[t]), None),
        "tier name": (
            freelancer,
            "POST",
            "/api/offers",
            lambda t: offer_body(
                tiers=[{"name": t, "delivery_days": 3, "milestones": [{"title": "R", "amount": "1"}]}]
            ),
            None,
        ),
        "profile skill": (freelancer, "PUT", "/api/me/profile", lambda t: {"display_name": "Wei", "skills": [t]}, None),
    }


@pytest.fixture
def targets(client_as):
    client, freelancer = client_as("client"), client_as("freelancer")
    post = published_post(client)
    thread = freelancer.post(f"/api/job-posts/{post['id']}/threads", json={}).json()
    return _text_targets(client, freelancer, post, thread)


def test_odd_unicode__every_text_field__stored_exactly_or_a_clean_409(targets):
    """Unicode a person can type (bidi overrides, zero-width, astral, tab/newline/CR) round-trips unchanged."""
    for odd, (name, (who, method, url, body, field)) in ((o, t) for o in ODD_TEXT.values() for t in targets.items()):
        sent = body(odd)
        response = who.request(method, url, json=sent)
        if response.status_code == 409:  # one report per target, one proposal per job
            _assert_problem(response, 409)
            continue
        assert response.status_code in (200, 201), (name, response.text)
        if field is not None:
            assert response.json()[field] == sent[field], name


def test_nul_and_control_characters__every_text_field__422_problem_on_both_databases(targets, client_as):
    """SQLite would store NUL and PostgreSQL cannot: both refuse it, and the other C0 controls, before storage."""
    moderator = client_as("moderator")
    targets = {
        **targets,
        "moderation reason": (
            moderator,
            "POST",
            "/api/moderation/hide",
            lambda t: {"kind": "job", "ref": "1", "reason": "Spam " + t},
            "reason",
        ),
    }
    for name, text in ((n, t) for n in targets for t in CONTROL_TEXT.values()):
        who, method, url, body, _ = targets[name]
        problem = _assert_problem(who.request(method, url, json=body(text)), 422)
        assert "control character U+00" in problem["detail"], (name, problem)
        assert problem["errors"][0]["loc"][0] == "body", (name, problem)


def test_huge_strings__over_each_fields_limit__422__over_the_body_cap__413(targets):
    for name, (who, method, url, body, _) in targets.items():
        _assert_problem(who.request(method, url, json=body("w" * 50_000)), 422)  # every text field is bounded
        too_big = who.request(method, url, json=body("h" * (1024 * 1024 + 1)))
        assert too_big.status_code == 413, name
        _assert_problem(too_big, 413)


def test_markup_in_text__escaped_in_the_rendered_html(client_as):
    client = client_as("client")
    evil = '<script>alert(1)</script><img src=x onerror="alert(2)"> [x](javascript:alert(3))'
    post = client.post("/api/job-posts", json=job_post_body(description=evil)).json()
    html = post["description_html"]
    tags = re.findall(r"<[^>]*>", html)  # the markup the browser will build: only the renderer's own tags
    assert not any(tag.lower().startswith(("<script", "<img")) for tag in tags), tags
    assert not any("onerror" in tag.lower() or "javascript:" in tag.lower() for tag in tags), tags
    assert "&lt;script&gt;" in html


def test_huge_ids__in_paths_and_bodies__4xx_problem_not_500(client_as, api):
    client = client_as("client")
    huge = 2**80
    _assert_problem(api.get(f"/api/job-posts/{huge}"), 404, 422)
    _assert_problem(client.get(f"/api/proposals/{huge}"), 404, 422)
    _assert_problem(client.post(f"/api/threads/{huge}/messages", json={"body": "hi"}), 404, 422)
    post = client.post("/api/job-posts", json=job_post_body()).json()
    _assert_problem(client.post(f"/api/job-posts/{post['id']}/link", json={"chain_job_id": huge}), 404, 409, 422)


def test_malformed_json_and_wrong_types__422_problem_without_internals(client_as):
    client = client_as("client")
    _assert_problem(
        client.post("/api/job-posts", content=b'{"title": ', headers={"content-type": "application/json"}), 422
    )
    _assert_problem(client.post("/api/job-posts", json={"title": ["a"], "budget": {"$gt": 0}}), 422)
    _assert_problem(client.post("/api/job-posts", json=[1, 2, 3]), 422)


# --- uploads ------------------------------------------------------------------------------------


def _upload(who, thread_id, content, filename, content_type="application/octet-stream"):
    return who.post(
        f"/api/threads/{thread_id}/attachments",
        params={"filename": filename},
        content=content,
        headers={"content-type": content_type},
    )


def _assert_cannot_run(download):
    assert download.headers["x-content-type-options"] == "nosniff"
    assert download.headers["content-security-policy"] == "default-src 'none'; sandbox"
    kind = download.headers["content-type"]
    assert not kind.startswith(("text/html", "image/svg", "application/xhtml", "text/xml", "application/xml")), kind
    if not kind.startswith("image/"):
        assert download.headers["content-disposition"].startswith("attachment;")


SCRIPT_BEARING = [  # (name, bytes, the content type the client declares)
    ("svg-script.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "image/svg+xml"),
    ("page.html", b"<!doctype html><script>fetch('/api/me')</script>", "text/html"),
    ("report.pdf", b"<html><body onload=alert(1)>", "application/pdf"),  # lying content type
    ("polyglot.gif", b"GIF89a/*<script>alert(1)</script>*/", "image/gif"),  # a real GIF header, script after
]


def test_upload__script_bearing_files__served_so_they_cannot_run(thread):
    client, freelancer, opened = thread
    for name, content, declared in SCRIPT_BEARING:
        response = _upload(freelancer, opened["id"], content, name, declared)
        assert response.status_code == 201, response.text
        attachment = response.json()["attachment"]
        assert attachment["media_type"] != declared or declared == "image/gif"  # typed by content, not by the client
        download = client.get(attachment["url"])
        assert download.content == content
        _assert_cannot_run(download)


HOSTILE_NAMES = [
    "../../../etc/passwd",
    "..\\..\\windows\\win.ini",
    "/abs/p.txt",
    "a\x00b.txt",
    "%2e%2e%2fx",
    "c.txt\u202e",
]


def test_upload__path_traversal_names__stored_by_hash_and_named_safely(thread, settings):
    _, freelancer, opened = thread
    digests = set()
    for number, hostile_name in enumerate(HOSTILE_NAMES):
        response = _upload(freelancer, opened["id"], f"plain notes {number}\n".encode(), hostile_name)
        assert response.status_code == 201, response.text
        stored_name = response.json()["attachment"]["filename"]
        assert "/" not in stored_name and "\\" not in stored_name and "\x00" not in stored_name, stored_name
        assert not stored_name.startswith("."), stored_name
        digests.add(response.json()["attachment"]["keccak"][2:])
    files = [p for p in settings.files_dir.rglob("*") if p.is_file()]
    assert all(p.resolve().is_relative_to(settings.files_dir.resolve()) for p in files)
    assert {p.name for p in files} == digests  # stored under their hash only, never under a given name


# --- SSRF: URLs users give are stored and shown, never fetched -----------------------------------


@pytest.fixture
def bait_server():
    """A real HTTP server on a free port that counts every request made to it."""
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"<title>bait</title>")

        do_HEAD = do_POST = do_GET  # noqa: N815

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", hits
    server.shutdown()
    server.server_close()


def test_ssrf__urls_in_every_field__stored_never_fetched(client_as, api, bait_server):
    url, hits = bait_server
    client, freelancer = client_as("client"), client_as("freelancer")
    profile = freelancer.put(
        "/api/me/profile",
        json={"display_name": "Wei", "bio": f"see {url}/bio ![x]({url}/img.png)", "links": [f"{url}/portfolio"]},
    )
    assert profile.status_code == 200, profile.text
    assert profile.json()["links"] == [f"{url}/portfolio"]
    post = published_post(client, description=f"spec at {url}/spec and ![diagram]({url}/d.png)")
    freelancer.post(f"/api/job-posts/{post['id']}/proposals", json=proposal_body(cover_letter=f"my work: {url}/w"))
    thread = freelancer.post(f"/api/job-posts/{post['id']}/threads", json={}).json()
    freelancer.post(f"/api/threads/{thread['id']}/messages", json={"body": f"{url}/msg"})
    _upload(freelancer, thread["id"], f"{url}/file".encode(), f"{url}/name.txt")
    freelancer.post("/api/offers", json=offer_body(description=f"![logo]({url}/logo.png)"))
    client.post("/api/reports", json={"kind": "profile", "ref": wallet("freelancer"), "reason": f"{url}/r"})
    api.get(f"/api/profiles/{wallet('freelancer')}")
    api.get(f"/api/job-posts/{post['id']}")
    api.get("/api/search/jobs", params={"q": "spec"})
    api.get(f"/web/jobs/{post['id']}")
    assert hits == []


# --- SIWE replay across sign-ins -----------------------------------------------------------------


def test_siwe_replay__a_used_message__refused_in_any_other_client_and_after_sign_out(app):
    with TestClient(app) as alice, TestClient(app) as mallory:
        nonce = alice.post("/api/auth/nonce").json()
        message = build_message(address=wallet("client"), nonce=nonce["nonce"], chain_id=nonce["chain_id"])
        signed = {"message": message, "signature": sign(message, key_of("client"))}
        assert alice.post("/api/auth/verify", json=signed).status_code == 200
        assert mallory.post("/api/auth/verify", json=signed).status_code == 401  # captured, replayed elsewhere
        assert alice.post("/api/auth/sign-out").status_code == 204
        replay = mallory.post("/api/auth/verify", json=signed)
        assert _assert_problem(replay, 401)["type"].endswith("/sign-in-refused")
        assert "jiedan_session" not in mallory.cookies
        assert mallory.get("/api/me").status_code == 401


def test_siwe__junk_of_the_largest_accepted_size__refused_fast(api):
    started = time.perf_counter()
    response = api.post("/api/auth/verify", json={"message": "x" * 4_096, "signature": "0x00"})
    _assert_problem(response, 401)
    assert time.perf_counter() - started < 2  # the SIWE parser alone takes seconds on this (quadratic)


# --- no stack trace ever leaves the server -------------------------------------------------------


def test_server_failure__problem_with_no_internals(settings, tmp_path):
    """A database that cannot answer (here: never migrated) is a 503 problem; the SQL error stays in the log."""
    broken = create_app(settings.model_copy(update={"database_url": f"sqlite:///{tmp_path / 'not-migrated.db'}"}))
    with TestClient(broken, raise_server_exceptions=False) as client:
        response = client.get("/api/job-posts")
        problem = _assert_problem(response, 503)
        assert problem["detail"] == "the database could not complete the request; try again shortly"
        assert "no such table" not in response.text and "job_posts" not in response.text
    broken.state.engine.dispose()
