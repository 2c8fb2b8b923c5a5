"""Reports and moderation: configured moderators hide and restore off-chain content; owners see why.

Hidden jobs and profiles leave search (their search document is re-indexed) and matching;
hidden offers leave the offer list; hidden messages leave their thread.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from eth_utils import is_address, to_checksum_address
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backend.app.models.job_post import JobPost
from backend.app.models.message import Message, Thread
from backend.app.models.moderation import ModerationAction, Report
from backend.app.models.profile import Profile
from backend.app.models.proposal import ServiceOffer
from backend.app.schemas.moderation import ModerationActionOut, ReportOut
from backend.app.services import notifications, search
from backend.app.services.display_names import quoted
from backend.app.services.errors import Conflict, NotFound

Target = JobPost | ServiceOffer | Profile | Message


def _target(session: Session, *, kind: str, ref: str) -> tuple[Target, str, str]:
    """(object, owner address, canonical ref) or NotFound."""
    found: Target | None = None
    if kind == "profile":
        if is_address(ref):
            ref = to_checksum_address(ref)
            found = session.get(Profile, ref)
    elif ref.isdigit():
        model = {"job": JobPost, "offer": ServiceOffer, "message": Message}[kind]
        found = session.get(model, int(ref))  # type: ignore[attr-defined]
    if found is None:
        raise NotFound(f"no {kind} {ref}")
    owner = {
        JobPost: lambda o: o.client,
        ServiceOffer: lambda o: o.freelancer,
        Profile: lambda o: o.address,
        Message: lambda o: o.sender,
    }[type(found)](found)
    return found, owner, ref


def _named(session: Session, target: Target) -> str:
    """The hidden or restored thing as its owner knows it: the listing's title, the thread's job, the profile."""
    if isinstance(target, JobPost | ServiceOffer):
        return f"your {'job' if isinstance(target, JobPost) else 'offer'} {quoted(target.title)}"
    if isinstance(target, Profile):
        return "your profile"
    thread = session.get(Thread, target.thread_id)
    post = None if thread is None else session.get(JobPost, thread.job_post_id)
    return "your message" if post is None else f"your message about {quoted(post.title)}"


def report(session: Session, *, reporter: str, kind: str, ref: str, reason: str) -> Report:
    _, _, ref = _target(session, kind=kind, ref=ref)
    record = Report(
        reporter=reporter,
        target_kind=kind,
        target_ref=ref,
        reason=reason,
        status="open",
        created_at=datetime.now(UTC),
    )
    session.add(record)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise Conflict(f"you already reported this {kind}") from None
    return record


def open_reports(session: Session) -> Sequence[Report]:
    return session.scalars(select(Report).where(Report.status == "open").order_by(Report.id)).all()


def _set_hidden(
    session: Session, *, kind: str, ref: str, hidden: bool, moderator: str, reason: str
) -> ModerationAction:
    target, owner, ref = _target(session, kind=kind, ref=ref)
    if target.hidden == hidden:
        raise Conflict(f"this {kind} is already {'hidden' if hidden else 'visible'}")
    target.hidden = hidden
    if isinstance(target, JobPost):
        search.index_job_post(session, target)
    elif isinstance(target, Profile):
        search.index_profile(session, target)
    now = datetime.now(UTC)
    action = ModerationAction(
        moderator=moderator,
        target_kind=kind,
        target_ref=ref,
        owner=owner,
        action="hide" if hidden else "restore",
        reason=reason,
        created_at=now,
    )
    session.add(action)
    notifications.notify(
        session,
        recipient=owner,
        kind=f"moderation_{action.action}",
        text=f"A moderator {'hid' if hidden else 'restored'} {_named(session, target)}: {reason}",
        link="/api/me/moderation",
    )
    if hidden:
        session.execute(
            update(Report)
            .where(Report.target_kind == kind, Report.target_ref == ref, Report.status == "open")
            .values(status="resolved", resolved_by=moderator, resolved_at=now)
        )
    session.commit()
    return action


def hide(session: Session, *, moderator: str, kind: str, ref: str, reason: str) -> ModerationAction:
    return _set_hidden(session, kind=kind, ref=ref, hidden=True, moderator=moderator, reason=reason)


def restore(session: Session, *, moderator: str, kind: str, ref: str, reason: str) -> ModerationAction:
    return _set_hidden(session, kind=kind, ref=ref, hidden=False, moderator=moderator, reason=reason)


def actions_on(session: Session, *, owner: str) -> Sequence[ModerationAction]:
    """What moderators did to the owner's content, newest first: the owner is told why."""
    query = select(ModerationAction).where(ModerationAction.owner == owner).order_by(ModerationAction.id.desc())
    return session.scalars(query).all()


def report_out(record: Report) -> ReportOut:
    return ReportOut(
        id=record.id,
        reporter=record.reporter,
        kind=record.target_kind,  # type: ignore[arg-type]
        ref=record.target_ref,
        reason=record.reason,
        status=record.status,  # type: ignore[arg-type]
        created_at=record.created_at,
    )


def action_out(action: ModerationAction) -> ModerationActionOut:
    return ModerationActionOut(
        id=action.id,
        kind=action.target_kind,  # type: ignore[arg-type]
        ref=action.target_ref,
        owner=action.owner,
        action=action.action,  # type: ignore[arg-type]
        reason=action.reason,
        created_at=action.created_at,
    )
