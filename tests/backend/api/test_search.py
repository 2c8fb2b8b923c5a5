"""Search on a known corpus: the same ranking, filters, snippets and pages on SQLite FTS5 and PostgreSQL."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from backend.app.models.search import SearchDocument
from backend.app.services import search
from tests.support.factories import TOKEN, job_post_body, profile_body, published_post

PROBLEM = "application/problem+json"


@pytest.fixture
def corpus(client_as):
    client = client_as("client")
    audit = published_post(
        client,
        title="Vyper escrow audit",
        description="Review our contract for reentrancy.",
        skills=["Vyper", "Audit"],
        budget="500",
    )
    logo = published_post(
        client,
        title="Logo for a tea shop",
        description="A round logo for our escrow startup, two colours.",
        skills=["Logo Design"],
        budget="100",
    )
    translation = published_post(
        client,
        title="Translate a whitepaper",
        description="Chinese to English translation of an escrow whitepaper.",
        skills=["Translation"],
        budget="300",
    )
    client.post(f"/api/job-posts/{translation['id']}/close")
    client.post("/api/job-posts", json=job_post_body(title="Vyper escrow draft"))  # never published
    return {"audit": audit["id"], "logo": logo["id"], "translation": translation["id"]}


def _refs(api, **params):
    response = api.get("/api/search/jobs", params=params)
    assert response.status_code == 200, response.text
    return [int(hit["ref"]) for hit in response.json()["items"]]


def test_search_jobs__title_match_ranks_above_body_match_drafts_and_closed_left_out(api, corpus):
    assert _refs(api, q="escrow") == [corpus["audit"], corpus["logo"]]


def test_search_jobs__words_match_as_prefixes_and_all_must_match(api, corpus):
    assert _refs(api, q="escr") == [corpus["audit"], corpus["logo"]]
    assert _refs(api, q="escrow tea") == [corpus["logo"]]
    assert _refs(api, q="escrow nothing") == []


def test_search_jobs__snippet_highlights_the_match(api, corpus):
    [hit] = api.get("/api/search/jobs", params={"q": "startup"}).json()["items"]
    assert "<mark>startup</mark>" in hit["snippet"]
    assert hit["skills"] == ["logo-design"] and hit["budget"] == "100" and hit["status"] == "published"


def test_search_jobs__snippet_escapes_the_listing_text(client_as, api):
    published_post(client_as("client"), description='<script>alert(1)</script> Tom & "Jerry" <b>now</b>')
    [hit] = api.get("/api/search/jobs", params={"q": "alert"}).json()["items"]
    assert "<mark>alert</mark>" in hit["snippet"]
    without_marks = hit["snippet"].replace("<mark>", "").replace("</mark>", "")
    assert "<" not in without_marks and ">" not in without_marks
    assert "Tom &amp; &quot;Jerry&quot;" in hit["snippet"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"skills": ["VYPER"]}, ["audit"]),
        ({"skills": ["vyper", "logo-design"]}, []),
        ({"skills": ["Logo Design"]}, ["logo"]),
        ({"skills": ["startup"]}, []),  # in the logo's description, not among its tags
        ({"budget_min": "200"}, ["audit"]),
        ({"budget_max": "200"}, ["logo"]),
        ({"budget_min": "100", "budget_max": "500"}, ["audit", "logo"]),  # both ends included
        ({"budget_min": "101", "budget_max": "499"}, []),
        ({"status": ["closed"]}, ["translation"]),
        ({"status": ["hired"]}, []),
        ({"token": TOKEN.lower()}, ["audit", "logo"]),
        ({"token": TOKEN}, ["audit", "logo"]),
        ({"token": "0x" + "11" * 20}, []),
        ({"skills": ["vyper"], "budget_min": "100", "budget_max": "1000", "token": TOKEN.lower()}, ["audit"]),
    ],
)
def test_search_jobs__filters(api, corpus, params, expected):
    assert _refs(api, q="escrow", **params) == [corpus[name] for name in expected]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"skills": ["vyper"]}, ["audit"]),
        ({"token": TOKEN.lower(), "budget_max": "100"}, ["logo"]),
        ({"status": ["closed"], "budget_min": "300"}, ["translation"]),
    ],
)
def test_search_jobs__filters_without_words(api, corpus, params, expected):
    assert _refs(api, **params) == [corpus[name] for name in expected]


def test_search_jobs__several_statuses__every_listed_match(api, corpus):
    found = _refs(api, q="escrow", status=["published", "closed"])
    assert found[0] == corpus["audit"]  # the title match first
    assert sorted(found) == sorted(corpus.values())


def test_search_jobs__skill_filter_is_the_exact_tag__not_its_words(client_as, api):
    client = client_as("client")
    cpp = published_post(client, title="Port a game engine", skills=["C++"])
    published_post(client, title="Port a web shop", skills=["C#", "Design"])
    published_post(client, title="Port a design tool", description="Written in C, some C++ in the body.")
    assert _refs(api, q="port", skills=["c++"]) == [cpp["id"]]
    assert _refs(api, skills=["C++"]) == [cpp["id"]]
    assert _refs(api, q="port", skills=["c"]) == []


def test_search_jobs__only_the_newest_max_ranked_matches_are_scored(api, corpus, monkeypatch):
    monkeypatch.setattr(search, "MAX_RANKED", 1)
    assert _refs(api, q="escrow") == [corpus["logo"]]  # the audit ranks higher but was listed first


def test_search_jobs__posted_since__only_newer(api, corpus):
    future = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    assert _refs(api, q="escrow", posted_since=future) == []
    past = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    assert len(_refs(api, q="escrow", posted_since=past)) == 2


def test_search_jobs__posted_since_with_token_and_statuses(api, corpus):
    past = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    params = {"q": "escrow", "token": TOKEN, "posted_since": past, "status": ["published", "closed"]}
    assert sorted(_refs(api, **params)) == sorted(corpus.values())
    assert _refs(api, **(params | {"token": "0x" + "11" * 20})) == []


def test_search_jobs__posted_since__by_the_posting_time_not_the_listing_order(api, corpus, db):
    """Ids mostly grow with time, but the filter is on `posted_at`: an older id posted later is found, a newer
    id posted earlier is not."""
    now = datetime.now(UTC)
    for name, posted in [("audit", now - timedelta(minutes=5)), ("logo", now - timedelta(days=60))]:
        db.execute(update(SearchDocument).where(SearchDocument.ref == str(corpus[name])).values(posted_at=posted))
    db.commit()
    since = (now - timedelta(days=30)).isoformat()
    assert _refs(api, q="escrow", posted_since=since) == [corpus["audit"]]
    assert _refs(api, posted_since=since) == [corpus["audit"]]


def test_search_jobs__repeated_word__same_as_once(api, corpus):
    once = api.get("/api/search/jobs", params={"q": "escrow"}).json()["items"]
    assert api.get("/api/search/jobs", params={"q": "escrow Escrow escrow"}).json()["items"] == once


def test_search_jobs__no_words__newest_listed_jobs_first(api, corpus):
    assert _refs(api) == sorted([corpus["audit"], corpus["logo"]], key=int, reverse=True)


def test_search_jobs__no_words__pages_walk_from_the_newest_down(client_as, api):
    client = client_as("client")
    ids = [int(published_post(client, title=f"Brand job {i}")["id"]) for i in range(5)]
    seen, cursor = [], None
    while True:
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = api.get("/api/search/jobs", params=params).json()
        seen += [int(hit["ref"]) for hit in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(ids, reverse=True)


def test_search_jobs__keyset_pages_cover_every_hit_once(client_as, api):
    client = client_as("client")
    for i in range(5):
        published_post(client, title=f"Escrow job {i}", description="escrow " * (i + 1))
    seen, cursor = [], None
    while True:
        params = {"q": "escrow", "limit": 2} | ({"cursor": cursor} if cursor else {})
        page = api.get("/api/search/jobs", params=params).json()
        seen += [hit["ref"] for hit in page["items"]]
        scores = [hit["score"] for hit in page["items"]]
        assert scores == sorted(scores, reverse=True)
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 5


def test_search_jobs__past_the_page_cap__422_problem(api, corpus):
    cursor = base64.urlsafe_b64encode(json.dumps({"s": 0.0, "i": 1, "p": 20}).encode()).decode()
    response = api.get("/api/search/jobs", params={"q": "escrow", "cursor": cursor})
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    assert "20 pages" in response.json()["detail"]


@pytest.mark.parametrize("q", ['escrow" OR *', "NEAR(escrow", "-escrow", "^escrow:*", "a & | !b"])
def test_search_jobs__query_syntax_in_the_text__treated_as_words_not_500(api, corpus, q):
    response = api.get("/api/search/jobs", params={"q": q})
    assert response.status_code == 200


def test_search_jobs__bad_cursor_or_too_many_words__422(api):
    assert api.get("/api/search/jobs", params={"cursor": "!!"}).status_code == 422
    assert api.get("/api/search/jobs", params={"q": " ".join("w" * 3 for _ in range(9))}).status_code == 422


def test_search_profiles__bio_and_skills_with_rate_filter(client_as, api):
    client_as("freelancer").put(
        "/api/me/profile", json=profile_body(bio="Vyper and escrow audits.", hourly_rate="90", skills=["vyper"])
    )
    client_as("arbiter").put(
        "/api/me/profile",
        json=profile_body(display_name="Escrow Wang", bio="Logos.", hourly_rate="30", skills=["logo-design"]),
    )
    hits = api.get("/api/search/profiles", params={"q": "escrow"}).json()["items"]
    assert [h["title"] for h in hits] == ["Escrow Wang", "Li Wei"]
    cheap = api.get("/api/search/profiles", params={"q": "escrow", "rate_max": "50"}).json()["items"]
    assert [h["title"] for h in cheap] == ["Escrow Wang"]
    vyper = api.get("/api/search/profiles", params={"skills": ["vyper"]}).json()["items"]
    assert [h["title"] for h in vyper] == ["Li Wei"]


def test_search_profiles__a_clients_profile_is_not_talent__until_it_names_a_skill_or_a_rate(client_as, api):
    client = client_as("client")
    client.put("/api/me/profile", json={"display_name": "Jasmine Garden Teas", "bio": "We sell tea.", "skills": []})
    client_as("freelancer").put("/api/me/profile", json=profile_body(bio="I draw tea labels.", skills=["labels"]))
    assert [h["title"] for h in api.get("/api/search/profiles", params={"q": "tea"}).json()["items"]] == ["Li Wei"]

    client.put(
        "/api/me/profile",
        json={"display_name": "Jasmine Garden Teas", "bio": "We sell tea.", "skills": [], "hourly_rate": "40"},
    )
    titles = {h["title"] for h in api.get("/api/search/profiles", params={"q": "tea"}).json()["items"]}
    assert titles == {"Li Wei", "Jasmine Garden Teas"}


def test_search_jobs__markdown_is_searched_and_shown_as_its_words(client_as, api):
    published_post(
        client_as("client"),
        title="Label design",
        description="A **bold** label; the [brief](https://example.com/spec) lists the `cmyk` colours.",
    )
    [hit] = api.get("/api/search/jobs", params={"q": "bold"}).json()["items"]
    assert "**" not in hit["snippet"] and "https" not in hit["snippet"]
    assert "<mark>bold</mark> label; the brief lists the cmyk colours" in hit["snippet"]
    assert api.get("/api/search/jobs", params={"q": "brief"}).json()["items"] != []
    assert api.get("/api/search/jobs", params={"q": "https"}).json()["items"] == []  # a link's address is not text
