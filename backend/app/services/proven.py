"""Proven skills: the address was paid for jobs whose on-chain metadata hash matches a listing with that tag.

The hash ties the tags to the payment: the listing's canonical JSON (with its client and
skills) hashes to the value the client put on-chain when funding. Job posts and service-offer
orders are the two listing sources (`_listing_sources`); a new kind of listing adds one there.
"""

from __future__ import annotations

from sqlalchemy import Select, distinct, func, select, union_all
from sqlalchemy.orm import Session

from backend.app.models.chain import ChainJob
from backend.app.models.job_post import JobPost, JobPostSkill
from backend.app.models.proposal import OfferOrder, OfferOrderSkill
from backend.app.services import listing_jobs


def _listing_sources(address: str) -> list[Select[tuple[str, int, int]]]:
    """(tag, chain id, job id) rows for each paid escrow job of `address` matched to a tagged listing."""
    job_posts = (
        select(JobPostSkill.tag, ChainJob.chain_id, ChainJob.job_id)
        .join(JobPost, JobPost.id == JobPostSkill.job_post_id)
        .join(ChainJob, listing_jobs.carries(ChainJob, JobPost))
        .where(ChainJob.freelancer == address, ChainJob.paid_to_freelancer > 0)
    )
    offer_orders = (
        select(OfferOrderSkill.tag, ChainJob.chain_id, ChainJob.job_id)
        .join(OfferOrder, OfferOrder.id == OfferOrderSkill.order_id)
        .join(ChainJob, (ChainJob.metadata_hash == OfferOrder.metadata_hash) & (ChainJob.client == OfferOrder.client))
        .where(ChainJob.freelancer == address, ChainJob.paid_to_freelancer > 0)
    )
    return [job_posts, offer_orders]


def proven_skills(session: Session, *, address: str) -> list[tuple[str, int]]:
    """(tag, number of paid jobs) for `address` as freelancer, most proven first."""
    sources = _listing_sources(address)
    union = (sources[0] if len(sources) == 1 else union_all(*sources)).subquery()
    rows = session.execute(
        select(union.c.tag, func.count(distinct(union.c.job_id)).label("jobs"))
        .group_by(union.c.tag)
        .order_by(func.count(distinct(union.c.job_id)).desc(), union.c.tag)
    ).all()
    return [(tag, int(jobs)) for tag, jobs in rows]
