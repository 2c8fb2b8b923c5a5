"""The RFC 9457 problem responses every API operation documents (`responses=` on each router)."""

from __future__ import annotations

from typing import Any

from backend.app.core.problem_json import MEDIA_TYPE, TYPE_BASE

PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "title": "Problem",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "format": "uri"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {
            "type": "array",
            "description": "Invalid requests only: one entry per field that failed validation.",
            "items": {"type": "object"},
        },
    },
}


def problem_response(description: str, *, status: int, title: str, slug: str, detail: str) -> dict[str, Any]:
    """One documented error: its description and an `application/problem+json` body with an example."""
    example = {"type": TYPE_BASE + slug, "title": title, "status": status, "detail": detail}
    return {"description": description, "content": {MEDIA_TYPE: {"schema": PROBLEM_SCHEMA, "example": example}}}


INVALID = problem_response(
    "Invalid request (a field failed validation)",
    status=422,
    title="Invalid request",
    slug="invalid-request",
    detail="body.title: String should have at least 3 characters",
)
INTERNAL = problem_response(
    "Internal error (logged)",
    status=500,
    title="Internal error",
    slug="internal",
    detail="the server failed; it was logged",
)

PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {422: INVALID, 500: INTERNAL}
"""Shared by every router: bad input and server failures are always problems."""
