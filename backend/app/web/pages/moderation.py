"""The moderators' queue of open reports (403 for a signed-in non-moderator; a visitor is asked to sign in)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from backend.app.services import display_names, moderation
from backend.app.web.page import PageDep

router = APIRouter(include_in_schema=False)

REPORTED_PAGES = {"job": "/posts/", "profile": "/profiles/"}  # kinds of report whose subject has a page


@router.get("/moderation", response_class=HTMLResponse)
def moderation_page(page: PageDep) -> HTMLResponse:
    allowed = page.viewer is not None and page.settings.is_moderator(page.viewer)
    reports = [moderation.report_out(r) for r in moderation.open_reports(page.session)] if allowed else []
    items = [
        {"report": r, "href": None if r.kind not in REPORTED_PAGES else f"{REPORTED_PAGES[r.kind]}{r.ref}"}
        for r in reports
    ]
    return page.render(
        "moderation.html",
        status_code=200 if allowed or page.viewer is None else 403,
        allowed=allowed,
        reports=items,
        names=display_names.people(page.session, [r.reporter for r in reports]),
    )
