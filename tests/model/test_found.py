"""Minimal cases where the contract and the rules disagreed, found by the campaigns.

Each test states the rule, the call sequence and what the rule expects. They assert the RULES'
behaviour; every call runs on the contract and the model side by side (the Runner compares the
outcome, the reason and every view after each step). An open finding is marked
`xfail(strict=True)`; a fixed one stays here, unmarked, as its regression test.

F1, F1b and F2 (found on commit 4854c68): an amendment onto terms bound to another job, or onto
retired terms, took that binding (`job_of[hash]` named the amended job; the other job could never
be called again). They were fixed by refusing such amendments (`escrow: terms in use`). The gas
redesign then made the binding per job: `terms_hash_of[job id]` holds the job's current terms
hash, an amendment rewrites only its own job's entry, and there is no `terms in use` any more.
Amended terms may equal another job's terms, or old terms of any job: harmless, since no job's
entry is ever touched but its own.

Under the redesign those collisions cannot even be produced by calls: an amendment keeps the
freelancer and the salt, and a (freelancer, salt) consent makes one job at most (`escrow: consent
used`), so the setups of F1, F1b and F2 are refused at creation (the `__setup_refused` tests).
The `__forced` tests reach the colliding state anyway, by clearing the consent's bit in storage
(and in the model) between the two creations, a white-box step no caller can take, and check the
new rule there: the amendment succeeds, the other job is untouched and keeps working with its
terms, the amended job's old terms are refused, and every job can still be drained to the end.
"""

from __future__ import annotations

import random

import boa
import pytest

from . import eip712
from .harness import DAY, Generator, World, v2_available
from .scenario import Scenario

pytestmark = pytest.mark.skipif(not v2_available(), reason="escrow v2 not on this branch yet")

ZERO_HASH = b"\x00" * 32


@pytest.fixture(scope="module")
def world():
    return World()


@pytest.fixture
def sc(world):
    with boa.env.anchor():
        yield Scenario(world)


def _extend(sc, jid, milestone, new_duration, who="c1", terms=None):
    job = sc.m.jobs[jid]
    other = job.terms.freelancer if sc.a(who) == job.terms.client else job.terms.client
    d = eip712.digest(sc.m.domain, eip712.extend_hash(jid, milestone, new_duration, job.nonce, sc.m.now))
    return sc.call("extend_deadline", who, job_id=jid, terms=terms or job.terms, milestone=milestone,
                   new_duration=new_duration, expiry=sc.m.now, signature=sc.sign(other, d))  # fmt: skip


def _add(sc, jid, milestones, fund_count=0, who="c1"):
    job = sc.m.jobs[jid]
    d = eip712.digest(sc.m.domain, eip712.add_hash(jid, milestones, fund_count, job.nonce, sc.m.now))
    return sc.call("add_milestones", who, job_id=jid, terms=job.terms, milestones=milestones, fund_count=fund_count,
                   expiry=sc.m.now, signature=sc.sign(job.terms.freelancer, d))  # fmt: skip


def _terms_hash(sc, jid) -> bytes:
    return sc.r.terms_hash(jid, getter=True)


def _submit(sc, jid, terms, milestone=0):
    return sc.call("submit", "f1", job_id=jid, terms=terms, milestone=milestone, deliverable_hash=b"\x01" * 32)


def _forget(sc, terms):
    sc.r.env("forget_consent", freelancer=terms.freelancer, salt=terms.salt)


def _forced_twin_jobs(sc):
    """Job 1 with terms A (10 days) and, [forced] past the consent bit, job 2 with B = A at 20 days:
    (A, job 1, B, job 2)."""
    a = sc.terms(amounts=(1_000,), durations=[10 * DAY])
    one = sc.create(a)
    b = a.replace(milestones=((1_000, 20 * DAY),))
    _forget(sc, a)
    return a, one, b, sc.create(b)


def _drain(sc):
    """Every job ends and the escrow ends holding nothing (compared in full at the end)."""
    Generator(sc.r, random.Random(0)).drain("client")


def test_found_F1__setup_refused__job_2_cannot_take_job_1s_consent(sc):
    """F1's setup: job 1 has terms A (1,000, 10 days), job 2 was to be created with B = A with 20
    days. B has A's freelancer and salt: refused (`escrow: consent used`). With a salt of its own
    (B2), job 2 exists; extending job 1 to 20 days gives terms that are no job's but job 1's."""
    a = sc.terms(amounts=(1_000,), durations=[10 * DAY])
    one = sc.create(a)
    b = a.replace(milestones=((1_000, 20 * DAY),))
    out = sc.call("create_job", "c1", terms=b, consent=sc.consent(b), fund_count=1)
    assert out.reason == "escrow: consent used"
    b2 = b.replace(salt=a.salt + 1000)
    two = sc.create(b2)
    assert _extend(sc, one, 0, 20 * DAY).ok
    assert sc.m.jobs[one].terms == b and _terms_hash(sc, one) == b.hash
    assert _terms_hash(sc, two) == b2.hash
    assert _submit(sc, one, a).reason == "escrow: wrong terms"
    assert _submit(sc, two, b2).ok and _submit(sc, one, b).ok
    _drain(sc)


def test_found_F1__forced__amendment_onto_another_jobs_terms_leaves_that_job_working(sc):
    """Job 1 terms A (10 days); [forced] job 2 terms B = A with 20 days; extend job 1 to 20 days:
    job 1's terms become exactly job 2's. Rule: succeeds; terms_hash_of[2] is still B and job 2
    works with B; job 1 works with B too and refuses A. (Before the fix job 2 was orphaned.)"""
    a, one, b, two = _forced_twin_jobs(sc)
    assert _extend(sc, one, 0, 20 * DAY).ok
    assert _terms_hash(sc, one) == b.hash == _terms_hash(sc, two)
    assert _submit(sc, one, a).reason == "escrow: wrong terms"
    assert sc.call("increment_nonce", "c1", job_id=one, terms=a).reason == "escrow: wrong terms"
    assert _submit(sc, two, b).ok
    assert sc.call("approve", "c1", job_id=two, terms=b, milestone=0).ok
    assert sc.m.jobs[two].open == 0 and _terms_hash(sc, two) == b.hash  # job 2 ended normally
    assert _submit(sc, one, b).ok
    _drain(sc)


def test_found_F1b__setup_refused__added_milestones_keep_the_salt(sc):
    """F1b's setup: job 2 with B = A plus a milestone is refused (`escrow: consent used`); adding
    that milestone to job 1 succeeds and binds B to job 1 only."""
    a = sc.terms(amounts=(1_000,), durations=[10 * DAY])
    one = sc.create(a)
    b = a.replace(milestones=((1_000, 10 * DAY), (7, 10 * DAY)))
    assert sc.call("create_job", "c1", terms=b, consent=sc.consent(b), fund_count=1).reason == "escrow: consent used"
    assert _add(sc, one, ((7, 10 * DAY),)).ok
    assert _terms_hash(sc, one) == b.hash and _terms_hash(sc, one + 1) == ZERO_HASH
    assert _submit(sc, one, a).reason == "escrow: wrong terms"
    _drain(sc)


def test_found_F1b__forced__added_milestones_onto_another_jobs_terms_leave_that_job_working(sc):
    """As F1 through add_milestones: [forced] job 2's terms B are job 1's terms A plus one
    milestone; the client adds that milestone to job 1 (f1 signs). Rule: succeeds; job 2
    untouched and working; job 1 refuses A."""
    a = sc.terms(amounts=(1_000,), durations=[10 * DAY])
    one = sc.create(a)
    b = a.replace(milestones=((1_000, 10 * DAY), (7, 10 * DAY)))
    _forget(sc, a)
    two = sc.create(b)
    assert _add(sc, one, ((7, 10 * DAY),), fund_count=1).ok
    assert _terms_hash(sc, one) == b.hash == _terms_hash(sc, two)
    assert _submit(sc, one, a).reason == "escrow: wrong terms"
    assert _submit(sc, two, b, 1).ok and _submit(sc, one, b, 1).ok
    assert sc.call("fund", "c1", job_id=one, terms=a, count=1).reason == "escrow: wrong terms"
    _drain(sc)


def test_found_F2__setup_refused__old_terms_make_no_new_job(sc):
    """F2's setup needed two jobs with one (freelancer, salt). Without it: job 2 (its own salt) is
    extended, its old terms are refused for job 2 and make no new job (`escrow: consent used`)."""
    a = sc.terms(amounts=(1_000,), durations=[10 * DAY])
    one = sc.create(a)
    b = sc.terms(amounts=(1_000,), durations=[20 * DAY])
    two = sc.create(b)
    assert _extend(sc, two, 0, 30 * DAY).ok
    assert _submit(sc, two, b).reason == "escrow: wrong terms"
    assert sc.call("create_job", "c1", terms=b, consent=sc.consent(b), fund_count=0).reason == "escrow: consent used"
    assert _extend(sc, one, 0, 20 * DAY).ok
    assert _terms_hash(sc, one) == a.replace(milestones=((1_000, 20 * DAY),)).hash
    _drain(sc)


def test_found_F2__forced__amendment_onto_another_jobs_old_terms(sc):
    """Job 1 terms A (10 days); [forced] job 2 terms B = A with 20 days; job 2 extended to 30 days
    (B is now job 2's old terms); job 1 extended to 20 days, i.e. onto B. Rule: succeeds (old
    terms of another job are no obstacle); job 1 works with B, refuses A; job 2 still refuses B
    and works with its 30-day terms."""
    a, one, b, two = _forced_twin_jobs(sc)
    assert _extend(sc, two, 0, 30 * DAY).ok
    c = sc.m.jobs[two].terms
    assert _extend(sc, one, 0, 20 * DAY).ok
    assert _terms_hash(sc, one) == b.hash and _terms_hash(sc, two) == c.hash
    assert _submit(sc, one, a).reason == "escrow: wrong terms"
    assert _submit(sc, two, b).reason == "escrow: wrong terms"
    assert _submit(sc, one, b).ok and _submit(sc, two, c).ok
    _drain(sc)
