"""One small function per contract event, projecting it into the chain_* tables.

A handler runs only when its event is new to `chain_events` (see `indexer.store`), so
replaying a block range applies no event twice. Handlers run in chain order (block, log index)
and must depend on nothing but the event, its block time and the projection tables: the same
registry rebuilds every projection from `chain_events` (after a reorg, and in `verify`).

Adding an event and its projection table (see indexer/README.md):
1. the model in `backend/app/models/chain.py` (with a `chain_id` column) and an Alembic revision;
2. its table in `PROJECTION_TABLES` below, parents before children (rollback, rebuild and
   verify then cover it; nothing else in the indexer names a table or an event);
3. `@handles("EventName")` (or `"Contract.EventName"` when two contracts share an event name)
   on a function `(projection, event, block_time) -> None` that reads and writes rows through
   `projection.get/insert/update/delete` (see `indexer.projection`), never through SQL;
4. a new contract: its name in `FOLLOWED_CONTRACTS`; the address comes from the deployments file.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import Table

from backend.app.models.chain import ChainJob, ChainMilestone
from indexer.abi import DecodedEvent
from indexer.projection import Projection

Handler = Callable[[Projection, DecodedEvent, datetime], None]
HANDLERS: dict[str, Handler] = {}

# Contracts of the deployment whose events are indexed (names as in the deployments file and
# the build manifest); those missing from a deployment are skipped.
FOLLOWED_CONTRACTS: tuple[str, ...] = ("Escrow", "Reputation")

JOBS: Table = ChainJob.__table__  # type: ignore[assignment]
MILESTONES: Table = ChainMilestone.__table__  # type: ignore[assignment]

# Every table the handlers write, parents before children. Rollback and rebuild empty them
# (children first) for the chain and replay chain_events; verify compares them row by row.
PROJECTION_TABLES: list[Table] = [JOBS, MILESTONES]


def handles(event_name: str) -> Callable[[Handler], Handler]:
    """Register a handler for `EventName` (any followed contract) or `Contract.EventName`."""

    def register(handler: Handler) -> Handler:
        HANDLERS[event_name] = handler
        return handler

    return register


def handler_for(event: DecodedEvent) -> Handler | None:
    return HANDLERS.get(f"{event.contract_name}.{event.name}") or HANDLERS.get(event.name)


def _hex32(value: bytes) -> str:
    return "0x" + value.hex()


@handles("JobCreated")
def job_created(projection: Projection, event: DecodedEvent, block_time: datetime) -> None:
    args = event.args
    projection.insert(
        JOBS,
        job_id=args["job_id"],
        escrow=event.contract,
        client=args["client"],
        freelancer=args["freelancer"],
        token=args["token"],
        metadata_hash=_hex32(args["metadata_hash"]),
        funded=0,
        paid=0,
        created_block=event.block_number,
        created_at=block_time,
        created_tx=event.tx_hash,
        updated_block=event.block_number,
    )
    for index, amount in enumerate(args["amounts"]):
        projection.insert(MILESTONES, job_id=args["job_id"], index=index, amount=amount, state="funded")


@handles("JobFunded")
def job_funded(projection: Projection, event: DecodedEvent, _block_time: datetime) -> None:
    job = projection.get_one(JOBS, event.args["job_id"])
    projection.update(
        JOBS, event.args["job_id"], funded=job["funded"] + event.args["amount"], updated_block=event.block_number
    )


@handles("MilestoneReleased")
def milestone_released(projection: Projection, event: DecodedEvent, block_time: datetime) -> None:
    args = event.args
    projection.update(
        MILESTONES,
        args["job_id"],
        args["milestone"],
        state="released",
        released_at=block_time,
        released_tx=event.tx_hash,
    )
    job = projection.get_one(JOBS, args["job_id"])
    projection.update(JOBS, args["job_id"], paid=job["paid"] + args["amount"], updated_block=event.block_number)
