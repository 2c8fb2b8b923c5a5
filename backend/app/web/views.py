"""Server-rendered pages. They call the same services as the JSON API; templates only format.

Every decision a page shows (who may act, which link applies) is taken here and handed to the
template as a plain flag; forms and buttons call the JSON API through static/forms.js.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from functools import partial
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from eth_utils import is_address, to_checksum_address
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from backend.app.api.deps import ChainDep, OptionalUser, SessionDep, SettingsDep
from backend.app.core.config import Settings
from backend.app.models.user import User
from backend.app.services import (
    chain_jobs,
    display_names,
    job_posts,
    listing_jobs,
    matching,
    messages,
    moderation,
    notifications,
    profiles,
    proposals,
    search,
    tokens,
)
from backend.app.services import (
    dashboard as dashboard_service,
)
from backend.app.services.chain import ChainGateway
from backend.app.services.errors import DomainError, NotAllowed, NotFound
from backend.app.services.units import format_units

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")

router = APIRouter(include_in_schema=False)


templates.env.filters["units"] = format_units
templates.env.filters["short"] = lambda address: display_names.short_address(address) if address else ""
templates.env.filters["when"] = lambda at: at.strftime("%Y-%m-%d %H:%M UTC") if at else ""
templates.env.filters["unix"] = lambda seconds: datetime.fromtimestamp(seconds, UTC)


def _page_context(chain: ChainDep) -> dict[str, object]:
    return {
        "chain_id": chain.chain_id,
        "escrow": chain.escrow.address,
        "token": chain.token.address,
        "token_symbol": chain.token_symbol,
        "token_decimals": chain.token_decimals,
        "job_created_topic": chain.job_created_topic,
        # {{ money(amount, token) }} → "12.5 jUSD": any token's decimals and symbol (the payment token's by default)
        "money": lambda amount, token=None: tokens.describe(chain, token or chain.token.address).amount(amount or 0),
    }


def _viewer(session: SessionDep, settings: Settings, user: User | None) -> dict[str, Any] | None:
    """The signed-in account as the header shows it (None: signed out)."""
    if user is None:
        return None
    try:
        name = profiles.get_profile(session, address=user.address).display_name
    except NotFound:
        name = None
    return {
        "address": user.address,
        "name": name,
        "is_moderator": settings.is_moderator(user.address),
        "unread": notifications.unread_count(session, address=user.address),
    }


def _render(
    request: Request,
    name: str,
    *,
    session: SessionDep,
    settings: Settings,
    chain: ChainGateway,
    user: User | None,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    full = {**_page_context(chain), "me": _viewer(session, settings, user), **context}
    return templates.TemplateResponse(request, name, full, status_code=status_code)


def _not_found(
    request: Request, session: SessionDep, settings: Settings, chain: ChainGateway, user: User | None, detail: str
) -> HTMLResponse:
    return _render(
        request,
        "not_found.html",
        session=session,
        settings=settings,
        chain=chain,
        user=user,
        status_code=404,
        detail=detail,
    )


def _token_label(chain: ChainGateway, token: str | None) -> str:
    return tokens.describe(chain, token).symbol if token else ""


def _outstanding_credits(session: SessionDep, chain: ChainGateway, address: str) -> list[dict[str, Any]]:
    """Payouts the escrow could not deliver to `address` (e.g. a blocklisted token): what Withdraw sends."""
    out = []
    for credit in chain_jobs.credits(session, chain_id=chain.chain_id, account=address):
        if int(credit.outstanding) == 0:
            continue
        token = tokens.describe(chain, credit.token)
        amount = format_units(int(credit.outstanding), token.decimals)
        out.append({"token": credit.token, "amount": amount, "symbol": token.symbol})
    return out


def _web_link(link: str) -> str:
    """Notification links name API resources; the pages that show them live here."""
    for api, page in (("/api/threads/", "/messages/"), ("/api/jobs/", "/jobs/"), ("/api/job-posts/", "/posts/")):
        if link.startswith(api):
            return page + link.removeprefix(api)
    if link.startswith("/api/proposals/"):
        return "/proposals"
    return link


def _parse_amount(text: str | None, decimals: int) -> int | None:
    """Form text "12.5" → base units; empty → None; anything else → ValueError with words."""
    if text is None or not text.strip():
        return None
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise ValueError(f"“{text}” is not an amount") from None
    units = value * (10**decimals)
    if value < 0 or units != units.to_integral_value():
        raise ValueError(f"“{text}” is not an amount with at most {decimals} decimals")
    return int(units)


def _skills(text: str | None) -> list[str]:
    return [s.strip() for s in (text or "").split(",") if s.strip()]


# ---------------------------------------------------------------- landing, escrow list, search


@router.get("/", response_class=HTMLResponse)
def home(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    chain: ChainDep,
    user: OptionalUser,
    category: str | None = None,
    cursor: int | None = Query(None, ge=1),
) -> HTMLResponse:
    """Landing: search box, categories, the newest listings (keyset "more")."""
    limit = 20
    posts = job_posts.list_public(session, category=category or None, before_id=cursor, limit=limit)
    return _render(
        request,
        "home.html",
        session=session,
        settings=settings,
        chain=chain,
        user=user,
        categories=profiles.list_categories(session),
        category=category or "",
        posts=[job_posts.post_out(session, p) for p in posts],
        next_cursor=posts[-1].id if len(posts) == limit else None,
    )


@router.get("/escrow", response_class=HTMLResponse)
def escrow_jobs(request: Request, session: SessionDep, settings: SettingsDep, chain: ChainDep, user: OptionalUser):
    jobs = chain_jobs.list_jobs(session, chain_id=chain.chain_id)
    names = display_names.people(session, [a for job in jobs for a in (job.client, job.freelancer)])
    return _render(
        request, "jobs.html", session=session, settings=settings, chain=chain, user=user, jobs=jobs, names=names
    )


def _job_listing(session: SessionDep, job: Any, viewer: str | None) -> dict[str, Any] | None:
    """The listing an escrow job carries (services/listing_jobs.py), as far as this viewer may see it,
    with the hash check."""
    post = listing_jobs.listing_of(session, job)
    if post is None:
        return None
    try:
        job_posts.get_visible(session, post_id=post.id, viewer=viewer)
    except NotFound:
        return None
    return {"id": post.id, "title": post.title, "hash_matches": post.metadata_hash.lower() == job.metadata_hash.lower()}


@router.get("/jobs/{job_id}", response_class=HTMLResponse)
def job_page(
    job_id: int, request: Request, session: SessionDep, settings: SettingsDep, chain: ChainDep, user: OptionalUser
):
    try:
        job = chain_jobs.get_job(session, chain_id=chain.chain_id, job_id=job_id)
    except NotFound:
        job = None  # not indexed yet: the page waits for the indexer
    extra: dict[str, Any] = {}
    if job is not None:
        parties = {"client": job.client, "freelancer": job.freelancer, "arbiter": job.arbiter}
        names = display_names.people(session, list(parties.values()))
        roles = {address: role for role, address in reversed(parties.items())}
        viewer = None if user is None else user.address
        credits = _outstanding_credits(session, chain, viewer) if viewer in parties.values() else []
        extra = {
            "names": names,
            "credit": next((c for c in credits if c["token"].lower() == job.token.lower()), None),
            "listing": _job_listing(session, job, viewer),
            "ratings": [
                {"r": r, "by": roles.get(r.rater, names.get(r.rater, r.rater)), "of": roles.get(r.subject, r.subject)}
                for r in job.ratings
            ],
        }
    return _render(
        request,
        "job.html",
        session=session,
        settings=settings,
        chain=chain,
        user=user,
        job_id=job_id,
        job=job,
        **extra,
    )


@router.get("/search", response_class=HTMLResponse)
def search_page(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    chain: ChainDep,
    user: OptionalUser,
    kind: str = "jobs",
    q: str = "",
    skills: str = "",
    budget_min: str = "",
    budget_max: str = "",
    token: str = "",
    status: Annotated[list[str], Query()] = [],  # noqa: B006 - FastAPI copies query defaults
    posted_since: str = "",
    availability: Annotated[list[str], Query()] = [],  # noqa: B006
    cursor: str | None = None,
) -> HTMLResponse:
    """Find work (kind=jobs) or find talent (kind=talent): filters, highlighted snippets, "more" pages."""
    kind = "talent" if kind == "talent" else "jobs"
    error, page = None, None
    try:
        low = _parse_amount(budget_min, chain.token_decimals)
        high = _parse_amount(budget_max, chain.token_decimals)
        since = None
        if posted_since:
            since = datetime.fromisoformat(posted_since).replace(tzinfo=UTC)
        query = search.SearchQuery(
            kind="job" if kind == "jobs" else "profile",
            text=q,
            skills=_skills(skills),
            budget_min=low if kind == "jobs" else None,
            budget_max=high,
            token=(token or None) if kind == "jobs" else None,
            statuses=list(status if kind == "jobs" else availability),
            posted_since=since if kind == "jobs" else None,
            cursor=cursor,
        )
        page = search.search(session, query=query)
    except (DomainError, ValueError) as problem:
        error = getattr(problem, "detail", None) or str(problem)
    more = None
    if page is not None and page.next_cursor:
        pairs = [(k, v) for k, v in request.query_params.multi_items() if k != "cursor"]
        more = "/search?" + urlencode([*pairs, ("cursor", page.next_cursor)])
    recommendations = []
    if user is not None and kind == "jobs" and not cursor:
        try:
            recommendations = matching.jobs_for_freelancer(session, address=user.address, limit=5)
        except DomainError:
            recommendations = []  # no profile yet: nothing to match on
    hits = []
    if page is not None:
        for hit in page.items:
            hits.append(
                {
                    "hit": hit,
                    "href": f"/posts/{hit.ref}" if hit.kind == "job" else f"/profiles/{hit.ref}",
                    "token_label": _token_label(chain, hit.token),
                }
            )
    return _render(
        request,
        "search.html",
        session=session,
        settings=settings,
        chain=chain,
        user=user,
        kind=kind,
        form={
            "q": q,
            "skills": skills,
            "budget_min": budget_min,
            "budget_max": budget_max,
            "token": token,
            "status": list(status),
            "posted_since": posted_since,
            "availability": list(availability),
        },
        error=error,
        hits=hits,
        more=more,
        recommendations=recommendations,
        paged=bool(cursor),
    )


@router.get("/web/checksum/{address}")
def checksum(address: str) -> JSONResponse:
    """EIP-55 spelling of an address (wallets may hand out lowercase; EIP-4361 wants EIP-55)."""
    if not is_address(address):
        return JSONResponse({"detail": "not an address"}, status_code=422)
    return JSONResponse({"address": to_checksum_address(address)})


# ---------------------------------------------------------------- job posts


def _post_form_context(session: SessionDep, chain: ChainGateway, post: Any | None) -> dict[str, Any]:
    decimals = chain.token_decimals
    milestones = (
        []
        if post is None
        else [
            {"title": m.title, "amount": format_units(int(m.amount), decimals).replace(",", "")}
            for m in post.milestones
        ]
    )
    return {
        "categories": profiles.list_categories(session),
        "post": post,
        "budget_text": "" if post is None else format_units(int(post.budget), decimals).replace(",", ""),
        "deadline_text": "" if post is None or post.deadline is None else post.deadline.date().isoformat(),
        "milestone_rows": milestones or [{"title": "", "amount": ""}],
    }


@router.get("/post", response_class=HTMLResponse)
def new_post(request: Request, session: SessionDep, settings: SettingsDep, chain: ChainDep, user: OptionalUser):
    return _render(
        request,
        "post_form.html",
        session=session,
        settings=settings,
        chain=chain,
        user=user,
        api="/api/job-posts",
        method="POST",
        **_post_form_context(session, chain, None),
    )


@router.get("/posts/{post_id}/edit", response_class=HTMLResponse)
def edit_post(
    post_id: int, request: Request, session: SessionDep, settings: SettingsDep, chain: ChainDep, user: OptionalUser
):
    if user is None:
        return _render(
            request,
            "post_form.html",
            session=session,
            settings=settings,
            chain=chain,
            user=None,
            api="",
            method="PUT",
            **_post_form_context(session, chain, None),
        )
    try:
        post = job_posts.post_out(session, job_posts.get_owned(session, post_id=post_id, client=user.address))
    except (NotFound, NotAllowed) as refused:
        return _not_found(request, session, settings, chain, user, refused.detail)
    return _render(
        request,
        "post_form.html",
        session=session,
        settings=settings,
        chain=chain,
        user=user,
        api=f"/api/job-posts/{post_id}",
        method="PUT",
        **_post_form_context(session, chain, post),
    )


@router.get("/posts/{post_id}", response_class=HTMLResponse)
def post_page(
    post_id: int, request: Request, session: SessionDep, settings: SettingsDep, chain: ChainDep, user: OptionalUser
):
    viewer = None if user is None else user.address
    try:
        post = job_posts.post_out(session, job_posts.get_visible(session, post_id=post_id, viewer=viewer))
    except NotFound as missing:
        return _not_found(request, session, settings, chain, user, missing.detail)
    is_owner = viewer == post.client
    received, candidates, mine = [], [], None
    if is_owner:
        received = [proposals.proposal_out(p) for p in proposals.for_job(session, post_id=post_id, client=viewer)]
        if post.status == "published":
            candidates = matching.freelancers_for_job(session, post_id=post_id, client=viewer, limit=5)
    elif viewer is not None:
        mine = next((p for p in proposals.mine(session, freelancer=viewer) if p.job_post_id == post_id), None)
        mine = None if mine is None else proposals.proposal_out(mine)
    editable = post.status in job_posts.EDITABLE
    return _render(
        request,
        "post.html",
        session=session,
        settings=settings,
        chain=chain,
        user=user,
        post=post,
        token_label=_token_label(chain, post.token),
        is_owner=is_owner,
        can_edit=is_owner and editable,
        can_publish=is_owner and post.status == "draft",
        can_close=is_owner and editable,
        can_propose=viewer is not None and not is_owner and post.status == "published" and mine is None,
        can_message_client=viewer is not None and not is_owner and post.status == "published",
        can_report=viewer is not None and not is_owner,
        sign_in_to_propose=viewer is None and post.status == "published",
        received=[
            {
                "p": p,
                "can_shortlist": p.status == "submitted",
                "can_decline": p.status in proposals.OPEN,
                "accept_label": "Accept and fund"
                if post.status == "published" and p.status in proposals.OPEN
                else "Create and fund the escrow"
                if p.status == "accepted" and post.chain is None
                else None,
            }
            for p in received
        ],
        candidates=candidates,
        names=display_names.people(session, [post.client, *(p.freelancer for p in received)]),
        mine=mine,
        mine_needs_consent=mine is not None and mine.status in proposals.OPEN and mine.consent_terms is None,
        default_plan=proposals.default_plan(chain.hiring.milestone_days, deadline=post.deadline, plan=post.milestones),
        day=86_400,
    )


# ---------------------------------------------------------------- proposals inbox


@router.get("/proposals", response_class=HTMLResponse)
def proposals_inbox(request: Request, session: SessionDep, settings: SettingsDep, chain: ChainDep, user: OptionalUser):
    received: list[dict[str, Any]] = []
    sent: list[dict[str, Any]] = []
    if user is not None:
        for post in job_posts.list_own(session, client=user.address):
            found = proposals.for_job(session, post_id=post.id, client=user.address)
            if found:
                received.append({"post": post, "proposals": [proposals.proposal_out(p) for p in found]})
        for p in proposals.mine(session, freelancer=user.address):
            out = proposals.proposal_out(p)
            title = _title(session, out.job_post_id, user.address)
            sent.append({"p": out, "title": title, "can_withdraw": out.status in proposals.OPEN})
    freelancers = [p.freelancer for group in received for p in group["proposals"]]
    return _render(
        request,
        "proposals.html",
        session=session,
        settings=settings,
        chain=chain,
        user=user,
        received=received,
        sent=sent,
        names=display_names.people(session, freelancers) if user is not None else {},
    )


# ---------------------------------------------------------------- messages


@router.get("/messages", response_class=HTMLResponse)
def threads_page(request: Request, session: SessionDep, settings: SettingsDep, chain: ChainDep, user: OptionalUser):
    threads = []
    if user is not None:
        for thread in messages.my_threads(session, address=user.address):
            out = messages.thread_out(session, thread, viewer=user.address)
            other = out.freelancer if out.client == user.address else out.client
            post = job_posts.get_visible(session, post_id=out.job_post_id, viewer=out.client)
            threads.append({"t": out, "other": display_names.person(session, other), "title": post.title})
    return _render(request, "threads.html", session=session, settings=settings, chain=chain, user=user, threads=threads)


@router.get("/messages/{thread_id}", response_class=HTMLResponse)
def thread_page(
    thread_id: int, request: Request, session: SessionDep, settings: SettingsDep, chain: ChainDep, user: OptionalUser
):
    if user is None:
        return _render(request, "threads.html", session=session, settings=settings, chain=chain, user=user, threads=[])
    try:
        thread = messages.mark_read(session, thread_id=thread_id, caller=user.address)
    except NotFound as missing:
        return _not_found(request, session, settings, chain, user, missing.detail)
    out = messages.thread_out(session, thread, viewer=user.address)
    found = messages.messages(session, thread=thread, after_id=None, limit=messages.MAX_PAGE)
    post = job_posts.post_out(session, job_posts.get_visible(session, post_id=out.job_post_id, viewer=out.client))
    chain_job_id = None if post.chain is None else post.chain.job_id
    names = display_names.people(session, out.participants)
    return _render(
        request,
        "thread.html",
        session=session,
        settings=settings,
        chain=chain,
        user=user,
        thread=out,
        post=post,
        names=names,
        items=[
            {
                "m": m,
                "mine": m.sender == user.address,
                "deliverable": None
                if m.attachment is None or chain_job_id is None
                else f"/jobs/{chain_job_id}?deliverable={m.attachment.keccak}",
            }
            for m in (messages.message_out(session, m) for m in found)
        ],
        can_deliver=chain_job_id is not None and user.address == out.freelancer,
    )


# ---------------------------------------------------------------- profiles


@router.get("/profiles/{address}", response_class=HTMLResponse)
def profile_page(
    address: str, request: Request, session: SessionDep, settings: SettingsDep, chain: ChainDep, user: OptionalUser
):
    try:
        profile = profiles.profile_out(session, profiles.get_profile(session, address=address))
    except NotFound as missing:
        if user is not None and is_address(address) and to_checksum_address(address) == user.address:
            return RedirectResponse("/me/profile", status_code=303)
        return _not_found(request, session, settings, chain, user, missing.detail)
    proven = {s.tag: s.jobs for s in profile.proven_skills}
    return _render(
        request,
        "profile.html",
        session=session,
        settings=settings,
        chain=chain,
        user=user,
        profile=profile,
        skills=[{"tag": tag, "proven": proven.get(tag, 0)} for tag in profile.skills]
        + [{"tag": tag, "proven": n} for tag, n in proven.items() if tag not in profile.skills],
        is_self=user is not None and user.address == profile.address,
        can_report=user is not None and user.address != profile.address,
        rate_label=_token_label(chain, profile.rate_token),
        earned=profile.record.earned,
        spent=profile.record.spent,
    )


@router.get("/me/profile", response_class=HTMLResponse)
def edit_profile(request: Request, session: SessionDep, settings: SettingsDep, chain: ChainDep, user: OptionalUser):
    profile = None
    if user is not None:
        try:
            profile = profiles.profile_out(session, profiles.get_profile(session, address=user.address))
        except NotFound:
            profile = None
    rate = "" if profile is None or profile.hourly_rate is None else format_units(int(profile.hourly_rate), 0)
    if profile is not None and profile.hourly_rate is not None:
        rate = format_units(int(profile.hourly_rate), chain.token_decimals).replace(",", "")
    return _render(
        request,
        "profile_form.html",
        session=session,
        settings=settings,
        chain=chain,
        user=user,
        profile=profile,
        rate_text=rate,
    )


# ---------------------------------------------------------------- dashboard, arbiter, moderation


def _my_chain_jobs(
    session: SessionDep, chain: ChainGateway, address: str, roles: tuple[str, ...] = chain_jobs.ROLES
) -> list[dict[str, Any]]:
    """The on-chain jobs this address is party to (in `roles`), as the jobs API shows them, each with
    the roles it holds in it."""
    jobs = []
    for job in chain_jobs.jobs_of(session, chain_id=chain.chain_id, address=address, roles=roles):
        data = chain_jobs.job_out(job).model_dump()
        held = [r for r in chain_jobs.ROLES if str(data.get(r, "")).lower() == address.lower()]
        jobs.append({**data, "roles": held})
    return jobs


NOTES_SHOWN = 15  # the dashboard lists the newest notifications; the rest fold under "show more"


def _title(session: SessionDep, post_id: int, viewer: str) -> str:
    try:
        return f"“{job_posts.get_visible(session, post_id=post_id, viewer=viewer).title}”"
    except NotFound:
        return f"job post {post_id}"


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard(request: Request, session: SessionDep, settings: SettingsDep, chain: ChainDep, user: OptionalUser):
    if user is None:
        return _render(request, "dashboard.html", session=session, settings=settings, chain=chain, user=None)
    me = user.address
    posts = [job_posts.post_out(session, p) for p in job_posts.list_own(session, client=me)]
    sent = [proposals.proposal_out(p) for p in proposals.mine(session, freelancer=me)]
    jobs = _my_chain_jobs(session, chain, me)
    title = partial(_title, session)
    to_dos = dashboard_service.chain_to_dos(jobs)
    to_dos += dashboard_service.off_chain_to_dos(session, address=me, posts=posts, sent=sent, title=title)
    feed = notifications.feed(session, address=me, chain=chain)
    notes = [{"n": n, "href": _web_link(n.link)} for n in feed.items]
    return _render(
        request,
        "dashboard.html",
        session=session,
        settings=settings,
        chain=chain,
        user=user,
        posts=posts,
        sent=[{"p": p, "title": _title(session, p.job_post_id, me)} for p in sent],
        pending=to_dos,
        jobs=jobs,
        escrow_totals=dashboard_service.escrow_totals(jobs),
        deadlines=dashboard_service.deadlines(jobs),
        credits=_outstanding_credits(session, chain, me),
        feed=feed,
        notes=notes[:NOTES_SHOWN],
        more_notes=notes[NOTES_SHOWN:],
    )


@router.get("/arbiter", response_class=HTMLResponse)
def arbiter_queue(request: Request, session: SessionDep, settings: SettingsDep, chain: ChainDep, user: OptionalUser):
    queue = []
    if user is not None:
        for job in _my_chain_jobs(session, chain, user.address, roles=("arbiter",)):
            for m in job.get("milestones") or []:
                if m.get("state") == "disputed":
                    queue.append({"job": job, "m": m})
    parties = [a for item in queue for a in (item["job"]["client"], item["job"]["freelancer"])]
    return _render(
        request,
        "arbiter.html",
        session=session,
        settings=settings,
        chain=chain,
        user=user,
        queue=queue,
        names=display_names.people(session, parties) if user is not None else {},
    )


@router.get("/moderation", response_class=HTMLResponse)
def moderation_page(
    request: Request, session: SessionDep, settings: SettingsDep, chain: ChainDep, user: OptionalUser
) -> Response:
    allowed = user is not None and settings.is_moderator(user.address)
    reports = [moderation.report_out(r) for r in moderation.open_reports(session)] if allowed else []
    return _render(
        request,
        "moderation.html",
        session=session,
        settings=settings,
        chain=chain,
        user=user,
        status_code=200 if allowed or user is None else 403,
        allowed=allowed,
        reports=[
            {
                "r": r,
                "href": {"job": f"/posts/{r.ref}", "profile": f"/profiles/{r.ref}"}.get(r.kind),
            }
            for r in reports
        ],
        names=display_names.people(session, [r.reporter for r in reports]),
    )
