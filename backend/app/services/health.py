"""What /health reports: the database, the chain and the indexer's lag."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from backend.app.models.chain import IndexerCheckpoint
from backend.app.schemas.health import ComponentHealth, Health, IndexerHealth
from backend.app.services.chain import ChainGateway
from backend.app.services.errors import DomainError

MAX_HEALTHY_LAG = 5  # blocks


def check(session: Session, chain: ChainGateway | DomainError) -> Health:
    try:
        session.execute(text("SELECT 1"))
        database = ComponentHealth(ok=True, detail=session.get_bind().dialect.name)
    except Exception as error:  # any driver error means "down"
        database = ComponentHealth(ok=False, detail=f"{type(error).__name__}: {error}")

    if isinstance(chain, DomainError):
        down = ComponentHealth(ok=False, detail=chain.detail)
        return Health(ok=False, database=database, chain=down, indexer=IndexerHealth(ok=False, detail="no chain"))
    try:
        head = chain.w3.eth.block_number
        chain_health = ComponentHealth(ok=True, detail=f"chain {chain.chain_id} at block {head}")
    except Exception as error:  # connection refused, timeout
        chain_health = ComponentHealth(ok=False, detail=f"RPC unreachable: {error}")
        head = None

    indexer = IndexerHealth(ok=False, detail="no checkpoint yet", head=head)
    if database.ok:
        checkpoint = session.get(IndexerCheckpoint, chain.chain_id)  # the indexer's row, read through the model
        if checkpoint is not None:
            lag = None if head is None else max(head - checkpoint.block_number, 0)
            indexer = IndexerHealth(
                ok=lag is not None and lag <= MAX_HEALTHY_LAG,
                detail=f"checkpoint at block {checkpoint.block_number}",
                head=head,
                checkpoint=checkpoint.block_number,
                lag=lag,
            )
    return Health(
        ok=database.ok and chain_health.ok and indexer.ok,
        database=database,
        chain=chain_health,
        indexer=indexer,
    )
