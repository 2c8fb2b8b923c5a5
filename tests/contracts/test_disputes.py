"""dispute, resolve and the default ruling: only the disputed milestone freezes; someone always gets paid."""

from __future__ import annotations

import ape
import pytest
from ape import chain

from tests.contracts.conftest import DEFAULTED, DISPUTED, RESOLVED, REVIEW, RULING, UNIT


@pytest.mark.parametrize(("by", "code"), [("client", 1), ("freelancer", 2)])
def test_dispute__by_a_party__freezes_milestone_and_logs(request, escrow, submitted_job, by, code):
    party = request.getfixturevalue(by)
    job = submitted_job()
    receipt = escrow.dispute(job.id, 0, sender=party)
    now = chain.blocks.head.timestamp
    m = escrow.get_job(job.id).milestones[0]
    assert (m.status, m.ruling_end, m.disputer) == (DISPUTED, now + RULING, code)
    [event] = receipt.decode_logs(escrow.DisputeOpened)
    assert (event.job_id, event.milestone, event.by, event.ruling_end) == (job.id, 0, party, now + RULING)


def test_dispute__other_milestones_keep_moving(escrow, client, freelancer, token, disputed_job):
    job = disputed_job(amounts=(UNIT, 2 * UNIT))
    escrow.submit(job.id, 1, b"\x01" * 32, job.terms, sender=freelancer)
    escrow.approve(job.id, 1, sender=client)
    assert token.balanceOf(escrow) == UNIT + 2 * UNIT // 100


def test_dispute__by_stranger__reverts(escrow, stranger, submitted_job):
    job = submitted_job()
    with ape.reverts("escrow: not a party"):
        escrow.dispute(job.id, 0, sender=stranger)


def test_dispute__not_submitted__reverts(escrow, client, open_job):
    job = open_job()
    with ape.reverts("escrow: not submitted"):
        escrow.dispute(job.id, 0, sender=client)


def test_dispute__after_review__reverts(escrow, client, submitted_job):
    job = submitted_job()
    chain.pending_timestamp += REVIEW
    with ape.reverts("escrow: review period over"):
        escrow.dispute(job.id, 0, sender=client)


def test_resolve__split__pays_arbiter_fee_then_each_side(escrow, token, client, freelancer, arbiter, disputed_job):
    job = disputed_job(amounts=(1_000 * UNIT, UNIT))
    before = {who: token.balanceOf(who) for who in (client, freelancer, arbiter)}

    receipt = escrow.resolve(job.id, 0, 7_000, job.terms, sender=arbiter)

    # 1000: arbiter 5% = 50; rest 950: freelancer 70% = 665 gross, 1% fee 6.65; client 285.
    assert token.balanceOf(arbiter) - before[arbiter] == 50 * UNIT
    assert token.balanceOf(freelancer) - before[freelancer] == 658_350_000
    assert token.balanceOf(client) - before[client] == 285 * UNIT
    assert escrow.fees_accrued(token) == 6_650_000
    m = escrow.get_job(job.id).milestones[0]
    assert (m.status, m.ruling_bps) == (RESOLVED, 7_000)
    [event] = receipt.decode_logs(escrow.DisputeResolved)
    assert (event.job_id, event.milestone, event.arbiter, event.freelancer_bps) == (job.id, 0, arbiter, 7_000)
    assert (event.to_freelancer, event.to_client, event.arbiter_fee, event.platform_fee) == (
        658_350_000,
        285 * UNIT,
        50 * UNIT,
        6_650_000,
    )


@pytest.mark.parametrize("bps", [0, 10_000])
def test_resolve__all_to_one_side__skips_zero_payouts(escrow, token, client, freelancer, arbiter, disputed_job, bps):
    job = disputed_job(amounts=(100 * UNIT, UNIT))
    receipt = escrow.resolve(job.id, 0, bps, job.terms, sender=arbiter)
    [event] = receipt.decode_logs(escrow.DisputeResolved)
    assert (event.to_freelancer == 0) == (bps == 0)
    assert (event.to_client == 0) == (bps == 10_000)
    assert receipt.decode_logs(escrow.Credited) == []


def test_resolve__by_client__reverts(escrow, client, disputed_job):
    job = disputed_job()
    with ape.reverts("escrow: not arbiter"):
        escrow.resolve(job.id, 0, 5_000, job.terms, sender=client)


def test_resolve__split_above_100__reverts(escrow, arbiter, disputed_job):
    job = disputed_job()
    with ape.reverts("escrow: split above 100%"):
        escrow.resolve(job.id, 0, 10_001, job.terms, sender=arbiter)


def test_resolve__not_disputed__reverts(escrow, arbiter, submitted_job):
    job = submitted_job()
    with ape.reverts("escrow: not disputed"):
        escrow.resolve(job.id, 0, 5_000, job.terms, sender=arbiter)


def test_resolve__after_ruling_window__reverts(escrow, arbiter, disputed_job):
    job = disputed_job()
    chain.pending_timestamp += RULING
    with ape.reverts("escrow: ruling window over"):
        escrow.resolve(job.id, 0, 5_000, job.terms, sender=arbiter)


def test_resolve__wrong_terms__reverts(escrow, stranger, disputed_job):
    job = disputed_job()
    forged = (str(stranger),) + job.terms[1:]
    with ape.reverts("escrow: wrong terms"):
        escrow.resolve(job.id, 0, 5_000, forged, sender=stranger)


@pytest.mark.parametrize("by", ["client", "freelancer"])
def test_default_ruling__after_window__even_split_no_arbiter_fee(
    request, escrow, token, client, freelancer, arbiter, disputed_job, by
):
    job = disputed_job(amounts=(101 * UNIT, UNIT))
    chain.pending_timestamp += RULING
    before = {who: token.balanceOf(who) for who in (client, freelancer, arbiter)}

    receipt = escrow.apply_default_ruling(job.id, 0, sender=request.getfixturevalue(by))

    assert token.balanceOf(arbiter) == before[arbiter]
    assert token.balanceOf(freelancer) - before[freelancer] == 50_500_000 - 505_000
    assert token.balanceOf(client) - before[client] == 50_500_000
    assert escrow.get_job(job.id).milestones[0].status == DEFAULTED
    [event] = receipt.decode_logs(escrow.DefaultRulingApplied)
    assert (event.job_id, event.milestone, event.by) == (job.id, 0, request.getfixturevalue(by))
    assert (event.to_freelancer, event.to_client, event.platform_fee) == (49_995_000, 50_500_000, 505_000)


def test_default_ruling__during_window__reverts(escrow, client, disputed_job):
    job = disputed_job()
    with ape.reverts("escrow: ruling window running"):
        escrow.apply_default_ruling(job.id, 0, sender=client)


def test_default_ruling__by_arbiter__reverts(escrow, arbiter, disputed_job):
    job = disputed_job()
    chain.pending_timestamp += RULING
    with ape.reverts("escrow: not a party"):
        escrow.apply_default_ruling(job.id, 0, sender=arbiter)


def test_default_ruling__not_disputed__reverts(escrow, client, submitted_job):
    job = submitted_job()
    with ape.reverts("escrow: not disputed"):
        escrow.apply_default_ruling(job.id, 0, sender=client)
