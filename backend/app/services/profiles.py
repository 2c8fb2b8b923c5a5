"""Profiles: written by their owner; record and proven skills computed from the chain tables."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from eth_utils import is_address, to_checksum_address
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.app.models.profile import Category, Profile, ProfileSkill
from backend.app.schemas.profile import ProfileIn, ProfileOut, ProvenSkill
from backend.app.services import markdown, proven, reputation, search
from backend.app.services.errors import NotFound
from backend.app.services.skills import normalise_tags


def list_categories(session: Session) -> Sequence[Category]:
    return session.scalars(select(Category).order_by(Category.position)).all()


def category_exists(session: Session, *, slug: str) -> bool:
    return session.get(Category, slug) is not None


def upsert_profile(session: Session, *, address: str, data: ProfileIn) -> Profile:
    """Create or replace the caller's profile (the address comes from the session, never from the body)."""
    now = datetime.now(UTC)
    tags = normalise_tags(data.skills)
    profile = session.get(Profile, address)
    if profile is None:
        profile = Profile(address=address, created_at=now, hidden=False)
        session.add(profile)
    profile.display_name = data.display_name.strip()
    profile.bio = data.bio
    profile.hourly_rate = None if data.hourly_rate is None else int(data.hourly_rate)
    profile.rate_token = data.rate_token
    profile.links = [str(link) for link in data.links]
    profile.availability = data.availability
    profile.updated_at = now
    profile.skills = [ProfileSkill(address=address, tag=tag) for tag in tags]
    session.flush()
    search.index_profile(session, profile)
    session.commit()
    return profile


def get_profile(session: Session, *, address: str) -> Profile:
    if not is_address(address):
        raise NotFound(f"{address!r} is not an address")
    profile = session.get(Profile, to_checksum_address(address))
    if profile is None or profile.hidden:
        raise NotFound(f"no profile for {address}")
    return profile


def profile_out(session: Session, profile: Profile) -> ProfileOut:
    return ProfileOut(
        address=profile.address,
        display_name=profile.display_name,
        bio=profile.bio,
        bio_html=markdown.render(profile.bio),
        skills=[skill.tag for skill in profile.skills],
        proven_skills=[
            ProvenSkill(tag=tag, jobs=count) for tag, count in proven.proven_skills(session, address=profile.address)
        ],
        hourly_rate=None if profile.hourly_rate is None else str(profile.hourly_rate),
        rate_token=profile.rate_token,
        links=profile.links,
        availability=profile.availability,  # type: ignore[arg-type]
        record=reputation.onchain_record(session, address=profile.address),
        updated_at=profile.updated_at,
    )
