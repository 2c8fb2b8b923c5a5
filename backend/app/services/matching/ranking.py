"""Ranking: talent for a job (for its client) and jobs for a freelancer, every candidate in the pool scored at
once, the best few explained component by component.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
from sqlalchemy import select, true
from sqlalchemy.orm import Session

from backend.app.models.job_post import JobPost
from backend.app.models.profile import Profile
from backend.app.schemas.matching import MatchComponent, MatchOut
from backend.app.services import embeddings, job_posts, proven
from backend.app.services.errors import NotAllowed
from backend.app.services.matching import pools, records, scoring


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


def _out(kind: str, ref: str, title: str, components: list[scoring.Component]) -> MatchOut:
    return MatchOut(
        kind=kind,  # type: ignore[arg-type]
        ref=ref,
        title=title,
        score=round(scoring.score(components), 6),
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


def _leave_out(candidates: np.ndarray, pool: pools.Pool, keys: Iterable[Any]) -> None:
    """Mark these keys' rows as no candidates."""
    for key in keys:
        if (row := pool.row_of.get(key)) is not None:
            candidates[row] = False


def _column_of(session: Session, key_column: Any, value_column: Any, keys: Sequence[Any]) -> dict[Any, Any]:
    """key → value of one column for these rows (the few results' long texts, read only for them)."""
    return dict(session.execute(select(key_column, value_column).where(key_column.in_(keys))).all())


def _proven(session: Session, addresses: Iterable[str]) -> dict[str, frozenset[str]]:
    return {a: frozenset(tag for tag, _ in proven.proven_skills(session, address=a)) for a in addresses}


def freelancers_for_job(session: Session, *, post_id: int, client: str, limit: int) -> list[MatchOut]:
    """Ranked candidates for the job's client (visible profiles that offer work, never the client themself)."""
    post = job_posts.get_visible(session, post_id=post_id, viewer=client)
    if post.client != client:
        raise NotAllowed("only the job's client gets its ranked candidates")
    job = scoring.JobSpec(
        skills=frozenset(s.tag for s in post.skills),
        text=embeddings.job_text(post.title, post.description),
        embedding=embeddings.from_bytes(post.embedding),
    )
    pool = pools.pool_of(session, "profile")
    with pool.lock:  # a refresh by another request waits until this ranking is done
        n = len(pool)
        on_chain = records.all_records(session)
        paid = [a for a, r in on_chain.items() if r.jobs_done > 0 and a in pool.row_of]
        proven_tags = _proven(session, paid) if job.skills else {}

        proven_hits, declared_hits = np.zeros(n), np.zeros(n)
        for tag in job.skills:
            declared = np.zeros(n, dtype=bool)
            declared[pool.rows_with(tag)] = True
            is_proven = np.zeros(n, dtype=bool)
            is_proven[[pool.row_of[a] for a, tags in proven_tags.items() if tag in tags]] = True
            proven_hits += is_proven
            declared_hits += declared & ~is_proven
        skills = scoring.skills_value(len(job.skills), proven_hits, declared_hits)
        text = np.clip(pool.matrix() @ scoring.vector(job.embedding, job.text), 0.0, 1.0)
        done, ended, lost, rating = records.record_arrays(pool, on_chain)
        record = scoring.record_value(done, ended, lost, rating)
        statuses = pool.array("statuses")
        availability = np.zeros(n)
        for value, share in scoring.AVAILABILITY.items():
            availability[statuses == value] = share
        scores = scoring.weighted_sum(skills=skills, text=text, record=record, availability=availability)

        candidates = pool.array("listed").copy()  # clients' profiles are no candidates
        _leave_out(candidates, pool, _hidden(session, Profile.address, Profile.hidden) | {client})
        top = _top(scores, candidates, pool.keys, limit)
        bios = _column_of(session, Profile.address, Profile.bio, [pool.keys[r] for r in top])
        results = []
        for row in top:
            address = pool.keys[row]
            record_of = on_chain.get(address, records.Record())
            who = scoring.FreelancerSpec(
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
                scoring.skills_component(job, who),
                scoring.text_of(float(text[row]), job.text, who.text),
                scoring.Component("record", float(record[row]), scoring.WEIGHTS["record"], scoring.record_detail(who)),
                scoring.availability_component(who),
            ]
            results.append(_out("profile", address, pool.titles[row], components))
        return results


def jobs_for_freelancer(session: Session, *, address: str, limit: int) -> list[MatchOut]:
    """Ranked published jobs for a freelancer with a profile (their own jobs left out)."""
    profile = session.get(Profile, address)
    if profile is None:
        raise NotAllowed("create your profile first: matching reads your skills and bio")
    record_of = records.all_records(session).get(address, records.Record())
    who = scoring.FreelancerSpec(
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
    pool = pools.pool_of(session, "job")
    with pool.lock:  # a refresh by another request waits until this ranking is done
        n = len(pool)
        wanted = pool.array("wanted")
        proven_hits, declared_hits = np.zeros(n), np.zeros(n)
        for tag in who.proven:
            proven_hits[pool.rows_with(tag)] += 1
        for tag in who.skills - who.proven:
            declared_hits[pool.rows_with(tag)] += 1
        skills = scoring.skills_value(wanted, proven_hits, declared_hits)
        text = np.clip(pool.matrix() @ scoring.vector(who.embedding, who.text), 0.0, 1.0)
        record = float(scoring.record_value(who.jobs_done, who.jobs_ended, who.disputes_lost, scoring.rating_of(who)))
        availability = scoring.AVAILABILITY.get(who.availability, 0.0)
        scores = scoring.weighted_sum(skills=skills, text=text, record=record, availability=availability)

        candidates = (pool.array("statuses") == "published") & (pool.array("owners") != address)
        _leave_out(candidates, pool, _hidden(session, JobPost.id, JobPost.hidden))
        refs = pool.array("refs")
        top = _top(scores, candidates, refs, limit)
        descriptions = _column_of(session, JobPost.id, JobPost.description, [pool.keys[r] for r in top])
        results = []
        for row in top:
            job = scoring.JobSpec(
                skills=pool.tags[row], text=embeddings.job_text(pool.titles[row], descriptions.get(pool.keys[row], ""))
            )
            components = [
                scoring.skills_component(job, who),
                scoring.text_of(float(text[row]), job.text, who.text),
                scoring.record_component(who),
                scoring.availability_component(who),
            ]
            results.append(_out("job", str(refs[row]), pool.titles[row], components))
        return results
