"""The escrow jobs as the chain has them: the newest jobs, and one job's page (parties, milestones, ratings,
the listing it carries, the viewer's credit in the job's token)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from backend.app.services import chain_jobs, display_names, job_posts
from backend.app.services.errors import NotFound
from backend.app.web.page import PageDep

router = APIRouter(include_in_schema=False)


@router.get("/escrow", response_class=HTMLResponse)
def escrow_jobs(page: PageDep) -> HTMLResponse:
    jobs = chain_jobs.list_jobs(page.session, chain_id=page.chain.chain_id)
    names = display_names.people(page.session, [a for job in jobs for a in (job.client, job.freelancer)])
    return page.render("jobs.html", jobs=jobs, names=names)


@router.get("/jobs/{job_id}", response_class=HTMLResponse)
def job_page(job_id: int, page: PageDep) -> HTMLResponse:
    try:
        job = chain_jobs.get_job(page.session, chain_id=page.chain.chain_id, job_id=job_id)
    except NotFound:
        job = None  # not indexed yet: the page waits for the indexer
    if job is None:
        return page.render("job.html", job_id=job_id, job=None)
    parties = {"client": job.client, "freelancer": job.freelancer, "arbiter": job.arbiter}
    names = display_names.people(page.session, list(parties.values()))
    roles = {address: role for role, address in reversed(parties.items())}
    credit = None
    if page.viewer is not None and page.viewer in parties.values():
        credits = chain_jobs.outstanding_credits(page.session, chain_id=page.chain.chain_id, account=page.viewer)
        credit = next((c for c in credits if c.token.lower() == job.token.lower()), None)
    ratings = [
        {
            "rating": rating,
            "by": roles.get(rating.rater, names.get(rating.rater, rating.rater)),
            "of": roles.get(rating.subject, rating.subject),
        }
        for rating in job.ratings
    ]
    listing = job_posts.listing_for_job(page.session, job, viewer=page.viewer)
    return page.render(
        "job.html",
        job_id=job_id,
        job=job,
        names=names,
        credit=credit,
        listing=listing,
        ratings=ratings,
        **page.money_of(job.token),
    )
