"""How notifications name people and listings: a display name where the profile has one, else a short address."""

from __future__ import annotations

from sqlalchemy.orm import Session

from backend.app.models.profile import Profile


def short_address(address: str) -> str:
    """0x70997970C51812dc3A010C7d01b50e0d17dc79C8 → 0x7099…79C8 (anything too short to shorten, as it is)."""
    return f"{address[:6]}…{address[-4:]}" if len(address) > 12 else address


def person(session: Session, address: str) -> str:
    """The profile's display name; a short address when there is no profile, or a moderator hid it."""
    profile = session.get(Profile, address)
    if profile is None or profile.hidden or not profile.display_name.strip():
        return short_address(address)
    return profile.display_name


def quoted(title: str) -> str:
    return f"“{title}”"
