"""A cap on request bodies, enforced on the bytes as they stream in (not only on Content-Length).

`BodyLimitMiddleware` answers 413 with an RFC 9457 problem document when a request declares, or
turns out to send, more than its cap: a declared Content-Length over the cap is refused before a
byte is read; a chunked body (or a lying Content-Length) is counted message by message and stopped
at the first byte over. Routes named in `larger_caps` (attachment uploads) get their own cap.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from backend.app.core import problem_json


class BodyTooLarge(Exception):
    """Raised from `receive` inside the app when the body passes its cap; the middleware answers 413."""


class BodyLimitMiddleware:
    """ASGI middleware: at most `max_bytes` of body per request; `larger_caps` pairs a (method, path regex)."""

    def __init__(self, app: ASGIApp, *, max_bytes: int, larger_caps: Sequence[tuple[str, str, int]] = ()) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.larger_caps = [(method.upper(), re.compile(pattern), cap) for method, pattern, cap in larger_caps]

    def cap_for(self, method: str, path: str) -> int:
        for cap_method, pattern, cap in self.larger_caps:
            if method == cap_method and pattern.fullmatch(path):
                return cap
        return self.max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        cap = self.cap_for(scope.get("method", "GET"), path)
        declared = _content_length(scope)
        if declared is not None and declared > cap:
            await _send_413(send, path, cap)
            return

        received = 0
        over = False
        started = False

        async def counting_receive() -> Message:
            nonlocal received, over
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > cap:
                    over = True
                    raise BodyTooLarge(f"body passed {cap} bytes")
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if over:  # the app answered after the body was cut off (e.g. "could not parse"): say 413 instead
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except Exception:
            if not over:  # BodyTooLarge, or whatever the app made of it, once the cap was passed
                raise
        if over and not started:
            await _send_413(send, path, cap)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            text = value.decode("latin-1").strip()
            return int(text) if text.isdigit() else None
    return None


async def _send_413(send: Send, path: str, cap: int) -> None:
    await problem_json.send(
        send, status=413, slug="too-large", title="Content too large", path=path,
        detail=f"request bodies here are limited to {cap} bytes", headers=[(b"connection", b"close")],
    )  # fmt: skip
