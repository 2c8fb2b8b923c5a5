"""The signed-in user's desk: the dashboard (to-dos on and off the chain, deadlines, money in escrow,
credits, listings, proposals sent, notifications) and the arbiter's queue of disputes to rule on."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from backend.app.services import chain_jobs, dashboard, display_names, job_posts, notifications, proposals
from backend.app.web.page import PageDep

router = APIRouter(include_in_schema=False)

NOTES_SHOWN = 15  # the dashboard lists the newest notifications; the rest fold under "show more"


def _page_link(link: str) -> str:
    """Notification links name API resources; the pages that show them live here."""
    for api, page in (("/api/threads/", "/messages/"), ("/api/jobs/", "/jobs/"), ("/api/job-posts/", "/posts/")):
        if link.startswith(api):
            return page + link.removeprefix(api)
    if link.startswith("/api/proposals/"):
        return "/proposals"
    return link


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard_page(page: PageDep) -> HTMLResponse:
    if page.viewer is None:
        return page.render("dashboard.html")
    session, me, chain_id = page.session, page.viewer, page.chain.chain_id
    posts = [job_posts.post_out(session, p) for p in job_posts.list_own(session, client=me)]
    sent = [proposals.proposal_out(p) for p in proposals.mine(session, freelancer=me)]
    jobs = dashboard.my_jobs(session, chain_id=chain_id, address=me)
    to_dos = dashboard.chain_to_dos(jobs) + dashboard.off_chain_to_dos(session, address=me, posts=posts, sent=sent)
    titles = job_posts.titles(session, post_ids=[p.job_post_id for p in sent], viewer=me)
    feed = notifications.feed(session, address=me, chain=page.chain)
    notes = [{"note": note, "href": _page_link(note.link)} for note in feed.items]
    return page.render(
        "dashboard.html",
        posts=posts,
        sent=[{"proposal": p, "title": display_names.listing(titles, p.job_post_id)} for p in sent],
        pending=to_dos,
        jobs=jobs,
        escrow_totals=dashboard.escrow_totals(jobs),
        deadlines=dashboard.deadlines(jobs),
        credits=chain_jobs.outstanding_credits(session, chain_id=chain_id, account=me),
        feed=feed,
        notes=notes[:NOTES_SHOWN],
        more_notes=notes[NOTES_SHOWN:],
    )


@router.get("/arbiter", response_class=HTMLResponse)
def arbiter_queue(page: PageDep) -> HTMLResponse:
    if page.viewer is None:
        return page.render("arbiter.html", queue=[], names={})
    jobs = dashboard.my_jobs(page.session, chain_id=page.chain.chain_id, address=page.viewer, roles=("arbiter",))
    queue = dashboard.disputes_to_rule(jobs)
    parties = [address for item in queue for address in (item.job["client"], item.job["freelancer"])]
    return page.render("arbiter.html", queue=queue, names=display_names.people(page.session, parties))
