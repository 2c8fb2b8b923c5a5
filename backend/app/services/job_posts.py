"""Off-chain job listings: drafts, publish, edit before hiring only, close, link to the escrow job."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy import Connection, Select, String, bindparam, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.sql.functions import FunctionElement

from backend.app.core.tokens import TokenList
from backend.app.models.chain import ChainJob
from backend.app.models.job_post import JobPost, JobPostSkill
from backend.app.schemas.job_post import JobPostIn, JobPostOut, MilestonePlan
from backend.app.services import chain_jobs, listing_jobs, markdown, search, tokens
from backend.app.services.errors import Conflict, Invalid, NotAllowed, NotFound
from backend.app.services.listing_hash import canonical_json, metadata_hash
from backend.app.services.profiles import category_exists
from backend.app.services.skills import normalise_tags

LISTING_SCHEMA = "jiedan/job@1"
EDITABLE = frozenset({"draft", "published"})
PUBLIC = frozenset({"published", "hired", "closed"})
MAX_PAGE = 50


def listing_document(post: JobPost, skills: list[str]) -> dict[str, Any]:
    """What the metadata hash commits to: every field a freelancer relies on when applying.

    The id and creation time make two listings with the same text hash differently, so an
    escrow job ties to exactly one listing.
    """
    return {
        "schema": LISTING_SCHEMA,
        "id": post.id,
        "created_at": post.created_at.isoformat(),
        "client": post.client,
        "title": post.title,
        "description": post.description,
        "category": post.category,
        "skills": skills,
        "budget": str(post.budget),
        "token": post.token,
        "deadline": None if post.deadline is None else post.deadline.isoformat(),
        "milestones": post.milestones,
    }


def _apply(session: Session, post: JobPost, data: JobPostIn, listed: TokenList) -> None:
    payment = tokens.accepted_in(listed, data.token)  # a listing names money in a token the network lists
    if not category_exists(session, slug=data.category):
        raise Invalid(f"no category {data.category!r}: see GET /api/categories")
    if any(int(m.amount) == 0 for m in data.milestones):
        raise Invalid("every milestone needs an amount above zero")
    if data.deadline is not None and data.deadline.tzinfo is None:
        raise Invalid("the deadline needs a time zone (e.g. 2026-12-31T00:00:00Z)")
    tags = normalise_tags(data.skills)
    post.title = data.title.strip()
    post.description = data.description
    post.description_html = markdown.render(data.description)
    post.category = data.category
    post.budget = int(data.budget)
    post.token = payment.address
    post.deadline = None if data.deadline is None else data.deadline.astimezone(UTC)
    post.milestones = [{"title": m.title, "amount": str(int(m.amount))} for m in data.milestones]
    post.skills = [JobPostSkill(tag=tag) for tag in tags]
    post.updated_at = datetime.now(UTC)
    post.canonical_json, post.metadata_hash = "", ""  # computed below, once the id exists
    session.add(post)
    session.flush()  # the id is part of the hashed document
    post.canonical_json = canonical_json(listing_document(post, tags))
    post.metadata_hash = metadata_hash(listing_document(post, tags))


def create_draft(session: Session, *, client: str, data: JobPostIn, listed: TokenList) -> JobPost:
    now = datetime.now(UTC)
    post = JobPost(client=client, status="draft", hidden=False, created_at=now)
    _apply(session, post, data, listed)
    session.commit()
    return post


class Listing(Protocol):
    """The columns a listing's answer is built from: a `JobPost`, or a plain row of its table."""

    id: int
    client: str
    status: str
    title: str
    description: str
    description_html: str | None
    category: str
    budget: int
    token: str
    deadline: datetime | None
    milestones: list[dict[str, Any]]
    canonical_json: str
    metadata_hash: str
    chain_id: int | None
    chain_job_id: int | None
    hidden: bool
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None


def _visible_to(post: Listing, viewer: str | None) -> bool:
    """Drafts and hidden posts exist only for their owner."""
    return post.client == viewer or (post.status in PUBLIC and not post.hidden)


def get_visible(session: Session, *, post_id: int, viewer: str | None) -> JobPost:
    """Drafts and hidden posts exist only for their owner; to anyone else they are 404.

    One query: the skills come joined to the post (the mapper's default `selectin` would be a second).
    """
    post = session.get(JobPost, post_id, options=[joinedload(JobPost.skills)])
    if post is None or not _visible_to(post, viewer):
        raise NotFound(f"no job post {post_id}")
    return post


class _spaced(FunctionElement[str]):
    """The strings of a group joined with spaces. Unlike `func.aggregate_strings`, whose separator is rendered
    into the SQL at each execution, the statement compiles once and is then reused as is."""

    type = String()
    inherit_cache = True


@compiles(_spaced, "sqlite")
def _spaced_sqlite(element: _spaced, compiler: Any, **kw: Any) -> str:
    return f"group_concat({compiler.process(element.clauses, **kw)}, ' ')"


@compiles(_spaced, "postgresql")
def _spaced_postgresql(element: _spaced, compiler: Any, **kw: Any) -> str:
    return f"string_agg({compiler.process(element.clauses, **kw)}, ' ')"


_SKILL_TAGS = (  # tags hold no spaces (services/skills.py), so one string of them, space-separated, splits back
    select(_spaced(JobPostSkill.tag)).where(JobPostSkill.job_post_id == JobPost.id).scalar_subquery()
)
_LISTINGS = select(
    *[column for column in JobPost.__table__.columns if column.key != "embedding"], _SKILL_TAGS.label("skill_tags")
)
_LISTING_BY_ID = _LISTINGS.where(JobPost.id == bindparam("post_id"))


def _skills_of(row: Any) -> list[str]:
    return sorted(row.skill_tags.split()) if row.skill_tags else []


LISTING_BY_ID = _LISTING_BY_ID
"""The statement `read_visible` reads a listing with (its skills aggregated): param `post_id`."""


def answer_from_row(post: Listing | None, *, post_id: int, viewer: str | None) -> JobPostOut | None:
    """A listing's answer from its row (`LISTING_BY_ID`) alone; None when its escrow job must be read too.

    Raises NotFound as `get_visible` does: drafts and hidden posts exist only for their owner.
    """
    if post is None or not _visible_to(post, viewer):
        raise NotFound(f"no job post {post_id}")
    if post.chain_job_id is None and post.status != "hired":
        return _listing_out(post, _skills_of(post), None)
    return None


def read_visible(connection: Connection, *, post_id: int, viewer: str | None) -> JobPostOut:
    """`post_out(get_visible(…))` for the API's hottest read, from plain rows: same rules, same answer.

    Building ORM objects (identity map, instance state, the joined skills collection) took half of the
    request's time; one compiled-once Core query, the skills aggregated into it, takes a fifth of that. An
    escrow job linked to the listing is still read through the ORM (its settlement rides along).
    """
    post: Listing | None = connection.execute(_LISTING_BY_ID, {"post_id": post_id}).one_or_none()  # type: ignore[assignment]
    answer = answer_from_row(post, post_id=post_id, viewer=viewer)
    if answer is not None:
        return answer
    assert post is not None  # answer_from_row raised otherwise
    with Session(bind=connection) as session:
        return _listing_out(post, _skills_of(post), listing_jobs.job_of(session, post))


def get_owned(session: Session, *, post_id: int, client: str) -> JobPost:
    post = get_visible(session, post_id=post_id, viewer=client)
    if post.client != client:
        raise NotAllowed(f"job post {post_id} belongs to {post.client}")
    return post


def update(session: Session, *, post_id: int, client: str, data: JobPostIn, listed: TokenList) -> JobPost:
    """Edit before hiring only: once hired, the hash on-chain must keep matching the listing."""
    post = get_owned(session, post_id=post_id, client=client)
    if post.status not in EDITABLE:
        raise Conflict(f"job post {post_id} is {post.status}: it can no longer be edited")
    _apply(session, post, data, listed)
    search.index_job_post(session, post)
    session.commit()
    return post


def publish(session: Session, *, post_id: int, client: str) -> JobPost:
    post = get_owned(session, post_id=post_id, client=client)
    if post.status != "draft":
        raise Conflict(f"job post {post_id} is {post.status}, not a draft")
    if not post.milestones:
        raise Conflict("add at least one milestone before publishing")
    now = datetime.now(UTC)
    if post.deadline is not None and post.deadline <= now:
        raise Conflict("the deadline has passed")
    post.status = "published"
    post.published_at = now
    post.updated_at = now
    search.index_job_post(session, post)
    session.commit()
    return post


def close(session: Session, *, post_id: int, client: str) -> JobPost:
    post = get_owned(session, post_id=post_id, client=client)
    if post.status not in EDITABLE:
        raise Conflict(f"job post {post_id} is {post.status}: only drafts and published posts can be closed")
    post.status = "closed"
    post.updated_at = datetime.now(UTC)
    search.index_job_post(session, post)
    session.commit()
    return post


def mark_hired(session: Session, *, post: JobPost) -> None:
    """Freeze the listing (called when a proposal is accepted; the caller commits)."""
    if post.status != "published":
        raise Conflict(f"job post {post.id} is {post.status}: only a published job can be hired for")
    post.status = "hired"
    post.updated_at = datetime.now(UTC)
    search.index_job_post(session, post)


def link_chain_job(session: Session, *, post_id: int, client: str, chain_id: int, chain_job_id: int) -> JobPost:
    """Tie the listing to its escrow job; the on-chain hash is then compared with the listing's."""
    post = get_owned(session, post_id=post_id, client=client)
    if post.status != "hired":
        raise Conflict(f"job post {post_id} is {post.status}: accept a proposal first")
    job = chain_jobs.get_job(session, chain_id=chain_id, job_id=chain_job_id)
    if job.client != client:
        raise NotAllowed(f"escrow job {chain_job_id} was created by {job.client}, not by you")
    post.chain_id, post.chain_job_id = chain_id, chain_job_id
    session.commit()
    return post


def _public_page(
    query: Select[Any], *, category: str | None, client: str | None, before_id: int | None, limit: int
) -> Select[Any]:
    """Published listings, newest first, keyset-paginated by id."""
    query = query.where(JobPost.status == "published", JobPost.hidden.is_(False))
    if category:
        query = query.where(JobPost.category == category)
    if client:
        query = query.where(JobPost.client == client)
    if before_id is not None:
        query = query.where(JobPost.id < before_id)
    return query.order_by(JobPost.id.desc()).limit(min(limit, MAX_PAGE))


def list_public(
    session: Session,
    *,
    category: str | None = None,
    client: str | None = None,
    before_id: int | None = None,
    limit: int,
) -> Sequence[JobPost]:
    """Published listings, newest first, keyset-paginated by id (as ORM objects, for the web pages)."""
    page = _public_page(select(JobPost), category=category, client=client, before_id=before_id, limit=limit)
    return session.scalars(page).all()


def read_public_page(
    connection: Connection,
    *,
    category: str | None = None,
    client: str | None = None,
    before_id: int | None = None,
    limit: int,
) -> list[JobPostOut]:
    """`list_public` answered from plain rows, as `read_visible` answers one listing (published listings carry
    no escrow job yet)."""
    page = _public_page(_LISTINGS, category=category, client=client, before_id=before_id, limit=limit)
    rows = connection.execute(page).all()
    return [_listing_out(row, _skills_of(row), None) for row in rows]  # type: ignore[arg-type]


def list_own(session: Session, *, client: str) -> Sequence[JobPost]:
    return session.scalars(select(JobPost).where(JobPost.client == client).order_by(JobPost.id.desc())).all()


def post_out(session: Session, post: JobPost) -> JobPostOut:
    return _listing_out(post, [s.tag for s in post.skills], listing_jobs.job_of(session, post))


def _listing_out(post: Listing, skills: list[str], job: ChainJob | None) -> JobPostOut:
    return JobPostOut(
        id=post.id,
        client=post.client,
        status=post.status,  # type: ignore[arg-type]
        title=post.title,
        description=post.description,
        description_html=markdown.render(post.description) if post.description_html is None else post.description_html,
        category=post.category,
        skills=skills,
        budget=str(post.budget),
        token=post.token,
        deadline=post.deadline,
        milestones=[MilestonePlan(**m) for m in post.milestones],
        canonical_json=post.canonical_json,
        metadata_hash=post.metadata_hash,
        chain=None if job is None else chain_jobs.job_out(job),
        hash_mismatch=job is not None and job.metadata_hash.lower() != post.metadata_hash.lower(),
        created_at=post.created_at,
        updated_at=post.updated_at,
        published_at=post.published_at,
    )


@dataclass(frozen=True)
class JobListing:
    """The listing an escrow job carries, as a viewer may see it, and whether the job names its hash."""

    id: int
    title: str
    hash_matches: bool


def listing_for_job(session: Session, job: listing_jobs.JobKey, *, viewer: str | None) -> JobListing | None:
    """The listing this escrow job carries (services/listing_jobs.py), if there is one the viewer may see."""
    post = listing_jobs.listing_of(session, job)
    if post is None or not _visible_to(post, viewer):
        return None
    return JobListing(post.id, post.title, post.metadata_hash.lower() == job.metadata_hash.lower())


def titles(session: Session, *, post_ids: Iterable[int], viewer: str | None, as_owner: bool = False) -> dict[int, str]:
    """The titles of those of these listings the viewer may see, in one query (see display_names.listing for
    naming the others). `as_owner`: as each listing's client sees it (the participants of a listing's
    conversations see its title)."""
    rows = session.execute(
        select(JobPost.id, JobPost.title, JobPost.client, JobPost.status, JobPost.hidden).where(
            JobPost.id.in_(set(post_ids))
        )
    ).all()
    return {row.id: row.title for row in rows if as_owner or _visible_to(row, viewer)}
