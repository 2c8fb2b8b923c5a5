"""Reports (any signed-in user) and moderation (configured moderator addresses only)."""

from __future__ import annotations

from fastapi import APIRouter

from backend.app.api.deps import CurrentUser, Moderator, SessionDep
from backend.app.api.problem_responses import PROBLEM_RESPONSES
from backend.app.schemas.moderation import ModerationActionOut, ModerationIn, ReportIn, ReportOut
from backend.app.services import moderation

router = APIRouter(responses=PROBLEM_RESPONSES, prefix="/api", tags=["moderation"])

AUTH = {401: {"description": "Not signed in"}, 403: {"description": "Not a moderator"}}


@router.post("/reports", response_model=ReportOut, status_code=201, responses=AUTH)
def report(body: ReportIn, user: CurrentUser, session: SessionDep) -> ReportOut:
    """Report a job, offer, profile or message, with a reason (once per user and target)."""
    record = moderation.report(session, reporter=user.address, kind=body.kind, ref=body.ref, reason=body.reason)
    return moderation.report_out(record)


@router.get("/moderation/reports", response_model=list[ReportOut], responses=AUTH)
def open_reports(user: Moderator, session: SessionDep) -> list[ReportOut]:
    del user
    return [moderation.report_out(r) for r in moderation.open_reports(session)]


@router.post("/moderation/hide", response_model=ModerationActionOut, responses=AUTH)
def hide(body: ModerationIn, user: Moderator, session: SessionDep) -> ModerationActionOut:
    """Hide content (it leaves lists, search and matching); its open reports are resolved."""
    action = moderation.hide(session, moderator=user.address, kind=body.kind, ref=body.ref, reason=body.reason)
    return moderation.action_out(action)


@router.post("/moderation/restore", response_model=ModerationActionOut, responses=AUTH)
def restore(body: ModerationIn, user: Moderator, session: SessionDep) -> ModerationActionOut:
    action = moderation.restore(session, moderator=user.address, kind=body.kind, ref=body.ref, reason=body.reason)
    return moderation.action_out(action)


@router.get("/me/moderation", response_model=list[ModerationActionOut], responses=AUTH)
def my_moderation(user: CurrentUser, session: SessionDep) -> list[ModerationActionOut]:
    """Moderators' actions on the caller's content, with their reasons."""
    return [moderation.action_out(a) for a in moderation.actions_on(session, owner=user.address)]
