"""Job listings: the form to post or edit one, and a listing's page (the owner's view with the proposals
received and matching talent; a freelancer's view with their own proposal and the form to send one)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from backend.app.schemas.job_post import JobPostOut
from backend.app.services import display_names, job_posts, matching, post_actions, profiles, proposals
from backend.app.services.errors import NotAllowed, NotFound
from backend.app.services.units import format_units
from backend.app.web.page import Page, PageDep

router = APIRouter(include_in_schema=False)

DAY = 86_400
CANDIDATES_SHOWN = 5


def _plain_units(amount: int, decimals: int) -> str:
    """An amount as a form field holds it: "1250.5", without thousands separators."""
    return format_units(amount, decimals).replace(",", "")


def _form(page: Page, *, post: JobPostOut | None, api: str) -> HTMLResponse:
    money = page.money_of(post.token if post else page.chain.default_token.address)
    decimals = int(str(money["token_decimals"]))
    milestones = [
        {"title": m.title, "amount": _plain_units(int(m.amount), decimals)} for m in (post.milestones if post else [])
    ]
    return page.render(
        "post_form.html",
        api=api,
        method="POST" if api == "/api/job-posts" else "PUT",
        categories=profiles.list_categories(page.session),
        post=post,
        budget_text="" if post is None else _plain_units(int(post.budget), decimals),
        deadline_text="" if post is None or post.deadline is None else post.deadline.date().isoformat(),
        milestone_rows=milestones or [{"title": "", "amount": ""}],
        **money,
    )


@router.get("/post", response_class=HTMLResponse)
def new_post(page: PageDep) -> HTMLResponse:
    return _form(page, post=None, api="/api/job-posts")


@router.get("/posts/{post_id}/edit", response_class=HTMLResponse)
def edit_post(post_id: int, page: PageDep) -> HTMLResponse:
    if page.viewer is None:
        return _form(page, post=None, api="")  # the template asks to sign in
    try:
        post = job_posts.post_out(page.session, job_posts.get_owned(page.session, post_id=post_id, client=page.viewer))
    except (NotFound, NotAllowed) as refused:
        return page.not_found(refused.detail)
    return _form(page, post=post, api=f"/api/job-posts/{post_id}")


def _owner_view(page: Page, post: JobPostOut) -> dict[str, Any]:
    received = [proposals.proposal_out(p) for p in proposals.for_job(page.session, post_id=post.id, client=post.client)]
    candidates = []
    if post.status == "published":
        candidates = matching.freelancers_for_job(
            page.session, post_id=post.id, client=post.client, limit=CANDIDATES_SHOWN
        )
    return {"received": [post_actions.proposal_actions(post, p) for p in received], "candidates": candidates}


@router.get("/posts/{post_id}", response_class=HTMLResponse)
def post_page(post_id: int, page: PageDep) -> HTMLResponse:
    try:
        visible = job_posts.get_visible(page.session, post_id=post_id, viewer=page.viewer)
        post = job_posts.post_out(page.session, visible)
    except NotFound as missing:
        return page.not_found(missing.detail)
    mine = None
    if page.viewer is not None and page.viewer != post.client:
        found = proposals.own_for_job(page.session, freelancer=page.viewer, post_id=post_id)
        mine = None if found is None else proposals.proposal_out(found)
    owner = _owner_view(page, post) if page.viewer == post.client else {"received": [], "candidates": []}
    freelancers = [item.proposal.freelancer for item in owner["received"]]
    return page.render(
        "post.html",
        post=post,
        token_label=page.token_symbol(post.token),
        actions=post_actions.listing_actions(post, viewer=page.viewer, own_proposal=mine),
        names=display_names.people(page.session, [post.client, *freelancers]),
        mine=mine,
        default_plan=proposals.default_plan(
            page.chain.hiring.milestone_days, deadline=post.deadline, plan=post.milestones
        ),
        day=DAY,
        **owner,
        **page.money_of(post.token),
    )
