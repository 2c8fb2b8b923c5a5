"""Minimal cases where the contract and docs/escrow-v2.md disagree, found by the campaigns.

Each test states the spec's rule, the call sequence, what the spec expects and what the
contract did when it was found. They assert the SPEC's behaviour. An open finding is marked
`xfail(strict=True)`; a fixed one stays here, unmarked, as its regression test. F1, F1b and F2
(an amendment onto bound terms) are fixed: the contract refuses them with `escrow: terms in use`.
"""

from __future__ import annotations

import boa
import pytest

from . import chain, eip712
from . import reference as R
from .harness import DAY, World, v2_available
from .scenario import Scenario

pytestmark = pytest.mark.skipif(not v2_available(), reason="escrow v2 not on this branch yet")


@pytest.fixture(scope="module")
def world():
    return World()


@pytest.fixture
def sc(world):
    with boa.env.anchor():
        yield Scenario(world)


def _extend_args(sc, jid, milestone, new_duration, who):
    job = sc.m.jobs[jid]
    other = job.terms.freelancer if sc.a(who) == job.terms.client else job.terms.client
    d = eip712.digest(sc.m.domain, eip712.extend_hash(jid, milestone, new_duration, job.nonce, sc.m.now))
    return {"job_id": jid, "terms": job.terms, "milestone": milestone, "new_duration": new_duration,
            "expiry": sc.m.now, "signature": sc.sign(other, d)}  # fmt: skip


def _raw(sc, fn, who, args):
    to, data, sender = sc.r.encode(R.Call(fn, sc.a(who), args))
    return chain.send(to, data, sender)


def test_found_F1__amendment_onto_another_jobs_terms_orphans_that_job(sc):
    """Spec, Consent: "the terms hash names one job for ever (`escrow: job exists`)"; PRODUCT.md,
    Liveness: every unit of funds reaches a party in bounded time.

    Sequence: c1 creates job 1 with terms A (one milestone, 1,000, 10 days) and job 2 with terms
    B = A with 20 days (f1 consents to both). c1 calls extend_deadline(job 1, A, 0, 20 days) with
    f1's signature. Job 1's new terms are exactly B.
    Spec: refused (B already names job 2). Contract: succeeds, job_of[B] = 1; job 2 can never be
    called again (`escrow: wrong terms`) and its 1,000 stay in the escrow for ever."""
    base = sc.terms(amounts=(1_000,), durations=[10 * DAY])
    sc.create(base)
    b_terms = base.replace(milestones=((1_000, 20 * DAY),))
    b = sc.create(b_terms)
    res = _raw(sc, "extend_deadline", "c1", _extend_args(sc, 1, 0, 20 * DAY, "c1"))
    bound = chain.view(sc.a("escrow"), sc.w.eabi.encode_pos("job_of", b_terms.hash), ["uint256"])[0]
    boa.env.timestamp = sc.m.now + 30 * DAY
    stuck = _raw(sc, "reclaim", "s", {"job_id": b, "terms": b_terms, "milestone": 0})
    assert not res.ok and bound == b and stuck.ok, (res, bound, stuck)


def test_found_F1b__added_milestones_onto_another_jobs_terms_orphan_that_job(sc):
    """As F1 through add_milestones: job 2's terms B are job 1's terms A plus one milestone; the
    client adds that milestone to job 1 (f1 signs). Spec: refused. Contract: job 2 orphaned."""
    base = sc.terms(amounts=(1_000,), durations=[10 * DAY])
    sc.create(base)
    b_terms = base.replace(milestones=((1_000, 10 * DAY), (7, 10 * DAY)))
    b = sc.create(b_terms)
    job = sc.m.jobs[1]
    d = eip712.digest(sc.m.domain, eip712.add_hash(1, ((7, 10 * DAY),), 0, job.nonce, sc.m.now))
    res = _raw(sc, "add_milestones", "c1", {"job_id": 1, "terms": base, "milestones": ((7, 10 * DAY),),
                                            "fund_count": 0, "expiry": sc.m.now,
                                            "signature": sc.sign(job.terms.freelancer, d)})  # fmt: skip
    bound = chain.view(sc.a("escrow"), sc.w.eabi.encode_pos("job_of", b_terms.hash), ["uint256"])[0]
    assert not res.ok and bound == b, (res, bound)


def test_found_F2__amendment_onto_retired_terms_binds_them_again(sc):
    """Spec, Terms: after an amendment "the old hash then maps to RETIRED = 2^256 − 1 and is
    refused for ever".

    Sequence: job 1 terms A (10 days), job 2 terms B = A with 20 days; job 2 is extended to 30
    days (B retired: job_of[B] = RETIRED); then job 1 is extended to 20 days, i.e. onto B.
    Spec: B stays refused. Contract: succeeds, job_of[B] = 1 (B accepted again, for job 1)."""
    base = sc.terms(amounts=(1_000,), durations=[10 * DAY])
    a = sc.create(base)
    b_terms = base.replace(milestones=((1_000, 20 * DAY),))
    b = sc.create(b_terms)
    assert sc.call("extend_deadline", "c1", **_extend_args(sc, b, 0, 30 * DAY, "c1")).ok
    res = _raw(sc, "extend_deadline", "c1", _extend_args(sc, a, 0, 20 * DAY, "c1"))
    bound = chain.view(sc.a("escrow"), sc.w.eabi.encode_pos("job_of", b_terms.hash), ["uint256"])[0]
    assert not res.ok and bound == R.RETIRED, (res, bound)
