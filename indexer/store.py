"""The indexer's SQL writes: raw events, projections and the checkpoint, in one transaction."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.app.models.chain import ChainEvent, IndexerCheckpoint
from indexer.abi import DecodedEvent
from indexer.handlers import HANDLERS


def _jsonable(value: Any) -> Any:
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 2**53:
        return str(value)  # exact in JSON, whatever the reader
    return value


def record_event(session: Session, chain_id: int, event: DecodedEvent, block_time: datetime) -> bool:
    """Store the raw event and apply its handler; False if it was already stored."""
    known = session.scalar(
        select(ChainEvent.id).where(
            ChainEvent.chain_id == chain_id,
            ChainEvent.block_hash == event.block_hash,
            ChainEvent.log_index == event.log_index,
        )
    )
    if known is not None:
        return False
    session.add(
        ChainEvent(
            chain_id=chain_id,
            block_number=event.block_number,
            block_hash=event.block_hash,
            block_time=block_time,
            tx_hash=event.tx_hash,
            log_index=event.log_index,
            contract=event.contract,
            event_name=event.name,
            args_json=json.dumps({key: _jsonable(value) for key, value in event.args.items()}),
        )
    )
    handler = HANDLERS.get(event.name)
    if handler is not None:
        handler(session, chain_id, event, block_time)
        session.flush()
    return True


def get_checkpoint(session: Session, chain_id: int) -> IndexerCheckpoint | None:
    return session.get(IndexerCheckpoint, chain_id)


def set_checkpoint(session: Session, chain_id: int, block_number: int, block_hash: str, now: datetime) -> None:
    checkpoint = session.get(IndexerCheckpoint, chain_id)
    if checkpoint is None:
        session.add(
            IndexerCheckpoint(chain_id=chain_id, block_number=block_number, block_hash=block_hash, updated_at=now)
        )
    else:
        checkpoint.block_number = block_number
        checkpoint.block_hash = block_hash
        checkpoint.updated_at = now
