"""Idempotency keys on the JSON API's writes: a retried POST or PUT replays its first answer instead of running again.

The model is Stripe's and the IETF draft's (draft-ietf-httpapi-idempotency-key-header). A signed-in caller (the
`jiedan_session` cookie) may send `Idempotency-Key: <1 to 255 printable ASCII characters>` on a POST or PUT under
`/api/` (not `/api/auth/`, whose answer is a session cookie). The key belongs to the caller's address.

- First request with a key: a row is inserted "in progress" (its own short transaction), the request runs, and a
  response with a status below 500 is stored (status, content type, body) with the request's fingerprint: the
  sha256 of method, path, query and the body's sha256, hashed as the body streams (a route that answers without
  reading it all, e.g. a 404 before an upload, has the rest read and hashed before its answer goes out). A 5xx, an
  exception, a body cut off (413) or a client that went away deletes the row instead, so a retry runs. The routes'
  services commit at their end and roll back on error; a 5xx raised after that commit (the answer read back from a
  database that dropped, a rare case) frees the key although the write stands.
- The same key again, same fingerprint: the stored response, byte for byte, with `Idempotent-Replayed: true`.
- The same key, another fingerprint: 422 problem (`idempotency-key-reused`); nothing runs.
- The same key while the first request is still in progress: 409 problem (`idempotency-key-in-flight`),
  `Retry-After: 1`.
- A malformed key: 400 problem (`idempotency-key-invalid`), signed in or not.
- Anonymous requests (no session, or an expired one): the header is ignored.

Keys expire `JIEDAN_IDEMPOTENCY_TTL_SECONDS` (24 h) after their first request. An expired row is deleted when
its key is seen again, and each process sweeps all expired rows on its first claim, then at most once an hour.
A request whose process died mid-way leaves its row in progress until it expires: retries get 409 until then.

Every other request passes straight through: only a POST or PUT carrying the header costs two thread hops, one to
read the caller's session and claim the key, one to store the answer (each a short transaction).
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

import anyio
from anyio import to_thread
from fastapi import FastAPI
from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from backend.app.core import problem_json
from backend.app.models.idempotency import IdempotencyKey

HEADER = b"idempotency-key"
SWEEP_EVERY_SECONDS = 3600
VALID_KEY = re.compile(r"[\x21-\x7e](?:[\x20-\x7e]{0,253}[\x21-\x7e])?")  # printable ASCII, no edge spaces
METHODS = frozenset({"POST", "PUT"})

log = logging.getLogger("jiedan.idempotency")


def applies_to(method: str, path: str) -> bool:
    """Whether a request may carry an idempotency key: a write of the JSON API other than the session's own."""
    return method in METHODS and path.startswith("/api/") and not path.startswith("/api/auth/")


def fingerprint(method: str, path: str, query: bytes, body_sha256: str) -> str:
    text = "\n".join((method, path, query.decode("latin-1"), body_sha256))
    return hashlib.sha256(text.encode()).hexdigest()


# --- the table: claim a key, complete it, release it --------------------------------------------------------


@dataclass(frozen=True)
class Claimed:
    """The key is this request's: run it."""


@dataclass(frozen=True)
class Seen:
    """The key is taken: in progress (`status` None) or completed with this answer."""

    fingerprint: str | None
    status: int | None
    content_type: str | None
    body: bytes | None


# Who a session cookie belongs to: (session, cookie value, now) -> the caller's address, or None for no
# live session. The app passes its sign-in service's answer (core imports nothing above it).
OwnerOf = Callable[[Session, str, datetime], str | None]


def claim(
    sessions: sessionmaker[Session], *, token: str, key: str, ttl: timedelta, owner_of: OwnerOf
) -> tuple[str, Claimed | Seen] | None:
    """The caller's address and the key's state; None when the session cookie names no live session.

    One session: the caller's session row is read, then the in-progress row is inserted and committed (the usual
    case, a new key). A key already there is read instead; an expired one is replaced by this request's.
    """
    at = datetime.now(UTC)
    with sessions() as session:
        found = owner_of(session, token, at)
        if found is None:
            return None
        owner = found
        for _ in range(2):
            session.add(IdempotencyKey(owner=owner, key=key, created_at=at, expires_at=at + ttl))
            try:
                session.commit()
                return owner, Claimed()
            except IntegrityError:  # the key is taken: by an earlier request, or a concurrent one
                session.rollback()
            row = session.get(IdempotencyKey, (owner, key), populate_existing=True)
            if row is None:  # released in between: in flight a moment ago, the client may retry
                break
            if row.expires_at > at:
                return owner, Seen(row.fingerprint, row.status, row.content_type, row.body)
            expired = (IdempotencyKey.owner == owner, IdempotencyKey.key == key, IdempotencyKey.expires_at <= at)
            session.execute(delete(IdempotencyKey).where(*expired))
            session.commit()
    return owner, Seen(None, None, None, None)


def complete(
    sessions: sessionmaker[Session],
    *,
    owner: str,
    key: str,
    fingerprint: str,
    status: int,
    content_type: str | None,
    body: bytes,
) -> None:
    with sessions() as session, session.begin():
        session.execute(
            update(IdempotencyKey)
            .where(IdempotencyKey.owner == owner, IdempotencyKey.key == key, IdempotencyKey.status.is_(None))
            .values(fingerprint=fingerprint, status=status, content_type=content_type, body=body)
        )


def release(sessions: sessionmaker[Session], *, owner: str, key: str) -> None:
    """Delete the in-progress row: the request failed, a retry may run."""
    with sessions() as session, session.begin():
        session.execute(
            delete(IdempotencyKey).where(
                IdempotencyKey.owner == owner, IdempotencyKey.key == key, IdempotencyKey.status.is_(None)
            )
        )


def sweep(sessions: sessionmaker[Session]) -> int:
    """Delete every expired key; how many."""
    with sessions() as session, session.begin():
        result = session.execute(delete(IdempotencyKey).where(IdempotencyKey.expires_at <= datetime.now(UTC)))
        return int(getattr(result, "rowcount", 0) or 0)


# --- the middleware ------------------------------------------------------------------------------------------


class IdempotencyMiddleware:
    """ASGI middleware (inside the body cap, so a body over it still gets its 413): see the module docstring."""

    def __init__(self, app: ASGIApp, *, ttl_seconds: int, owner_of: OwnerOf, cookie: str) -> None:
        self.app = app
        self.ttl = timedelta(seconds=ttl_seconds)
        self.owner_of, self.cookie = owner_of, cookie
        self.last_sweep = -float(SWEEP_EVERY_SECONDS)  # the first claim sweeps

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not applies_to(scope["method"], scope["path"]):
            await self.app(scope, receive, send)
            return
        values = [value for name, value in scope["headers"] if name == HEADER]
        if not values:
            await self.app(scope, receive, send)
            return
        key = _valid_key(values)
        if key is None:
            await _send_problem(
                send, scope, 400, "Invalid idempotency key", "idempotency-key-invalid",
                "Idempotency-Key must be one header of 1 to 255 printable ASCII characters",
            )  # fmt: skip
            return
        token = _session_token(scope["headers"], self.cookie)
        if token is None:
            await self.app(scope, receive, send)
            return
        sessions: sessionmaker[Session] = scope["app"].state.sessions
        try:
            claimed = await to_thread.run_sync(self._claim, sessions, token, key)
        except SQLAlchemyError as error:
            log.warning("idempotency key not checked on %s: %s", scope["path"], error)
            await _send_problem(
                send, scope, 503, "Database unavailable", "database-unavailable",
                "the database could not complete the request; try again shortly", retry_after=True,
            )  # fmt: skip
            return
        if claimed is None:  # anonymous: the header is ignored
            await self.app(scope, receive, send)
        elif isinstance(claimed[1], Claimed):
            await self._run(scope, receive, send, sessions, owner=claimed[0], key=key)
        else:
            await self._answer_seen(scope, receive, send, claimed[1])

    def _claim(self, sessions: sessionmaker[Session], token: str, key: str) -> tuple[str, Claimed | Seen] | None:
        claimed = claim(sessions, token=token, key=key, ttl=self.ttl, owner_of=self.owner_of)
        if claimed is not None and isinstance(claimed[1], Claimed):
            if time.monotonic() - self.last_sweep > SWEEP_EVERY_SECONDS:
                self.last_sweep = time.monotonic()
                removed = sweep(sessions)
                if removed:
                    log.info("swept %d expired idempotency keys", removed)
        return claimed

    async def _answer_seen(self, scope: Scope, receive: Receive, send: Send, seen: Seen) -> None:
        if seen.status is None:
            await _send_problem(
                send, scope, 409, "Request in progress", "idempotency-key-in-flight",
                "a request with this Idempotency-Key is still running; retry shortly", retry_after=True,
            )  # fmt: skip
            return
        body = await _read_body(receive)
        if body is None:  # the client went away
            return
        if fingerprint(scope["method"], scope["path"], scope["query_string"], body.hexdigest()) != seen.fingerprint:
            await _send_problem(
                send, scope, 422, "Idempotency key reused", "idempotency-key-reused",
                "this Idempotency-Key was used for a different request (method, path, query or body)",
            )  # fmt: skip
            return
        stored = seen.body or b""
        headers = [(b"content-length", str(len(stored)).encode()), (b"idempotent-replayed", b"true")]
        if seen.content_type is not None:
            headers.insert(0, (b"content-type", seen.content_type.encode("latin-1")))
        await send({"type": "http.response.start", "status": seen.status, "headers": headers})
        await send({"type": "http.response.body", "body": stored})

    async def _run(
        self, scope: Scope, receive: Receive, send: Send, sessions: sessionmaker[Session], *, owner: str, key: str
    ) -> None:
        body_hash = hashlib.sha256()
        body_read = False  # the whole body went through the hash
        gone = False  # a disconnect, or `receive` raised (e.g. the body cap's BodyTooLarge)
        status: int | None = None
        content_type: str | None = None
        chunks: list[bytes] = []
        answered = False  # the response's last body message was sent

        async def hashing_receive() -> Message:
            nonlocal body_read, gone
            try:
                message = await receive()
            except BaseException:
                gone = True
                raise
            if message["type"] == "http.request":
                body_hash.update(message.get("body", b""))
                body_read = body_read or not message.get("more_body", False)
            elif message["type"] == "http.disconnect":
                gone = True
            return message

        async def capturing_send(message: Message) -> None:
            nonlocal status, content_type, answered
            if message["type"] == "http.response.start":
                while not body_read and not gone:  # answered before reading it all (e.g. 404): hash the rest
                    await hashing_receive()
                status = message["status"]
                content_type = _header(message.get("headers", []), b"content-type")
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                answered = not message.get("more_body", False)
            await send(message)

        try:
            await self.app(scope, hashing_receive, capturing_send)
        except BaseException:
            with anyio.CancelScope(shield=True):
                await _forget(sessions, owner=owner, key=key)
            raise
        if status is None or status >= 500 or not answered or gone or not body_read:
            with anyio.CancelScope(shield=True):
                await _forget(sessions, owner=owner, key=key)
            return
        request_print = fingerprint(scope["method"], scope["path"], scope["query_string"], body_hash.hexdigest())
        try:
            store = partial(complete, sessions, owner=owner, key=key, fingerprint=request_print)
            await to_thread.run_sync(partial(store, status=status, content_type=content_type, body=b"".join(chunks)))
        except SQLAlchemyError as error:  # answered already; without the stored answer a retry would see 409
            log.warning("idempotency key %r of %s not completed: %s", key, owner, error)
            await _forget(sessions, owner=owner, key=key)


async def _forget(sessions: sessionmaker[Session], *, owner: str, key: str) -> None:
    try:
        await to_thread.run_sync(partial(release, sessions, owner=owner, key=key))
    except SQLAlchemyError as error:
        log.warning("idempotency key %r of %s left in progress until it expires: %s", key, owner, error)


def _valid_key(values: list[bytes]) -> str | None:
    if len(values) != 1:
        return None
    text = values[0].decode("latin-1").strip(" \t")
    return text if VALID_KEY.fullmatch(text) else None


def _session_token(headers: Iterable[tuple[bytes, bytes]], cookie: str) -> str | None:
    """The session cookie's value, parsed as Starlette parses `request.cookies`."""
    for name, value in headers:
        if name == b"cookie":
            token = cookie_parser(value.decode("latin-1")).get(cookie)
            if token:
                return token
    return None


def _header(headers: Iterable[tuple[bytes, bytes]], wanted: bytes) -> str | None:
    for name, value in headers:
        if name.lower() == wanted:
            return value.decode("latin-1")
    return None


async def _read_body(receive: Receive) -> hashlib._Hash | None:
    """The sha256 of the whole request body, read without keeping it; None when the client disconnected."""
    body_hash = hashlib.sha256()
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        body_hash.update(message.get("body", b""))
        if not message.get("more_body", False):
            return body_hash


async def _send_problem(
    send: Send, scope: Scope, status: int, title: str, slug: str, detail: str, *, retry_after: bool = False
) -> None:
    headers = [(b"retry-after", b"1")] if retry_after else []
    await problem_json.send(
        send, status=status, slug=slug, title=title, detail=detail, path=scope["path"], headers=headers
    )


# --- wiring --------------------------------------------------------------------------------------------------

PARAMETER = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Signed in: a retry with the same key and request replays the first answer (header "
    "`Idempotent-Replayed: true`) instead of running again; the same key on another request is a 422 problem, "
    "while the first still runs a 409 problem. Remembered 24 h by default. Ignored when signed out.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[\\x20-\\x7e]+$"},
}


def install(app: FastAPI, *, ttl_seconds: int, owner_of: OwnerOf, cookie: str) -> None:
    """Add the middleware (call before the body cap's, so that it runs inside it) and the header to the document.
    `owner_of` says whose session a `cookie` names: keys are kept per caller."""
    app.add_middleware(IdempotencyMiddleware, ttl_seconds=ttl_seconds, owner_of=owner_of, cookie=cookie)
    generate: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        document = generate()
        for path, operations in document.get("paths", {}).items():
            for method, operation in operations.items():
                if not applies_to(method.upper(), path):
                    continue
                parameters = operation.setdefault("parameters", [])
                if all(parameter.get("name") != PARAMETER["name"] for parameter in parameters):
                    parameters.append(dict(PARAMETER))
        return document

    app.openapi = openapi  # type: ignore[method-assign]
