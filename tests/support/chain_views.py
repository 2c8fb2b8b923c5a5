"""Compare the indexer's projection with the contracts' own views: every job and milestone
(`get_job`), the current terms (`terms_json` hashes to `terms_hash`, the job's `terms_hash_of`),
credits (`credits`), fees (`fees_accrued`), settings, owners and every address's reputation (`stats`,
`volume`, `counterparties`, `jobs_together`, the writers and their pending changes), plus the
escrow's token balances (conservation)."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from itertools import combinations

from sqlalchemy import select
from sqlalchemy.orm import Session
from web3 import Web3
from web3.contract import Contract

from backend.app.core.escrow_terms import Terms
from backend.app.models.chain import (
    ChainContractOwner,
    ChainCreditBalance,
    ChainEscrowFees,
    ChainEscrowSettings,
    ChainJob,
    ChainReputation,
    ChainReputationEscrow,
    ChainReputationPair,
    ChainReputationVolume,
)
from backend.app.services.chain import ChainGateway

STATUS = {
    1: "submitted",
    2: "disputed",
    3: "approved",
    4: "released",
    5: "reclaimed",
    6: "resolved",
    7: "default_ruled",
    8: "settled",
    9: "cancelled",
    10: "deducted",
}
ZERO = "0x0000000000000000000000000000000000000000"


def _ts(value: datetime | None) -> int:
    return 0 if value is None else int(value.astimezone(UTC).timestamp())


def assert_job_matches(job: ChainJob, view: tuple, escrow: Contract) -> None:
    (
        milestone_count,
        funded_count,
        open_count,
        nonce,
        start,
        settled,
        cancelled,
        ended,
        paid,
        client_rated,
        freelancer_rated,
        milestones,
    ) = view
    where = f"job {job.job_id}"
    terms = Terms.loads(job.terms_json)
    assert "0x" + terms.struct_hash().hex() == job.terms_hash, where
    assert "0x" + escrow.functions.hash_terms(terms.as_abi()).call().hex() == job.terms_hash, where
    current = "0x" + escrow.functions.terms_hash_of(job.job_id).call().hex()
    assert current == job.terms_hash, f"{where}: its terms are not current"
    assert escrow.functions.consent_used(terms.freelancer, terms.salt).call(), f"{where}: its consent is not used"
    assert (job.client, job.freelancer, job.token, job.arbiter) == (
        terms.client,
        terms.freelancer,
        terms.token,
        terms.arbiter,
    ), where
    assert (job.arbiter_fee_bps, job.ruling_window) == (terms.arbiter_fee_bps, terms.ruling_window), where
    assert _ts(job.created_at) == start, where
    assert (job.milestone_count, job.funded_count, job.open_count) == (milestone_count, funded_count, open_count), where
    assert job.nonce == nonce, where
    assert (job.settled, job.cancelled, job.status == "ended") == (settled, cancelled, ended), where
    assert (job.client_rated, job.freelancer_rated) == (client_rated, freelancer_rated), where
    assert paid == (job.status == "ended" and (job.volume or 0) > 0), where  # what makes the job ratable
    assert job.total == terms.total, where
    assert len(job.milestones) == len(milestones) == len(terms.milestones), where
    for row, m, planned in zip(job.milestones, milestones, terms.milestones, strict=True):
        status, review_end, ruling_end, disputer, ruling_bps = m
        here = f"{where} milestone {row.index} ({row.state})"
        assert (row.amount, row.duration) == (planned.amount, planned.duration), here
        assert _ts(row.deadline) == terms.deadline(start, row.index), here
        if status == 0:
            assert row.state == ("funded" if row.index < funded_count else "unfunded"), here
        else:
            assert row.state == STATUS[status], here
        assert _ts(row.review_end) == review_end, here
        assert _ts(row.ruling_end) == ruling_end, here
        assert row.disputed_by == {0: None, 1: job.client, 2: job.freelancer}[disputer], here
        if status in (6, 7, 10):
            assert row.ruling_bps == ruling_bps, here
        if row.state in ("approved", "released", "reclaimed", "resolved", "default_ruled", "deducted"):
            assert row.to_freelancer + row.to_client + row.arbiter_fee + row.platform_fee == row.amount, here
            assert row.closed_tx is not None, here


def assert_projection_matches_chain(session: Session, gateway: ChainGateway, w3: Web3, reputation: Contract) -> int:
    """Assert every projected row equals the contracts' views; returns the number of jobs checked."""
    escrow = gateway.escrow
    chain_id = gateway.chain_id
    jobs = session.scalars(select(ChainJob).where(ChainJob.chain_id == chain_id).order_by(ChainJob.job_id)).all()
    count = escrow.functions.job_count().call()
    assert [job.job_id for job in jobs] == list(range(1, count + 1))
    for job in jobs:
        assert_job_matches(job, escrow.functions.get_job(job.job_id).call(), escrow)

    # conservation per token: the escrow holds deposits - payouts - collected fees + credits not withdrawn
    held: dict[str, int] = defaultdict(int)
    for job in jobs:
        held[job.token] += job.funded - job.paid_to_freelancer - job.refunded_to_client - job.arbiter_fees
    balances = session.scalars(select(ChainCreditBalance).where(ChainCreditBalance.chain_id == chain_id)).all()
    for balance in balances:
        assert balance.credited - balance.withdrawn == escrow.functions.credits(balance.token, balance.account).call()
        held[balance.token] += balance.credited - balance.withdrawn
    fees = session.scalars(select(ChainEscrowFees).where(ChainEscrowFees.chain_id == chain_id)).all()
    for row in fees:
        assert row.accrued - row.collected == escrow.functions.fees_accrued(row.token).call(), row.token
    collected = {row.token: row.collected for row in fees}
    for token, amount in held.items():
        if token == ZERO:
            balance = w3.eth.get_balance(escrow.address)
        else:
            balance = w3.eth.contract(address=token, abi=gateway.token.abi).functions.balanceOf(escrow.address).call()
        # platform fees stay in the escrow until collected (a collection that failed is a credit, counted above)
        assert balance == amount - collected.get(token, 0), f"conservation of {token}"

    settings = session.get_one(ChainEscrowSettings, (chain_id, escrow.address))
    assert settings.platform_fee_bps == escrow.functions.platform_fee_bps().call()
    assert settings.fee_recipient == escrow.functions.fee_recipient().call()
    assert settings.paused == escrow.functions.paused().call()
    for contract in (escrow, reputation):
        owner = session.get_one(ChainContractOwner, (chain_id, contract.address))
        assert owner.owner == contract.functions.owner().call()
        assert (owner.pending_owner or ZERO) == contract.functions.pending_owner().call()

    accounts = {job.client for job in jobs} | {job.freelancer for job in jobs}
    records = {
        row.account: row
        for row in session.scalars(select(ChainReputation).where(ChainReputation.chain_id == chain_id)).all()
    }
    assert set(records) <= accounts
    volumes = {
        (row.account, row.token): row
        for row in session.scalars(select(ChainReputationVolume).where(ChainReputationVolume.chain_id == chain_id))
    }
    tokens = {job.token for job in jobs}
    for account in accounts:
        stats = reputation.functions.stats(account).call()
        row = records.get(account)
        projected = (
            (0,) * 7
            if row is None
            else (
                row.jobs_as_client,
                row.jobs_as_freelancer,
                row.disputes_opened,
                row.disputes_won,
                row.disputes_lost,
                row.rating_count,
                row.rating_sum,
            )
        )
        assert projected == tuple(stats), account
        assert (0 if row is None else row.counterparties) == reputation.functions.counterparties(account).call()
        for token in tokens:
            volume = volumes.get((account, token))
            expected = (0, 0) if volume is None else (volume.as_client, volume.as_freelancer)
            assert expected == tuple(reputation.functions.volume(account, token).call()), (account, token)
    pairs = {
        (row.account_a, row.account_b): row.jobs
        for row in session.scalars(select(ChainReputationPair).where(ChainReputationPair.chain_id == chain_id))
    }
    for a, b in combinations(sorted(accounts), 2):
        low, high = (a, b) if int(a, 16) < int(b, 16) else (b, a)
        assert pairs.get((low, high), 0) == reputation.functions.jobs_together(a, b).call(), (a, b)
    writers = session.scalars(select(ChainReputationEscrow).where(ChainReputationEscrow.chain_id == chain_id)).all()
    assert escrow.address in {row.escrow for row in writers}
    for row in writers:
        assert row.reputation == reputation.address
        assert row.registered == reputation.functions.is_escrow(row.escrow).call(), row.escrow
        allowed, effective_at = reputation.functions.pending_escrow_change(row.escrow).call()
        assert (row.pending_allowed, _ts(row.pending_effective_at)) == (
            (allowed, effective_at) if effective_at else (None, 0)
        ), row.escrow
    return len(jobs)
