"""Test data: rows the indexer would write (chain_*), and off-chain objects built through the API."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend.app.models.chain import ChainJob, ChainMilestone

TOKEN = "0x5FbDB2315678afecb367f032d93F642f64180aa3"


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
) -> ChainJob:
    """A job as the indexer projects it: `released` milestones paid, the rest funded."""
    job_id = (session.scalar(select(func.max(ChainJob.job_id)).where(ChainJob.chain_id == chain_id)) or 0) + 1
    now = datetime.now(UTC)
    job = ChainJob(
        chain_id=chain_id,
        job_id=job_id,
        escrow="0x" + "e5" * 20,
        client=client,
        freelancer=freelancer,
        token=token,
        metadata_hash=metadata_hash,
        funded=sum(amounts),
        paid=sum(amounts[:released]),
        created_block=1,
        created_at=now,
        created_tx="0x" + "ab" * 32,
        updated_block=1,
    )
    job.milestones = [
        ChainMilestone(
            chain_id=chain_id,
            job_id=job_id,
            index=i,
            amount=amount,
            state="released" if i < released else "funded",
            released_at=now if i < released else None,
            released_tx=None,
        )
        for i, amount in enumerate(amounts)
    ]
    session.add(job)
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
