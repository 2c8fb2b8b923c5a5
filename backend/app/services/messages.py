"""Messages: one thread per job post and freelancer, attachments, unread counts.

The arbiter joins a thread when a milestone of the job is disputed: `_dispute_participants`
is the hook (the escrow does not emit disputes yet, so it adds nobody today).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from backend.app.models.job_post import JobPost
from backend.app.models.message import Attachment, Message, Thread, ThreadRead
from backend.app.models.proposal import Proposal
from backend.app.schemas.message import AttachmentOut, MessageOut, ThreadOut
from backend.app.services import files, job_posts, notifications
from backend.app.services.display_names import person, quoted
from backend.app.services.errors import Invalid, NotAllowed, NotFound

MAX_PAGE = 100


def _dispute_participants(session: Session, thread: Thread) -> list[str]:
    """Extension point: the job's arbiter while one of its milestones is disputed (from chain_* tables)."""
    del session, thread
    return []


def participants(session: Session, thread: Thread) -> list[str]:
    return [thread.client, thread.freelancer, *_dispute_participants(session, thread)]


def open_thread(session: Session, *, post_id: int, caller: str, freelancer: str | None) -> Thread:
    """The freelancer opens their own thread; the client opens one with a freelancer who proposed."""
    post = job_posts.get_visible(session, post_id=post_id, viewer=caller)
    if caller == post.client:
        if freelancer is None:
            raise Invalid("name the freelancer to message")
        proposed = session.scalar(
            select(Proposal.id).where(Proposal.job_post_id == post.id, Proposal.freelancer == freelancer)
        )
        if proposed is None:
            raise NotAllowed(f"{freelancer} has not sent a proposal for this job")
    elif freelancer not in (None, caller):
        raise NotAllowed("a freelancer can only open their own thread with the client")
    freelancer = freelancer or caller
    existing = session.scalar(select(Thread).where(Thread.job_post_id == post.id, Thread.freelancer == freelancer))
    if existing is not None:
        return existing
    if caller != post.client and post.status != "published":
        raise NotAllowed(f"job post {post_id} is {post.status}: it takes no new conversations")
    now = datetime.now(UTC)
    thread = Thread(job_post_id=post.id, client=post.client, freelancer=freelancer, created_at=now, last_message_at=now)
    session.add(thread)
    try:
        session.commit()
    except IntegrityError:  # opened concurrently: the other one wins
        session.rollback()
        found = session.scalar(select(Thread).where(Thread.job_post_id == post.id, Thread.freelancer == freelancer))
        if found is None:
            raise
        return found
    return thread


def get_thread(session: Session, *, thread_id: int, caller: str) -> Thread:
    thread = session.get(Thread, thread_id)
    if thread is None or caller not in participants(session, thread):
        raise NotFound(f"no thread {thread_id}")
    return thread


def post(session: Session, *, thread_id: int, sender: str, body: str) -> Message:
    thread = get_thread(session, thread_id=thread_id, caller=sender)
    message = _add_message(session, thread=thread, sender=sender, body=body, attachment_id=None)
    session.commit()
    return message


def _add_message(session: Session, *, thread: Thread, sender: str, body: str, attachment_id: int | None) -> Message:
    now = datetime.now(UTC)
    message = Message(
        thread_id=thread.id, sender=sender, body=body, attachment_id=attachment_id, hidden=False, created_at=now
    )
    session.add(message)
    thread.last_message_at = now
    session.flush()
    _mark_read(session, thread_id=thread.id, address=sender, up_to=message.id)
    post = session.get(JobPost, thread.job_post_id)
    about = "" if post is None else f" about {quoted(post.title)}"
    for recipient in participants(session, thread):
        if recipient != sender:
            notifications.notify(
                session,
                recipient=recipient,
                kind="message",
                text=f"New message from {person(session, sender)}{about}",
                link=f"/api/threads/{thread.id}",
            )
    return message


def stored_bytes(session: Session) -> int:
    """Bytes the attachment store holds: each distinct file once (rows sharing bytes share the file)."""
    distinct = select(Attachment.keccak, func.max(Attachment.size).label("size")).group_by(Attachment.keccak).subquery()
    return int(session.scalar(select(func.coalesce(func.sum(distinct.c.size), 0))) or 0)


def referenced_files(session: Session) -> set[str]:
    """The keccak256 of every stored attachment: the files the sweep keeps."""
    return set(session.scalars(select(Attachment.keccak).distinct()))


def attach(
    session: Session,
    *,
    thread_id: int,
    sender: str,
    staged: files.StagedFile,
    filename: str,
    files_dir: Path,
    quota_bytes: int | None = None,
) -> Message:
    """Store a staged upload and its message in one go: on any failure, no row and no orphan file.

    With a quota, a new file that would take the store past it is refused (507) and nothing is written;
    bytes already stored (the same content uploaded before) cost nothing.
    """
    try:
        thread = get_thread(session, thread_id=thread_id, caller=sender)
        known = session.scalar(select(Attachment.id).where(Attachment.keccak == staged.keccak).limit(1))
        if known is None:
            files.check_quota(used=stored_bytes(session), incoming=staged.size, quota=quota_bytes)
    except BaseException:
        files.discard(staged)
        raise
    created = files.place(staged, files_dir=files_dir)
    try:
        attachment = Attachment(
            keccak=staged.keccak,
            size=staged.size,
            media_type=staged.media_type,
            filename=files.safe_filename(filename),
            uploader=sender,
            created_at=datetime.now(UTC),
        )
        session.add(attachment)
        session.flush()
        message = _add_message(session, thread=thread, sender=sender, body="", attachment_id=attachment.id)
        session.commit()
    except BaseException:
        files.withdraw(
            staged, files_dir=files_dir, created=created, needed=lambda: _committed_elsewhere(session, staged.keccak)
        )
        raise
    files.confirm(staged, files_dir=files_dir)
    return message


def _committed_elsewhere(session: Session, keccak: str) -> bool:
    """After a failed attach: does a committed row (another upload of the same bytes) need the file?

    When the database cannot say (it is the reason the attach failed), the answer is no: the file
    this upload created goes, rather than stay as an orphan nothing will ever name.
    """
    try:
        session.rollback()
        return session.scalar(select(Attachment.id).where(Attachment.keccak == keccak).limit(1)) is not None
    except SQLAlchemyError:
        return False


def messages(session: Session, *, thread: Thread, after_id: int | None, limit: int) -> Sequence[Message]:
    """Oldest first, keyset-paginated by id; hidden messages are left out."""
    query = select(Message).where(Message.thread_id == thread.id, Message.hidden.is_(False))
    if after_id is not None:
        query = query.where(Message.id > after_id)
    return session.scalars(query.order_by(Message.id).limit(min(limit, MAX_PAGE))).all()


def _mark_read(session: Session, *, thread_id: int, address: str, up_to: int) -> None:
    mark = session.get(ThreadRead, (thread_id, address))
    if mark is None:
        session.add(ThreadRead(thread_id=thread_id, address=address, last_read_id=up_to))
    elif mark.last_read_id < up_to:
        mark.last_read_id = up_to


def mark_read(session: Session, *, thread_id: int, caller: str) -> Thread:
    """Everything in the thread up to now counts as read for the caller."""
    thread = get_thread(session, thread_id=thread_id, caller=caller)
    last = session.scalar(select(func.max(Message.id)).where(Message.thread_id == thread.id))
    if last is not None:
        _mark_read(session, thread_id=thread.id, address=caller, up_to=last)
    session.commit()
    return thread


def unread(session: Session, *, thread: Thread, address: str) -> int:
    """Messages in the thread from the others that `address` has not read yet (see `unread_counts`)."""
    return unread_counts(session, threads=[thread], address=address).get(thread.id, 0)


def unread_counts(session: Session, *, threads: Sequence[Thread], address: str) -> dict[int, int]:
    """`unread` for each of these threads, in one query: messages from the others after the reader's mark."""
    if not threads:
        return {}
    mark = ThreadRead.last_read_id
    rows = session.execute(
        select(Message.thread_id, func.count(Message.id))
        .outerjoin(ThreadRead, (ThreadRead.thread_id == Message.thread_id) & (ThreadRead.address == address))
        .where(
            Message.thread_id.in_([t.id for t in threads]),
            Message.sender != address,
            Message.hidden.is_(False),
            mark.is_(None) | (Message.id > mark),
        )
        .group_by(Message.thread_id)
    ).all()
    return {thread_id: int(count) for thread_id, count in rows}


def my_threads(session: Session, *, address: str) -> Sequence[Thread]:
    query = select(Thread).where((Thread.client == address) | (Thread.freelancer == address))
    return session.scalars(query.order_by(Thread.last_message_at.desc()).limit(MAX_PAGE)).all()


def get_attachment(session: Session, *, attachment_id: int, caller: str) -> Attachment:
    """An attachment is readable by the participants of a thread it was posted in."""
    attachment = session.get(Attachment, attachment_id)
    if attachment is None:
        raise NotFound(f"no attachment {attachment_id}")
    thread_ids = session.scalars(select(Message.thread_id).where(Message.attachment_id == attachment.id)).all()
    for thread_id in thread_ids:
        thread = session.get(Thread, thread_id)
        if thread is not None and caller in participants(session, thread):
            return attachment
    raise NotFound(f"no attachment {attachment_id}")


def attachment_out(attachment: Attachment) -> AttachmentOut:
    return AttachmentOut(
        id=attachment.id,
        filename=attachment.filename,
        media_type=attachment.media_type,
        size=attachment.size,
        keccak=attachment.keccak,
        url=f"/api/attachments/{attachment.id}",
    )


def message_out(session: Session, message: Message) -> MessageOut:
    attachment = None if message.attachment_id is None else session.get(Attachment, message.attachment_id)
    return MessageOut(
        id=message.id,
        thread_id=message.thread_id,
        sender=message.sender,
        body=message.body,
        attachment=None if attachment is None else attachment_out(attachment),
        created_at=message.created_at,
    )


def thread_out(session: Session, thread: Thread, *, viewer: str) -> ThreadOut:
    return ThreadOut(
        id=thread.id,
        job_post_id=thread.job_post_id,
        client=thread.client,
        freelancer=thread.freelancer,
        participants=participants(session, thread),
        unread=unread(session, thread=thread, address=viewer),
        last_message_at=thread.last_message_at,
    )
