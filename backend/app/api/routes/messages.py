"""Threads, messages and attachments (participants only: the client, the freelancer, the arbiter in a dispute)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse
from sqlalchemy.exc import SQLAlchemyError

from backend.app.api.deps import CurrentUser, SessionDep, SettingsDep
from backend.app.api.problem_responses import PROBLEM_RESPONSES
from backend.app.api.rate_limits import Bucket, rate_limit
from backend.app.schemas.message import MessageIn, MessageOut, OpenThreadIn, ThreadOut, ThreadPage
from backend.app.services import files, messages
from backend.app.services.errors import NotFound, TooLarge


@asynccontextmanager
async def _sweep_orphan_files(app: FastAPI) -> AsyncIterator[None]:
    """At start-up: remove attachment files a killed upload left behind (see `files.sweep`)."""

    def referenced() -> set[str]:
        with app.state.sessions() as session:
            return messages.referenced_files(session)

    log = logging.getLogger("jiedan.files")
    try:
        removed = await run_in_threadpool(files.sweep, app.state.settings.files_dir, referenced=referenced)
    except SQLAlchemyError as error:  # e.g. not migrated yet: serve anyway, the next start sweeps
        log.warning("orphan attachment sweep skipped: %s", error)
    else:
        if removed:
            log.warning("removed %d orphan attachment files", len(removed))
    yield


router = APIRouter(responses=PROBLEM_RESPONSES, prefix="/api", tags=["messages"], lifespan=_sweep_orphan_files)

AUTH = {401: {"description": "Not signed in"}, 403: {"description": "Not allowed"}, 404: {"description": "Not yours"}}
LIMITED = {429: {"description": "Too many messages (problem)"}}


@router.post("/job-posts/{post_id}/threads", response_model=ThreadOut, responses=AUTH)
def open_thread(post_id: int, body: OpenThreadIn, user: CurrentUser, session: SessionDep) -> ThreadOut:
    """Open (or get) the thread between the job's client and a freelancer."""
    thread = messages.open_thread(session, post_id=post_id, caller=user.address, freelancer=body.freelancer)
    return messages.thread_out(session, thread, viewer=user.address)


@router.get("/threads", response_model=list[ThreadOut], responses=AUTH)
def my_threads(user: CurrentUser, session: SessionDep) -> list[ThreadOut]:
    """The caller's threads, most recent first, with unread counts."""
    return [
        messages.thread_out(session, t, viewer=user.address) for t in messages.my_threads(session, address=user.address)
    ]


@router.get("/threads/{thread_id}", response_model=ThreadPage, responses=AUTH)
def read_thread(
    thread_id: int,
    user: CurrentUser,
    session: SessionDep,
    cursor: int | None = Query(None, ge=0, description="`next_cursor` of the previous page."),
    limit: int = Query(50, ge=1, le=messages.MAX_PAGE),
) -> ThreadPage:
    thread = messages.get_thread(session, thread_id=thread_id, caller=user.address)
    found = messages.messages(session, thread=thread, after_id=cursor, limit=limit)
    return ThreadPage(
        thread=messages.thread_out(session, thread, viewer=user.address),
        messages=[messages.message_out(session, m) for m in found],
        next_cursor=str(found[-1].id) if len(found) == limit else None,
    )


@router.post(
    "/threads/{thread_id}/messages",
    response_model=MessageOut,
    status_code=201,
    dependencies=[rate_limit(Bucket.MESSAGES)],
    responses={**AUTH, **LIMITED},
)
def send_message(thread_id: int, body: MessageIn, user: CurrentUser, session: SessionDep) -> MessageOut:
    return messages.message_out(
        session, messages.post(session, thread_id=thread_id, sender=user.address, body=body.body)
    )


@router.post("/threads/{thread_id}/read", response_model=ThreadOut, responses=AUTH)
def mark_read(thread_id: int, user: CurrentUser, session: SessionDep) -> ThreadOut:
    thread = messages.mark_read(session, thread_id=thread_id, caller=user.address)
    return messages.thread_out(session, thread, viewer=user.address)


@router.post(
    "/threads/{thread_id}/attachments",
    response_model=MessageOut,
    status_code=201,
    dependencies=[rate_limit(Bucket.MESSAGES)],
    responses={**AUTH, **LIMITED, 413: {"description": "Too large"}, 415: {"description": "Type not accepted"}},
    openapi_extra={"requestBody": {"content": {"application/octet-stream": {"schema": {"type": "string"}}}}},
)
async def upload(
    thread_id: int,
    request: Request,
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    filename: str = Query(..., min_length=1, max_length=200),
) -> MessageOut:
    """Post a file to the thread: the raw bytes are the body; its type is sniffed from the content.

    507 (problem) when the attachment store is full (`JIEDAN_ATTACHMENTS_QUOTA_BYTES`, or the disk).
    """
    await run_in_threadpool(messages.get_thread, session, thread_id=thread_id, caller=user.address)
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > settings.max_upload_bytes:
        raise TooLarge(f"attachments are limited to {settings.max_upload_bytes} bytes")
    with files.in_flight(settings.files_dir):  # from staging to commit: the start-up sweep keeps off
        staged = await files.stage(request.stream(), files_dir=settings.files_dir, max_bytes=settings.max_upload_bytes)
        message = await run_in_threadpool(
            messages.attach,
            session,
            thread_id=thread_id,
            sender=user.address,
            staged=staged,
            filename=filename,
            files_dir=settings.files_dir,
            quota_bytes=settings.attachments_quota_bytes,
        )
    return await run_in_threadpool(messages.message_out, session, message)


@router.get("/attachments/{attachment_id}", response_class=FileResponse, responses=AUTH)
def download(attachment_id: int, user: CurrentUser, session: SessionDep, settings: SettingsDep) -> FileResponse:
    """The file, to the thread's participants, with headers that stop the browser from running it."""
    attachment = messages.get_attachment(session, attachment_id=attachment_id, caller=user.address)
    path = files.path_of(attachment.keccak, files_dir=settings.files_dir)
    if not path.is_file():
        raise NotFound(f"the bytes of attachment {attachment_id} are missing")
    return FileResponse(
        path,
        media_type=attachment.media_type,
        headers=files.download_headers(attachment.media_type, attachment.filename),
    )
