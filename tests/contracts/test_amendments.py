"""Amendments both parties sign: extend_deadline, add_milestones, accept_with_deduction.

The caller is one party and the signature (EIP-712, at the job's nonce, until an expiry) the other's. They are
EscrowAgreements code run in the escrow's storage: called on the escrow's address with the EscrowAgreements ABI.
extend_deadline and add_milestones replace the job's terms in place (`terms_hash_of(job_id)` becomes the new terms'
hash); the old terms are refused from then on (`escrow: wrong terms`).
"""

from __future__ import annotations

import ape
import pytest
from ape import chain

from tests.contracts.conftest import DELIVERABLE, balances, nonce
from tests.contracts.terms import (
    APPROVED,
    DAY,
    DEDUCTED,
    DISPUTED,
    ETH,
    FAR,
    MAX_HORIZON,
    MAX_TOTAL,
    OPEN,
    SUBMITTED,
    UNIT,
    Milestone,
    fee,
    share,
    sign,
)

NEW = 40 * DAY  # a later deadline than the default 10 and 20 days


# --- extend_deadline ---------------------------------------------------------------------------


@pytest.mark.parametrize(("caller", "signer"), [("client", "freelancer"), ("freelancer", "client")])
def test_extend_deadline__by_one_party_signed_by_the_other__replaces_the_terms(
    request, escrow, agreements_at, open_job, agree, caller, signer
):
    job = open_job()
    old = job.terms
    by = request.getfixturevalue(caller)

    receipt = agree.extend(job, 0, NEW, by=by, signer=request.getfixturevalue(signer))

    assert job.terms == old.extended(0, NEW)
    [event] = receipt.decode_logs(agreements_at.DeadlineExtended)
    assert (event.job_id, event.milestone, event.by, event.new_duration, event.deadline, event.terms_hash) == (
        job.id,
        0,
        by,
        NEW,
        job.start + NEW,
        job.terms.struct_hash,
    )
    assert escrow.terms_hash_of(job.id) == job.terms.struct_hash
    assert nonce(escrow, job) == 1


def test_extend_deadline__the_new_deadline_applies(escrow, freelancer, client, open_job, agree):
    job = open_job()
    agree.extend(job, 0, NEW, by=client)
    chain.pending_timestamp = job.start + 20 * DAY + 1  # past the old deadline of milestone 0, and milestone 1's
    escrow.submit(job.id, job.abi, 0, DELIVERABLE, sender=freelancer)
    escrow.reclaim(job.id, job.abi, 1, sender=client)  # milestone 1 keeps its 20 days
    escrow.approve(job.id, job.abi, 0, sender=client)
    assert escrow.get_job(job.id).ended


def test_extend_deadline__reclaim_waits_for_the_new_deadline(escrow, client, stranger, open_job, agree):
    job = open_job()
    agree.extend(job, 0, NEW, by=client)
    chain.pending_timestamp = job.start + NEW
    with ape.reverts("escrow: deadline not passed"):
        escrow.reclaim(job.id, job.abi, 0, sender=stranger)


def test_extend_deadline__unfunded_milestone__also_moves_the_cancel_deadline(escrow, client, stranger, open_job, agree):
    job = open_job((UNIT, UNIT), fund=1)
    agree.extend(job, 1, NEW, by=client)
    chain.pending_timestamp = job.start + 20 * DAY + 1
    with ape.reverts("escrow: not client"):
        escrow.cancel_unfunded(job.id, job.abi, sender=stranger)


def test_extend_deadline__retired_terms_are_refused_everywhere_afterwards(
    escrow, client, freelancer, stranger, open_job, agree
):
    job = open_job()
    old = job.abi
    agree.extend(job, 1, NEW, by=freelancer)
    calls = [
        lambda: escrow.submit(job.id, old, 0, DELIVERABLE, sender=freelancer),
        lambda: escrow.increment_nonce(job.id, old, sender=client),
        lambda: escrow.cancel_unfunded(job.id, old, sender=client),
        lambda: agree.at.extend_deadline(job.id, old, 1, NEW + 1, FAR, b"", sender=client),
        lambda: agree.at.settle(job.id, old, 0, FAR, b"", b"", sender=stranger),
    ]
    for call in calls:
        with ape.reverts("escrow: wrong terms"):
            call()
    with ape.reverts("escrow: consent used"):  # the old terms' consent made this job: it can make no other
        escrow.create_job(old, b"", 0, sender=client)


def test_extend_deadline__eip1271_wallet_signs_for_its_party(
    project, owner, escrow, client, freelancer, make_terms, create, consent, agree
):
    wallet = owner.deploy(project.smart_wallet_mock, freelancer)
    terms = make_terms(freelancer=wallet)
    job = create(terms, signature=consent(terms, signer=freelancer))
    agree.extend(job, 0, NEW, by=client, signer=freelancer)
    assert escrow.terms_hash_of(job.id) == job.terms.struct_hash


def test_extend_deadline__to_the_horizon__accepted_beyond__bad_duration(client, open_job, agree):
    job = open_job()
    with ape.reverts("escrow: bad duration"):
        agree.extend(job, 0, MAX_HORIZON + 1, by=client)
    agree.extend(job, 0, MAX_HORIZON, by=client)


@pytest.mark.parametrize("new_duration", [10 * DAY, 10 * DAY - 1, 0])
def test_extend_deadline__not_later__reverts(client, open_job, agree, new_duration):
    job = open_job()
    with ape.reverts("escrow: deadline not later"):
        agree.extend(job, 0, new_duration, by=client)


def test_extend_deadline__submitted_or_closed_milestone__reverts(escrow, client, freelancer, submitted_job, agree):
    job = submitted_job()
    with ape.reverts("escrow: milestone not open"):
        agree.extend(job, 0, NEW, by=client)
    escrow.approve(job.id, job.abi, 0, sender=client)
    with ape.reverts("escrow: milestone not open"):
        agree.extend(job, 0, NEW, by=freelancer)


def test_extend_deadline__signed_by_the_caller_or_a_stranger__reverts(client, freelancer, stranger, open_job, agree):
    job = open_job()
    for signer in (client, stranger):
        with ape.reverts("escrow: bad signature"):
            agree.extend(job, 0, NEW, by=client, signer=signer)
    with ape.reverts("escrow: bad signature"):
        agree.extend(job, 0, NEW, by=freelancer, signer=freelancer)


def test_extend_deadline__signed_for_other_values__reverts(escrow, client, freelancer, open_job, domain, agree):
    job = open_job()
    signature = sign(freelancer, domain.extend_deadline(job.id, 0, NEW, 0, FAR))
    for index, duration, expiry in ((1, NEW, FAR), (0, NEW + 1, FAR), (0, NEW, FAR - 1)):
        with ape.reverts("escrow: bad signature"):
            agree.at.extend_deadline(job.id, job.abi, index, duration, expiry, signature, sender=client)


@pytest.mark.parametrize("move", ["submit", "dispute", "increment_nonce"])
def test_extend_deadline__signed_before_a_submit_or_dispute__stale(
    escrow, client, freelancer, open_job, domain, agree, move
):
    job = open_job()
    if move == "dispute":
        escrow.submit(job.id, job.abi, 0, DELIVERABLE, sender=freelancer)
    signature = sign(freelancer, domain.extend_deadline(job.id, 1, NEW, nonce(escrow, job)))
    if move == "submit":
        escrow.submit(job.id, job.abi, 0, DELIVERABLE, sender=freelancer)
    elif move == "dispute":
        escrow.dispute(job.id, job.abi, 0, sender=client)
    else:
        escrow.increment_nonce(job.id, job.abi, sender=client)
    with ape.reverts("escrow: bad signature"):
        agree.at.extend_deadline(job.id, job.abi, 1, NEW, FAR, signature, sender=client)


def test_extend_deadline__expired__reverts_and_the_expiry_second_is_good(client, open_job, agree):
    job = open_job()
    expiry = chain.pending_timestamp + 50
    chain.pending_timestamp = expiry + 1
    with ape.reverts("escrow: amendment expired"):
        agree.extend(job, 0, NEW, by=client, expiry=expiry)
    chain.pending_timestamp = expiry + 2
    agree.extend(job, 0, NEW, by=client, expiry=expiry + 2)


def test_extend_deadline__replayed__refused(escrow, client, freelancer, open_job, domain, agree):
    job = open_job()
    old = job.abi
    signature = sign(freelancer, domain.extend_deadline(job.id, 0, NEW, 0))
    agree.at.extend_deadline(job.id, old, 0, NEW, FAR, signature, sender=client)
    with ape.reverts("escrow: wrong terms"):
        agree.at.extend_deadline(job.id, old, 0, NEW, FAR, signature, sender=client)
    new = job.terms.extended(0, NEW)
    with ape.reverts("escrow: bad signature"):  # a later extension of the same milestone, with the old nonce
        agree.at.extend_deadline(job.id, new.abi, 0, NEW + 1, FAR, signature, sender=client)


def test_extend_deadline__checks_in_order(escrow, client, stranger, open_job, agree):
    job = open_job((UNIT,))
    at = agree.at
    past = chain.pending_timestamp - 1
    with ape.reverts("escrow: not a party"):
        at.extend_deadline(job.id, job.abi, 5, 0, past, b"", sender=stranger)
    with ape.reverts("escrow: no such milestone"):
        at.extend_deadline(job.id, job.abi, 5, 0, past, b"", sender=client)
    with ape.reverts("escrow: deadline not later"):
        at.extend_deadline(job.id, job.abi, 0, 0, past, b"", sender=client)
    with ape.reverts("escrow: bad duration"):
        at.extend_deadline(job.id, job.abi, 0, MAX_HORIZON + 1, past, b"", sender=client)
    with ape.reverts("escrow: amendment expired"):  # before the signature
        at.extend_deadline(job.id, job.abi, 0, NEW, past, b"", sender=client)
    chain.pending_timestamp = job.deadline(0) + 1
    escrow.reclaim(job.id, job.abi, 0, sender=client)
    with ape.reverts("escrow: job ended"):
        at.extend_deadline(job.id, job.abi, 5, 0, past, b"", sender=client)


# --- add_milestones ----------------------------------------------------------------------------

ADDED = (Milestone(70 * UNIT, 30 * DAY), Milestone(80 * UNIT, 35 * DAY))


def test_add_milestones__without_funding__appends_and_replaces_the_terms(
    escrow, agreements_at, token, client, open_job, agree
):
    job = open_job((100 * UNIT, 200 * UNIT))
    old = job.terms
    [escrow_before] = balances(token, escrow)

    receipt = agree.add(job, ADDED, 0, by=client)

    assert job.terms == old.with_added(ADDED)
    state = escrow.get_job(job.id)
    assert (state.milestone_count, state.funded_count, state.open_count, state.nonce) == (4, 2, 4, 1)
    assert [m.status for m in state.milestones] == [OPEN] * 4
    assert balances(token, escrow) == [escrow_before]
    [event] = receipt.decode_logs(agreements_at.MilestonesAdded)
    assert (event.job_id, event.by, event.first_milestone, event.funded_count, event.funded_amount) == (
        job.id,
        client,
        2,
        2,
        0,
    )
    assert [tuple(m) for m in event.milestones] == [m.abi for m in ADDED]
    assert event.terms_hash == job.terms.struct_hash
    assert escrow.terms_hash_of(job.id) == job.terms.struct_hash
    token_before = token.balanceOf(client)
    escrow.fund(job.id, job.abi, 2, sender=client)  # the new milestones are the job's own from now on
    assert token.balanceOf(client) == token_before - 150 * UNIT


def test_add_milestones__with_funding__funds_in_order_from_the_first_unfunded(
    escrow, agreements_at, token, client, open_job, agree
):
    job = open_job((100 * UNIT, 200 * UNIT), fund=1)
    client_before, escrow_before = balances(token, client, escrow)

    receipt = agree.add(job, ADDED, 2, by=client)  # funds the old milestone 1 and the new milestone 2

    assert balances(token, client, escrow) == [client_before - 270 * UNIT, escrow_before + 270 * UNIT]
    state = escrow.get_job(job.id)
    assert (state.milestone_count, state.funded_count, state.open_count) == (4, 3, 4)
    [event] = receipt.decode_logs(agreements_at.MilestonesAdded)
    assert (event.first_milestone, event.funded_count, event.funded_amount) == (2, 3, 270 * UNIT)


def test_add_milestones__one_funded_milestone__can_be_delivered_and_paid(
    escrow, token, client, freelancer, open_job, agree
):
    job = open_job((100 * UNIT,))
    agree.add(job, (Milestone(50 * UNIT, 30 * DAY),), 1, by=client)
    escrow.submit(job.id, job.abi, 1, DELIVERABLE, sender=freelancer)
    before = token.balanceOf(freelancer)
    escrow.approve(job.id, job.abi, 1, sender=client)
    assert token.balanceOf(freelancer) == before + 50 * UNIT - fee(50 * UNIT, 100)


def test_add_milestones__eth_job__takes_exactly_the_value(escrow, client, open_job, agree):
    job = open_job((UNIT,), token=ETH)
    with ape.reverts("payouts: wrong ETH amount"):
        agree.add(job, (Milestone(UNIT, 30 * DAY),), 1, by=client, value=UNIT - 1)
    agree.add(job, (Milestone(UNIT, 30 * DAY),), 1, by=client)
    assert balances(ETH, escrow) == [2 * UNIT]


def test_add_milestones__token_job_with_value__reverts(client, open_job, agree):
    job = open_job((UNIT,))
    with ape.reverts("payouts: ETH sent with a token job"):
        agree.add(job, (Milestone(UNIT, 30 * DAY),), 0, by=client, value=1)


def test_add_milestones__by_the_freelancer__not_client(freelancer, client, open_job, agree):
    job = open_job()
    with ape.reverts("escrow: not client"):
        agree.add(job, ADDED, 0, by=freelancer, signer=client)


def test_add_milestones__signed_by_the_client_or_for_other_values__reverts(
    escrow, client, stranger, open_job, domain, agree
):
    job = open_job()
    for signer in (client, stranger):
        with ape.reverts("escrow: bad signature"):
            agree.add(job, ADDED, 0, by=client, signer=signer)
    signature = sign(job.terms.freelancer, domain.add_milestones(job.id, ADDED, 0, 0))
    for added, fund_count in ((ADDED[:1], 0), (ADDED, 1), (ADDED[::-1], 0)):
        with ape.reverts("escrow: bad signature"):
            agree.at.add_milestones(job.id, job.abi, [m.abi for m in added], fund_count, FAR, signature, sender=client)


@pytest.mark.parametrize("move", ["submit", "dispute"])
def test_add_milestones__signed_before_a_submit_or_dispute__stale(
    escrow, client, freelancer, open_job, domain, agree, move
):
    job = open_job()
    if move == "dispute":
        escrow.submit(job.id, job.abi, 0, DELIVERABLE, sender=freelancer)
    signature = sign(freelancer, domain.add_milestones(job.id, ADDED, 0, nonce(escrow, job)))
    if move == "submit":
        escrow.submit(job.id, job.abi, 0, DELIVERABLE, sender=freelancer)
    else:
        escrow.dispute(job.id, job.abi, 0, sender=freelancer)
    with ape.reverts("escrow: bad signature"):
        agree.at.add_milestones(job.id, job.abi, [m.abi for m in ADDED], 0, FAR, signature, sender=client)


def test_add_milestones__expired__reverts(client, open_job, agree):
    job = open_job()
    expiry = chain.pending_timestamp + 50
    chain.pending_timestamp = expiry + 1
    with ape.reverts("escrow: amendment expired"):
        agree.add(job, ADDED, 0, by=client, expiry=expiry)


def test_add_milestones__retired_terms_refused_afterwards(escrow, client, freelancer, open_job, agree):
    job = open_job()
    old = job.abi
    agree.add(job, ADDED, 0, by=client)
    with ape.reverts("escrow: wrong terms"):
        escrow.submit(job.id, old, 0, DELIVERABLE, sender=freelancer)
    with ape.reverts("escrow: wrong terms"):
        agree.at.add_milestones(job.id, old, [m.abi for m in ADDED], 0, FAR, b"", sender=client)


@pytest.mark.parametrize(
    ("existing", "added", "fund_count", "reason"),
    [
        (1, [], 0, "escrow: no milestones"),
        (1, [(UNIT, DAY)] * 50, 0, "escrow: too many milestones"),
        (49, [(UNIT, DAY)] * 2, 0, "escrow: too many milestones"),
        (1, [(UNIT, DAY)], 2, "escrow: bad fund count"),
        (1, [(UNIT, DAY), (0, DAY)], 0, "escrow: zero milestone"),
        (1, [(UNIT, 0)], 0, "escrow: bad duration"),
        (1, [(UNIT, MAX_HORIZON + 1)], 0, "escrow: bad duration"),
        (1, [(MAX_TOTAL - UNIT, DAY), (1, DAY)], 0, "escrow: total too large"),
    ],
)
def test_add_milestones__bad_schedule__reverts(client, open_job, agree, existing, added, fund_count, reason):
    job = open_job([UNIT] * existing, fund=existing, durations=[DAY] * existing)
    with ape.reverts(reason):
        agree.add(job, [Milestone(*m) for m in added], fund_count, by=client)


def test_add_milestones__up_to_50_and_the_total_bound__accepted(escrow, client, open_job, agree):
    job = open_job([UNIT] * 48, fund=0, durations=[DAY] * 48)
    agree.add(job, [Milestone(1, DAY), Milestone(MAX_TOTAL - 48 * UNIT - 1, MAX_HORIZON)], 0, by=client)
    assert escrow.get_job(job.id).milestone_count == 50


def test_add_milestones__after_cancel_unfunded__new_milestones_can_be_funded(escrow, client, open_job, agree):
    job = open_job((UNIT, UNIT), fund=1)
    escrow.cancel_unfunded(job.id, job.abi, sender=client)
    agree.add(job, ADDED, 1, by=client)
    state = escrow.get_job(job.id)
    assert (state.funded_count, state.open_count, state.milestone_count) == (3, 3, 4)


def test_add_milestones__job_ended__reverts(escrow, client, open_job, agree):
    job = open_job((UNIT,), fund=0)
    escrow.cancel_unfunded(job.id, job.abi, sender=client)
    with ape.reverts("escrow: job ended"):
        agree.add(job, ADDED, 0, by=client)


def test_add_milestones__checks_in_order(escrow, client, freelancer, open_job, agree):
    job = open_job((UNIT,))
    at = agree.at
    past = chain.pending_timestamp - 1
    bad = [(0, 0)] * 50
    with ape.reverts("escrow: not client"):
        at.add_milestones(job.id, job.abi, bad, 99, past, b"", sender=freelancer)
    with ape.reverts("escrow: too many milestones"):  # before the fund count and the milestones
        at.add_milestones(job.id, job.abi, bad, 99, past, b"", sender=client)
    with ape.reverts("escrow: bad fund count"):
        at.add_milestones(job.id, job.abi, bad[:2], 99, past, b"", sender=client)
    with ape.reverts("escrow: zero milestone"):
        at.add_milestones(job.id, job.abi, bad[:2], 2, past, b"", sender=client)
    with ape.reverts("escrow: amendment expired"):  # before the signature
        at.add_milestones(job.id, job.abi, [(UNIT, DAY)], 1, past, b"", sender=client)


# --- accept_with_deduction ---------------------------------------------------------------------


@pytest.mark.parametrize(("caller", "signer"), [("client", "freelancer"), ("freelancer", "client")])
def test_accept_with_deduction__submitted__pays_the_agreed_share(
    request, escrow, agreements_at, token, client, freelancer, submitted_job, agree, caller, signer
):
    job = submitted_job(amounts=(1_000 * UNIT + 1, UNIT))
    by = request.getfixturevalue(caller)
    before = balances(token, client, freelancer, escrow)
    at_nonce = nonce(escrow, job)

    receipt = agree.deduct(job, 0, 8_000, by=by, signer=request.getfixturevalue(signer))

    gross = share(1_000 * UNIT + 1, 8_000)
    after = balances(token, client, freelancer, escrow)
    assert [a - b for a, b in zip(after, before, strict=True)] == [
        1_000 * UNIT + 1 - gross,
        gross - fee(gross, 100),
        -(1_000 * UNIT + 1) + fee(gross, 100),
    ]
    state = escrow.get_job(job.id)
    m = state.milestones[0]
    assert (m.status, m.ruling_bps, state.open_count, state.nonce) == (DEDUCTED, 8_000, 1, at_nonce + 1)
    [event] = receipt.decode_logs(agreements_at.MilestoneDeducted)
    assert (event.job_id, event.milestone, event.by, event.freelancer_bps) == (job.id, 0, by, 8_000)
    assert (event.to_freelancer, event.to_client, event.platform_fee) == (
        gross - fee(gross, 100),
        1_000 * UNIT + 1 - gross,
        fee(gross, 100),
    )
    assert escrow.terms_hash_of(job.id) == job.terms.struct_hash  # a deduction keeps the terms


def test_accept_with_deduction__disputed__closes_it_without_the_arbiter(
    escrow, reputation, token, client, freelancer, arbiter, disputed_job, agree
):
    job = disputed_job(amounts=(100 * UNIT,))
    receipt = agree.deduct(job, 0, 6_000, by=freelancer)
    assert escrow.get_job(job.id).milestones[0].status == DEDUCTED
    assert token.balanceOf(arbiter) == 0  # no arbiter fee
    [ended] = receipt.decode_logs(agree.at.JobEnded)
    assert ended.paid == 60 * UNIT - fee(60 * UNIT, 100)
    [recorded] = receipt.decode_logs(reputation.JobRecorded)
    assert (recorded.client_disputes_opened, recorded.client_disputes_won, recorded.freelancer_disputes_won) == (
        1,
        0,
        0,
    )  # a deduction is nobody's win


@pytest.mark.parametrize("bps", [0, 10_000])
def test_accept_with_deduction__all_to_one_side(escrow, token, client, submitted_job, agree, bps):
    job = submitted_job(amounts=(100 * UNIT, UNIT))
    receipt = agree.deduct(job, 0, bps, by=client)
    assert len(receipt.decode_logs(token.Transfer)) == 1


def test_accept_with_deduction__open_or_closed__not_submitted(escrow, client, freelancer, submitted_job, agree):
    job = submitted_job()
    with ape.reverts("escrow: not submitted"):
        agree.deduct(job, 1, 5_000, by=client)
    escrow.approve(job.id, job.abi, 0, sender=client)
    assert escrow.get_job(job.id).milestones[0].status == APPROVED
    with ape.reverts("escrow: not submitted"):
        agree.deduct(job, 0, 5_000, by=freelancer)


def test_accept_with_deduction__split_above_100__reverts(client, submitted_job, agree):
    job = submitted_job()
    with ape.reverts("escrow: split above 100%"):
        agree.deduct(job, 0, 10_001, by=client)


def test_accept_with_deduction__signed_by_the_caller_or_for_another_split__reverts(
    client, freelancer, submitted_job, domain, agree
):
    job = submitted_job()
    with ape.reverts("escrow: bad signature"):
        agree.deduct(job, 0, 5_000, by=client, signer=client)
    signature = sign(freelancer, domain.deduction(job.id, 0, 5_000, 1))
    with ape.reverts("escrow: bad signature"):
        agree.at.accept_with_deduction(job.id, job.abi, 0, 9_000, FAR, signature, sender=client)


def test_accept_with_deduction__signed_before_a_dispute__stale(
    escrow, client, freelancer, submitted_job, domain, agree
):
    job = submitted_job()
    signature = sign(freelancer, domain.deduction(job.id, 0, 5_000, nonce(escrow, job)))
    escrow.dispute(job.id, job.abi, 0, sender=freelancer)
    assert escrow.get_job(job.id).milestones[0].status == DISPUTED
    with ape.reverts("escrow: bad signature"):
        agree.at.accept_with_deduction(job.id, job.abi, 0, 5_000, FAR, signature, sender=client)


def test_accept_with_deduction__signed_before_another_submit__stale(
    escrow, client, freelancer, submitted_job, domain, agree
):
    job = submitted_job()
    signature = sign(freelancer, domain.deduction(job.id, 0, 5_000, nonce(escrow, job)))
    escrow.submit(job.id, job.abi, 1, DELIVERABLE, sender=freelancer)
    with ape.reverts("escrow: bad signature"):
        agree.at.accept_with_deduction(job.id, job.abi, 0, 5_000, FAR, signature, sender=client)
    assert escrow.get_job(job.id).milestones[0].status == SUBMITTED


def test_accept_with_deduction__expired__reverts(client, submitted_job, agree):
    job = submitted_job()
    expiry = chain.pending_timestamp + 50
    chain.pending_timestamp = expiry + 1
    with ape.reverts("escrow: amendment expired"):
        agree.deduct(job, 0, 5_000, by=client, expiry=expiry)


def test_accept_with_deduction__checks_in_order(escrow, client, stranger, submitted_job, agree):
    job = submitted_job()
    at = agree.at
    past = chain.pending_timestamp - 1
    with ape.reverts("escrow: wrong terms"):
        at.accept_with_deduction(job.id, job.terms.but(salt=1).abi, 0, 0, FAR, b"", sender=stranger)
    with ape.reverts("escrow: not a party"):
        at.accept_with_deduction(job.id, job.abi, 9, 10_001, past, b"", sender=stranger)
    with ape.reverts("escrow: no such milestone"):
        at.accept_with_deduction(job.id, job.abi, 9, 10_001, past, b"", sender=client)
    with ape.reverts("escrow: not submitted"):
        at.accept_with_deduction(job.id, job.abi, 1, 10_001, past, b"", sender=client)
    with ape.reverts("escrow: split above 100%"):  # before the expiry
        at.accept_with_deduction(job.id, job.abi, 0, 10_001, past, b"", sender=client)
    with ape.reverts("escrow: amendment expired"):  # before the signature
        at.accept_with_deduction(job.id, job.abi, 0, 10_000, past, b"", sender=client)


def test_amendments__called_on_the_agreements_contract_itself__no_such_job(agreements, client, submitted_job):
    job = submitted_job()
    with ape.reverts("escrow: no such job"):
        agreements.extend_deadline(job.id, job.abi, 1, 99 * DAY, FAR, b"", sender=client)
    with ape.reverts("escrow: no such job"):
        agreements.add_milestones(job.id, job.abi, [(UNIT, DAY)], 0, FAR, b"", sender=client)
    with ape.reverts("escrow: no such job"):
        agreements.accept_with_deduction(job.id, job.abi, 0, 5_000, FAR, b"", sender=client)


# --- an amendment's new terms may equal another job's: the binding is per job --------------------

EXTRA = Milestone(50 * UNIT, 30 * DAY)


@pytest.mark.parametrize("amendment", ["add_milestones", "extend_deadline"])
def test_amendment__new_terms_equal_to_another_jobs_terms__leave_that_job_alone(
    escrow, client, freelancer, stranger, make_terms, create, agree, amendment
):
    a = create(make_terms((100 * UNIT,)))
    if amendment == "add_milestones":
        b = create(a.terms.with_added((EXTRA,)).but(salt=a.terms.salt + 1))  # another offer between the same parties
        agree.add(a, (EXTRA,), 0, by=client)
    else:
        b = create(a.terms.extended(0, NEW).but(salt=a.terms.salt + 1))
        agree.extend(a, 0, NEW, by=client)
    assert a.terms.but(salt=b.terms.salt) == b.terms  # the two jobs' terms now differ only in their salt
    assert escrow.terms_hash_of(b.id) == b.terms.struct_hash
    assert escrow.terms_hash_of(a.id) == a.terms.struct_hash
    chain.pending_timestamp = b.deadline(0) + 1
    escrow.reclaim(b.id, b.abi, 0, sender=stranger)  # job B still runs: its client gets its money back
    with ape.reverts("escrow: wrong terms"):  # and job B's terms name nothing of job A
        escrow.reclaim(a.id, b.abi, 0, sender=stranger)


def test_no_two_jobs_share_terms__an_amended_jobs_terms_old_or_new_cannot_make_a_job(
    client, freelancer, make_terms, create, agree, consent
):
    a = create(make_terms((100 * UNIT,)))
    old = a.terms
    agree.add(a, (EXTRA,), 0, by=client)  # an amendment keeps the freelancer and the salt
    for terms in (old, a.terms):
        with ape.reverts("escrow: consent used"):
            create(terms, signature=consent(terms))
