"""The API's view of an indexed job: its current terms, money figures, milestone states, disputes,
ratings and credits, all read from the indexer's tables after real transactions."""

from __future__ import annotations

from indexer.main import Indexer
from tests.support import activity as act
from tests.support.chain import wallet


def test_job_out__a_disputed_and_rated_job__every_figure_from_the_projection(settings, gateway, local_chain, db, api):
    from backend.app.services import chain_jobs

    w3 = local_chain.w3
    job_id = act.create_job(gateway, w3, [3 * act.UNIT, 5 * act.UNIT, 7 * act.UNIT], "service test", fund_count=2)
    act.submit(gateway, w3, job_id, 0)
    act.dispute(gateway, w3, job_id, 0, by="client")
    act.resolve(gateway, w3, job_id, 0, 6_000)
    act.pay(gateway, w3, job_id, 1)
    act.cancel_unfunded(gateway, w3, job_id)
    act.rate(gateway, w3, job_id, 4, by="client")
    Indexer(settings).catch_up()

    job = chain_jobs.get_job(db, chain_id=gateway.chain_id, job_id=job_id)
    assert chain_jobs.job_terms(job) == act.terms_of(gateway, job_id)  # the terms every call presents
    out = chain_jobs.job_out(job)
    assert [m.state for m in out.milestones] == ["resolved", "approved", "cancelled"]
    assert (out.status, out.cancelled, out.settled, out.client_rated, out.freelancer_rated) == (
        "ended",
        True,
        False,
        True,
        False,
    )
    assert (out.total, out.funded, out.in_escrow) == (str(15 * act.UNIT), str(8 * act.UNIT), "0")
    arbiter_fee = 3 * act.UNIT * 500 // 10_000
    assert out.arbiter_fees == str(arbiter_fee)
    resolved = out.milestones[0]
    assert (resolved.ruling_bps, resolved.disputed_by, resolved.arbiter_fee) == (
        6_000,
        wallet("client"),
        out.arbiter_fees,
    )
    paid = int(out.paid_to_freelancer) + int(out.refunded_to_client) + int(out.arbiter_fees) + int(out.platform_fees)
    assert paid == 8 * act.UNIT
    [dispute] = out.disputes
    assert (dispute.opened_by_role, dispute.outcome, dispute.winner, dispute.freelancer_bps) == (
        "client",
        "resolved",
        "freelancer",
        6_000,
    )
    [rating] = out.ratings
    assert (rating.rater, rating.subject, rating.score) == (wallet("client"), wallet("freelancer"), 4)
    assert [f.amount for f in out.fundings] == [str(8 * act.UNIT)]
    assert out.terms.milestones[2].amount == str(7 * act.UNIT)
    assert chain_jobs.credits(db, chain_id=gateway.chain_id, account=wallet("freelancer")) == []

    body = api.get(f"/api/jobs/{job_id}").json()
    assert body["milestones"][0]["state"] == "resolved" and body["disputes"][0]["winner"] == "freelancer"
    assert body["terms"]["arbiter"] == wallet("arbiter")
