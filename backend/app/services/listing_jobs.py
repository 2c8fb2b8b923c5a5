"""Which escrow job carries which listing: the one rule behind a listing's job, a job's listing, the names
notifications give jobs and the skills paid jobs prove.

A job carries a listing when the listing is linked to it (the listing's chain and job id, set when its
hire was indexed or by hand), or, for a listing linked to no job, when the job is the listing's client's
and was funded with the listing's metadata hash. Addresses and hashes compare in any letter case. Of
several jobs carrying one listing by hash (hired again), the newest is its job; of several listings a
job carries, the linked one, else the newest. A listing looks for its job by hash only once it is
hired: the API answers an unhired, unlinked listing from its row alone (job_posts.answer_from_row), and
`job_of` gives the same answer.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any, Protocol

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from backend.app.core.addresses import spellings
from backend.app.models.chain import ChainJob
from backend.app.models.job_post import JobPost


class JobKey(Protocol):
    """What the rule needs of a job: a `ChainJob`, or the jobs API's answer for one."""

    chain_id: int
    job_id: int
    client: str
    metadata_hash: str


class ListingKey(Protocol):
    """What the rule needs of a listing: a `JobPost`, or a plain row of its table."""

    status: str
    chain_id: int | None
    chain_job_id: int | None
    client: str
    metadata_hash: str


def _same(column: InstrumentedAttribute[str] | ColumnElement[str], value: Any) -> ColumnElement[bool]:
    other = func.lower(value) if isinstance(value, ColumnElement | InstrumentedAttribute) else value.lower()
    return func.lower(column) == other


def carries(job: Any = ChainJob, post: Any = JobPost) -> ColumnElement[bool]:
    """The rule as SQL, between the job and listing columns (or values) given."""
    linked = and_(post.chain_id == job.chain_id, post.chain_job_id == job.job_id)
    by_hash = and_(
        post.chain_job_id.is_(None), _same(post.client, job.client), _same(post.metadata_hash, job.metadata_hash)
    )
    return or_(linked, by_hash)


def job_of(session: Session, post: ListingKey) -> ChainJob | None:
    """The escrow job carrying this listing, if any."""
    if post.chain_id is not None and post.chain_job_id is not None:
        return session.get(ChainJob, (post.chain_id, post.chain_job_id))
    if post.status != "hired":
        return None
    query = (
        select(ChainJob)
        .where(ChainJob.client.in_(spellings(post.client)), _same(ChainJob.metadata_hash, post.metadata_hash))
        .order_by(ChainJob.created_block.desc(), ChainJob.job_id.desc())
        .limit(1)
    )
    return session.scalars(query).first()


def listing_of(session: Session, job: JobKey) -> JobPost | None:
    """The listing this escrow job carries, if any."""
    return listings_of(session, [job]).get((job.chain_id, job.job_id))


def listings_of(session: Session, jobs: Iterable[JobKey]) -> dict[tuple[int, int], JobPost]:
    """The listing each of these jobs carries, by (chain id, job id), in one query."""
    jobs = list(jobs)
    if not jobs:
        return {}
    linked = or_(*(and_(JobPost.chain_id == j.chain_id, JobPost.chain_job_id == j.job_id) for j in jobs))
    by_hash = and_(
        JobPost.chain_job_id.is_(None), func.lower(JobPost.metadata_hash).in_({j.metadata_hash.lower() for j in jobs})
    )
    keys = {(j.chain_id, j.job_id) for j in jobs}
    hashed: dict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)
    for j in jobs:
        hashed[(j.client.lower(), j.metadata_hash.lower())].append((j.chain_id, j.job_id))
    linked_to: dict[tuple[int, int], JobPost] = {}
    by_hash_of: dict[tuple[int, int], JobPost] = {}
    for post in session.scalars(select(JobPost).where(or_(linked, by_hash)).order_by(JobPost.id.desc())):
        if post.chain_job_id is not None:
            if (post.chain_id, post.chain_job_id) in keys:
                linked_to[(post.chain_id, post.chain_job_id)] = post
        else:  # newest first: the first listing found by hash is kept
            for key in hashed.get((post.client.lower(), post.metadata_hash.lower()), ()):
                by_hash_of.setdefault(key, post)
    return {**by_hash_of, **linked_to}  # a linked listing wins over any found by hash
