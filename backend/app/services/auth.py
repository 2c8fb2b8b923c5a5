"""Sign-In with Ethereum (EIP-4361): nonces, signature checks (EOA and EIP-1271), sessions."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from siwe import SiweMessage, VerificationError
from sqlalchemy import delete
from sqlalchemy.orm import Session
from web3 import Web3

from backend.app.models.user import AuthNonce, AuthSession, User
from backend.app.services.errors import SignInRefused

SESSION_COOKIE = "jiedan_session"  # the HttpOnly cookie that carries a signed-in session's token
NONCE_BYTES = 16  # 128 bits, hex-encoded: alphanumeric as EIP-4361 requires
# The SIWE parser's time grows with the square of the input (a 4 KB line of junk took ~9 s of CPU), so a
# message is checked cheaply first: a bounded length, and EIP-4361's first two lines. Jiedan's own messages
# are ~300 characters.
MAX_MESSAGE_CHARS = 1_024
_EIP4361_HEAD = re.compile(r"[^\n]{1,255} wants you to sign in with your Ethereum account:\n0x[0-9a-fA-F]{40}\n")


@dataclass(frozen=True)
class SignInPolicy:
    """What a sign-in message must say to be accepted here."""

    domain: str
    uri: str
    chain_id: int
    nonce_ttl: timedelta
    session_ttl: timedelta


@dataclass(frozen=True)
class SignedIn:
    user: User
    token: str  # the cookie value; only its hash is stored
    expires_at: datetime


def now() -> datetime:
    return datetime.now(UTC)


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_nonce(session: Session, *, policy: SignInPolicy, at: datetime | None = None) -> AuthNonce:
    """A fresh single-use nonce; expired ones are purged on the way."""
    at = at or now()
    session.execute(delete(AuthNonce).where(AuthNonce.expires_at <= at))
    nonce = AuthNonce(nonce=secrets.token_hex(NONCE_BYTES), created_at=at, expires_at=at + policy.nonce_ttl)
    session.add(nonce)
    session.commit()
    return nonce


def _consume_nonce(session: Session, *, nonce: str, at: datetime) -> bool:
    """Delete the nonce; True only for the one caller that found it unexpired (race-safe)."""
    found = session.execute(delete(AuthNonce).where(AuthNonce.nonce == nonce, AuthNonce.expires_at > at)).rowcount
    session.execute(delete(AuthNonce).where(AuthNonce.nonce == nonce))  # an expired leftover
    session.commit()
    return found == 1


def _has_code(w3: Web3 | None, address: str) -> bool:
    if w3 is None:
        return False
    try:
        return len(w3.eth.get_code(Web3.to_checksum_address(address))) > 0
    except Exception:  # RPC down: treat as an EOA; contract accounts then fail to verify
        return False


def sign_in(
    session: Session,
    *,
    message: str,
    signature: str,
    policy: SignInPolicy,
    w3: Web3 | None,
    at: datetime | None = None,
) -> SignedIn:
    """Check an EIP-4361 message and its signature, burn its nonce, open a session.

    The nonce is consumed by any attempt that names it, successful or not, so a signed
    message can never be replayed. Contract accounts (the address has code) are checked
    through the chain with EIP-1271 `isValidSignature`.
    """
    at = at or now()
    if len(message) > MAX_MESSAGE_CHARS:
        raise SignInRefused(f"the message is too long (at most {MAX_MESSAGE_CHARS} characters)")
    if not _EIP4361_HEAD.match(message):
        raise SignInRefused("not an EIP-4361 message: it must start with the domain's request and the address")
    try:
        parsed = SiweMessage.from_message(message=message)
    except Exception as error:  # the parser raises several unrelated types
        raise SignInRefused(f"not an EIP-4361 message: {type(error).__name__}") from None

    if not _consume_nonce(session, nonce=parsed.nonce, at=at):
        raise SignInRefused("unknown, expired or already used nonce: ask for a new one")
    if parsed.domain != policy.domain:
        raise SignInRefused(f"the message is for domain {parsed.domain!r}, this is {policy.domain!r}")
    if str(parsed.uri).rstrip("/") != policy.uri.rstrip("/"):
        raise SignInRefused(f"the message is for URI {parsed.uri!r}, this is {policy.uri!r}")
    if parsed.chain_id != policy.chain_id:
        raise SignInRefused(f"the message is for chain {parsed.chain_id}, this is chain {policy.chain_id}")

    provider = w3.provider if w3 is not None and _has_code(w3, parsed.address) else None
    try:
        parsed.verify(signature, domain=policy.domain, nonce=parsed.nonce, timestamp=at, provider=provider)
    except VerificationError as error:
        reason = {
            "ExpiredMessage": "the message has expired",
            "NotYetValidMessage": "the message is not valid yet",
            "InvalidSignature": "the signature does not match the address",
        }.get(type(error).__name__, type(error).__name__)
        raise SignInRefused(reason) from None
    except Exception:  # malformed signature hex and the like
        raise SignInRefused("the signature does not match the address") from None

    user = session.get(User, parsed.address)
    if user is None:
        user = User(address=parsed.address, created_at=at, last_sign_in_at=at)
        session.add(user)
        session.flush()  # the session row refers to it
    else:
        user.last_sign_in_at = at
    token = secrets.token_urlsafe(32)
    expires_at = at + policy.session_ttl
    session.add(
        AuthSession(token_hash=_hash_token(token), address=parsed.address, created_at=at, expires_at=expires_at)
    )
    session.commit()
    return SignedIn(user=user, token=token, expires_at=expires_at)


def user_for_token(session: Session, *, token: str, at: datetime | None = None) -> User | None:
    """The user a session cookie belongs to, or None (unknown or expired session)."""
    record = session.get(AuthSession, _hash_token(token))
    if record is None or record.expires_at <= (at or now()):
        return None
    return session.get(User, record.address)


def session_owner(session: Session, token: str, at: datetime) -> str | None:
    """The address a session cookie belongs to at `at`, or None (what core/idempotency.py keys requests by)."""
    user = user_for_token(session, token=token, at=at)
    return None if user is None else user.address


def sign_out(session: Session, *, token: str) -> None:
    """Delete the server-side session: the cookie is worthless afterwards."""
    session.execute(delete(AuthSession).where(AuthSession.token_hash == _hash_token(token)))
    session.commit()
