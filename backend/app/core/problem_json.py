"""RFC 9457 problem documents: the media type, the base of every `type` URL and the document's shape, for the
API's exception handlers (api/problems.py) and for the middlewares that answer before any route runs."""

from __future__ import annotations

import json
from typing import Any

from starlette.types import Send

MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "https://jiedan.dev/problems/"


def document(*, status: int, slug: str, title: str, detail: str, instance: str, **extra: Any) -> dict[str, Any]:
    """A problem document: `type` is TYPE_BASE + `slug` (stable), `instance` the request's path."""
    return {"type": TYPE_BASE + slug, "title": title, "status": status, "detail": detail, "instance": instance, **extra}


async def send(
    send_: Send, *, status: int, slug: str, title: str, detail: str, path: str, headers: list[tuple[bytes, bytes]] = ()
) -> None:
    """Answers a raw ASGI request with a problem document (for middlewares, outside FastAPI's handlers)."""
    body = json.dumps(document(status=status, slug=slug, title=title, detail=detail, instance=path)).encode()
    start = [(b"content-type", MEDIA_TYPE.encode()), (b"content-length", str(len(body)).encode()), *headers]
    await send_({"type": "http.response.start", "status": status, "headers": start})
    await send_({"type": "http.response.body", "body": body})
