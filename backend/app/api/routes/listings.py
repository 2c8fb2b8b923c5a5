"""Canonical JSON and metadata hash of a listing."""

from __future__ import annotations

from fastapi import APIRouter

from backend.app.api.problem_responses import PROBLEM_RESPONSES
from backend.app.schemas.listing import ListingHashOut, ListingHashRequest
from backend.app.services.listing_hash import canonical_json, metadata_hash

router = APIRouter(responses=PROBLEM_RESPONSES, prefix="/api/listings", tags=["listings"])


@router.post("/hash", response_model=ListingHashOut)
def hash_listing(request: ListingHashRequest) -> ListingHashOut:
    """The canonical JSON of a listing and the keccak256 that goes on-chain with the job."""
    return ListingHashOut(canonical_json=canonical_json(request.listing), metadata_hash=metadata_hash(request.listing))
