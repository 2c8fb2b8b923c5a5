"""Domain errors; the API maps each to an RFC 9457 problem response."""

from __future__ import annotations


class DomainError(Exception):
    """Base: `status` and `title` say how the API reports it."""

    status = 400
    title = "Bad request"
    slug = "bad-request"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail

    def headers(self) -> dict[str, str]:
        """Extra response headers the problem carries (none by default)."""
        return {}


class NotFound(DomainError):
    status = 404
    title = "Not found"
    slug = "not-found"


class NotAllowed(DomainError):
    status = 403
    title = "Not allowed"
    slug = "not-allowed"


class Conflict(DomainError):
    status = 409
    title = "Not allowed in the current state"
    slug = "conflict"


class ChainUnavailable(DomainError):
    status = 503
    title = "Chain unavailable"
    slug = "chain-unavailable"


class NotSignedIn(DomainError):
    status = 401
    title = "Sign-in required"
    slug = "not-signed-in"


class SignInRefused(DomainError):
    status = 401
    title = "Sign-in refused"
    slug = "sign-in-refused"


class TooLarge(DomainError):
    status = 413
    title = "Content too large"
    slug = "too-large"


class UnsupportedMedia(DomainError):
    status = 415
    title = "Unsupported media type"
    slug = "unsupported-media-type"


class Invalid(DomainError):
    status = 422
    title = "Invalid request"
    slug = "invalid-request"


class RateLimited(DomainError):
    """Too many requests from one client in the window; `retry_after` seconds until the next one fits."""

    status = 429
    title = "Too many requests"
    slug = "rate-limited"

    def __init__(self, detail: str, *, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = retry_after

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


class ConsentNeeded(Conflict):
    """A job cannot be created from these terms: the freelancer has not signed them, or what they signed no
    longer holds (the fee or the listing changed, the offer expired). They sign fresh terms."""

    title = "The freelancer's consent is needed"
    slug = "consent-needed"


class BadSignature(Invalid):
    """A signature that is not the named signer's for the payload it claims to sign."""

    title = "Bad signature"
    slug = "bad-signature"


class TokenNotAccepted(Invalid):
    """Money named in a token the served network does not list (config/tokens.toml); the detail lists those it does."""

    title = "Token not accepted"
    slug = "token-not-accepted"
