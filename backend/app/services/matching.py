"""Explainable matching: pure scoring functions over plain data, then thin loaders around them.

score = Σ weight × component, every component in [0, 1]:
- skills: share of the job's tags the freelancer has (proven tags count fully, declared ones half);
- text: cosine similarity of the word bags of the job and the profile (lexical; no embedding
  model is installed offline, so none is used);
- record: on-chain record, saturating with paid jobs done (disputes and ratings plug in here
  once the indexer projects them);
- availability: available 1, limited 0.5, unavailable 0.
Every result carries `why`: each component's value, weight and contribution; they add up to the score.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.app.models.job_post import JobPost
from backend.app.models.profile import Profile
from backend.app.schemas.matching import MatchComponent, MatchOut
from backend.app.services import job_posts, proven, reputation
from backend.app.services.errors import NotAllowed

WEIGHTS = {"skills": 0.5, "text": 0.2, "record": 0.2, "availability": 0.1}
AVAILABILITY = {"available": 1.0, "limited": 0.5, "unavailable": 0.0}
RECORD_HALF_LIFE = 3  # jobs done for a record score of 0.5
MAX_CANDIDATES = 2_000
_WORD = re.compile(r"\w+", re.UNICODE)
_STOP = frozenset("a an and are as at be by for from in is it of on or our the to we with you your".split())


@dataclass(frozen=True)
class JobSpec:
    skills: frozenset[str]
    text: str


@dataclass(frozen=True)
class FreelancerSpec:
    skills: frozenset[str]
    proven: frozenset[str]
    text: str
    jobs_done: int
    availability: str
    disputes: int | None = None
    rating_average: float | None = None


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


def cosine(a: Counter[str], b: Counter[str]) -> float:
    if not a or not b:
        return 0.0
    dot = sum(count * b[word] for word, count in a.items())
    return dot / (math.sqrt(sum(c * c for c in a.values())) * math.sqrt(sum(c * c for c in b.values())))


def skills_component(job: JobSpec, who: FreelancerSpec) -> Component:
    if not job.skills:
        return Component("skills", 0.0, WEIGHTS["skills"], "the job names no skills")
    proven_hits = sorted(job.skills & who.proven)
    declared_hits = sorted((job.skills & who.skills) - who.proven)
    value = (len(proven_hits) + 0.5 * len(declared_hits)) / len(job.skills)
    parts = []
    if proven_hits:
        parts.append("proven on-chain: " + ", ".join(proven_hits))
    if declared_hits:
        parts.append("declared: " + ", ".join(declared_hits))
    detail = "; ".join(parts) or "no skill in common"
    return Component("skills", value, WEIGHTS["skills"], f"{detail} (of {len(job.skills)} wanted)")


def text_component(job: JobSpec, who: FreelancerSpec) -> Component:
    job_words, their_words = words(job.text), words(who.text)
    value = cosine(job_words, their_words)
    shared = sorted(set(job_words) & set(their_words), key=lambda w: (-job_words[w], w))[:5]
    detail = "shared words: " + ", ".join(shared) if shared else "no words in common"
    return Component("text", value, WEIGHTS["text"], detail)


def record_component(who: FreelancerSpec) -> Component:
    value = who.jobs_done / (who.jobs_done + RECORD_HALF_LIFE)
    detail = f"{who.jobs_done} paid job{'s' if who.jobs_done != 1 else ''} on-chain"
    return Component("record", value, WEIGHTS["record"], detail)


def availability_component(who: FreelancerSpec) -> Component:
    return Component("availability", AVAILABILITY.get(who.availability, 0.0), WEIGHTS["availability"], who.availability)


def explain(job: JobSpec, who: FreelancerSpec) -> list[Component]:
    return [skills_component(job, who), text_component(job, who), record_component(who), availability_component(who)]


def score(components: Iterable[Component]) -> float:
    return sum(c.contribution for c in components)


# ---- loaders (database → plain data → scores) ----


def _job_spec(post: JobPost) -> JobSpec:
    return JobSpec(skills=frozenset(s.tag for s in post.skills), text=f"{post.title} {post.description}")


def _freelancer_spec(session: Session, profile: Profile) -> FreelancerSpec:
    record = reputation.onchain_record(session, address=profile.address)
    return FreelancerSpec(
        skills=frozenset(s.tag for s in profile.skills),
        proven=frozenset(tag for tag, _ in proven.proven_skills(session, address=profile.address)),
        text=f"{profile.display_name} {profile.bio}",
        jobs_done=record.jobs_done,
        availability=profile.availability,
        disputes=record.disputes,
        rating_average=record.rating_average,
    )


def _out(kind: str, ref: str, title: str, components: list[Component]) -> MatchOut:
    return MatchOut(
        kind=kind,  # type: ignore[arg-type]
        ref=ref,
        title=title,
        score=round(score(components), 6),
        why=[
            MatchComponent(
                name=c.name,
                value=round(c.value, 6),
                weight=c.weight,
                contribution=round(c.contribution, 6),
                detail=c.detail,
            )
            for c in components
        ],
    )


def _ranked(results: Sequence[MatchOut], limit: int) -> list[MatchOut]:
    return sorted(results, key=lambda m: (-m.score, m.ref))[:limit]


def freelancers_for_job(session: Session, *, post_id: int, client: str, limit: int) -> list[MatchOut]:
    """Ranked candidates for the job's client (visible profiles, never the client themself)."""
    post = job_posts.get_visible(session, post_id=post_id, viewer=client)
    if post.client != client:
        raise NotAllowed("only the job's client gets its ranked candidates")
    job = _job_spec(post)
    profiles = session.scalars(
        select(Profile).where(Profile.hidden.is_(False), Profile.address != client).limit(MAX_CANDIDATES)
    ).all()
    results = [_out("profile", p.address, p.display_name, explain(job, _freelancer_spec(session, p))) for p in profiles]
    return _ranked(results, limit)


def jobs_for_freelancer(session: Session, *, address: str, limit: int) -> list[MatchOut]:
    """Ranked published jobs for a freelancer with a profile (their own jobs left out)."""
    profile = session.get(Profile, address)
    if profile is None:
        raise NotAllowed("create your profile first: matching reads your skills and bio")
    who = _freelancer_spec(session, profile)
    posts = session.scalars(
        select(JobPost)
        .where(JobPost.status == "published", JobPost.hidden.is_(False), JobPost.client != address)
        .order_by(JobPost.id.desc())
        .limit(MAX_CANDIDATES)
    ).all()
    results = [_out("job", str(p.id), p.title, explain(_job_spec(p), who)) for p in posts]
    return _ranked(results, limit)
