"""The rate-limit dependency routes declare: `dependencies=[rate_limit(Bucket.SEARCH)]` → 429 problem when over."""

from __future__ import annotations

from typing import Any

from fastapi import Depends, Request

from backend.app.api.deps import OptionalUser
from backend.app.core.rate_limit import Bucket, Limiter
from backend.app.services.errors import RateLimited

__all__ = ["Bucket", "client_key", "rate_limit"]


def client_key(request: Request, user: OptionalUser, *, by_ip_only: bool = False) -> str:
    """The signed-in address where there is one, else the client IP the ASGI server reports."""
    if user is not None and not by_ip_only:
        return f"address:{user.address.lower()}"
    host = request.client.host if request.client else "unknown"
    return f"ip:{host}"


def rate_limit(bucket: Bucket) -> Any:
    """A dependency counting one request in `bucket` for the caller; sign-in counts per IP (no address yet)."""

    def check(request: Request, user: OptionalUser) -> None:
        limiter: Limiter | None = request.app.state.rate_limiter
        if limiter is None:
            return
        key = client_key(request, user, by_ip_only=bucket is Bucket.SIGN_IN)
        verdict = limiter.hit(bucket, key)
        if not verdict.allowed:
            raise RateLimited(
                f"too many {bucket.value.replace('_', '-')} requests: try again in {verdict.retry_after} s",
                retry_after=verdict.retry_after,
            )

    return Depends(check)
