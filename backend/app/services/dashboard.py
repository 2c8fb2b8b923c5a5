"""What the dashboard shows a signed-in user: what waits for them, off-chain (drafts, proposals to review,
shortlists, unread messages) and on-chain (milestones to approve or dispute, to deliver, to rule on, each
with the moment it is due), their next deadlines and the money they have in escrow. The page renders it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from backend.app.services import chain_jobs, display_names, job_posts, messages, proposals

NEXT_DEADLINES = 10


@dataclass(frozen=True)
class ToDo:
    """One line of the to-do list: what to do, where, and (on-chain) by when."""

    text: str
    href: str
    due: datetime | None = None


def my_jobs(
    session: Session, *, chain_id: int, address: str, roles: Sequence[str] = chain_jobs.ROLES
) -> list[dict[str, Any]]:
    """The escrow jobs this address is party to (in `roles`), as the jobs API shows them, each with the
    `roles` it holds in it."""
    jobs = []
    for job in chain_jobs.jobs_of(session, chain_id=chain_id, address=address, roles=roles):
        data = chain_jobs.job_out(job).model_dump()
        held = [role for role in chain_jobs.ROLES if str(data.get(role, "")).lower() == address.lower()]
        jobs.append({**data, "roles": held})
    return jobs


@dataclass(frozen=True)
class Dispute:
    """A disputed milestone waiting for the arbiter's ruling."""

    job: dict[str, Any]
    milestone: dict[str, Any]


def disputes_to_rule(jobs: Sequence[dict[str, Any]]) -> list[Dispute]:
    """The disputed milestones of these jobs (the arbiter's queue), in job and milestone order."""
    return [Dispute(job, m) for job in jobs for m in job.get("milestones") or [] if m.get("state") == "disputed"]


def chain_to_dos(jobs: Sequence[dict[str, Any]]) -> list[ToDo]:
    """What the user's escrow jobs wait for, by role (each job carries the `roles` the user holds in it),
    most urgent first: a client approves or disputes a submitted milestone before its review ends (then
    anyone may release it), a freelancer delivers a funded one by its deadline (then the client may reclaim
    it), an arbiter rules on a disputed one before its ruling window ends (then the even split applies)."""
    items = []
    for job in jobs:
        roles, href = job["roles"], f"/jobs/{job['job_id']}"
        for m in job.get("milestones") or []:
            what = f"milestone {m['index'] + 1} of job #{job['job_id']}"
            if m["state"] == "submitted" and "client" in roles:
                items.append(ToDo(f"Approve or dispute {what}", href, m.get("review_end")))
            elif m["state"] == "funded" and "freelancer" in roles:
                items.append(ToDo(f"Deliver {what}", href, m.get("deadline")))
            elif m["state"] == "disputed" and "arbiter" in roles:
                items.append(ToDo(f"Rule on {what}", href, m.get("ruling_end")))
    return sorted(items, key=lambda item: (item.due is None, item.due or datetime.max))


def off_chain_to_dos(session: Session, *, address: str, posts: Sequence[Any], sent: Sequence[Any]) -> list[ToDo]:
    """Drafts to publish and proposals to review on the user's listings, listings that shortlisted the user,
    and conversations with unread messages. One line per listing or conversation; a few queries in all,
    however many there are."""
    items = []
    shortlisted = [proposal for proposal in sent if proposal.status == "shortlisted"]
    title = job_posts.titles(session, post_ids=[p.job_post_id for p in shortlisted], viewer=address)
    waiting = proposals.waiting_counts(session, post_ids=[post.id for post in posts])
    for post in posts:
        if post.status == "draft":
            items.append(ToDo(f"Publish your draft “{post.title}”", f"/posts/{post.id}"))
        count = waiting.get(post.id, 0)
        if count:
            what = "a proposal" if count == 1 else f"{count} proposals"
            items.append(ToDo(f"Review {what} on “{post.title}”", f"/posts/{post.id}"))
    for proposal in shortlisted:
        listing = display_names.listing(title, proposal.job_post_id)
        items.append(ToDo(f"You are shortlisted on {listing}", f"/posts/{proposal.job_post_id}"))
    threads = messages.my_threads(session, address=address)
    unread = messages.unread_counts(session, threads=threads, address=address)
    about = job_posts.titles(session, post_ids=[t.job_post_id for t in threads], viewer=address, as_owner=True)
    for thread in threads:
        count = unread.get(thread.id, 0)
        if count:
            what = "1 unread message" if count == 1 else f"{count} unread messages"
            listing = display_names.listing(about, thread.job_post_id)
            items.append(ToDo(f"{what} about {listing}", f"/messages/{thread.id}"))
    return items


def deadlines(jobs: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The next milestone deadlines of the user's jobs (funded or submitted milestones), soonest first."""
    found = [
        {"job_id": job["job_id"], "index": m.get("index", 0), "at": m["deadline"]}
        for job in jobs
        for m in job.get("milestones") or []
        if m.get("deadline") and m.get("state") in ("funded", "submitted")
    ]
    return sorted(found, key=lambda d: d["at"])[:NEXT_DEADLINES]


def escrow_totals(jobs: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The money still in escrow in the user's jobs, per token (tokens with nothing left are left out)."""
    totals: dict[str, int] = defaultdict(int)
    for job in jobs:
        totals[job.get("token", "")] += int(job.get("in_escrow") or 0)
    return [{"amount": amount, "token": token} for token, amount in totals.items() if token and amount]
