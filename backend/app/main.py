"""The FastAPI application: JSON API, web UI and health, built from one router per domain."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from backend.app.api import openapi_examples, problems
from backend.app.api.point_reads import PointReads
from backend.app.api.routes import (
    auth,
    health,
    job_actions,
    job_posts,
    jobs,
    listings,
    matching,
    messages,
    moderation,
    notifications,
    offers,
    profiles,
    proposals,
    search,
    tokens,
    tx,
    wallets,
)
from backend.app.core import idempotency
from backend.app.core.body_limit import BodyLimitMiddleware
from backend.app.core.config import Settings, get_settings
from backend.app.core.db import make_engine, make_session_factory
from backend.app.core.rate_limit import limiter_from_settings
from backend.app.services import auth as sign_in
from backend.app.web import pages

STATIC_DIR = Path(__file__).parent / "web" / "static"
UPLOAD_ROUTE = r"/api/threads/\d+/attachments"  # raw attachment bytes: capped by max_upload_bytes instead


TAG_DESCRIPTIONS = {
    "health": "Liveness and readiness of the API, its database and the chain indexer.",
    "auth": "Sign-In with Ethereum (EIP-4361): a nonce, a signed message, a session cookie.",
    "profiles": "Public profiles: what the owner writes, plus the on-chain record read from the indexer.",
    "job posts": "Off-chain job listings a client drafts, publishes, hires on and links to the escrow.",
    "proposals": "Freelancers' proposals on a job post; the client shortlists, declines or accepts.",
    "offers": "Freelancers' service offers with up to three priced tiers that clients order.",
    "messages": "Threads between a client and a freelancer about a job post, with attachments.",
    "search": "Full-text search over published job posts and profiles.",
    "matching": "Freelancers ranked for a job post by skills, text similarity and on-chain record.",
    "moderation": "Reports by anyone signed in; hide and restore actions by moderators.",
    "notifications": "What happened to the signed-in user's proposals, threads, jobs and content.",
    "jobs": "Escrow jobs as projected by the indexer, the actions each party may take, settlements.",
    "transactions": "Unsigned escrow and token transactions for the user's wallet to sign and send.",
    "listings": "The canonical JSON and keccak256 hash of a listing, as committed on-chain.",
    "wallets": "A wallet's live balance and escrow allowance of the payment token.",
}
"""One description per router tag, shown on /docs in this order."""


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    point_reads: PointReads = app.state.point_reads
    await point_reads.startup()
    try:
        yield
    finally:
        await point_reads.shutdown()


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = FastAPI(
        lifespan=_lifespan,
        title="Jiedan",
        summary="Freelance marketplace with milestone escrow on-chain.",
        version="0.1.0",
        openapi_tags=[{"name": name, "description": text} for name, text in TAG_DESCRIPTIONS.items()],
    )
    app.state.settings = settings
    app.state.engine = make_engine(settings.database_url)
    app.state.sessions = make_session_factory(app.state.engine)
    app.state.point_reads = PointReads(settings.database_url, app.state.engine)
    app.state.chain = None  # connected on first use
    app.state.rate_limiter = limiter_from_settings(settings, app.state.engine)  # None when rate limits are off
    idempotency.install(  # inside the body cap: added first
        app, ttl_seconds=settings.idempotency_ttl_seconds, owner_of=sign_in.session_owner, cookie=sign_in.SESSION_COOKIE
    )
    app.add_middleware(
        BodyLimitMiddleware,
        max_bytes=settings.max_body_bytes,
        larger_caps=[("POST", UPLOAD_ROUTE, settings.max_upload_bytes)],
    )
    problems.install(app)
    for router in (
        health.router,
        auth.router,
        profiles.router,
        job_posts.router,
        proposals.router,
        offers.router,
        messages.router,
        search.router,
        matching.router,
        moderation.router,
        notifications.router,
        jobs.router,
        job_actions.router,
        tx.router,
        listings.router,
        wallets.router,
        tokens.router,
        pages.router,
    ):
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    openapi_examples.install(app)
    logging.getLogger("jiedan").info("API on %s, database %s", settings.rpc_url, settings.database_url)
    return app
