from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class ListingHashRequest(BaseModel):
    listing: dict[str, Any] = Field(description="The listing document to hash.")

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"listing": {"title": "Logo for a tea shop", "category": "design", "budget": "1000000000"}}]
        }
    )


class ListingHashOut(BaseModel):
    canonical_json: str
    metadata_hash: str

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "canonical_json": '{"budget":"1000000000","category":"design","title":"Logo for a tea shop"}',
                    "metadata_hash": "0x016b0f9f89299fe0085c3e5c6c742dd55a6710b59aa0d4cb312fc9f37ef71488",
                }
            ]
        }
    )
