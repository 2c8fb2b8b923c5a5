"""Who may do what to an on-chain job, and when — the escrow's rules over the indexed state.

Pure functions over the projected job (the indexer's `chain_jobs`/`chain_milestones` rows) and
the chain's time, so they test without a database. The transaction builders call `check`
before encoding anything; the job page shows the actions `allowed` returns. The contract
enforces the same rules; this only turns a revert into a clear answer before any signature.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from backend.app.core.escrow_terms import MAX_MILESTONES
from backend.app.services.errors import Conflict, NotAllowed, NotFound

MILESTONE_ACTIONS = (
    "submit",
    "approve",
    "release",
    "reclaim",
    "dispute",
    "resolve",
    "default_ruling",
    "propose_extension",
    "propose_deduction",
)
JOB_ACTIONS = ("fund", "cancel_unfunded", "rate", "propose_milestones")
# Amendments: proposing one is signing it; agreeing is sending it (`extend_deadline`, `add_milestones`,
# `accept_with_deduction`), which also needs the other party's signature (services/amendments.py).


class MilestoneState(Protocol):
    index: int
    state: str
    deadline: datetime
    review_end: datetime | None
    ruling_end: datetime | None


class JobState(Protocol):
    job_id: int
    client: str
    freelancer: str
    arbiter: str
    status: str
    cancelled: bool
    funded_count: int
    milestone_count: int
    client_rated: bool
    freelancer_rated: bool
    volume: int | None  # when ended: what reached the freelancer, net of fees

    @property
    def milestones(self) -> Sequence[MilestoneState]: ...


def _same(a: str, b: str) -> bool:
    return a.lower() == b.lower()


def _party(job: JobState, sender: str) -> bool:
    return _same(sender, job.client) or _same(sender, job.freelancer)


def role_of(job: JobState, address: str) -> str | None:
    """ "client" or "freelancer" for a party of the job, None for anyone else."""
    if _same(address, job.client):
        return "client"
    if _same(address, job.freelancer):
        return "freelancer"
    return None


def _milestone(job: JobState, index: int | None) -> MilestoneState:
    found = next((m for m in job.milestones if m.index == index), None)
    if found is None:
        raise NotFound(f"job {job.job_id} has no milestone {index}")
    return found


def _state(m: MilestoneState, *expected: str) -> None:
    if m.state not in expected:
        raise Conflict(f"milestone {m.index + 1} is {m.state.replace('_', ' ')}, not {' or '.join(expected)}")


def check(action: str, job: JobState, *, sender: str, now: datetime, milestone: int | None = None) -> None:
    """Raise the domain error that explains why `sender` may not take `action` now; None if allowed."""
    if action == "rate":
        if not _party(job, sender):
            raise NotAllowed("only the client and the freelancer rate each other")
        if job.status != "ended":
            raise Conflict(f"job {job.job_id} has not ended yet: ratings come after the last milestone")
        if not job.volume:
            raise Conflict(f"job {job.job_id} paid its freelancer nothing: only a paid job can be rated")
        if _same(sender, job.client) and job.client_rated or _same(sender, job.freelancer) and job.freelancer_rated:
            raise Conflict("you already rated this job")
        return
    if job.status != "active":
        raise Conflict(f"job {job.job_id} has ended")
    if action in ("fund", "cancel_unfunded"):
        client = _same(sender, job.client)
        if action == "fund" and not client:
            raise NotAllowed(f"only the job's client {job.client} may do that")
        if job.cancelled:
            raise Conflict("the unfunded milestones were cancelled")
        if job.funded_count >= job.milestone_count:
            raise Conflict("every milestone is already funded")
        first = _milestone(job, job.funded_count)
        if not client and now <= first.deadline:
            raise NotAllowed(
                f"only the job's client {job.client} may cancel before {first.deadline:%Y-%m-%d %H:%M} UTC, when "
                f"milestone {first.index + 1} can no longer be delivered in time; then anyone may"
            )
        return
    if action == "settle":
        return  # anyone may submit two valid signatures; they are checked separately
    if action in ("propose_milestones", "add_milestones"):
        # the freelancer signs the milestones it will deliver; the client adds (and funds) them
        who, role = (job.freelancer, "freelancer") if action == "propose_milestones" else (job.client, "client")
        if not _same(sender, who):
            raise NotAllowed(
                f"only the job's {role} {who} {'signs' if role == 'freelancer' else 'adds'} new milestones"
            )
        if job.milestone_count >= MAX_MILESTONES:
            raise Conflict(f"job {job.job_id} has {MAX_MILESTONES} milestones, the most a job may have")
        return
    m = _milestone(job, milestone)
    if action == "submit":
        if not _same(sender, job.freelancer):
            raise NotAllowed(f"only the job's freelancer {job.freelancer} submits work")
        _state(m, "funded")
        if now > m.deadline:
            raise Conflict(f"milestone {m.index + 1}'s deadline passed at {m.deadline:%Y-%m-%d %H:%M} UTC")
    elif action == "approve":
        if not _same(sender, job.client):
            raise NotAllowed(f"only the job's client {job.client} approves work")
        _state(m, "submitted")
    elif action == "release":
        _state(m, "submitted")
        if m.review_end is not None and now < m.review_end:
            raise Conflict(f"the review period of milestone {m.index + 1} runs until {m.review_end:%Y-%m-%d %H:%M} UTC")
    elif action == "reclaim":
        _state(m, "funded")
        if now <= m.deadline:
            raise Conflict(f"milestone {m.index + 1} can still be submitted until {m.deadline:%Y-%m-%d %H:%M} UTC")
    elif action == "dispute":
        if not _party(job, sender):
            raise NotAllowed("only the client or the freelancer may open a dispute")
        _state(m, "submitted")
        if m.review_end is not None and now >= m.review_end:
            raise Conflict(f"the review period of milestone {m.index + 1} is over")
    elif action == "resolve":
        if not _same(sender, job.arbiter):
            raise NotAllowed(f"only the job's arbiter {job.arbiter} rules")
        _state(m, "disputed")
        if m.ruling_end is not None and now >= m.ruling_end:
            raise Conflict("the ruling window is over: either party may apply the default ruling")
    elif action == "default_ruling":
        if not _party(job, sender):
            raise NotAllowed("only the client or the freelancer may apply the default ruling")
        _state(m, "disputed")
        if m.ruling_end is not None and now < m.ruling_end:
            raise Conflict(f"the arbiter may rule until {m.ruling_end:%Y-%m-%d %H:%M} UTC")
    elif action in ("propose_extension", "extend_deadline"):
        if not _party(job, sender):
            raise NotAllowed("only the client and the freelancer extend a deadline")
        _state(m, "funded", "unfunded")
    elif action in ("propose_deduction", "accept_with_deduction"):
        if not _party(job, sender):
            raise NotAllowed("only the client and the freelancer accept a milestone with a deduction")
        _state(m, "submitted", "disputed")
    else:
        raise NotFound(f"no action {action!r}")


def allowed(job: JobState, *, sender: str, now: datetime) -> list[tuple[str, int | None]]:
    """Every (action, milestone) `sender` may take now; milestone None for whole-job actions."""
    result: list[tuple[str, int | None]] = []
    for action in JOB_ACTIONS:
        try:
            check(action, job, sender=sender, now=now)
            result.append((action, None))
        except (Conflict, NotAllowed, NotFound):
            pass
    for m in job.milestones:
        for action in MILESTONE_ACTIONS:
            try:
                check(action, job, sender=sender, now=now, milestone=m.index)
                result.append((action, m.index))
            except (Conflict, NotAllowed, NotFound):
                pass
    return result
