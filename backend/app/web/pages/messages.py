"""Conversations: the list of the user's threads (with unread counts) and one thread's page, which marks it
read and links a delivered file to the job's page for submission."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from backend.app.services import display_names, job_posts, messages
from backend.app.services.errors import NotFound
from backend.app.web.page import PageDep

router = APIRouter(include_in_schema=False)


@router.get("/messages", response_class=HTMLResponse)
def threads_page(page: PageDep) -> HTMLResponse:
    if page.viewer is None:
        return page.render("threads.html", threads=[])
    session, me = page.session, page.viewer
    threads = [messages.thread_out(session, t, viewer=me) for t in messages.my_threads(session, address=me)]
    others = {t.id: t.freelancer if t.client == me else t.client for t in threads}
    names = display_names.people(session, list(others.values()))
    titles = job_posts.titles(session, post_ids=[t.job_post_id for t in threads], viewer=me, as_owner=True)
    items = [{"thread": t, "other": names[others[t.id]], "title": titles[t.job_post_id]} for t in threads]
    return page.render("threads.html", threads=items)


@router.get("/messages/{thread_id}", response_class=HTMLResponse)
def thread_page(thread_id: int, page: PageDep) -> HTMLResponse:
    if page.viewer is None:
        return page.render("threads.html", threads=[])
    session, me = page.session, page.viewer
    try:
        thread = messages.mark_read(session, thread_id=thread_id, caller=me)
    except NotFound as missing:
        return page.not_found(missing.detail)
    out = messages.thread_out(session, thread, viewer=me)
    found = messages.messages(session, thread=thread, after_id=None, limit=messages.MAX_PAGE)
    post = job_posts.post_out(session, job_posts.get_visible(session, post_id=out.job_post_id, viewer=out.client))
    chain_job_id = None if post.chain is None else post.chain.job_id
    items = [
        {
            "message": m,
            "mine": m.sender == me,
            "deliverable": None
            if m.attachment is None or chain_job_id is None
            else f"/jobs/{chain_job_id}?deliverable={m.attachment.keccak}",
        }
        for m in (messages.message_out(session, m) for m in found)
    ]
    return page.render(
        "thread.html",
        thread=out,
        post=post,
        names=display_names.people(session, out.participants),
        items=items,
        can_deliver=chain_job_id is not None and me == out.freelancer,
    )
