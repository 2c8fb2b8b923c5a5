from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class ListingHashRequest(BaseModel):
    listing: dict[str, Any] = Field(description="The listing document to hash.")


class ListingHashOut(BaseModel):
    canonical_json: str
    metadata_hash: str
