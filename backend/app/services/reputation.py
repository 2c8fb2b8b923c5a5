"""The on-chain record of an address, read only from the indexer's chain_* tables.

Extension points: the contracts are adding disputes and ratings (Reputation contract). When
the indexer projects them, fill `_disputes` and `_ratings`; the API shape already has the fields.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from backend.app.models.chain import ChainJob
from backend.app.schemas.profile import OnchainRecord, TokenAmount


def _per_token(totals: dict[str, int]) -> list[TokenAmount]:
    return [TokenAmount(token=token, amount=str(amount)) for token, amount in sorted(totals.items()) if amount]


def _disputes(session: Session, *, address: str) -> int | None:
    del session, address
    return None  # the escrow does not emit disputes yet


def _ratings(session: Session, *, address: str) -> tuple[int | None, float | None]:
    del session, address
    return None, None  # the Reputation contract is not indexed yet


def onchain_record(session: Session, *, address: str) -> OnchainRecord:
    """Jobs done and volume (sums in Python: uint256 does not fit SQLite's numbers)."""
    jobs = session.scalars(select(ChainJob).where(or_(ChainJob.freelancer == address, ChainJob.client == address)))
    done = active = as_client = 0
    earned: dict[str, int] = defaultdict(int)
    spent: dict[str, int] = defaultdict(int)
    for job in jobs:
        if job.freelancer == address:
            earned[job.token] += job.paid
            if job.funded > 0 and job.paid >= job.funded:
                done += 1
            else:
                active += 1
        if job.client == address:
            as_client += 1
            spent[job.token] += job.paid
    rating_count, rating_average = _ratings(session, address=address)
    return OnchainRecord(
        jobs_done=done,
        jobs_active=active,
        earned=_per_token(earned),
        jobs_as_client=as_client,
        spent=_per_token(spent),
        disputes=_disputes(session, address=address),
        rating_count=rating_count,
        rating_average=rating_average,
    )
