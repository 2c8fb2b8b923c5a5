"""Full-text search over job posts and profiles: SQLite FTS5 or PostgreSQL tsvector, one contract.

Both engines get the same query (every word must match, as a prefix), the same filters, the
same weighting idea (title above tags above body), HTML-safe snippets with <mark>, and keyset
pagination on (score, id) with a hard cap on the number of pages.

Cost is bounded by the page cap: at most MAX_PAGES × MAX_LIMIT results can ever be read, so only
the newest MAX_RANKED documents that match the words and filters are scored (scoring is the costly
step: bm25 or ts_rank reads every candidate's positions), and snippets are cut for the page shown only.
A common word thus costs about what a rare one does.

Finding those documents (migration 0500 has the indexes and the figures): SQLite walks FTS5's rowids
newest first, the wanted tags as phrases of the tags column in the same MATCH, from a rowid bound when
`posted_since` is set; PostgreSQL either walks a partial index of the kind's listed ids newest first,
or intersects the words and the tags in one GIN scan, whichever its estimates favour. The filters
themselves are exact (`_filters`) and read from the row on both engines.
"""

from __future__ import annotations

import base64
import html
import json
import re
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Float,
    Select,
    and_,
    bindparam,
    cast,
    column,
    delete,
    func,
    literal_column,
    or_,
    select,
    table,
    text,
)
from sqlalchemy.orm import Session

from backend.app.models.job_post import JobPost
from backend.app.models.profile import Profile
from backend.app.models.search import SearchDocument
from backend.app.models.types import UTCDateTime
from backend.app.schemas.search import SearchHit, SearchPage
from backend.app.services import embeddings, markdown
from backend.app.services.errors import Invalid
from backend.app.services.skills import normalise_tags

MAX_LIMIT = 50
MAX_PAGES = 20
MAX_RANKED = MAX_PAGES * MAX_LIMIT  # newest matching documents scored per query: all the pages can show
MAX_TERMS = 8
_WORD = re.compile(r"\w+", re.UNICODE)
_OPEN, _CLOSE = "\x02", "\x03"  # snippet markers, swapped for <mark> after escaping
LISTED_JOB_STATUSES = frozenset({"published", "hired", "closed"})


# ---- keeping documents in step (called by the services that write jobs and profiles) ----


def _plain(value: str) -> str:
    """Angle brackets out: PostgreSQL's parser drops what looks like markup, FTS5 does not."""
    return value.replace("<", " ").replace(">", " ")


def searchable_text(markdown_source: str) -> str:
    """What a Markdown text contributes to search: its words without the syntax (no `**`, no link addresses),
    so that neither matches nor snippets show Markdown."""
    return _plain(markdown.plain_text(markdown_source))


def offers_work(skills: Collection[str], hourly_rate: int | None) -> bool:
    """A profile is talent (talent search lists it, matching ranks it) when it names a skill or an hourly
    rate; a client's profile (a name, nothing to hire) is not."""
    return bool(skills) or hourly_rate is not None


def _upsert(session: Session, *, kind: str, ref: str, values: dict[str, Any]) -> None:
    document = session.scalar(select(SearchDocument).where(SearchDocument.kind == kind, SearchDocument.ref == ref))
    if document is None:
        session.add(SearchDocument(kind=kind, ref=ref, **values))
    else:
        for key, value in values.items():
            setattr(document, key, value)


def _remove(session: Session, *, kind: str, ref: str) -> None:
    session.execute(delete(SearchDocument).where(SearchDocument.kind == kind, SearchDocument.ref == ref))


def job_document(post: JobPost) -> dict[str, Any]:
    """The search document's values for a job post (bulk loaders write exactly these)."""
    return {
        "title": _plain(post.title),
        "body": searchable_text(post.description),
        "tags": " " + " ".join(s.tag for s in post.skills) + " ",
        "budget": post.budget,
        "token": post.token,
        "status": post.status,
        "posted_at": post.published_at or post.created_at,
        "hidden": post.hidden,
    }


def profile_document(profile: Profile) -> dict[str, Any]:
    """The search document's values for a profile."""
    return {
        "title": _plain(profile.display_name),
        "body": searchable_text(profile.bio),
        "tags": " " + " ".join(s.tag for s in profile.skills) + " ",
        "budget": profile.hourly_rate,
        "token": profile.rate_token,
        "status": profile.availability,
        "posted_at": profile.updated_at,
        "hidden": profile.hidden,
    }


def index_job_post(session: Session, post: JobPost) -> None:
    """Listed jobs are searchable (drafts are not); the caller commits. Also refreshes the post's embedding."""
    post.embedding = embeddings.to_bytes(embeddings.embed(embeddings.job_text(post.title, post.description)))
    if post.status not in LISTED_JOB_STATUSES:
        _remove(session, kind="job", ref=str(post.id))
        return
    _upsert(session, kind="job", ref=str(post.id), values=job_document(post))


def index_profile(session: Session, profile: Profile) -> None:
    """Profiles that offer work are searchable; the caller commits. Also refreshes the profile's embedding."""
    profile.embedding = embeddings.to_bytes(embeddings.embed(embeddings.profile_text(profile.bio)))
    if not offers_work([s.tag for s in profile.skills], profile.hourly_rate):
        _remove(session, kind="profile", ref=profile.address)
        return
    _upsert(session, kind="profile", ref=profile.address, values=profile_document(profile))


# ---- queries ----


@dataclass(frozen=True)
class SearchQuery:
    kind: str  # "job" | "profile"
    text: str = ""
    skills: list[str] = field(default_factory=list)
    budget_min: int | None = None
    budget_max: int | None = None
    token: str | None = None
    statuses: list[str] = field(default_factory=list)
    posted_since: datetime | None = None
    limit: int = 20
    cursor: str | None = None


@dataclass(frozen=True)
class _Cursor:
    score: float
    id: int
    page: int


def _encode_cursor(cursor: _Cursor) -> str:
    raw = json.dumps({"s": cursor.score, "i": cursor.id, "p": cursor.page}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(value: str | None) -> _Cursor | None:
    if not value:
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)))
        return _Cursor(score=float(data["s"]), id=int(data["i"]), page=int(data["p"]))
    except (ValueError, KeyError, TypeError):
        raise Invalid("the cursor is not one this API gave out") from None


def terms(raw: str) -> list[str]:
    """The words of a query (punctuation and operators dropped, a repeated word kept once), at most MAX_TERMS.

    A repeat would match nothing more, but PostgreSQL would count it twice when it estimates how many jobs
    match, and pick a plan for a rare query (the matches sorted) when it is as common as the word."""
    words = [w.lower() for w in _WORD.findall(raw)]
    if len(words) > MAX_TERMS:
        raise Invalid(f"at most {MAX_TERMS} words per query")
    return list(dict.fromkeys(words))


def safe_snippet(marked: str) -> str:
    """Escape everything, then turn the engine's markers into <mark> (the only HTML in a snippet)."""
    return html.escape(marked).replace(_OPEN, "<mark>").replace(_CLOSE, "</mark>")


def _filters(query: SearchQuery) -> list[Any]:
    """The exact filters, the same on both engines; `_ranked` adds what lets an index narrow them first."""
    d = SearchDocument
    conditions: list[Any] = [d.kind == query.kind, d.hidden.is_(False)]
    for tag in normalise_tags(query.skills):
        conditions.append(d.tags.like(f"% {tag} %"))
    if query.budget_min is not None:
        conditions.append(d.budget >= query.budget_min)
    if query.budget_max is not None:
        conditions.append(d.budget <= query.budget_max)
    if query.token:
        conditions.append(func.lower(d.token) == query.token.lower())
    statuses = query.statuses or (["published"] if query.kind == "job" else [])
    if statuses:
        conditions.append(d.status.in_(statuses))
    if query.posted_since is not None:
        conditions.append(d.posted_at >= query.posted_since)
    return conditions


_PAGE_COLUMNS = ("id", "kind", "ref", "title", "tags", "budget", "token", "status", "posted_at")


def _page_columns() -> list[Any]:
    return [getattr(SearchDocument, name) for name in _PAGE_COLUMNS]


def _sqlite_match(words: list[str], tags: list[str] | None = None) -> str:
    """Every word as a prefix; each wanted tag as a phrase in the tags column (a pre-filter the index
    answers; the exact `LIKE` on the document still decides)."""
    match = " ".join('"' + w.replace('"', "") + '"*' for w in words)
    phrases = ('tags : "' + tag.replace('"', "") + '"' for tag in tags or [] if _WORD.search(tag))  # "c++" → "c"
    return " ".join([match, *phrases])


def _postgres_query(words: list[str]) -> Any:
    return func.to_tsquery("simple", " & ".join(w + ":*" for w in words))


def _postgres_tags(tags: list[str]) -> Any:
    """Every lexeme of every wanted tag (a pre-filter the GIN index answers: the tsvector holds the tags column,
    parsed as this parses the tag, so a document with the tag has them all; the exact `LIKE` still decides)."""
    query = func.plainto_tsquery("simple", tags[0])
    for tag in tags[1:]:
        query = query.op("&&")(func.plainto_tsquery("simple", tag))
    return query


def _posted_since_rowid(since: datetime) -> Any:
    """The lowest id among the documents posted since `since`, a rowid FTS5 seeks to: exact (no document the
    filter keeps has a lower id), and since ids grow with time the walk stops about where older documents begin
    instead of reading every older match (bench/api measures it). Read from the
    `posted_at` index, which holds the rowids (SQLite would otherwise walk the table in id order to the first)."""
    return text(
        "(SELECT min(id) FROM search_documents INDEXED BY ix_search_documents_posted_at WHERE posted_at >= :since)"
    ).bindparams(bindparam("since", since, type_=UTCDateTime))


def _ranked(dialect: str, words: list[str], query: SearchQuery) -> Select[Any]:
    """The id and score of the newest MAX_RANKED documents matching words and filters (the columns a page
    shows are read for that page only, and snippets cut for it)."""
    d = SearchDocument
    conditions = _filters(query)
    tags = normalise_tags(query.skills)
    tsv = literal_column("search_documents.tsv")
    if dialect == "postgresql" and tags and not words:  # with words, the tags join their tsquery (below)
        conditions.append(tsv.op("@@")(_postgres_tags(tags)))
    if not words:
        return select(d.id, literal_column("0.0").label("score")).where(*conditions)
    if dialect == "sqlite":  # FTS5 yields rowids newest first and stops at the limit: bm25 runs MAX_RANKED times
        fts = table("search_fts", column("rowid"))
        if query.posted_since is not None:
            conditions.append(fts.c.rowid >= _posted_since_rowid(query.posted_since))
        return (
            select(d.id, (-func.bm25(literal_column("search_fts"), 10.0, 1.0, 5.0)).label("score"))
            .select_from(fts)
            .join(d, d.id == fts.c.rowid)
            .where(text("search_fts MATCH :match").bindparams(match=_sqlite_match(words, tags)), *conditions)
            .order_by(fts.c.rowid.desc())
            .limit(MAX_RANKED)
        )
    words_query = _postgres_query(words)
    match = words_query.op("&&")(_postgres_tags(tags)) if tags else words_query  # one GIN scan for both
    # ranked above the limit, not below it: when the plan sorts every match by id, ts_rank runs on the newest only
    newest = (
        select(d.id, tsv.label("tsv"))
        .where(tsv.op("@@")(match), *conditions)
        .order_by(d.id.desc())
        .limit(MAX_RANKED)
        .subquery("newest")
    )
    score = cast(func.ts_rank(newest.c.tsv, words_query), Float(53))  # float8: exact in the cursor; words alone
    return select(newest.c.id, score.label("score"))


def _snippets(session: Session, dialect: str, words: list[str], ids: list[int]) -> dict[int, str]:
    """Highlighted text around the matches, for the page's documents only (the costly part of a search)."""
    d = SearchDocument
    if not ids:
        return {}
    if not words:
        rows = session.execute(select(d.id, func.substr(d.body, 1, 160)).where(d.id.in_(ids)))
    elif dialect == "sqlite":
        fts = table("search_fts", column("rowid"))
        snippet = func.snippet(literal_column("search_fts"), -1, _OPEN, _CLOSE, "…", 16)
        # FTS5 reruns the whole MATCH once per value of `rowid IN (…)`: give it a rowid range to walk
        # instead, and test membership on `rowid + 0` (an expression FTS5 never sees) before snippet() runs
        rows = session.execute(
            select(fts.c.rowid, snippet).where(
                text("search_fts MATCH :match").bindparams(match=_sqlite_match(words)),
                fts.c.rowid.between(min(ids), max(ids)),
                (fts.c.rowid + 0).in_(ids),
            )
        )
    else:
        options = f"StartSel={_OPEN},StopSel={_CLOSE},MaxWords=24,MinWords=8,ShortWord=1,HighlightAll=false"
        document = func.concat_ws(" ", d.title, d.body)
        headline = func.ts_headline("simple", document, _postgres_query(words), options)
        rows = session.execute(select(d.id, headline).where(d.id.in_(ids)))
    return {int(doc_id): snippet or "" for doc_id, snippet in rows}


def search(session: Session, *, query: SearchQuery) -> SearchPage:
    """Best first, ties newest first (with no words: newest first), `query.limit` per page, at most MAX_PAGES."""
    if query.kind not in ("job", "profile"):
        raise Invalid("kind is job or profile")
    if not 1 <= query.limit <= MAX_LIMIT:
        raise Invalid(f"limit is 1..{MAX_LIMIT}")
    cursor = _decode_cursor(query.cursor)
    page = 1 if cursor is None else cursor.page + 1
    if page > MAX_PAGES:
        raise Invalid(f"results stop after {MAX_PAGES} pages: narrow the query")
    words = terms(query.text)
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        # psycopg prepares a statement once a connection has run it 5 times, and PostgreSQL may then settle on
        # one generic plan for it, blind to the words: for a common word, a bitmap scan that sorts all its
        # matches where walking the newest jobs stops after the few pages a search may show. Plan each search
        # for its own values (planning costs far less than the wrong plan; bench/api measures searches).
        session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
    ranked = _ranked(dialect, words, query).subquery("ranked")
    score, doc_id = ranked.c.score, ranked.c.id
    best = select(ranked)
    if cursor is not None:
        after = doc_id < cursor.id
        best = best.where(after if not words else or_(score < cursor.score, and_(score == cursor.score, after)))
    # without words every score is the same: ordering by id alone lets the database walk its index, not sort
    order = [doc_id.desc()] if not words else [score.desc(), doc_id.desc()]
    this_page = best.order_by(*order).limit(query.limit).subquery("this_page")
    shown = (
        select(*_page_columns(), this_page.c.score)
        .select_from(this_page)
        .join(SearchDocument, SearchDocument.id == this_page.c.id)
        .order_by(this_page.c.score.desc(), this_page.c.id.desc())
    )
    rows = session.execute(shown).mappings().all()
    snippets = _snippets(session, dialect, words, [row["id"] for row in rows])
    items = [
        SearchHit(
            kind=row["kind"],
            ref=row["ref"],
            title=row["title"],
            snippet=safe_snippet(snippets.get(row["id"], "")),
            score=float(row["score"]),
            skills=row["tags"].split(),
            budget=None if row["budget"] is None else str(row["budget"]),
            token=row["token"],
            status=row["status"],
            posted_at=row["posted_at"],
        )
        for row in rows
    ]
    next_cursor = None
    if len(rows) == query.limit and page < MAX_PAGES:
        last = rows[-1]
        next_cursor = _encode_cursor(_Cursor(score=float(last["score"]), id=int(last["id"]), page=page))
    return SearchPage(items=items, next_cursor=next_cursor)
