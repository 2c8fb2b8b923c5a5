"""Matching as pure functions: components in [0, 1], contributions add up to the score, reasons named."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from backend.app.services.matching import (
    FreelancerSpec,
    JobSpec,
    explain,
    record_component,
    score,
    skills_component,
    text_component,
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


@given(
    job_skills=TAGS,
    skills=TAGS,
    proven=TAGS,
    job_text=TEXT,
    text=TEXT,
    jobs_done=st.integers(0, 10_000),
    availability=st.sampled_from(["available", "limited", "unavailable"]),
)
def test_explain__contributions_add_up_to_the_score(
    job_skills, skills, proven, job_text, text, jobs_done, availability
):
    job = JobSpec(skills=job_skills, text=job_text)
    who = _who(skills=skills | proven, proven=proven, text=text, jobs_done=jobs_done, availability=availability)
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
    assert component.detail == "shared words: audit, escrow"


def test_record_component__saturates_with_paid_jobs():
    assert record_component(_who(jobs_done=0)).value == 0
    assert record_component(_who(jobs_done=3)).value == 0.5
    assert record_component(_who(jobs_done=1)).detail == "1 paid job on-chain"
