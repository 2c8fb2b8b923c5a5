"""The proposals inbox: those received on the user's listings, grouped by listing, and those the user sent."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from backend.app.services import display_names, job_posts, proposals
from backend.app.web.page import PageDep

router = APIRouter(include_in_schema=False)


@router.get("/proposals", response_class=HTMLResponse)
def proposals_inbox(page: PageDep) -> HTMLResponse:
    if page.viewer is None:
        return page.render("proposals.html", received=[], sent=[], names={})
    session, me = page.session, page.viewer
    received: list[dict[str, Any]] = []
    for post in job_posts.list_own(session, client=me):
        found = proposals.for_job(session, post_id=post.id, client=me)
        if found:
            received.append({"post": post, "proposals": [proposals.proposal_out(p) for p in found]})
    sent_out = [proposals.proposal_out(p) for p in proposals.mine(session, freelancer=me)]
    titles = job_posts.titles(session, post_ids=[p.job_post_id for p in sent_out], viewer=me)
    sent = [
        {
            "proposal": p,
            "title": display_names.listing(titles, p.job_post_id),
            "can_withdraw": p.status in proposals.OPEN,
        }
        for p in sent_out
    ]
    freelancers = [p.freelancer for group in received for p in group["proposals"]]
    return page.render("proposals.html", received=received, sent=sent, names=display_names.people(session, freelancers))
