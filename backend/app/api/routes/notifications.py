"""The signed-in user's notifications feed."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from backend.app.api.deps import CurrentUser, SessionDep, chain_or_error
from backend.app.api.problem_responses import PROBLEM_RESPONSES
from backend.app.schemas.notification import NotificationFeed
from backend.app.services import notifications

router = APIRouter(responses=PROBLEM_RESPONSES, prefix="/api/me/notifications", tags=["notifications"])


@router.get("", response_model=NotificationFeed, responses={401: {"description": "Not signed in"}})
def my_notifications(request: Request, user: CurrentUser, session: SessionDep) -> NotificationFeed:
    """Newest first: proposals, hires, messages, moderation, and the escrow events of your jobs
    (amounts in the job token's units, e.g. "250 jUSD"; in base units while the chain cannot be read)."""
    chain = chain_or_error(request)
    return notifications.feed(session, address=user.address, chain=None if isinstance(chain, Exception) else chain)


@router.post("/read", status_code=204, responses={401: {"description": "Not signed in"}})
def mark_read(user: CurrentUser, session: SessionDep) -> Response:
    notifications.mark_all_read(session, address=user.address)
    return Response(status_code=204)
