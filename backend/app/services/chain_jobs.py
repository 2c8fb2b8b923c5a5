"""Reads of the indexer's job projections."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from backend.app.models.chain import ChainJob
from backend.app.schemas.chain import JobOut, MilestoneOut
from backend.app.services.errors import NotFound

MAX_PAGE = 100


def get_job(session: Session, *, chain_id: int, job_id: int) -> ChainJob:
    job = session.get(ChainJob, (chain_id, job_id))
    if job is None:
        raise NotFound(f"job {job_id} is not on chain {chain_id} (or not indexed yet)")
    return job


def list_jobs(session: Session, *, chain_id: int, limit: int = 50) -> Sequence[ChainJob]:
    """The newest jobs first."""
    query = (
        select(ChainJob)
        .where(ChainJob.chain_id == chain_id)
        .options(selectinload(ChainJob.milestones))
        .order_by(ChainJob.job_id.desc())
        .limit(min(limit, MAX_PAGE))
    )
    return session.scalars(query).all()


def job_out(job: ChainJob) -> JobOut:
    return JobOut(
        chain_id=job.chain_id,
        job_id=job.job_id,
        escrow=job.escrow,
        client=job.client,
        freelancer=job.freelancer,
        token=job.token,
        metadata_hash=job.metadata_hash,
        funded=str(job.funded),
        paid=str(job.paid),
        in_escrow=str(job.funded - job.paid),
        created_at=job.created_at,
        created_tx=job.created_tx,
        updated_block=job.updated_block,
        milestones=[
            MilestoneOut(
                index=m.index,
                amount=str(m.amount),
                state=m.state,
                released_at=m.released_at,
                released_tx=m.released_tx,
            )
            for m in job.milestones
        ],
    )
