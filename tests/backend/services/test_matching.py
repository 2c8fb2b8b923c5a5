"""Matching as functions: components in [0, 1], contributions add up to the score, reasons named,
meaning (not just shared words) counts, and the on-chain record weighs disputes and ratings."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from backend.app.services.matching.scoring import (
    FreelancerSpec,
    JobSpec,
    explain,
    record_component,
    score,
    skills_component,
    text_component,
    words,
)

TAGS = st.frozensets(st.sampled_from(["vyper", "python", "audit", "logo-design", "translation"]), max_size=5)
TEXT = st.text(alphabet=st.sampled_from(list("abc escrow logo 设计 ")), max_size=60)


def _who(**overrides):
    values = {
        "skills": frozenset(),
        "proven": frozenset(),
        "text": "",
        "jobs_done": 0,
        "availability": "available",
    }
    values.update(overrides)
    return FreelancerSpec(**values)


@settings(max_examples=60, deadline=None)
@given(
    job_skills=TAGS,
    skills=TAGS,
    proven=TAGS,
    job_text=TEXT,
    text=TEXT,
    jobs_done=st.integers(0, 10_000),
    disputes_lost=st.integers(0, 50),
    jobs_ended=st.integers(0, 100),
    rating=st.none() | st.floats(1, 5),
    availability=st.sampled_from(["available", "limited", "unavailable"]),
)
def test_explain__contributions_add_up_to_the_score(
    job_skills, skills, proven, job_text, text, jobs_done, disputes_lost, jobs_ended, rating, availability
):
    job = JobSpec(skills=job_skills, text=job_text)
    who = _who(
        skills=skills | proven,
        proven=proven,
        text=text,
        jobs_done=jobs_done,
        availability=availability,
        disputes_lost=disputes_lost,
        jobs_ended=jobs_ended,
        rating_average=rating,
    )
    components = explain(job, who)
    assert [c.name for c in components] == ["skills", "text", "record", "availability"]
    assert all(0.0 <= c.value <= 1.0 + 1e-9 for c in components)
    assert math.isclose(score(components), sum(c.value * c.weight for c in components))
    assert 0.0 <= score(components) <= 1.0 + 1e-9


def test_skills_component__proven_counts_fully_declared_half():
    job = JobSpec(skills=frozenset({"vyper", "audit"}), text="")
    component = skills_component(job, _who(skills=frozenset({"vyper", "audit"}), proven=frozenset({"vyper"})))
    assert component.value == 0.75
    assert component.detail == "proven on-chain: vyper; declared: audit (of 2 wanted)"


def test_text_component__names_the_shared_words():
    job = JobSpec(skills=frozenset(), text="Audit our escrow contract")
    component = text_component(job, _who(text="I audit escrow contracts"))
    assert 0 < component.value < 1
    assert component.detail.endswith("shared words: audit, escrow")


def test_text_component__meaning_counts_without_a_shared_word():
    job = JobSpec(skills=frozenset(), text="Design a logo and a visual identity for our tea shop")
    designer = _who(text="Graphic designer: branding, illustration and posters.")
    backend = _who(text="Backend engineer building database servers in Rust.")
    assert not set(words(job.text)) & set(words(designer.text))
    assert not set(words(job.text)) & set(words(backend.text))
    close, far = text_component(job, designer), text_component(job, backend)
    assert close.value > far.value + 0.2
    assert close.detail.endswith("no words in common")


def test_record_component__saturates_with_paid_jobs():
    assert record_component(_who(jobs_done=0)).value == 0
    assert record_component(_who(jobs_done=3, rating_average=5.0)).value == 0.5
    assert record_component(_who(jobs_done=1)).detail == "1 paid job on-chain; not rated yet"


def test_record_component__lost_disputes_and_low_ratings_lower_it():
    clean = record_component(_who(jobs_done=6, jobs_ended=6, rating_average=5.0))
    disputed = record_component(_who(jobs_done=6, jobs_ended=6, disputes_lost=3, rating_average=5.0))
    poorly_rated = record_component(_who(jobs_done=6, jobs_ended=6, rating_average=2.5))
    unrated = record_component(_who(jobs_done=6, jobs_ended=6))
    assert math.isclose(disputed.value, clean.value / 2)
    assert math.isclose(poorly_rated.value, clean.value / 2)
    assert poorly_rated.value < unrated.value < clean.value
    assert disputed.detail == "6 paid jobs on-chain; lost 3 disputes in 6 ended; rated 5/5"
