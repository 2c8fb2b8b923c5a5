"""dispute, resolve and the default ruling: only the disputed milestone freezes; someone always gets paid."""

from __future__ import annotations

import ape
import pytest
from ape import chain

from tests.contracts.conftest import DELIVERABLE, balances, nonce
from tests.contracts.terms import DEFAULTED, DISPUTED, RESOLVED, REVIEW, RULING, UNIT, fee, share


@pytest.mark.parametrize(("by", "code"), [("client", 1), ("freelancer", 2)])
def test_dispute__by_a_party__freezes_milestone_voids_signatures_and_logs(request, escrow, submitted_job, by, code):
    party = request.getfixturevalue(by)
    job = submitted_job()
    before = nonce(escrow, job)
    receipt = escrow.dispute(job.id, job.abi, 0, sender=party)
    now = receipt.timestamp
    state = escrow.get_job(job.id)
    m = state.milestones[0]
    assert (m.status, m.ruling_end, m.disputer, m.review_end) == (DISPUTED, now + RULING, code, m.review_end)
    assert (state.nonce, state.open_count) == (before + 1, 2)
    [event] = receipt.decode_logs(escrow.DisputeOpened)
    assert (event.job_id, event.milestone, event.by, event.ruling_end) == (job.id, 0, party, now + RULING)


def test_dispute__other_milestones_keep_moving(escrow, client, freelancer, token, disputed_job):
    job = disputed_job(amounts=(UNIT, 2 * UNIT))
    escrow.submit(job.id, job.abi, 1, DELIVERABLE, sender=freelancer)
    escrow.approve(job.id, job.abi, 1, sender=client)
    assert token.balanceOf(escrow) == UNIT + fee(2 * UNIT, 100)


@pytest.mark.parametrize("who", ["arbiter", "stranger"])
def test_dispute__not_a_party__reverts(request, escrow, submitted_job, who):
    job = submitted_job()
    with ape.reverts("escrow: not a party"):
        escrow.dispute(job.id, job.abi, 0, sender=request.getfixturevalue(who))


def test_dispute__not_submitted__reverts(escrow, client, open_job):
    job = open_job()
    with ape.reverts("escrow: not submitted"):
        escrow.dispute(job.id, job.abi, 0, sender=client)


def test_dispute__twice__reverts(escrow, freelancer, disputed_job):
    job = disputed_job()
    with ape.reverts("escrow: not submitted"):
        escrow.dispute(job.id, job.abi, 0, sender=freelancer)


def test_dispute__after_review__reverts(escrow, client, submitted_job):
    job = submitted_job()
    chain.pending_timestamp += REVIEW
    with ape.reverts("escrow: review period over"):
        escrow.dispute(job.id, job.abi, 0, sender=client)


def test_dispute__wrong_terms__reverts(escrow, client, submitted_job):
    job = submitted_job()
    with ape.reverts("escrow: wrong terms"):
        escrow.dispute(job.id, job.terms.but(ruling_window=1).abi, 0, sender=client)


def test_dispute__checks_in_order(escrow, client, stranger, submitted_job):
    job = submitted_job()
    with ape.reverts("escrow: not a party"):
        escrow.dispute(job.id, job.abi, 9, sender=stranger)
    with ape.reverts("escrow: no such milestone"):
        escrow.dispute(job.id, job.abi, 2, sender=client)
    chain.pending_timestamp += REVIEW
    with ape.reverts("escrow: not submitted"):  # before the review period
        escrow.dispute(job.id, job.abi, 1, sender=client)


def test_resolve__split__pays_freelancer_client_arbiter_in_that_order(
    escrow, token, client, freelancer, arbiter, disputed_job
):
    job = disputed_job(amounts=(1_000 * UNIT, UNIT))
    before = balances(token, client, freelancer, arbiter, escrow)

    receipt = escrow.resolve(job.id, job.abi, 0, 7_000, sender=arbiter)

    # 1000: arbiter 5% = 50; rest 950: freelancer 70% = 665 gross, 1% fee 6.65 (held until the job ends); client 285.
    after = balances(token, client, freelancer, arbiter, escrow)
    assert [a - b for a, b in zip(after, before, strict=True)] == [
        285 * UNIT,
        658_350_000,
        50 * UNIT,
        -(1_000 * UNIT - 6_650_000),
    ]
    assert escrow.fees_accrued(token) == 0
    state = escrow.get_job(job.id)
    assert (state.milestones[0].status, state.milestones[0].ruling_bps, state.open_count) == (RESOLVED, 7_000, 1)
    [event] = receipt.decode_logs(escrow.DisputeResolved)
    assert (event.job_id, event.milestone, event.arbiter, event.freelancer_bps) == (job.id, 0, arbiter, 7_000)
    assert (event.to_freelancer, event.to_client, event.arbiter_fee, event.platform_fee) == (
        658_350_000,
        285 * UNIT,
        50 * UNIT,
        6_650_000,
    )
    transfers = [(log.receiver, log.value) for log in receipt.decode_logs(token.Transfer)]
    assert transfers == [(freelancer, 658_350_000), (client, 285 * UNIT), (arbiter, 50 * UNIT)]


def test_resolve__fees_round_up_and_the_split_rounds_down(escrow, token, client, freelancer, arbiter, disputed_job):
    job = disputed_job(amounts=(1_001, UNIT))  # arbiter fee ceil(50.05) = 51; rest 950; 1/3 of it = 316
    receipt = escrow.resolve(job.id, job.abi, 0, 3_333, sender=arbiter)
    [event] = receipt.decode_logs(escrow.DisputeResolved)
    gross = share(1_001 - 51, 3_333)
    assert (event.arbiter_fee, event.to_client, event.platform_fee) == (51, 950 - gross, fee(gross, 100))
    assert event.to_freelancer == gross - fee(gross, 100)


@pytest.mark.parametrize("bps", [0, 10_000])
def test_resolve__all_to_one_side__skips_zero_payouts(escrow, token, arbiter, disputed_job, bps):
    job = disputed_job(amounts=(100 * UNIT, UNIT))
    receipt = escrow.resolve(job.id, job.abi, 0, bps, sender=arbiter)
    [event] = receipt.decode_logs(escrow.DisputeResolved)
    assert (event.to_freelancer == 0) == (bps == 0)
    assert (event.to_client == 0) == (bps == 10_000)
    assert len(receipt.decode_logs(token.Transfer)) == 2  # one side and the arbiter: no zero transfer
    assert receipt.decode_logs(escrow.Credited) == []


def test_resolve__last_milestone__ends_job_with_the_winner_recorded(escrow, reputation, arbiter, disputed_job):
    job = disputed_job(amounts=(100 * UNIT,), by=None)
    receipt = escrow.resolve(job.id, job.abi, 0, 8_000, sender=arbiter)
    [recorded] = receipt.decode_logs(reputation.JobRecorded)
    assert (recorded.client_disputes_opened, recorded.freelancer_disputes_won, recorded.client_disputes_won) == (
        1,
        1,
        0,
    )


@pytest.mark.parametrize("who", ["client", "freelancer", "stranger", "owner"])
def test_resolve__not_the_arbiter__reverts(request, escrow, disputed_job, who):
    job = disputed_job()
    with ape.reverts("escrow: not arbiter"):
        escrow.resolve(job.id, job.abi, 0, 5_000, sender=request.getfixturevalue(who))


def test_resolve__split_above_100__reverts(escrow, arbiter, disputed_job):
    job = disputed_job()
    with ape.reverts("escrow: split above 100%"):
        escrow.resolve(job.id, job.abi, 0, 10_001, sender=arbiter)


def test_resolve__not_disputed__reverts(escrow, arbiter, submitted_job):
    job = submitted_job()
    with ape.reverts("escrow: not disputed"):
        escrow.resolve(job.id, job.abi, 0, 5_000, sender=arbiter)


def test_resolve__after_ruling_window__reverts(escrow, arbiter, disputed_job):
    job = disputed_job()
    chain.pending_timestamp += RULING
    with ape.reverts("escrow: ruling window over"):
        escrow.resolve(job.id, job.abi, 0, 5_000, sender=arbiter)


def test_resolve__terms_naming_another_arbiter__wrong_terms(escrow, stranger, disputed_job):
    job = disputed_job()
    forged = job.terms.but(arbiter=str(stranger.address))
    with ape.reverts("escrow: wrong terms"):
        escrow.resolve(job.id, forged.abi, 0, 5_000, sender=stranger)


def test_resolve__checks_in_order(escrow, client, arbiter, disputed_job):
    job = disputed_job()
    with ape.reverts("escrow: not arbiter"):
        escrow.resolve(job.id, job.abi, 7, 10_001, sender=client)
    with ape.reverts("escrow: no such milestone"):
        escrow.resolve(job.id, job.abi, 7, 10_001, sender=arbiter)
    with ape.reverts("escrow: not disputed"):
        escrow.resolve(job.id, job.abi, 1, 10_001, sender=arbiter)
    chain.pending_timestamp += RULING
    with ape.reverts("escrow: ruling window over"):  # before the split
        escrow.resolve(job.id, job.abi, 0, 10_001, sender=arbiter)


@pytest.mark.parametrize("by", ["client", "freelancer"])
def test_default_ruling__after_window__even_split_no_arbiter_fee(
    request, escrow, token, client, freelancer, arbiter, disputed_job, by
):
    job = disputed_job(amounts=(101 * UNIT + 1, UNIT))
    chain.pending_timestamp += RULING
    before = balances(token, client, freelancer, arbiter)
    party = request.getfixturevalue(by)

    receipt = escrow.apply_default_ruling(job.id, job.abi, 0, sender=party)

    half = share(101 * UNIT + 1, 5_000)  # the odd unit goes to the client
    after = balances(token, client, freelancer, arbiter)
    assert [a - b for a, b in zip(after, before, strict=True)] == [101 * UNIT + 1 - half, half - fee(half, 100), 0]
    m = escrow.get_job(job.id).milestones[0]
    assert (m.status, m.ruling_bps) == (DEFAULTED, 5_000)
    [event] = receipt.decode_logs(escrow.DefaultRulingApplied)
    assert (event.job_id, event.milestone, event.by) == (job.id, 0, party)
    assert (event.to_freelancer, event.to_client, event.platform_fee) == (
        half - fee(half, 100),
        101 * UNIT + 1 - half,
        fee(half, 100),
    )


def test_default_ruling__ending_the_job__no_winner(escrow, reputation, freelancer, disputed_job):
    job = disputed_job(amounts=(100 * UNIT,), by=freelancer)
    chain.pending_timestamp += RULING
    receipt = escrow.apply_default_ruling(job.id, job.abi, 0, sender=freelancer)
    [recorded] = receipt.decode_logs(reputation.JobRecorded)
    assert (recorded.freelancer_disputes_opened, recorded.freelancer_disputes_won, recorded.client_disputes_won) == (
        1,
        0,
        0,
    )


def test_default_ruling__during_window__reverts(escrow, client, disputed_job):
    job = disputed_job()
    with ape.reverts("escrow: ruling window running"):
        escrow.apply_default_ruling(job.id, job.abi, 0, sender=client)


@pytest.mark.parametrize("who", ["arbiter", "stranger"])
def test_default_ruling__not_a_party__reverts(request, escrow, disputed_job, who):
    job = disputed_job()
    chain.pending_timestamp += RULING
    with ape.reverts("escrow: not a party"):
        escrow.apply_default_ruling(job.id, job.abi, 0, sender=request.getfixturevalue(who))


def test_default_ruling__not_disputed__reverts(escrow, client, submitted_job):
    job = submitted_job()
    with ape.reverts("escrow: not disputed"):
        escrow.apply_default_ruling(job.id, job.abi, 0, sender=client)


def test_default_ruling__after_resolve__reverts(escrow, client, arbiter, disputed_job):
    job = disputed_job()
    escrow.resolve(job.id, job.abi, 0, 5_000, sender=arbiter)
    chain.pending_timestamp += RULING
    with ape.reverts("escrow: not disputed"):
        escrow.apply_default_ruling(job.id, job.abi, 0, sender=client)


def test_default_ruling__wrong_terms__reverts(escrow, client, disputed_job):
    job = disputed_job()
    chain.pending_timestamp += RULING
    with ape.reverts("escrow: wrong terms"):
        escrow.apply_default_ruling(job.id, job.terms.but(salt=1).abi, 0, sender=client)


def test_default_ruling__checks_in_order(escrow, client, stranger, disputed_job):
    job = disputed_job()
    with ape.reverts("escrow: not a party"):
        escrow.apply_default_ruling(job.id, job.abi, 9, sender=stranger)
    with ape.reverts("escrow: no such milestone"):
        escrow.apply_default_ruling(job.id, job.abi, 9, sender=client)
    with ape.reverts("escrow: not disputed"):  # before the ruling window
        escrow.apply_default_ruling(job.id, job.abi, 1, sender=client)
