"""Recommendations: ranked candidates for a job, ranked jobs for a freelancer; each says why."""

from __future__ import annotations

from fastapi import APIRouter, Query

from backend.app.api.deps import CurrentUser, SessionDep
from backend.app.api.problem_responses import PROBLEM_RESPONSES
from backend.app.schemas.matching import MatchOut
from backend.app.services import matching

router = APIRouter(responses=PROBLEM_RESPONSES, prefix="/api", tags=["matching"])

AUTH = {401: {"description": "Not signed in"}, 403: {"description": "Not the job's client"}}


@router.get("/job-posts/{post_id}/matches", response_model=list[MatchOut], responses=AUTH)
def candidates(
    post_id: int, user: CurrentUser, session: SessionDep, limit: int = Query(10, ge=1, le=50)
) -> list[MatchOut]:
    """Ranked freelancers for the job (its client only)."""
    return matching.freelancers_for_job(session, post_id=post_id, client=user.address, limit=limit)


@router.get("/me/matches", response_model=list[MatchOut], responses=AUTH)
def my_matches(user: CurrentUser, session: SessionDep, limit: int = Query(10, ge=1, le=50)) -> list[MatchOut]:
    """Ranked published jobs for the signed-in freelancer (needs a profile)."""
    return matching.jobs_for_freelancer(session, address=user.address, limit=limit)
