"""The candidates matching ranks, held in memory per process and per database: every profile or listing with its
owner, title, status, tags and embedding. A pool is brought up to date on each request from the rows whose
`updated_at` moved (an indexed range read) and is read under its lock.
"""

from __future__ import annotations

import threading
import weakref
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from backend.app.models.job_post import JobPost, JobPostSkill
from backend.app.models.profile import Profile, ProfileSkill
from backend.app.services import embeddings, search

LOOKBACK = timedelta(seconds=5)  # rows committed this late after a newer one are still picked up


class Pool:
    """Every row of a table that matching ranks: key, owner, title, status, tags, embedding, updated_at."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.keys: list[Any] = []
        self.row_of: dict[Any, int] = {}
        self.owners: list[str] = []
        self.titles: list[str] = []
        self.statuses: list[str] = []
        self.tags: list[frozenset[str]] = []
        self.listed: list[bool] = []  # may be ranked at all (profiles: offers work, services/search.py)
        self.updated: list[datetime] = []
        self.vectors = np.zeros((0, embeddings.DIM), dtype=np.float32)
        self.tag_rows: dict[str, set[int]] = defaultdict(set)
        self._tag_arrays: dict[str, np.ndarray] = {}
        self._arrays: dict[str, np.ndarray] = {}
        self.seen: datetime | None = None  # newest updated_at read

    def __len__(self) -> int:
        return len(self.keys)

    def rows_with(self, tag: str) -> np.ndarray:
        array = self._tag_arrays.get(tag)
        if array is None:
            array = np.fromiter(self.tag_rows.get(tag, ()), dtype=np.int64)
            self._tag_arrays[tag] = array
        return array

    def array(self, name: str) -> np.ndarray:
        """A column as a numpy array (`owners`, `statuses`, `listed`, `refs`, `wanted`: tags per row), kept until
        a write."""
        array = self._arrays.get(name)
        if array is None:
            if name == "wanted":
                array = np.array([len(tags) for tags in self.tags], dtype=np.float64)
            elif name == "listed":
                array = np.array(self.listed, dtype=bool)
            elif name == "refs":
                array = np.array([str(key) for key in self.keys], dtype=str)
            else:
                array = np.array(getattr(self, name), dtype=str)
            self._arrays[name] = array
        return array

    def put(
        self,
        key: Any,
        owner: str,
        title: str,
        status: str,
        tags: frozenset[str],
        updated: datetime,
        vector: np.ndarray,
        *,
        listed: bool = True,
    ) -> None:
        self._arrays.clear()
        row = self.row_of.get(key)
        if row is None:
            row = len(self.keys)
            self.row_of[key] = row
            self.keys.append(key)
            self.owners.append(owner)
            self.titles.append(title)
            self.statuses.append(status)
            self.tags.append(tags)
            self.listed.append(listed)
            self.updated.append(updated)
            if row >= self.vectors.shape[0]:
                grown = np.zeros((max(1024, 2 * self.vectors.shape[0]), embeddings.DIM), dtype=np.float32)
                grown[:row] = self.vectors[:row]
                self.vectors = grown
        else:
            for tag in self.tags[row] - tags:
                self.tag_rows[tag].discard(row)
                self._tag_arrays.pop(tag, None)
            self.owners[row], self.titles[row], self.statuses[row] = owner, title, status
            self.tags[row], self.listed[row], self.updated[row] = tags, listed, updated
        for tag in tags:
            if row not in self.tag_rows[tag]:
                self.tag_rows[tag].add(row)
                self._tag_arrays.pop(tag, None)
        self.vectors[row] = vector
        if self.seen is None or updated > self.seen:
            self.seen = updated

    def matrix(self) -> np.ndarray:
        return self.vectors[: len(self.keys)]


_pools: weakref.WeakKeyDictionary[Engine, dict[str, Pool]] = weakref.WeakKeyDictionary()
_pools_lock = threading.Lock()


def pool_of(session: Session, kind: str) -> Pool:
    """The engine's pool of `kind` ("profile" or "job"), brought up to date."""
    engine = session.get_bind().engine
    with _pools_lock:
        pool = _pools.setdefault(engine, {}).setdefault(kind, Pool())
    with pool.lock:
        (_refresh_profiles if kind == "profile" else _refresh_jobs)(session, pool)
    return pool


def _vectors(raws: Sequence[bytes | None], texts: Sequence[str]) -> np.ndarray:
    """Stored embeddings, computed for rows written before the column existed."""
    out = np.zeros((len(raws), embeddings.DIM), dtype=np.float32)
    missing = []
    for i, raw in enumerate(raws):
        vector = embeddings.from_bytes(raw)
        if vector is None:
            missing.append(i)
        else:
            out[i] = vector
    if missing:
        out[missing] = embeddings.embed_many([texts[i] for i in missing])
    return out


def _changed(session: Session, pool: Pool, key_column: Any, updated_column: Any) -> list[Any] | None:
    """Keys of rows new or updated since the pool last read (None: read everything)."""
    if pool.seen is None:
        return None
    rows = session.execute(select(key_column, updated_column).where(updated_column >= pool.seen - LOOKBACK)).all()
    return [key for key, updated in rows if (row := pool.row_of.get(key)) is None or pool.updated[row] != updated]


def _refresh_profiles(session: Session, pool: Pool) -> None:
    keys = _changed(session, pool, Profile.address, Profile.updated_at)
    if keys == []:
        return
    query = select(
        Profile.address,
        Profile.display_name,
        Profile.availability,
        Profile.updated_at,
        Profile.embedding,
        Profile.bio,
        Profile.hourly_rate,
    )
    tag_query = select(ProfileSkill.address, ProfileSkill.tag)
    if keys is not None:
        query, tag_query = query.where(Profile.address.in_(keys)), tag_query.where(ProfileSkill.address.in_(keys))
    tags: dict[str, set[str]] = defaultdict(set)
    for address, tag in session.execute(tag_query):
        tags[address].add(tag)
    rows = session.execute(query).all()
    vectors = _vectors([r.embedding for r in rows], [embeddings.profile_text(r.bio) for r in rows])
    for row, vector in zip(rows, vectors, strict=True):
        pool.put(
            row.address,
            row.address,
            row.display_name,
            row.availability,
            frozenset(tags[row.address]),
            row.updated_at,
            vector,
            listed=search.offers_work(tags[row.address], row.hourly_rate),
        )


def _refresh_jobs(session: Session, pool: Pool) -> None:
    keys = _changed(session, pool, JobPost.id, JobPost.updated_at)
    if keys == []:
        return
    query = select(JobPost.id, JobPost.client, JobPost.title, JobPost.status, JobPost.updated_at, JobPost.embedding)
    tag_query = select(JobPostSkill.job_post_id, JobPostSkill.tag)
    if keys is not None:
        query, tag_query = query.where(JobPost.id.in_(keys)), tag_query.where(JobPostSkill.job_post_id.in_(keys))
    tags: dict[int, set[str]] = defaultdict(set)
    for post_id, tag in session.execute(tag_query):
        tags[post_id].add(tag)
    rows = session.execute(query).all()
    missing = [r.id for r in rows if embeddings.from_bytes(r.embedding) is None]
    texts = (
        dict(session.execute(select(JobPost.id, JobPost.description).where(JobPost.id.in_(missing))).all())
        if missing
        else {}
    )
    vectors = _vectors([r.embedding for r in rows], [embeddings.job_text(r.title, texts.get(r.id, "")) for r in rows])
    for row, vector in zip(rows, vectors, strict=True):
        pool.put(row.id, row.client, row.title, row.status, frozenset(tags[row.id]), row.updated_at, vector)
