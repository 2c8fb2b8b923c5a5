"""The indexer's SQL writes: raw events, projections, recent block hashes and the checkpoint.

Everything here runs inside the caller's transaction (one per batch), and nothing here names a
particular event or projection table: those come from `indexer.handlers`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from backend.app.models.chain import ChainBlock, ChainEvent, IndexerCheckpoint
from indexer.abi import DecodedEvent, EventDecoder
from indexer.bulk import write_rows
from indexer.handlers import PROJECTION_TABLES, handler_for
from indexer.projection import Projection, RowCache

EVENTS = ChainEvent.__table__


def record_events(
    session: Session,
    chain_id: int,
    decoder: EventDecoder,
    events: Sequence[tuple[DecodedEvent, datetime]],
    cache: RowCache | None = None,
) -> int:
    """Store the new raw events (bulk) and apply their handlers in chain order; the number stored.

    An event already in `chain_events` (same chain, block hash and log index) is skipped with
    its handler, so replaying an indexed range changes nothing.
    """
    if not events:
        return 0
    low, high = events[0][0].block_number, events[-1][0].block_number
    known = set(
        session.execute(
            select(ChainEvent.block_hash, ChainEvent.log_index).where(
                ChainEvent.chain_id == chain_id, ChainEvent.block_number.between(low, high)
            )
        ).tuples()
    )
    new = [(event, time) for event, time in events if (event.block_hash, event.log_index) not in known]
    if not new:
        return 0
    write_rows(
        session,
        EVENTS,
        [
            {
                "chain_id": chain_id,
                "block_number": event.block_number,
                "block_hash": event.block_hash,
                "block_time": time,
                "tx_hash": event.tx_hash,
                "log_index": event.log_index,
                "contract": event.contract,
                "event_name": event.name,
                "args_json": decoder.args_json(event),
            }
            for event, time in new
        ],
    )
    apply_handlers(Projection(session, chain_id, PROJECTION_TABLES, cache), new)
    return len(new)


def apply_handlers(projection: Projection, events: Iterable[tuple[DecodedEvent, datetime]]) -> None:
    """Run each event's handler in order, then write the changed rows in bulk."""
    for event, time in events:
        handler = handler_for(event)
        if handler is not None:
            handler(projection, event, time)
    projection.flush()


def stored_events(session: Session, chain_id: int, decoder: EventDecoder, chunk: int = 5_000):
    """Every raw event of the chain in chain order, decoded back into handler arguments."""
    rows = session.execute(
        select(
            ChainEvent.contract,
            ChainEvent.event_name,
            ChainEvent.args_json,
            ChainEvent.block_number,
            ChainEvent.block_hash,
            ChainEvent.tx_hash,
            ChainEvent.log_index,
            ChainEvent.block_time,
        )
        .where(ChainEvent.chain_id == chain_id)
        .order_by(ChainEvent.block_number, ChainEvent.log_index)
        .execution_options(yield_per=chunk)
    )
    for contract, name, args_json, number, block_hash, tx_hash, log_index, time in rows:
        event = decoder.from_row(
            contract=contract,
            event_name=name,
            args_json=args_json,
            block_number=number,
            block_hash=block_hash,
            tx_hash=tx_hash,
            log_index=log_index,
        )
        yield event, time


def clear_projections(session: Session, chain_id: int) -> None:
    """Empty every projection table for the chain (children first)."""
    for table in reversed(PROJECTION_TABLES):
        session.execute(delete(table).where(table.c.chain_id == chain_id))
    session.expunge_all()


def rebuild_projections(
    source: Session, target: Session, chain_id: int, decoder: EventDecoder, batch: int = 2_000
) -> int:
    """Empty the projections in `target` and replay every raw event of `source` into them.

    `source` and `target` are the same session for a rollback, different ones for `verify`.
    """
    clear_projections(target, chain_id)
    projection = Projection(target, chain_id, PROJECTION_TABLES)
    replayed = 0
    pending: list[tuple[DecodedEvent, datetime]] = []
    events = stored_events(source, chain_id, decoder)
    for item in list(events) if source is target else events:  # a session cannot stream while it writes
        pending.append(item)
        if len(pending) >= batch:
            apply_handlers(projection, pending)
            replayed += len(pending)
            pending.clear()
    apply_handlers(projection, pending)
    return replayed + len(pending)


def rollback(session: Session, chain_id: int, decoder: EventDecoder, ancestor: ChainBlock) -> int:
    """Forget everything above `ancestor` (a reorg's common ancestor); the raw events removed.

    Projections are rebuilt from the remaining raw events when any were removed; the checkpoint
    moves to the ancestor.
    """
    removed = session.execute(
        delete(ChainEvent).where(ChainEvent.chain_id == chain_id, ChainEvent.block_number > ancestor.block_number)
    ).rowcount
    session.execute(
        delete(ChainBlock).where(ChainBlock.chain_id == chain_id, ChainBlock.block_number > ancestor.block_number)
    )
    if removed:
        rebuild_projections(session, session, chain_id, decoder)
    set_checkpoint(session, chain_id, ancestor.block_number, ancestor.block_hash, datetime.now().astimezone())
    return removed


def save_blocks(session: Session, chain_id: int, blocks: Sequence[tuple[int, str, str]], keep_from: int) -> None:
    """Remember (number, hash, parent hash) of recent blocks; forget those below `keep_from`."""
    if blocks:
        numbers = [number for number, _, _ in blocks]
        session.execute(delete(ChainBlock).where(ChainBlock.chain_id == chain_id, ChainBlock.block_number.in_(numbers)))
        session.execute(
            insert(ChainBlock.__table__),
            [{"chain_id": chain_id, "block_number": n, "block_hash": h, "parent_hash": p} for n, h, p in blocks],
        )
    session.execute(delete(ChainBlock).where(ChainBlock.chain_id == chain_id, ChainBlock.block_number < keep_from))


def recent_blocks(session: Session, chain_id: int) -> list[ChainBlock]:
    """The remembered blocks, newest first."""
    return list(
        session.scalars(
            select(ChainBlock).where(ChainBlock.chain_id == chain_id).order_by(ChainBlock.block_number.desc())
        )
    )


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


def delete_checkpoint(session: Session, chain_id: int) -> None:
    session.execute(delete(IndexerCheckpoint).where(IndexerCheckpoint.chain_id == chain_id))
