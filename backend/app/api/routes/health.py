"""Liveness of the parts: database, chain, indexer lag."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from backend.app.api.deps import SessionDep, chain_or_error
from backend.app.api.problem_responses import PROBLEM_RESPONSES
from backend.app.schemas.health import Health
from backend.app.services import health

router = APIRouter(responses=PROBLEM_RESPONSES, tags=["health"])


@router.get("/health", response_model=Health, responses={503: {"model": Health}})
def get_health(request: Request, session: SessionDep) -> JSONResponse:
    report = health.check(session, chain_or_error(request))
    return JSONResponse(report.model_dump(mode="json"), status_code=200 if report.ok else 503)
