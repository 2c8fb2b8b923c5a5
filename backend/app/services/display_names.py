"""How the marketplace names people and listings: a display name where the profile has one, else a short
address (pages, notifications and messages alike)."""

from __future__ import annotations

from collections.abc import Iterable

from eth_utils import is_address, to_checksum_address
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.app.models.profile import Profile


def short_address(address: str) -> str:
    """0x70997970C51812dc3A010C7d01b50e0d17dc79C8 → 0x7099…79C8 (anything too short to shorten, as it is)."""
    return f"{address[:6]}…{address[-4:]}" if len(address) > 12 else address


def person(session: Session, address: str) -> str:
    """The profile's display name; a short address when there is no profile, or a moderator hid it."""
    return people(session, [address])[address]


def people(session: Session, addresses: Iterable[str]) -> dict[str, str]:
    """`person` for many addresses, in one query: each address as given → its name (an address matches its
    profile in any letter case)."""
    wanted = set(addresses)
    checksummed = {a: to_checksum_address(a) for a in wanted if is_address(a)}
    shown = {}
    if checksummed:
        query = select(Profile.address, Profile.display_name).where(
            Profile.address.in_(set(checksummed.values())), Profile.hidden.is_(False)
        )
        shown = {address: name for address, name in session.execute(query) if name.strip()}
    return {a: shown.get(checksummed.get(a, "")) or short_address(a) for a in wanted}


def quoted(title: str) -> str:
    return f"“{title}”"


def listing(titles: dict[int, str], post_id: int) -> str:
    """A listing as a sentence names it: its title in quotes, or "job post N" when the reader may not see it
    (`titles` as job_posts.titles gives them)."""
    title = titles.get(post_id)
    return f"job post {post_id}" if title is None else quoted(title)
