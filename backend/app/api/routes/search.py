"""Full-text search over listed jobs and profiles (anyone)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query

from backend.app.api.deps import SessionDep
from backend.app.api.problem_responses import PROBLEM_RESPONSES
from backend.app.api.rate_limits import Bucket, rate_limit
from backend.app.schemas.search import SearchPage
from backend.app.schemas.tx import Address, Amount
from backend.app.services import search

router = APIRouter(
    responses=PROBLEM_RESPONSES, prefix="/api/search", tags=["search"], dependencies=[rate_limit(Bucket.SEARCH)]
)

Text = Annotated[str, Query(max_length=200, description="Words; every one must match (as a prefix).")]
Skills = Annotated[list[str], Query(max_length=10, description="Every tag must be on the result.")]
Cursor = Annotated[str | None, Query(max_length=200, description="`next_cursor` of the previous page.")]
Limit = Annotated[int, Query(ge=1, le=search.MAX_LIMIT)]


@router.get("/jobs", response_model=SearchPage)
def search_jobs(
    session: SessionDep,
    q: Text = "",
    skills: Skills = [],  # noqa: B006 - FastAPI copies query defaults
    budget_min: Amount | None = None,
    budget_max: Amount | None = None,
    token: Address | None = None,
    status: Annotated[list[str], Query(max_length=3, description="published (default), hired, closed")] = [],  # noqa: B006
    posted_since: datetime | None = None,
    limit: Limit = 20,
    cursor: Cursor = None,
) -> SearchPage:
    """Listed jobs, best match first, with highlighted snippets; at most 20 pages."""
    return search.search(
        session,
        query=search.SearchQuery(
            kind="job",
            text=q,
            skills=skills,
            budget_min=None if budget_min is None else int(budget_min),
            budget_max=None if budget_max is None else int(budget_max),
            token=token,
            statuses=status,
            posted_since=posted_since,
            limit=limit,
            cursor=cursor,
        ),
    )


@router.get("/profiles", response_model=SearchPage)
def search_profiles(
    session: SessionDep,
    q: Text = "",
    skills: Skills = [],  # noqa: B006
    rate_max: Amount | None = None,
    availability: Annotated[list[str], Query(max_length=3)] = [],  # noqa: B006
    limit: Limit = 20,
    cursor: Cursor = None,
) -> SearchPage:
    """Profiles, best match first; `rate_max` bounds the hourly rate."""
    return search.search(
        session,
        query=search.SearchQuery(
            kind="profile",
            text=q,
            skills=skills,
            budget_max=None if rate_max is None else int(rate_max),
            statuses=availability,
            limit=limit,
            cursor=cursor,
        ),
    )
