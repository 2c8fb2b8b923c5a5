"""On-chain jobs, as the indexer projected them."""

from __future__ import annotations

from fastapi import APIRouter, Query

from backend.app.api.deps import ChainDep, SessionDep
from backend.app.api.problem_responses import PROBLEM_RESPONSES
from backend.app.schemas.chain import JobOut
from backend.app.services import chain_jobs

router = APIRouter(responses=PROBLEM_RESPONSES, prefix="/api/jobs", tags=["jobs"])


@router.get("", response_model=list[JobOut])
def list_jobs(session: SessionDep, chain: ChainDep, limit: int = Query(50, ge=1, le=100)) -> list[JobOut]:
    return [chain_jobs.job_out(job) for job in chain_jobs.list_jobs(session, chain_id=chain.chain_id, limit=limit)]


@router.get("/{job_id}", response_model=JobOut)
def get_job(job_id: int, session: SessionDep, chain: ChainDep) -> JobOut:
    return chain_jobs.job_out(chain_jobs.get_job(session, chain_id=chain.chain_id, job_id=job_id))
