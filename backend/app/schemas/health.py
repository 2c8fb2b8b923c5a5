from __future__ import annotations

from pydantic import BaseModel


class ComponentHealth(BaseModel):
    ok: bool
    detail: str


class IndexerHealth(ComponentHealth):
    head: int | None = None
    checkpoint: int | None = None
    lag: int | None = None


class Health(BaseModel):
    ok: bool
    database: ComponentHealth
    chain: ComponentHealth
    indexer: IndexerHealth
