"""The on-chain record of an address, read only from the indexer's chain_* tables.

Jobs and volume come from the escrow's job projections (live: they include running jobs);
disputes and ratings from the Reputation contract's record (`chain_reputation`, written when a
job ends and when a party rates), which is the record of truth that travels with the wallet.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from backend.app.models.chain import ChainJob, ChainReputation
from backend.app.schemas.profile import OnchainRecord, TokenAmount


def _per_token(totals: dict[str, int]) -> list[TokenAmount]:
    return [TokenAmount(token=token, amount=str(amount)) for token, amount in sorted(totals.items()) if amount]


def _record(session: Session, *, address: str) -> ChainReputation | None:
    return session.scalars(select(ChainReputation).where(ChainReputation.account == address)).first()


def _disputes(record: ChainReputation | None) -> int:
    """Disputes the address opened in its ended jobs (the Reputation contract's count)."""
    return 0 if record is None else record.disputes_opened


def _ratings(record: ChainReputation | None) -> tuple[int, float | None]:
    if record is None or record.rating_count == 0:
        return 0, None
    return record.rating_count, round(record.rating_sum / record.rating_count, 2)


def onchain_record(session: Session, *, address: str) -> OnchainRecord:
    """Jobs done and volume (sums in Python: uint256 does not fit SQLite's numbers)."""
    jobs = session.scalars(select(ChainJob).where(or_(ChainJob.freelancer == address, ChainJob.client == address)))
    done = active = as_client = 0
    earned: dict[str, int] = defaultdict(int)
    spent: dict[str, int] = defaultdict(int)
    for job in jobs:
        if job.freelancer == address:
            earned[job.token] += job.paid_to_freelancer
            if job.status == "ended":
                done += 1 if job.paid_to_freelancer > 0 else 0
            else:
                active += 1
        if job.client == address:
            as_client += 1
            spent[job.token] += job.paid_to_freelancer
    record = _record(session, address=address)
    rating_count, rating_average = _ratings(record)
    return OnchainRecord(
        jobs_done=done,
        jobs_active=active,
        earned=_per_token(earned),
        jobs_as_client=as_client,
        spent=_per_token(spent),
        disputes=_disputes(record),
        disputes_won=None if record is None else record.disputes_won,
        disputes_lost=None if record is None else record.disputes_lost,
        rating_count=rating_count,
        rating_average=rating_average,
        counterparties=None if record is None else record.counterparties,
    )
