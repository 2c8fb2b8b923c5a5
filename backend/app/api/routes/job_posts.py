"""Off-chain job listings (the on-chain escrow jobs are under /api/jobs)."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel
from sqlalchemy import Connection

from backend.app.api.deps import SESSION_COOKIE, ChainDep, CurrentUser, SessionDep, TokensDep, signed_in_address
from backend.app.api.point_reads import PointReads
from backend.app.api.problem_responses import PROBLEM_RESPONSES
from backend.app.schemas.job_post import JobPostIn, JobPostOut, JobPostPage, LinkChainJobIn
from backend.app.services import job_posts

router = APIRouter(responses=PROBLEM_RESPONSES, prefix="/api", tags=["job posts"])

OWNER_ONLY = {401: {"description": "Not signed in"}, 403: {"description": "Not the job's client"}}


@router.post("/job-posts", response_model=JobPostOut, status_code=201, responses=OWNER_ONLY)
def create_job_post(body: JobPostIn, user: CurrentUser, session: SessionDep, listed: TokensDep) -> JobPostOut:
    """Create a draft listing (no gas); its canonical JSON and keccak come back with it."""
    return job_posts.post_out(session, job_posts.create_draft(session, client=user.address, data=body, listed=listed))


def _json(model: BaseModel) -> Response:
    """The model serialised once (it is built and validated by the service already; the hot reads skip
    FastAPI's second validation pass through `response_model`, which stays for the OpenAPI schema)."""
    return Response(content=model.model_dump_json(), media_type="application/json")


@router.get("/job-posts", response_model=JobPostPage)
async def list_job_posts(
    request: Request,
    category: str | None = None,
    client: str | None = None,
    cursor: int | None = Query(None, ge=1, description="`next_cursor` of the previous page."),
    limit: int = Query(20, ge=1, le=job_posts.MAX_PAGE),
) -> Response:
    """Published listings, newest first (anyone)."""

    def read(connection: Connection) -> Response:  # one indexed range of rows: a point read (api/point_reads.py)
        items = job_posts.read_public_page(connection, category=category, client=client, before_id=cursor, limit=limit)
        return _json(JobPostPage(items=items, next_cursor=str(items[-1].id) if len(items) == limit else None))

    point_reads: PointReads = request.app.state.point_reads
    return await point_reads.run(read)


@router.get("/me/job-posts", response_model=list[JobPostOut])
def my_job_posts(user: CurrentUser, session: SessionDep) -> list[JobPostOut]:
    """The caller's listings, drafts included."""
    return [job_posts.post_out(session, p) for p in job_posts.list_own(session, client=user.address)]


@router.get("/job-posts/{post_id}", response_model=JobPostOut)
async def get_job_post(post_id: int, request: Request) -> Response:
    """A listing; drafts are visible to their client only. `hash_mismatch` flags an edited-after-funding listing."""

    # The API's hottest read: point reads (api/point_reads.py). Anonymous, the listing's row alone answers
    # unless an escrow job is tied to it; signed in (drafts are their client's) or tied to a job, the whole
    # read runs as sync work that reads the sign-in itself (`SessionDep` and `OptionalUser` would each be a
    # worker-thread hop of their own).
    point_reads: PointReads = request.app.state.point_reads
    if SESSION_COOKIE not in request.cookies:
        row = await point_reads.fetch_one(job_posts.LISTING_BY_ID, {"post_id": post_id})
        answer = job_posts.answer_from_row(row, post_id=post_id, viewer=None)
        if answer is not None:
            return _json(answer)

    def read(connection: Connection) -> Response:
        viewer = signed_in_address(request, connection)
        return _json(job_posts.read_visible(connection, post_id=post_id, viewer=viewer))

    return await point_reads.run(read)


@router.put("/job-posts/{post_id}", response_model=JobPostOut, responses=OWNER_ONLY)
def update_job_post(
    post_id: int, body: JobPostIn, user: CurrentUser, session: SessionDep, listed: TokensDep
) -> JobPostOut:
    """Replace the listing's content (before hiring only); the hash is recomputed."""
    return job_posts.post_out(
        session, job_posts.update(session, post_id=post_id, client=user.address, data=body, listed=listed)
    )


@router.post("/job-posts/{post_id}/publish", response_model=JobPostOut, responses=OWNER_ONLY)
def publish_job_post(post_id: int, user: CurrentUser, session: SessionDep) -> JobPostOut:
    return job_posts.post_out(session, job_posts.publish(session, post_id=post_id, client=user.address))


@router.post("/job-posts/{post_id}/close", response_model=JobPostOut, responses=OWNER_ONLY)
def close_job_post(post_id: int, user: CurrentUser, session: SessionDep) -> JobPostOut:
    return job_posts.post_out(session, job_posts.close(session, post_id=post_id, client=user.address))


@router.post("/job-posts/{post_id}/link", response_model=JobPostOut, responses=OWNER_ONLY)
def link_job_post(
    post_id: int, body: LinkChainJobIn, user: CurrentUser, session: SessionDep, chain: ChainDep
) -> JobPostOut:
    """Tie a hired listing to its escrow job (the client who created it only)."""
    post = job_posts.link_chain_job(
        session, post_id=post_id, client=user.address, chain_id=chain.chain_id, chain_job_id=body.chain_job_id
    )
    return job_posts.post_out(session, post)
