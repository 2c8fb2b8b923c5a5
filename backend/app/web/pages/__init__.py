"""Server-rendered pages, one module per area, each over the shared page dependency (web/page.py). They call
the same services as the JSON API and hand the templates plain values and flags; the templates only format.
Forms and buttons call the JSON API through static/forms.js."""

from __future__ import annotations

from fastapi import APIRouter

from backend.app.web.pages import dashboard, escrow, market, messages, moderation, posts, profiles, proposals

router = APIRouter(include_in_schema=False)
for area in (market, escrow, posts, proposals, messages, profiles, dashboard, moderation):
    router.include_router(area.router)
