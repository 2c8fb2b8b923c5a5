"""Compare the indexer's projection with the contracts' own views: every job and milestone
(`get_job`), the terms commitment (`terms_hash` against `terms_json`), credits (`credits`), fees
(`fees_accrued`), settings, owners and every address's reputation (`stats`, `volume`), plus the
escrow's token balances (conservation)."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import UTC, datetime

from eth_abi import abi as eth_abi
from eth_utils import keccak
from sqlalchemy import select
from sqlalchemy.orm import Session
from web3 import Web3
from web3.contract import Contract

from backend.app.models.chain import (
    ChainContractOwner,
    ChainCreditBalance,
    ChainEscrowFees,
    ChainEscrowSettings,
    ChainJob,
    ChainReputation,
    ChainReputationVolume,
)
from backend.app.services.chain import ChainGateway

TERMS_TYPE = "(address,uint256,uint256,uint256,uint256,(uint256,uint256)[])"
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
}
ZERO = "0x0000000000000000000000000000000000000000"


def _ts(value: datetime | None) -> int:
    return 0 if value is None else int(value.astimezone(UTC).timestamp())


def terms_hash(terms_json: str) -> bytes:
    """The escrow's 160-bit commitment to a job's terms, computed from the projected terms_json."""
    terms = json.loads(terms_json)
    encoded = eth_abi.encode(
        [TERMS_TYPE],
        [
            (
                terms["arbiter"],
                terms["arbiter_fee_bps"],
                terms["platform_fee_bps"],
                terms["review_period"],
                terms["ruling_window"],
                [(int(m["amount"]), m["deadline"]) for m in terms["milestones"]],
            )
        ],
    )
    return (int.from_bytes(keccak(encoded), "big") >> 96).to_bytes(20, "big")


def _expected_open_state(job: ChainJob, index: int) -> str:
    if index >= job.funded_count:
        return "cancelled" if (job.cancelled or job.settled) else "unfunded"
    return "settled" if job.settled else "funded"


def assert_job_matches(job: ChainJob, view: tuple) -> None:
    (
        client,
        freelancer,
        token,
        arbiter_fee_bps,
        ruling_window,
        milestone_count,
        funded_count,
        open_count,
        nonce,
        settled,
        cancelled,
        ended,
        client_rated,
        freelancer_rated,
        commitment,
        milestones,
    ) = view
    where = f"job {job.job_id}"
    assert (job.client, job.freelancer, job.token) == (client, freelancer, token), where
    assert (job.arbiter_fee_bps, job.ruling_window) == (arbiter_fee_bps, ruling_window), where
    assert (job.milestone_count, job.funded_count, job.open_count) == (milestone_count, funded_count, open_count), where
    assert job.nonce == nonce, where
    assert (job.settled, job.cancelled, job.status == "ended") == (settled, cancelled, ended), where
    assert (job.client_rated, job.freelancer_rated) == (client_rated, freelancer_rated), where
    assert terms_hash(job.terms_json) == bytes(commitment), where
    schedule = json.loads(job.terms_json)["milestones"]
    assert len(job.milestones) == len(milestones) == len(schedule), where
    for row, m, planned in zip(job.milestones, milestones, schedule, strict=True):
        status, amount, fee_bps, review_end, ruling_end, disputer, ruling_bps = m
        here = f"{where} milestone {row.index} ({row.state})"
        assert (row.amount, _ts(row.deadline)) == (int(planned["amount"]), planned["deadline"]), here
        if status == 0:
            assert row.state == _expected_open_state(job, row.index), here
        elif job.settled and status in (1, 2):
            assert row.state == "settled", here
        else:
            assert row.state == STATUS[status], here
        if amount:
            assert row.amount == amount, here
        if status not in (0, 5, 8, 9):  # these words may carry no fee: open, reclaimed, closed by settle/cancel
            assert fee_bps == job.platform_fee_bps, here
        assert _ts(row.review_end) == review_end, here
        assert _ts(row.ruling_end) == ruling_end, here
        assert row.disputed_by == {0: None, 1: job.client, 2: job.freelancer}[disputer], here
        if status in (6, 7):
            assert row.ruling_bps == ruling_bps, here
        if row.state in ("approved", "released", "reclaimed", "resolved", "default_ruled"):
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
        assert_job_matches(job, escrow.functions.get_job(job.job_id).call())

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
        for token in tokens:
            volume = volumes.get((account, token))
            expected = (0, 0) if volume is None else (volume.as_client, volume.as_freelancer)
            assert expected == tuple(reputation.functions.volume(account, token).call()), (account, token)
    return len(jobs)
