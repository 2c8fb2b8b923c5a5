"""Profiles and categories."""

from __future__ import annotations

from fastapi import APIRouter

from backend.app.api.deps import CurrentUser, SessionDep
from backend.app.api.problem_responses import PROBLEM_RESPONSES
from backend.app.schemas.profile import CategoryOut, ProfileIn, ProfileOut
from backend.app.services import profiles

router = APIRouter(responses=PROBLEM_RESPONSES, prefix="/api", tags=["profiles"])


@router.get("/categories", response_model=list[CategoryOut])
def list_categories(session: SessionDep) -> list[CategoryOut]:
    """The niches jobs and offers are filed under (anyone)."""
    return [CategoryOut(slug=c.slug, name=c.name) for c in profiles.list_categories(session)]


@router.put("/me/profile", response_model=ProfileOut)
def put_my_profile(body: ProfileIn, user: CurrentUser, session: SessionDep) -> ProfileOut:
    """Create or replace the signed-in wallet's profile."""
    profile = profiles.upsert_profile(session, address=user.address, data=body)
    return profiles.profile_out(session, profile)


@router.get("/me/profile", response_model=ProfileOut)
def get_my_profile(user: CurrentUser, session: SessionDep) -> ProfileOut:
    return profiles.profile_out(session, profiles.get_profile(session, address=user.address))


@router.get("/profiles/{address}", response_model=ProfileOut)
def get_profile(address: str, session: SessionDep) -> ProfileOut:
    """A public profile with its on-chain record and proven skills (anyone)."""
    return profiles.profile_out(session, profiles.get_profile(session, address=address))
