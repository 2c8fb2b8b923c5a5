"""Test data: rows the indexer would write (chain_*), and off-chain objects built through the API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from eth_account import Account
from eth_account.messages import encode_typed_data
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend.app.core.escrow_terms import Milestone, Terms
from backend.app.models.chain import ChainFunding, ChainJob, ChainMilestone

TOKEN = "0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9"  # jUSD as `ape run deploy` deploys it on a fresh Anvil


def chain_job(
    session: Session,
    *,
    client: str,
    freelancer: str,
    amounts: list[int],
    released: int = 0,
    metadata_hash: str = "0x" + "00" * 32,
    token: str = TOKEN,
    chain_id: int = 31337,
    arbiter: str = "0x" + "a7" * 20,
) -> ChainJob:
    """A job as the indexer projects it: fully funded at creation, `released` milestones submitted and
    released after review (no platform fee), the rest funded; ended when every milestone is released."""
    job_id = (session.scalar(select(func.max(ChainJob.job_id)).where(ChainJob.chain_id == chain_id)) or 0) + 1
    now = datetime.now(UTC).replace(microsecond=0)
    duration = int(timedelta(days=30).total_seconds())
    terms = Terms(
        client=client,
        freelancer=freelancer,
        token=token,
        arbiter=arbiter,
        arbiter_fee_bps=0,
        platform_fee_bps=0,
        review_period=86_400,
        ruling_window=86_400,
        metadata_hash=metadata_hash,
        salt=job_id,
        offer_expiry=int(now.timestamp()),
        milestones=tuple(Milestone(amount, duration) for amount in amounts),
    )
    paid = sum(amounts[:released])
    ended = released == len(amounts)
    created_tx = "0x" + "ab" * 32
    job = ChainJob(
        chain_id=chain_id,
        job_id=job_id,
        escrow="0x" + "e5" * 20,
        client=client,
        freelancer=freelancer,
        token=token,
        arbiter=arbiter,
        arbiter_fee_bps=0,
        platform_fee_bps=0,
        review_period=86_400,
        ruling_window=86_400,
        metadata_hash=metadata_hash,
        terms_json=terms.dumps(),
        terms_hash="0x" + terms.struct_hash().hex(),
        milestone_count=len(amounts),
        funded_count=len(amounts),
        open_count=len(amounts) - released,
        total=sum(amounts),
        funded=sum(amounts),
        paid_to_freelancer=paid,
        refunded_to_client=0,
        arbiter_fees=0,
        platform_fees=0,
        nonce=released,
        status="ended" if ended else "active",
        settled=False,
        cancelled=False,
        client_rated=False,
        freelancer_rated=False,
        volume=paid if ended else None,
        reputation_recorded=True if ended else None,
        created_block=1,
        created_at=now,
        created_tx=created_tx,
        updated_block=1,
        ended_at=now if ended else None,
        ended_tx=None,
    )
    job.milestones = [
        ChainMilestone(
            chain_id=chain_id,
            job_id=job_id,
            index=i,
            amount=amount,
            duration=duration,
            deadline=now + timedelta(seconds=duration),
            state="released" if i < released else "funded",
            deliverable_hash="0x" + "d1" * 32 if i < released else None,
            submitted_at=now if i < released else None,
            review_end=now if i < released else None,
            to_freelancer=amount if i < released else None,
            to_client=0 if i < released else None,
            arbiter_fee=0 if i < released else None,
            platform_fee=0 if i < released else None,
            closed_at=now if i < released else None,
            closed_tx="0x" + "cd" * 32 if i < released else None,
        )
        for i, amount in enumerate(amounts)
    ]
    session.add(job)
    session.add(
        ChainFunding(
            chain_id=chain_id,
            tx_hash=created_tx,
            log_index=job_id,
            job_id=job_id,
            funder=client,
            amount=sum(amounts),
            first_milestone=0,
            funded_count=len(amounts),
            block_number=1,
            funded_at=now,
        )
    )
    session.commit()
    return job


def profile_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "display_name": "Li Wei",
        "bio": "I build **escrow** contracts.",
        "skills": ["Vyper", "Smart Contracts", "python"],
        "hourly_rate": "50000000",
        "rate_token": TOKEN,
        "links": ["https://github.com/liwei"],
        "availability": "available",
    }
    body.update(overrides)
    return body


def job_post_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title": "Logo for a tea shop",
        "description": "A **round** logo, two colours.",
        "category": "design",
        "skills": ["Logo Design", "Illustrator"],
        "budget": "300000000",
        "token": TOKEN,
        "deadline": None,
        "milestones": [{"title": "Sketches", "amount": "100000000"}, {"title": "Final", "amount": "200000000"}],
    }
    body.update(overrides)
    return body


def published_post(client: Any, **overrides: Any) -> dict[str, Any]:
    """A published listing created through the API by the signed-in `client` TestClient."""
    created = client.post("/api/job-posts", json=job_post_body(**overrides))
    assert created.status_code == 201, created.text
    published = client.post(f"/api/job-posts/{created.json()['id']}/publish")
    assert published.status_code == 200, published.text
    result: dict[str, Any] = published.json()
    return result


def proposal_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "cover_letter": "I have drawn forty logos for tea brands.",
        "milestones": [{"title": "Sketches", "amount": "1000000"}, {"title": "Final", "amount": "2000000"}],
    }
    body.update(overrides)
    return body


def offer_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title": "I will audit your Vyper contract",
        "description": "Line-by-line review.",
        "category": "development",
        "skills": ["Vyper", "Security Audit"],
        "token": TOKEN,
        "tiers": [
            {"name": "Basic", "delivery_days": 3, "milestones": [{"title": "Report", "amount": "1000000"}]},
            {
                "name": "Standard",
                "delivery_days": 7,
                "milestones": [{"title": "Report", "amount": "2000000"}, {"title": "Fixes", "amount": "1000000"}],
            },
        ],
    }
    body.update(overrides)
    return body


def sign_offer(offered: dict[str, Any], key: str) -> dict[str, Any]:
    """The consent a wallet with `key` gives to offered escrow terms (a `ConsentOut`): terms and EIP-712 signature."""
    signed = Account.sign_message(encode_typed_data(full_message=offered["typed_data"]), key)
    return {"terms": offered["terms"], "signature": "0x" + bytes(signed.signature).hex()}


def signed_proposal_body(freelancer: Any, post_id: int, key: str, **overrides: Any) -> dict[str, Any]:
    """A proposal body with its freelancer's consent to the terms the API offers for its plan."""
    body = proposal_body(**overrides)
    offered = freelancer.post(f"/api/job-posts/{post_id}/proposals/consent", json={"milestones": body["milestones"]})
    assert offered.status_code == 200, offered.text
    return {**body, "consent": sign_offer(offered.json(), key)}
