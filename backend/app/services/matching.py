"""Explainable matching: scoring functions over plain data, vectorised with numpy over every candidate.

score = Σ weight × component, every component in [0, 1]:
- skills: share of the job's tags the freelancer has (proven on-chain tags count fully, declared ones half);
- text: cosine similarity of the job's and the profile's embeddings (wordllama, offline: see
  services/embeddings.py), negative similarity counted as 0; the detail names the words they share;
- record: the on-chain record = experience × (1 − dispute rate) × rating, where experience saturates
  with paid jobs done (3 jobs → 0.5), the dispute rate is the share of its ended jobs (Reputation
  contract) whose dispute it lost, and the rating is the average out of 5 (not rated yet: 4 of 5);
- availability: available 1, limited 0.5, unavailable 0.
Every result carries `why`: each component's value, weight and contribution; they add up to the score.
Ties rank by ref.

All candidates are scored (no cap). Their embeddings, tags and availability are held per process in
a `_Pool`, refreshed on each request from the rows whose `updated_at` moved (an indexed range read);
hidden rows and the on-chain record are read on each request, so moderation and the indexer show at once.
"""

from __future__ import annotations

import re
import threading
import weakref
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import Engine, func, select, true
from sqlalchemy.orm import Session

from backend.app.models.chain import ChainJob, ChainReputation
from backend.app.models.job_post import JobPost, JobPostSkill
from backend.app.models.profile import Profile, ProfileSkill
from backend.app.schemas.matching import MatchComponent, MatchOut
from backend.app.services import embeddings, job_posts, proven, search
from backend.app.services.errors import NotAllowed

WEIGHTS = {"skills": 0.5, "text": 0.2, "record": 0.2, "availability": 0.1}


def weighted_sum(**components: Any) -> Any:
    """Σ WEIGHTS[name] × component: the score, for plain numbers or numpy arrays of candidates alike."""
    return sum(WEIGHTS[name] * value for name, value in components.items())


AVAILABILITY = {"available": 1.0, "limited": 0.5, "unavailable": 0.0}
RECORD_HALF_LIFE = 3  # paid jobs done for an experience of 0.5
UNRATED = 4.0  # the rating (out of 5) assumed before anyone rates
_WORD = re.compile(r"\w+", re.UNICODE)
_STOP = frozenset("a an and are as at be by for from in is it of on or our the to we with you your".split())


@dataclass(frozen=True)
class JobSpec:
    skills: frozenset[str]
    text: str
    embedding: np.ndarray | None = field(default=None, compare=False)


@dataclass(frozen=True)
class FreelancerSpec:
    skills: frozenset[str]
    proven: frozenset[str]
    text: str
    jobs_done: int
    availability: str
    jobs_ended: int = 0  # as the Reputation contract counts them (client or freelancer)
    disputes_lost: int = 0
    rating_average: float | None = None
    embedding: np.ndarray | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Component:
    name: str
    value: float
    weight: float
    detail: str

    @property
    def contribution(self) -> float:
        return self.value * self.weight


def words(text: str) -> Counter[str]:
    return Counter(w for w in (m.lower() for m in _WORD.findall(text)) if w not in _STOP and len(w) > 1)


def _vector(embedding: np.ndarray | None, text: str) -> np.ndarray:
    return embeddings.embed(text) if embedding is None else embedding


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Cosine of two unit embeddings, negative counted as 0."""
    return float(min(1.0, max(0.0, float(np.dot(a, b)))))


def skills_value(wanted: int, proven_hits: Any, declared_hits: Any) -> Any:
    """Works on numbers and on numpy arrays alike (the ranking uses the arrays)."""
    return (proven_hits + 0.5 * declared_hits) / np.maximum(wanted, 1)


def record_value(jobs_done: Any, jobs_ended: Any, disputes_lost: Any, rating: Any) -> Any:
    """experience × (1 − dispute rate) × rating / 5; numbers or numpy arrays alike."""
    experience = jobs_done / (jobs_done + RECORD_HALF_LIFE)
    dispute_rate = np.minimum(1.0, disputes_lost / np.maximum(jobs_ended, 1))
    return experience * (1.0 - dispute_rate) * (rating / 5.0)


def skills_component(job: JobSpec, who: FreelancerSpec) -> Component:
    if not job.skills:
        return Component("skills", 0.0, WEIGHTS["skills"], "the job names no skills")
    proven_hits = sorted(job.skills & who.proven)
    declared_hits = sorted((job.skills & who.skills) - who.proven)
    value = float(skills_value(len(job.skills), len(proven_hits), len(declared_hits)))
    parts = []
    if proven_hits:
        parts.append("proven on-chain: " + ", ".join(proven_hits))
    if declared_hits:
        parts.append("declared: " + ", ".join(declared_hits))
    detail = "; ".join(parts) or "no skill in common"
    return Component("skills", value, WEIGHTS["skills"], f"{detail} (of {len(job.skills)} wanted)")


def _text_detail(value: float, job_text: str, their_text: str) -> str:
    job_words, their_words = words(job_text), words(their_text)
    shared = sorted(set(job_words) & set(their_words), key=lambda w: (-job_words[w], w))[:5]
    detail = f"meaning {value:.0%} alike"
    return detail + ("; shared words: " + ", ".join(shared) if shared else "; no words in common")


def _text_of(value: float, job_text: str, their_text: str) -> Component:
    return Component("text", value, WEIGHTS["text"], _text_detail(value, job_text, their_text))


def text_component(job: JobSpec, who: FreelancerSpec) -> Component:
    return _text_of(similarity(_vector(job.embedding, job.text), _vector(who.embedding, who.text)), job.text, who.text)


def _rating(who: FreelancerSpec) -> float:
    return UNRATED if who.rating_average is None else who.rating_average


def _record_detail(who: FreelancerSpec) -> str:
    parts = [f"{who.jobs_done} paid job{'s' if who.jobs_done != 1 else ''} on-chain"]
    if who.disputes_lost:
        parts.append(
            f"lost {who.disputes_lost} dispute{'s' if who.disputes_lost != 1 else ''} in {who.jobs_ended} ended"
        )
    parts.append("not rated yet" if who.rating_average is None else f"rated {who.rating_average:g}/5")
    return "; ".join(parts)


def record_component(who: FreelancerSpec) -> Component:
    value = float(record_value(who.jobs_done, who.jobs_ended, who.disputes_lost, _rating(who)))
    return Component("record", value, WEIGHTS["record"], _record_detail(who))


def availability_component(who: FreelancerSpec) -> Component:
    return Component("availability", AVAILABILITY.get(who.availability, 0.0), WEIGHTS["availability"], who.availability)


def explain(job: JobSpec, who: FreelancerSpec) -> list[Component]:
    return [skills_component(job, who), text_component(job, who), record_component(who), availability_component(who)]


def score(components: Iterable[Component]) -> float:
    return sum(c.contribution for c in components)


# ---- the in-memory candidate pools ----

LOOKBACK = timedelta(seconds=5)  # rows committed this late after a newer one are still picked up


class _Pool:
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


_pools: weakref.WeakKeyDictionary[Engine, dict[str, _Pool]] = weakref.WeakKeyDictionary()
_pools_lock = threading.Lock()


def _pool(session: Session, kind: str) -> _Pool:
    """The engine's pool of `kind` ("profile" or "job"), brought up to date."""
    engine = session.get_bind().engine
    with _pools_lock:
        pool = _pools.setdefault(engine, {}).setdefault(kind, _Pool())
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


def _changed(session: Session, pool: _Pool, key_column: Any, updated_column: Any) -> list[Any] | None:
    """Keys of rows new or updated since the pool last read (None: read everything)."""
    if pool.seen is None:
        return None
    rows = session.execute(select(key_column, updated_column).where(updated_column >= pool.seen - LOOKBACK)).all()
    return [key for key, updated in rows if (row := pool.row_of.get(key)) is None or pool.updated[row] != updated]


def _refresh_profiles(session: Session, pool: _Pool) -> None:
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


def _refresh_jobs(session: Session, pool: _Pool) -> None:
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


# ---- the on-chain record, for every address at once ----


@dataclass(frozen=True)
class _Record:
    jobs_done: int = 0
    jobs_ended: int = 0
    disputes_lost: int = 0
    rating_average: float | None = None


def _records(session: Session) -> dict[str, _Record]:
    """Paid jobs done (escrow projections, as on the profile page) and the Reputation contract's stats."""
    done = dict(
        session.execute(
            select(ChainJob.freelancer, func.count())
            .where(ChainJob.status == "ended", ChainJob.paid_to_freelancer > 0, ChainJob.freelancer.is_not(None))
            .group_by(ChainJob.freelancer)
        ).all()
    )
    stats = {
        account: (int(ended or 0), int(lost or 0), int(count or 0), int(total or 0))
        for account, ended, lost, count, total in session.execute(
            select(
                ChainReputation.account,
                func.sum(ChainReputation.jobs_as_client + ChainReputation.jobs_as_freelancer),
                func.sum(ChainReputation.disputes_lost),
                func.sum(ChainReputation.rating_count),
                func.sum(ChainReputation.rating_sum),
            ).group_by(ChainReputation.account)
        )
    }
    records = {}
    for address in done.keys() | stats.keys():
        ended, lost, count, total = stats.get(address, (0, 0, 0, 0))
        records[address] = _Record(
            jobs_done=int(done.get(address, 0)),
            jobs_ended=ended,
            disputes_lost=lost,
            rating_average=round(total / count, 2) if count else None,
        )
    return records


def _record_arrays(pool: _Pool, records: dict[str, _Record]) -> tuple[np.ndarray, ...]:
    n = len(pool)
    done, ended, lost = np.zeros(n), np.zeros(n), np.zeros(n)
    rating = np.full(n, UNRATED)
    for address, record in records.items():
        row = pool.row_of.get(address)
        if row is not None:
            done[row], ended[row], lost[row] = record.jobs_done, record.jobs_ended, record.disputes_lost
            if record.rating_average is not None:
                rating[row] = record.rating_average
    return done, ended, lost, rating


# ---- ranking ----


def _top(scores: np.ndarray, candidates: np.ndarray, refs: Sequence[str] | np.ndarray, limit: int) -> list[int]:
    """Rows of the best `limit` candidates by score (rounded as shown), ties by ref."""
    shown = np.round(scores, 6)
    rows = np.flatnonzero(candidates)
    if rows.size == 0:
        return []
    if rows.size > limit:
        threshold = np.partition(shown[rows], rows.size - limit)[rows.size - limit]
        rows = rows[shown[rows] >= threshold]
    return sorted(rows.tolist(), key=lambda r: (-shown[r], refs[r]))[:limit]


def _out(kind: str, ref: str, title: str, components: list[Component]) -> MatchOut:
    return MatchOut(
        kind=kind,  # type: ignore[arg-type]
        ref=ref,
        title=title,
        score=round(score(components), 6),
        why=[
            MatchComponent(
                name=c.name,  # type: ignore[arg-type]
                value=round(c.value, 6),
                weight=c.weight,
                contribution=round(c.contribution, 6),
                detail=c.detail,
            )
            for c in components
        ],
    )


def _hidden(session: Session, key_column: Any, hidden_column: Any) -> set[Any]:
    return set(session.scalars(select(key_column).where(hidden_column == true())))  # `=`, not `IS`: uses the index


def _proven(session: Session, addresses: Iterable[str]) -> dict[str, frozenset[str]]:
    return {a: frozenset(tag for tag, _ in proven.proven_skills(session, address=a)) for a in addresses}


def freelancers_for_job(session: Session, *, post_id: int, client: str, limit: int) -> list[MatchOut]:
    """Ranked candidates for the job's client (visible profiles that offer work, never the client themself)."""
    post = job_posts.get_visible(session, post_id=post_id, viewer=client)
    if post.client != client:
        raise NotAllowed("only the job's client gets its ranked candidates")
    job = JobSpec(
        skills=frozenset(s.tag for s in post.skills),
        text=embeddings.job_text(post.title, post.description),
        embedding=embeddings.from_bytes(post.embedding),
    )
    pool = _pool(session, "profile")
    with pool.lock:  # a refresh by another request waits until this ranking is done
        n = len(pool)
        records = _records(session)
        paid = [a for a, r in records.items() if r.jobs_done > 0 and a in pool.row_of]
        proven_tags = _proven(session, paid) if job.skills else {}

        proven_hits, declared_hits = np.zeros(n), np.zeros(n)
        for tag in job.skills:
            declared = np.zeros(n, dtype=bool)
            declared[pool.rows_with(tag)] = True
            is_proven = np.zeros(n, dtype=bool)
            is_proven[[pool.row_of[a] for a, tags in proven_tags.items() if tag in tags]] = True
            proven_hits += is_proven
            declared_hits += declared & ~is_proven
        skills = skills_value(len(job.skills), proven_hits, declared_hits)
        text = np.clip(pool.matrix() @ _vector(job.embedding, job.text), 0.0, 1.0)
        done, ended, lost, rating = _record_arrays(pool, records)
        record = record_value(done, ended, lost, rating)
        statuses = pool.array("statuses")
        availability = np.zeros(n)
        for value, share in AVAILABILITY.items():
            availability[statuses == value] = share
        scores = weighted_sum(skills=skills, text=text, record=record, availability=availability)

        candidates = pool.array("listed").copy()  # clients' profiles are no candidates
        for address in _hidden(session, Profile.address, Profile.hidden) | {client}:
            if (row := pool.row_of.get(address)) is not None:
                candidates[row] = False
        top = _top(scores, candidates, pool.keys, limit)
        bios = dict(
            session.execute(
                select(Profile.address, Profile.bio).where(Profile.address.in_([pool.keys[r] for r in top]))
            ).all()
        )
        results = []
        for row in top:
            address = pool.keys[row]
            record_of = records.get(address, _Record())
            who = FreelancerSpec(
                skills=pool.tags[row],
                proven=proven_tags.get(address, frozenset()),
                text=bios.get(address, ""),
                jobs_done=record_of.jobs_done,
                availability=pool.statuses[row],
                jobs_ended=record_of.jobs_ended,
                disputes_lost=record_of.disputes_lost,
                rating_average=record_of.rating_average,
            )
            components = [
                skills_component(job, who),
                _text_of(float(text[row]), job.text, who.text),
                Component("record", float(record[row]), WEIGHTS["record"], _record_detail(who)),
                availability_component(who),
            ]
            results.append(_out("profile", address, pool.titles[row], components))
        return results


def jobs_for_freelancer(session: Session, *, address: str, limit: int) -> list[MatchOut]:
    """Ranked published jobs for a freelancer with a profile (their own jobs left out)."""
    profile = session.get(Profile, address)
    if profile is None:
        raise NotAllowed("create your profile first: matching reads your skills and bio")
    record_of = _records(session).get(address, _Record())
    who = FreelancerSpec(
        skills=frozenset(s.tag for s in profile.skills),
        proven=frozenset(tag for tag, _ in proven.proven_skills(session, address=address)),
        text=embeddings.profile_text(profile.bio),
        jobs_done=record_of.jobs_done,
        availability=profile.availability,
        jobs_ended=record_of.jobs_ended,
        disputes_lost=record_of.disputes_lost,
        rating_average=record_of.rating_average,
        embedding=embeddings.from_bytes(profile.embedding),
    )
    pool = _pool(session, "job")
    with pool.lock:  # a refresh by another request waits until this ranking is done
        n = len(pool)
        wanted = pool.array("wanted")
        proven_hits, declared_hits = np.zeros(n), np.zeros(n)
        for tag in who.proven:
            proven_hits[pool.rows_with(tag)] += 1
        for tag in who.skills - who.proven:
            declared_hits[pool.rows_with(tag)] += 1
        skills = skills_value(wanted, proven_hits, declared_hits)
        text = np.clip(pool.matrix() @ _vector(who.embedding, who.text), 0.0, 1.0)
        record = float(record_value(who.jobs_done, who.jobs_ended, who.disputes_lost, _rating(who)))
        availability = AVAILABILITY.get(who.availability, 0.0)
        scores = weighted_sum(skills=skills, text=text, record=record, availability=availability)

        candidates = (pool.array("statuses") == "published") & (pool.array("owners") != address)
        for post_id in _hidden(session, JobPost.id, JobPost.hidden):
            if (row := pool.row_of.get(post_id)) is not None:
                candidates[row] = False
        refs = pool.array("refs")
        top = _top(scores, candidates, refs, limit)
        descriptions = dict(
            session.execute(
                select(JobPost.id, JobPost.description).where(JobPost.id.in_([pool.keys[r] for r in top]))
            ).all()
        )
        results = []
        for row in top:
            job = JobSpec(
                skills=pool.tags[row], text=embeddings.job_text(pool.titles[row], descriptions.get(pool.keys[row], ""))
            )
            components = [
                skills_component(job, who),
                _text_of(float(text[row]), job.text, who.text),
                record_component(who),
                availability_component(who),
            ]
            results.append(_out("job", str(refs[row]), pool.titles[row], components))
        return results
