"""Reads of the indexer's job projections."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from backend.app.core.addresses import spellings
from backend.app.core.escrow_terms import Terms
from backend.app.models.chain import ChainCreditBalance, ChainJob
from backend.app.schemas.chain import (
    CreditOut,
    DisputeOut,
    FundingOut,
    JobOut,
    MilestoneOut,
    RatingOut,
    SettlementOut,
)
from backend.app.schemas.tx import JobTerms
from backend.app.services.errors import NotFound

MAX_PAGE = 100
_LOAD = (
    selectinload(ChainJob.milestones),
    selectinload(ChainJob.fundings),
    selectinload(ChainJob.disputes),
    selectinload(ChainJob.ratings),
    selectinload(ChainJob.settlement),
)


def get_job(session: Session, *, chain_id: int, job_id: int) -> ChainJob:
    job = session.get(ChainJob, (chain_id, job_id), options=_LOAD)
    if job is None:
        raise NotFound(f"job {job_id} is not on chain {chain_id} (or not indexed yet)")
    return job


def list_jobs(session: Session, *, chain_id: int, limit: int = 50) -> Sequence[ChainJob]:
    """The newest jobs first."""
    query = (
        select(ChainJob)
        .where(ChainJob.chain_id == chain_id)
        .options(*_LOAD)
        .order_by(ChainJob.job_id.desc())
        .limit(min(limit, MAX_PAGE))
    )
    return session.scalars(query).all()


ROLES = ("client", "freelancer", "arbiter")


def jobs_of(session: Session, *, chain_id: int, address: str, roles: Sequence[str] = ROLES) -> Sequence[ChainJob]:
    """Every job on the chain that `address` is party to in one of `roles`, newest first, however
    many there are (the address matches in either stored form, checksummed or lowercase)."""
    columns = {"client": ChainJob.client, "freelancer": ChainJob.freelancer, "arbiter": ChainJob.arbiter}
    forms = spellings(address)
    query = (
        select(ChainJob)
        .where(ChainJob.chain_id == chain_id, or_(*(columns[role].in_(forms) for role in roles)))
        .options(*_LOAD)
        .order_by(ChainJob.job_id.desc())
    )
    return session.scalars(query).all()


def job_terms(job: ChainJob) -> Terms:
    """The job's current terms as the indexer projected them (JobCreated, then its amendments)."""
    return Terms.loads(job.terms_json)


def _money(value: int | None) -> str | None:
    return None if value is None else str(value)


def job_out(job: ChainJob) -> JobOut:
    in_escrow = job.funded - job.paid_to_freelancer - job.refunded_to_client - job.arbiter_fees - job.platform_fees
    settlement = job.settlement
    return JobOut(
        chain_id=job.chain_id,
        job_id=job.job_id,
        escrow=job.escrow,
        client=job.client,
        freelancer=job.freelancer,
        token=job.token,
        arbiter=job.arbiter,
        arbiter_fee_bps=job.arbiter_fee_bps,
        platform_fee_bps=job.platform_fee_bps,
        review_period=job.review_period,
        ruling_window=job.ruling_window,
        metadata_hash=job.metadata_hash,
        terms=JobTerms.of(job_terms(job)),
        terms_hash=job.terms_hash,
        milestone_count=job.milestone_count,
        funded_count=job.funded_count,
        open_count=job.open_count,
        total=str(job.total),
        funded=str(job.funded),
        paid_to_freelancer=str(job.paid_to_freelancer),
        refunded_to_client=str(job.refunded_to_client),
        arbiter_fees=str(job.arbiter_fees),
        platform_fees=str(job.platform_fees),
        in_escrow=str(max(in_escrow, 0)),
        nonce=job.nonce,
        status=job.status,
        settled=job.settled,
        cancelled=job.cancelled,
        client_rated=job.client_rated,
        freelancer_rated=job.freelancer_rated,
        volume=_money(job.volume),
        created_block=job.created_block,
        created_at=job.created_at,
        created_tx=job.created_tx,
        updated_block=job.updated_block,
        ended_at=job.ended_at,
        milestones=[
            MilestoneOut(
                index=m.index,
                amount=str(m.amount),
                duration=m.duration,
                deadline=m.deadline,
                state=m.state,
                deliverable_hash=m.deliverable_hash,
                submitted_at=m.submitted_at,
                review_end=m.review_end,
                ruling_end=m.ruling_end,
                disputed_by=m.disputed_by,
                ruling_bps=m.ruling_bps,
                to_freelancer=_money(m.to_freelancer),
                to_client=_money(m.to_client),
                arbiter_fee=_money(m.arbiter_fee),
                platform_fee=_money(m.platform_fee),
                closed_at=m.closed_at,
                closed_tx=m.closed_tx,
            )
            for m in job.milestones
        ],
        fundings=[
            FundingOut(
                funder=f.funder,
                amount=str(f.amount),
                first_milestone=f.first_milestone,
                funded_count=f.funded_count,
                funded_at=f.funded_at,
                tx_hash=f.tx_hash,
            )
            for f in job.fundings
        ],
        disputes=[
            DisputeOut(
                milestone=d.milestone,
                opened_by=d.opened_by,
                opened_by_role=d.opened_by_role,
                opened_at=d.opened_at,
                opened_tx=d.opened_tx,
                ruling_end=d.ruling_end,
                outcome=d.outcome,
                ruled_by=d.ruled_by,
                freelancer_bps=d.freelancer_bps,
                to_freelancer=_money(d.to_freelancer),
                to_client=_money(d.to_client),
                arbiter_fee=_money(d.arbiter_fee),
                platform_fee=_money(d.platform_fee),
                winner=d.winner,
                closed_at=d.closed_at,
                closed_tx=d.closed_tx,
            )
            for d in job.disputes
        ],
        ratings=[
            RatingOut(
                rater=r.rater,
                subject=r.subject,
                score=r.score,
                comment_hash=r.comment_hash,
                rated_at=r.rated_at,
                rated_tx=r.rated_tx,
            )
            for r in job.ratings
        ],
        settlement=None
        if settlement is None
        else SettlementOut(
            nonce=settlement.nonce,
            freelancer_bps=settlement.freelancer_bps,
            to_freelancer=str(settlement.to_freelancer),
            to_client=str(settlement.to_client),
            platform_fee=str(settlement.platform_fee),
            settled_at=settlement.settled_at,
            settled_tx=settlement.settled_tx,
        ),
    )


def credits(session: Session, *, chain_id: int, account: str) -> list[CreditOut]:
    """The account's credits per token (what `withdraw(token, to)` would send), outstanding ones first."""
    rows = session.scalars(
        select(ChainCreditBalance).where(ChainCreditBalance.chain_id == chain_id, ChainCreditBalance.account == account)
    ).all()
    out = [
        CreditOut(
            token=row.token,
            credited=str(row.credited),
            withdrawn=str(row.withdrawn),
            outstanding=str(row.credited - row.withdrawn),
        )
        for row in rows
    ]
    return sorted(out, key=lambda credit: (credit.outstanding == "0", credit.token))


def outstanding_credits(session: Session, *, chain_id: int, account: str) -> list[CreditOut]:
    """The account's credits that still hold something: what Withdraw would send, per token."""
    return [credit for credit in credits(session, chain_id=chain_id, account=account) if credit.outstanding != "0"]
