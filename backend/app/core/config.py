"""Typed settings from the environment (prefix JIEDAN_), one object for every part."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[3]


class Settings(BaseSettings):
    """Configuration shared by the API, the web UI and the indexer.

    Every field can be set as an environment variable, e.g. ``JIEDAN_DATABASE_URL``.
    """

    model_config = SettingsConfigDict(env_prefix="JIEDAN_", env_file=".env", extra="ignore")

    database_url: str = Field(
        default=f"sqlite:///{PROJECT_ROOT / 'var' / 'jiedan.db'}",
        description="SQLAlchemy URL: a SQLite file (default) or postgresql+psycopg://…",
    )
    network: str = Field(
        default="local",
        description="The network served, by its name in config/networks.toml (JIEDAN_NETWORK: local, ethereum, "
        "sepolia, base, arbitrum, optimism, polygon). A public one sets the chain id and, unless JIEDAN_RPC_URL is "
        "given, reads the RPC URL from the network's own variable (e.g. JIEDAN_RPC_URL_BASE).",
    )
    rpc_url: str = Field(default="http://127.0.0.1:8545", description="JSON-RPC URL of the chain.")
    deployments_file: Path = Field(
        default=PROJECT_ROOT / "var" / "deployments.json",
        description="Addresses and deploy blocks per chain id, written by `ape run deploy`.",
    )
    chain_id: int | None = Field(
        default=None,
        description="Which chain of the deployments file this process serves (JIEDAN_CHAIN_ID). Unset: the file's "
        "only chain (a file holding several needs it).",
    )
    build_manifest: Path = Field(
        default=PROJECT_ROOT / ".build" / "__local__.json",
        description="Ape's compiled-contracts manifest (ABIs).",
    )
    host: str = Field(default="127.0.0.1", description="Address the API binds to.")
    port: int = Field(default=8000, description="Port the API listens on.")
    confirmations: int = Field(default=0, ge=0, description="Blocks the indexer stays behind the head.")
    batch_size: int = Field(default=2_000, ge=1, description="Blocks per eth_getLogs request.")
    poll_interval: float = Field(default=0.5, gt=0, description="Seconds between head polls when caught up.")
    finality_depth: int = Field(
        default=64,
        ge=1,
        description="Blocks below the head the indexer treats as final: a deeper reorg halts it instead of rewinding.",
    )
    rpc_timeout: float = Field(default=10, gt=0, description="Seconds the indexer waits for one JSON-RPC response.")
    rpc_retries: int = Field(
        default=5, ge=0, description="Retries (exponential backoff) of a failed JSON-RPC request before giving up."
    )
    rpc_backoff: float = Field(default=0.25, gt=0, description="First retry delay in seconds; doubles per retry.")

    # Sign-In with Ethereum (EIP-4361) and sessions
    siwe_domain: str | None = Field(
        default=None,
        description="The domain a sign-in message must name (e.g. jiedan.dev). Unset: the Host of the request "
        "(development only: set it in production).",
    )
    siwe_uri: str | None = Field(
        default=None,
        description="The URI a sign-in message must name (e.g. https://jiedan.dev). Unset: the request's base URL.",
    )
    siwe_chain_id: int | None = Field(
        default=None, description="The chain id a sign-in message must name. Unset: the deployment's chain id."
    )
    nonce_ttl_seconds: int = Field(default=300, ge=10, le=3600, description="How long a sign-in nonce is valid.")
    session_ttl_seconds: int = Field(default=7 * 24 * 3600, ge=60, description="How long a session lasts.")
    cookie_secure: bool = Field(default=False, description="Send the session cookie over HTTPS only (production).")

    # Files
    files_dir: Path = Field(
        default=PROJECT_ROOT / "var" / "files", description="Where attachments are stored, content-addressed."
    )
    max_upload_bytes: int = Field(default=10 * 1024 * 1024, ge=1, description="Largest attachment accepted.")
    attachments_quota_bytes: int | None = Field(
        default=None,
        ge=0,
        description="Most bytes the stored attachments may take (each distinct file counted once); a full store "
        "refuses uploads with 507. Unset: no quota, only the disk.",
    )

    # Moderation
    moderators: list[str] = Field(
        default_factory=list, description="Addresses allowed to hide and restore content (JSON list)."
    )

    @model_validator(mode="after")
    def _apply_network(self) -> Settings:
        """A named public network gives the chain id and the RPC URL its variable holds."""
        from backend.app.core.networks import network_named

        network = network_named(self.network)
        if network.local:
            return self
        if self.chain_id is None:
            self.chain_id = network.chain_id
        elif self.chain_id != network.chain_id:
            raise ValueError(f"JIEDAN_CHAIN_ID={self.chain_id}, but {network.name} is chain {network.chain_id}")
        if "rpc_url" not in self.model_fields_set:
            url = os.environ.get(network.rpc_env or "")
            if not url:
                raise ValueError(
                    f"JIEDAN_NETWORK={network.name} needs its RPC URL in {network.rpc_env} (or JIEDAN_RPC_URL)"
                )
            self.rpc_url = url
        return self

    def is_moderator(self, address: str) -> bool:
        """Whether `address` is one of the moderators (in any letter case)."""
        return address.lower() in {moderator.lower() for moderator in self.moderators}

    # Hiring: the terms a job gets when it is hired from a proposal or a service order
    default_arbiter: str | None = Field(
        default=None, description="Arbiter named in jobs hired through proposals and offers (an address)."
    )
    default_arbiter_fee_bps: int = Field(default=200, ge=0, le=1_000, description="Arbiter's fee on a ruling.")
    default_review_period: int = Field(default=3 * 86_400, gt=0, description="Seconds the client has to review.")
    default_ruling_window: int = Field(default=7 * 86_400, gt=0, description="Seconds the arbiter has to rule.")
    default_milestone_days: int = Field(
        default=14, gt=0, description="Days per milestone when the listing names no deadline."
    )
    offer_ttl_seconds: int = Field(
        default=30 * 86_400,
        ge=60,
        le=365 * 86_400,
        description="How long a freelancer's signed consent (a proposal's, an accepted order's) can create the job.",
    )
    signature_ttl_seconds: int = Field(
        default=7 * 86_400,
        ge=60,
        le=365 * 86_400,
        description="How long a settlement or amendment signature is good for (its EIP-712 `expiry`).",
    )

    # Abuse limits: request-body cap and per-client rate limits (backend/app/core/body_limit.py, rate_limit.py).
    # Benchmarks and load tests raise or switch them off, e.g.
    #   JIEDAN_RATE_LIMIT_ENABLED=false            (no 429s at all), or
    #   JIEDAN_RATE_LIMIT_SEARCH=100000            (raise one bucket), and
    #   JIEDAN_MAX_BODY_BYTES=4194304              (a larger body cap).
    # Rate limits count in the memory of each API process unless JIEDAN_RATE_LIMIT_STORE=database: with N workers
    # counting in memory a client gets up to N times the limit.
    max_body_bytes: int = Field(
        default=1024 * 1024,
        ge=1,
        description="Largest request body in bytes (JIEDAN_MAX_BODY_BYTES), counted as it streams, chunked bodies "
        "too; larger gets 413. Attachment uploads are capped by JIEDAN_MAX_UPLOAD_BYTES instead.",
    )
    idempotency_ttl_seconds: int = Field(
        default=24 * 3600,
        ge=1,
        description="How long an Idempotency-Key of a signed-in caller's POST or PUT is remembered, its answer "
        "replayed to a retry (JIEDAN_IDEMPOTENCY_TTL_SECONDS); see backend/app/core/idempotency.py.",
    )
    rate_limit_enabled: bool = Field(
        default=True, description="Apply the rate limits below (JIEDAN_RATE_LIMIT_ENABLED=false turns all off)."
    )
    rate_limit_store: Literal["memory", "database"] = Field(
        default="memory",
        description="Where rate limits count (JIEDAN_RATE_LIMIT_STORE): `memory`, each API process on its own, or "
        "`database`, every process sharing the database counting together (several processes or machines behind "
        "one proxy: a client gets each limit once). The database store costs a few statements per counted request.",
    )
    rate_limit_window_seconds: float = Field(
        default=60, gt=0, description="Sliding window every rate limit counts over (JIEDAN_RATE_LIMIT_WINDOW_SECONDS)."
    )
    rate_limit_sign_in: int = Field(
        default=60,
        ge=1,
        description="Sign-in requests (nonce and verify each count) per client IP per window: 30 sign-ins a minute "
        "from one address, which people behind one NAT share (JIEDAN_RATE_LIMIT_SIGN_IN).",
    )
    rate_limit_proposals: int = Field(
        default=10, ge=1, description="Proposals sent per account per window (JIEDAN_RATE_LIMIT_PROPOSALS)."
    )
    rate_limit_messages: int = Field(
        default=30,
        ge=1,
        description="Messages and attachment uploads per account per window (JIEDAN_RATE_LIMIT_MESSAGES).",
    )
    rate_limit_search: int = Field(
        default=60,
        ge=1,
        description="Search requests per account (or client IP when signed out) per window (JIEDAN_RATE_LIMIT_SEARCH).",
    )


@lru_cache
def get_settings() -> Settings:
    return Settings()
