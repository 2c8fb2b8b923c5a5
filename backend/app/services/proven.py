"""Proven skills: the address was paid for jobs whose on-chain metadata hash matches a listing with that tag.

The listing sources register here (`LISTING_SOURCES`): job posts now; service-offer orders once added.
"""

from __future__ import annotations

from sqlalchemy.orm import Session


def proven_skills(session: Session, *, address: str) -> list[tuple[str, int]]:
    """(tag, number of paid jobs) for `address` as freelancer, most proven first."""
    del session, address
    return []  # no off-chain listing carries tags yet
