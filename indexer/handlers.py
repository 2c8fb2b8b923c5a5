"""One small function per contract event, projecting it into the chain_* tables.

A handler runs only when its event is new to `chain_events` (see `indexer.store`), so
replaying a block range applies no event twice.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session

from backend.app.models.chain import ChainJob, ChainMilestone
from indexer.abi import DecodedEvent

Handler = Callable[[Session, int, DecodedEvent, datetime], None]
HANDLERS: dict[str, Handler] = {}


def handles(event_name: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        HANDLERS[event_name] = handler
        return handler

    return register


def _hex32(value: bytes) -> str:
    return "0x" + value.hex()


@handles("JobCreated")
def job_created(session: Session, chain_id: int, event: DecodedEvent, block_time: datetime) -> None:
    args = event.args
    job = ChainJob(
        chain_id=chain_id,
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
        milestones=[
            ChainMilestone(chain_id=chain_id, job_id=args["job_id"], index=index, amount=amount, state="funded")
            for index, amount in enumerate(args["amounts"])
        ],
    )
    session.merge(job)


@handles("JobFunded")
def job_funded(session: Session, chain_id: int, event: DecodedEvent, _block_time: datetime) -> None:
    job = session.get_one(ChainJob, (chain_id, event.args["job_id"]))
    job.funded += event.args["amount"]
    job.updated_block = event.block_number


@handles("MilestoneReleased")
def milestone_released(session: Session, chain_id: int, event: DecodedEvent, block_time: datetime) -> None:
    args = event.args
    milestone = session.get_one(ChainMilestone, (chain_id, args["job_id"], args["milestone"]))
    milestone.state = "released"
    milestone.released_at = block_time
    milestone.released_tx = event.tx_hash
    job = milestone.job
    job.paid += args["amount"]
    job.updated_block = event.block_number
