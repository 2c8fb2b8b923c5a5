"""The on-chain record matching weighs, for every address at once: paid jobs done (the escrow's projections, as
on the profile page) and the Reputation contract's jobs ended, disputes lost and ratings.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend.app.models.chain import ChainJob, ChainReputation
from backend.app.services.matching import scoring
from backend.app.services.matching.pools import Pool


@dataclass(frozen=True)
class Record:
    jobs_done: int = 0
    jobs_ended: int = 0
    disputes_lost: int = 0
    rating_average: float | None = None


def all_records(session: Session) -> dict[str, Record]:
    """Paid jobs done (escrow projections, as on the profile page) and the Reputation contract's stats."""
    done = dict(
        session.execute(
            select(ChainJob.freelancer, func.count())
            .where(ChainJob.status == "ended", ChainJob.paid_to_freelancer > 0, ChainJob.freelancer.is_not(None))
            .group_by(ChainJob.freelancer)
        ).all()
    )
    stats = {
        account: (int(ended or 0), int(lost or 0), int(count or 0), int(total or 0))
        for account, ended, lost, count, total in session.execute(
            select(
                ChainReputation.account,
                func.sum(ChainReputation.jobs_as_client + ChainReputation.jobs_as_freelancer),
                func.sum(ChainReputation.disputes_lost),
                func.sum(ChainReputation.rating_count),
                func.sum(ChainReputation.rating_sum),
            ).group_by(ChainReputation.account)
        )
    }
    records = {}
    for address in done.keys() | stats.keys():
        ended, lost, count, total = stats.get(address, (0, 0, 0, 0))
        records[address] = Record(
            jobs_done=int(done.get(address, 0)),
            jobs_ended=ended,
            disputes_lost=lost,
            rating_average=round(total / count, 2) if count else None,
        )
    return records


def record_arrays(pool: Pool, records: dict[str, Record]) -> tuple[np.ndarray, ...]:
    n = len(pool)
    done, ended, lost = np.zeros(n), np.zeros(n), np.zeros(n)
    rating = np.full(n, scoring.UNRATED)
    for address, record in records.items():
        row = pool.row_of.get(address)
        if row is not None:
            done[row], ended[row], lost[row] = record.jobs_done, record.jobs_ended, record.disputes_lost
            if record.rating_average is not None:
                rating[row] = record.rating_average
    return done, ended, lost, rating
