"""Sign-In with Ethereum: nonce, verify, sign-out, and who am I."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from backend.app.api.deps import (
    SESSION_COOKIE,
    CurrentUser,
    SessionDep,
    SettingsDep,
    SignInPolicyDep,
    chain_or_error,
)
from backend.app.api.problem_responses import PROBLEM_RESPONSES
from backend.app.api.rate_limits import Bucket, rate_limit
from backend.app.models.user import User
from backend.app.schemas.auth import MeOut, NonceOut, SignInRequest
from backend.app.services import auth

router = APIRouter(responses=PROBLEM_RESPONSES, prefix="/api", tags=["auth"])


def _me(user: User, settings: SettingsDep) -> MeOut:
    return MeOut(
        address=user.address,
        created_at=user.created_at,
        last_sign_in_at=user.last_sign_in_at,
        is_moderator=settings.is_moderator(user.address),
    )


@router.post(
    "/auth/nonce",
    response_model=NonceOut,
    dependencies=[rate_limit(Bucket.SIGN_IN)],
    responses={429: {"description": "Too many sign-in attempts (problem)"}},
)
def new_nonce(session: SessionDep, policy: SignInPolicyDep) -> NonceOut:
    """A single-use nonce (128 bits) and the domain, URI and chain the message must name."""
    nonce = auth.issue_nonce(session, policy=policy)
    return NonceOut(
        nonce=nonce.nonce, expires_at=nonce.expires_at, domain=policy.domain, uri=policy.uri, chain_id=policy.chain_id
    )


@router.post(
    "/auth/verify",
    response_model=MeOut,
    dependencies=[rate_limit(Bucket.SIGN_IN)],
    responses={
        401: {"description": "Sign-in refused (problem)"},
        429: {"description": "Too many sign-in attempts (problem)"},
    },
)
def verify(
    body: SignInRequest,
    request: Request,
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
    policy: SignInPolicyDep,
) -> MeOut:
    """Check the signed EIP-4361 message and set the HttpOnly session cookie."""
    gateway = chain_or_error(request)
    w3 = None if isinstance(gateway, Exception) else gateway.w3
    signed = auth.sign_in(session, message=body.message, signature=body.signature, policy=policy, w3=w3)
    response.set_cookie(
        SESSION_COOKIE,
        signed.token,
        max_age=settings.session_ttl_seconds,
        httponly=True,
        samesite="lax",
        secure=settings.cookie_secure,
        path="/",
    )
    return _me(signed.user, settings)


@router.post("/auth/sign-out", status_code=204)
def sign_out(request: Request, session: SessionDep) -> Response:
    """Delete the server-side session and clear the cookie (harmless when not signed in)."""
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        auth.sign_out(session, token=token)
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax")
    return response


@router.get("/me", response_model=MeOut)
def me(user: CurrentUser, settings: SettingsDep) -> MeOut:
    """The signed-in account."""
    return _me(user, settings)
