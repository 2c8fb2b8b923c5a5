"""Bulk-load generated job posts and profiles: the rows the services write, inserted in batches.

Going through `job_posts.create_draft` + `publish` would flush and commit once per row (minutes
for 100,000 jobs), so this builds the same ORM objects the services build (validated through
`JobPostIn` / `ProfileIn`, hashed with `job_posts.listing_document`, search documents from
`search.job_document` / `profile_document`, embeddings from `services/embeddings.py`) and inserts
their column values with one executemany per batch.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from eth_utils import keccak, to_checksum_address
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import insert, text
from sqlalchemy.orm import Session

from backend.app.core.db import make_engine
from backend.app.core.migrate import upgrade
from backend.app.models.job_post import JobPost, JobPostSkill
from backend.app.models.profile import Profile, ProfileSkill
from backend.app.models.search import SearchDocument
from backend.app.models.user import AuthSession, User
from backend.app.schemas.job_post import JobPostIn
from backend.app.schemas.profile import ProfileIn
from backend.app.services import auth, embeddings, job_posts, markdown, search
from backend.app.services.listing_hash import canonical_json, metadata_hash
from backend.app.services.skills import normalise_tags
from bench.api import corpus

BATCH = 5_000
JOBS_PER_CLIENT = 20
STATUSES = (["published"] * 80) + (["closed"] * 12) + (["hired"] * 8)


@dataclass(frozen=True)
class Loaded:
    jobs: int
    profiles: int
    client: str  # signs in for the job matches; owns jobs 1, 1 + clients, …
    client_token: str
    client_jobs: list[int]
    freelancer_token: str
    seconds: float


def address(kind: str, n: int) -> str:
    return to_checksum_address(keccak(text=f"bench-{kind}-{n}")[-20:])


def _values(obj: Any) -> dict[str, Any]:
    return {column.key: getattr(obj, column.key) for column in obj.__table__.columns}


def _session_token(session: Session, who: str, now: datetime) -> str:
    """A session row exactly as `auth.sign_in` stores it (the cookie value comes back)."""
    token = secrets.token_urlsafe(32)
    session.add(
        AuthSession(token_hash=auth._hash_token(token), address=who, created_at=now, expires_at=now + timedelta(days=1))
    )
    return token


def _job_rows(
    rng: random.Random, first_id: int, count: int, total: int, clients: int, now: datetime
) -> tuple[list[JobPost], list[str]]:
    """Posts `first_id`… (ids grow with time as on a live site: the last post is from now, the first 180 days old)."""
    posts, texts = [], []
    for post_id in range(first_id, first_id + count):
        text = corpus.job(rng)
        data = JobPostIn(
            title=text.title,
            description=text.description,
            category=text.category,
            skills=text.skills,
            budget=str(text.budget),
            token=text.token,
            milestones=[{"title": title, "amount": str(amount)} for title, amount in text.milestones],
        )
        created = now - timedelta(days=180) * (1 - post_id / total) - timedelta(hours=rng.random())
        tags = normalise_tags(data.skills)
        post = JobPost(
            id=post_id,
            client=address("client", post_id % clients),
            status=rng.choice(STATUSES),
            title=data.title.strip(),
            description=data.description,
            description_html=markdown.render(data.description),
            category=data.category,
            budget=int(data.budget),
            token=data.token,
            deadline=None,
            milestones=[{"title": m.title, "amount": str(int(m.amount))} for m in data.milestones],
            hidden=False,
            created_at=created,
            updated_at=created + timedelta(minutes=5),
            published_at=created + timedelta(minutes=5),
            chain_id=None,
            chain_job_id=None,
        )
        post.skills = [JobPostSkill(job_post_id=post_id, tag=tag) for tag in tags]
        post.canonical_json = canonical_json(job_posts.listing_document(post, tags))
        post.metadata_hash = metadata_hash(job_posts.listing_document(post, tags))
        posts.append(post)
        texts.append(embeddings.job_text(post.title, post.description))
    return posts, texts


def _insert_jobs(session: Session, posts: list[JobPost], texts: list[str], first_doc: int) -> None:
    for post, vector in zip(posts, embeddings.embed_many(texts), strict=True):
        post.embedding = embeddings.to_bytes(vector)
    session.execute(insert(JobPost.__table__), [_values(p) for p in posts])
    session.execute(insert(JobPostSkill.__table__), [_values(s) for p in posts for s in p.skills])
    documents = [
        {"id": first_doc + i, "kind": "job", "ref": str(p.id), **search.job_document(p)} for i, p in enumerate(posts)
    ]
    session.execute(insert(SearchDocument.__table__), documents)


def _profile_rows(rng: random.Random, first: int, count: int, now: datetime) -> list[Profile]:
    profiles = []
    for n in range(first, first + count):
        text = corpus.profile(rng)
        data = ProfileIn(
            display_name=text.display_name,
            bio=text.bio,
            skills=text.skills,
            hourly_rate=str(text.hourly_rate),
            rate_token=text.token,
            availability=text.availability,  # type: ignore[arg-type]
        )
        who = address("freelancer", n)
        updated = now - timedelta(days=90) * rng.random()
        profile = Profile(
            address=who,
            display_name=data.display_name.strip(),
            bio=data.bio,
            hourly_rate=None if data.hourly_rate is None else int(data.hourly_rate),
            rate_token=data.rate_token,
            links=[str(link) for link in data.links],
            availability=data.availability,
            hidden=False,
            created_at=updated,
            updated_at=updated,
        )
        profile.skills = [ProfileSkill(address=who, tag=tag) for tag in normalise_tags(data.skills)]
        profiles.append(profile)
    return profiles


def _insert_profiles(session: Session, profiles: list[Profile], first_doc: int) -> None:
    vectors = embeddings.embed_many([embeddings.profile_text(p.bio) for p in profiles])
    for profile, vector in zip(profiles, vectors, strict=True):
        profile.embedding = embeddings.to_bytes(vector)
    session.execute(insert(Profile.__table__), [_values(p) for p in profiles])
    session.execute(insert(ProfileSkill.__table__), [_values(s) for p in profiles for s in p.skills])
    documents = [
        {"id": first_doc + i, "kind": "profile", "ref": p.address, **search.profile_document(p)}
        for i, p in enumerate(profiles)
    ]
    session.execute(insert(SearchDocument.__table__), documents)


def load(database_url: str, *, jobs: int, profiles: int, seed: int = 7) -> Loaded:
    """Migrate an empty database, then load `jobs` job posts and `profiles` profiles (with a rich progress bar)."""
    started = datetime.now(UTC)
    upgrade(database_url)
    engine = make_engine(database_url)
    rng = random.Random(seed)
    clients = max(1, jobs // JOBS_PER_CLIENT)
    now = datetime.now(UTC)
    columns = [TextColumn("{task.description:>22}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()]
    try:
        with Progress(*columns, console=Console(stderr=True)) as progress, Session(engine) as session:
            users = [address("client", n) for n in range(clients)] + [address("freelancer", n) for n in range(profiles)]
            task = progress.add_task("users", total=len(users))
            for start in range(0, len(users), BATCH):
                chunk = users[start : start + BATCH]
                session.execute(
                    insert(User.__table__), [{"address": a, "created_at": now, "last_sign_in_at": now} for a in chunk]
                )
                progress.advance(task, len(chunk))
            session.commit()

            task = progress.add_task("job posts", total=jobs)
            for start in range(0, jobs, BATCH):
                count = min(BATCH, jobs - start)
                posts, texts = _job_rows(rng, start + 1, count, jobs, clients, now)
                _insert_jobs(session, posts, texts, first_doc=start + 1)
                session.commit()
                progress.advance(task, count)

            task = progress.add_task("profiles", total=profiles)
            for start in range(0, profiles, BATCH):
                count = min(BATCH, profiles - start)
                _insert_profiles(session, _profile_rows(rng, start, count, now), first_doc=jobs + start + 1)
                session.commit()
                progress.advance(task, count)

            task = progress.add_task("analyze", total=1)
            client = address("client", 0)
            client_token = _session_token(session, client, now)
            freelancer_token = _session_token(session, address("freelancer", 0), now)
            session.commit()
            with engine.connect() as connection:  # planner statistics, as after any bulk load
                connection.execute(text("ANALYZE"))
                connection.commit()
            progress.advance(task)
    finally:
        engine.dispose()
    client_jobs = [post_id for post_id in range(1, jobs + 1) if post_id % clients == 0]
    return Loaded(
        jobs=jobs,
        profiles=profiles,
        client=client,
        client_token=client_token,
        client_jobs=client_jobs,
        freelancer_token=freelancer_token,
        seconds=(datetime.now(UTC) - started).total_seconds(),
    )
