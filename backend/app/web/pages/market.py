"""The market: the landing page (categories, newest listings) and search (find work, find talent)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from eth_utils import is_address, to_checksum_address
from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, JSONResponse
from starlette.datastructures import QueryParams

from backend.app.services import job_posts, matching, profiles, search
from backend.app.services.errors import DomainError
from backend.app.services.units import parse_units
from backend.app.web.page import Page, PageDep

router = APIRouter(include_in_schema=False)

LANDING_PAGE = 20  # listings per "more" page on the landing


@router.get("/", response_class=HTMLResponse)
def home(page: PageDep, category: str | None = None, cursor: int | None = Query(None, ge=1)) -> HTMLResponse:
    """Landing: search box, categories, the newest listings (keyset "more")."""
    posts = job_posts.list_public(page.session, category=category or None, before_id=cursor, limit=LANDING_PAGE)
    return page.render(
        "home.html",
        categories=profiles.list_categories(page.session),
        category=category or "",
        posts=[job_posts.post_out(page.session, post) for post in posts],
        next_cursor=posts[-1].id if len(posts) == LANDING_PAGE else None,
    )


def _skill_list(text: str) -> list[str]:
    return [skill.strip() for skill in text.split(",") if skill.strip()]


def _search_query(page: Page, *, kind: str, form: dict[str, Any], cursor: str | None) -> search.SearchQuery:
    """The form's fields as a search (ValueError or DomainError with words for a field that does not parse)."""
    jobs = kind == "jobs"
    decimals = page.chain.default_token.decimals  # budgets are typed in the first listed token
    since = form["posted_since"]
    return search.SearchQuery(
        kind="job" if jobs else "profile",
        text=form["q"],
        skills=_skill_list(form["skills"]),
        budget_min=parse_units(form["budget_min"], decimals) if jobs else None,
        budget_max=parse_units(form["budget_max"], decimals),
        token=(form["token"] or None) if jobs else None,
        statuses=form["status"] if jobs else form["availability"],
        posted_since=datetime.fromisoformat(since).replace(tzinfo=UTC) if jobs and since else None,
        cursor=cursor,
    )


def _more_link(params: QueryParams, next_cursor: str) -> str:
    pairs = [(key, value) for key, value in params.multi_items() if key != "cursor"]
    return "/search?" + urlencode([*pairs, ("cursor", next_cursor)])


@router.get("/search", response_class=HTMLResponse)
def search_page(
    page: PageDep,
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
    form = {
        "q": q,
        "skills": skills,
        "budget_min": budget_min,
        "budget_max": budget_max,
        "token": token,
        "status": list(status),
        "posted_since": posted_since,
        "availability": list(availability),
    }
    error, found = None, None
    try:
        query = _search_query(page, kind=kind, form=form, cursor=cursor)
        found = search.search(page.session, query=query)
    except (DomainError, ValueError) as problem:
        error = getattr(problem, "detail", None) or str(problem)
    recommendations = []
    if page.viewer is not None and kind == "jobs" and not cursor:
        try:
            recommendations = matching.jobs_for_freelancer(page.session, address=page.viewer, limit=5)
        except DomainError:
            recommendations = []  # no profile yet: nothing to match on
    hits = [
        {
            "hit": hit,
            "href": f"/posts/{hit.ref}" if hit.kind == "job" else f"/profiles/{hit.ref}",
            "token_label": page.token_symbol(hit.token),
        }
        for hit in (found.items if found is not None else [])
    ]
    return page.render(
        "search.html",
        kind=kind,
        form=form,
        error=error,
        hits=hits,
        more=_more_link(page.request.query_params, found.next_cursor) if found and found.next_cursor else None,
        recommendations=recommendations,
        paged=bool(cursor),
    )


@router.get("/web/checksum/{address}")
def checksum(address: str) -> JSONResponse:
    """EIP-55 spelling of an address (wallets may hand out lowercase; EIP-4361 wants EIP-55)."""
    if not is_address(address):
        return JSONResponse({"detail": "not an address"}, status_code=422)
    return JSONResponse({"address": to_checksum_address(address)})
