"""Server-rendered pages. They call the same services as the JSON API; templates only format."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from backend.app.api.deps import ChainDep, SessionDep
from backend.app.services import chain_jobs
from backend.app.services.errors import NotFound
from backend.app.services.units import format_units

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")

router = APIRouter(include_in_schema=False)


templates.env.filters["units"] = format_units


def _page_context(chain: ChainDep) -> dict[str, object]:
    return {
        "chain_id": chain.chain_id,
        "escrow": chain.escrow.address,
        "token": chain.token.address,
        "token_symbol": chain.token_symbol,
        "token_decimals": chain.token_decimals,
        "job_created_topic": chain.job_created_topic,
    }


@router.get("/", response_class=HTMLResponse)
def home(request: Request, session: SessionDep, chain: ChainDep) -> HTMLResponse:
    jobs = chain_jobs.list_jobs(session, chain_id=chain.chain_id)
    return templates.TemplateResponse(request, "jobs.html", {**_page_context(chain), "jobs": jobs})


@router.get("/hire", response_class=HTMLResponse)
def hire(request: Request, chain: ChainDep) -> HTMLResponse:
    return templates.TemplateResponse(request, "hire.html", _page_context(chain))


@router.get("/jobs/{job_id}", response_class=HTMLResponse)
def job_page(job_id: int, request: Request, session: SessionDep, chain: ChainDep) -> HTMLResponse:
    try:
        job = chain_jobs.get_job(session, chain_id=chain.chain_id, job_id=job_id)
    except NotFound:
        job = None  # not indexed yet: the page waits for the indexer
    return templates.TemplateResponse(
        request, "job.html", {**_page_context(chain), "job_id": job_id, "job": job}, status_code=200
    )
