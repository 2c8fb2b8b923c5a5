"""What /health answers: each part's state, and overall ok only when every part is."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

EXAMPLE_DATABASE = {"ok": True, "detail": "postgresql"}
EXAMPLE_CHAIN = {"ok": True, "detail": "chain 31337 at block 131"}
EXAMPLE_INDEXER = {"ok": True, "detail": "checkpoint at block 129", "head": 131, "checkpoint": 129, "lag": 2}


class ComponentHealth(BaseModel):
    ok: bool
    detail: str

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE_DATABASE, EXAMPLE_CHAIN]})


class IndexerHealth(ComponentHealth):
    head: int | None = None
    checkpoint: int | None = None
    lag: int | None = None

    model_config = ConfigDict(
        json_schema_extra={"examples": [EXAMPLE_INDEXER, {"ok": False, "detail": "no checkpoint yet", "head": 131}]}
    )


class Health(BaseModel):
    ok: bool
    database: ComponentHealth
    chain: ComponentHealth
    indexer: IndexerHealth

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"ok": True, "database": EXAMPLE_DATABASE, "chain": EXAMPLE_CHAIN, "indexer": EXAMPLE_INDEXER}]
        }
    )
