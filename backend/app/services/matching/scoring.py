"""Matching's scores as functions of plain data: the four components (skills, text, record, availability), each
in [0, 1], their weights in one place (WEIGHTS) and the reasons each result carries. The functions take plain
numbers or numpy arrays alike, so ranking.py scores every candidate at once with them.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from backend.app.services import embeddings

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


def vector(embedding: np.ndarray | None, text: str) -> np.ndarray:
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


def text_of(value: float, job_text: str, their_text: str) -> Component:
    return Component("text", value, WEIGHTS["text"], _text_detail(value, job_text, their_text))


def text_component(job: JobSpec, who: FreelancerSpec) -> Component:
    return text_of(similarity(vector(job.embedding, job.text), vector(who.embedding, who.text)), job.text, who.text)


def rating_of(who: FreelancerSpec) -> float:
    return UNRATED if who.rating_average is None else who.rating_average


def record_detail(who: FreelancerSpec) -> str:
    parts = [f"{who.jobs_done} paid job{'s' if who.jobs_done != 1 else ''} on-chain"]
    if who.disputes_lost:
        parts.append(
            f"lost {who.disputes_lost} dispute{'s' if who.disputes_lost != 1 else ''} in {who.jobs_ended} ended"
        )
    parts.append("not rated yet" if who.rating_average is None else f"rated {who.rating_average:g}/5")
    return "; ".join(parts)


def record_component(who: FreelancerSpec) -> Component:
    value = float(record_value(who.jobs_done, who.jobs_ended, who.disputes_lost, rating_of(who)))
    return Component("record", value, WEIGHTS["record"], record_detail(who))


def availability_component(who: FreelancerSpec) -> Component:
    return Component("availability", AVAILABILITY.get(who.availability, 0.0), WEIGHTS["availability"], who.availability)


def explain(job: JobSpec, who: FreelancerSpec) -> list[Component]:
    return [skills_component(job, who), text_component(job, who), record_component(who), availability_component(who)]


def score(components: Iterable[Component]) -> float:
    return sum(c.contribution for c in components)
