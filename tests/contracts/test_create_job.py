"""create_job / create_job_with_permit: one transaction creates the job and funds some or all of it."""

from __future__ import annotations

import ape
import pytest
from ape import chain
from eth_account import Account
from eth_account.messages import encode_typed_data

from tests.contracts.conftest import (
    ARBITER_FEE_BPS,
    ETH,
    PLATFORM_FEE_BPS,
    REVIEW,
    RULING,
    UNIT,
    make_terms,
)


def _deadlines(n):
    return [chain.pending_timestamp + (i + 1) * 86_400 for i in range(n)]


def test_create_job__funded_by_allowance__holds_funds_and_logs_every_term(
    escrow, token, client, freelancer, arbiter, open_job, metadata_hash
):
    client_before = token.balanceOf(client)
    job = open_job((300 * UNIT, 500 * UNIT))

    assert job.id == 1
    assert escrow.job_count() == 1
    assert token.balanceOf(escrow) == 800 * UNIT
    assert token.balanceOf(client) == client_before - 800 * UNIT
    state = escrow.get_job(job.id)
    assert (state.client, state.freelancer, state.token) == (client, freelancer, token)
    assert (state.milestone_count, state.funded_count, state.open_count, state.nonce) == (2, 2, 2, 0)
    assert (state.arbiter_fee_bps, state.ruling_window) == (ARBITER_FEE_BPS, RULING)
    assert not (state.ended or state.settled or state.cancelled)
    assert len(state.terms_hash) == 20 and state.terms_hash != b"\x00" * 20
    assert [(m.status, m.amount) for m in state.milestones] == [(0, 0), (0, 0)]
    [created] = job.receipt.decode_logs(escrow.JobCreated)
    assert (created.job_id, created.client, created.freelancer, created.token, created.arbiter) == (
        job.id,
        client,
        freelancer,
        token,
        arbiter,
    )
    assert (created.arbiter_fee_bps, created.platform_fee_bps, created.review_period, created.ruling_window) == (
        ARBITER_FEE_BPS,
        PLATFORM_FEE_BPS,
        REVIEW,
        RULING,
    )
    assert created.metadata_hash == metadata_hash
    assert [tuple(m) for m in created.milestones] == list(zip(job.amounts, job.deadlines, strict=True))
    assert (created.funded_count, created.funded_amount) == (2, 800 * UNIT)
    assert job.receipt.decode_logs(escrow.JobFunded) == []


def test_create_job__partial_funding__funds_first_milestones_only(escrow, token, open_job):
    job = open_job((100 * UNIT, 200 * UNIT, 300 * UNIT), fund=1)
    assert token.balanceOf(escrow) == 100 * UNIT
    assert escrow.get_job(job.id).funded_count == 1
    [created] = job.receipt.decode_logs(escrow.JobCreated)
    assert (created.funded_count, created.funded_amount) == (1, 100 * UNIT)


def test_create_job__without_funding__takes_nothing(escrow, token, open_job):
    job = open_job((UNIT,), fund=0)
    assert token.balanceOf(escrow) == 0
    assert escrow.get_job(job.id).funded_count == 0


def test_create_job__native_eth__holds_the_value(escrow, client, open_job):
    before = client.balance
    job = open_job((UNIT, 2 * UNIT), pay_token=ETH)
    assert escrow.balance == 3 * UNIT
    assert client.balance <= before - 3 * UNIT
    assert escrow.get_job(job.id).token == ETH


def test_create_job__eth_amount_mismatch__reverts(escrow, client, freelancer, arbiter, metadata_hash):
    terms = make_terms(arbiter, [UNIT], _deadlines(1))
    with ape.reverts("payouts: wrong ETH amount"):
        escrow.create_job(freelancer, ETH, terms, metadata_hash, 1, sender=client, value=UNIT - 1)


def test_create_job__eth_with_a_token_job__reverts(escrow, token, client, freelancer, arbiter, metadata_hash):
    token.approve(escrow, UNIT, sender=client)
    terms = make_terms(arbiter, [UNIT], _deadlines(1))
    with ape.reverts("payouts: ETH sent with a token job"):
        escrow.create_job(freelancer, token, terms, metadata_hash, 1, sender=client, value=1)


def test_create_job__without_allowance__reverts_and_keeps_nothing(escrow, token, client, freelancer, arbiter):
    terms = make_terms(arbiter, [UNIT], _deadlines(1))
    with ape.reverts():
        escrow.create_job(freelancer, token, terms, b"\x00" * 32, 1, sender=client)
    assert escrow.job_count() == 0
    assert token.balanceOf(escrow) == 0


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"amounts": []}, "escrow: no milestones"),
        ({"amounts": [UNIT, 0]}, "escrow: zero milestone"),
        ({"amounts": [2**96]}, "escrow: total too large"),
        ({"deadline_offset": 0}, "escrow: deadline passed"),
        ({"deadline_offset": 10 * 365 * 86_400 + 1}, "escrow: deadline too far"),
        ({"arbiter_fee_bps": 1_001}, "escrow: arbiter fee above cap"),
        ({"platform_fee_bps": 0}, "escrow: platform fee changed"),
        ({"review": 0}, "escrow: bad review period"),
        ({"review": 365 * 86_400 + 1}, "escrow: bad review period"),
        ({"ruling": 0}, "escrow: bad ruling window"),
        ({"fund": 3}, "escrow: bad fund count"),
    ],
)
def test_create_job__bad_terms__reverts(escrow, token, client, freelancer, arbiter, change, reason):
    amounts = change.get("amounts", [UNIT, UNIT])
    offset = change.get("deadline_offset")
    token.approve(escrow, 10 * UNIT, sender=client)
    now = chain.pending_timestamp
    chain.pending_timestamp = now  # the create is mined at `now` exactly, however slow the machine is
    deadlines = [now + (offset if offset is not None else 86_400)] * len(amounts)
    options = {k: v for k, v in change.items() if k in ("arbiter_fee_bps", "platform_fee_bps", "review", "ruling")}
    terms = make_terms(arbiter, amounts, deadlines, **options)
    with ape.reverts(reason):
        escrow.create_job(freelancer, token, terms, b"\x00" * 32, change.get("fund", 0), sender=client)


def test_create_job__deadline_at_the_horizon__is_accepted(escrow, token, client, freelancer, arbiter):
    terms = make_terms(arbiter, [UNIT], [chain.pending_timestamp + 10 * 365 * 86_400])
    assert escrow.create_job(freelancer, token, terms, b"\x00" * 32, 0, sender=client).return_value == 1


@pytest.mark.parametrize(
    ("who", "reason"),
    [("zero", "escrow: freelancer is zero"), ("client", "escrow: client is freelancer")],
)
def test_create_job__bad_freelancer__reverts(request, escrow, token, client, arbiter, who, reason):
    hired = ETH if who == "zero" else request.getfixturevalue(who)
    terms = make_terms(arbiter, [UNIT], _deadlines(1))
    with ape.reverts(reason):
        escrow.create_job(hired, token, terms, b"\x00" * 32, 0, sender=client)


@pytest.mark.parametrize("who", ["zero", "client", "freelancer"])
def test_create_job__arbiter_is_a_party__reverts(request, escrow, token, client, freelancer, who):
    named = ETH if who == "zero" else request.getfixturevalue(who)
    terms = make_terms(named, [UNIT], _deadlines(1))
    with ape.reverts("escrow: arbiter is a party"):
        escrow.create_job(freelancer, token, terms, b"\x00" * 32, 0, sender=client)


def test_create_job__token_not_a_contract__reverts(escrow, client, freelancer, arbiter, stranger):
    terms = make_terms(arbiter, [UNIT], _deadlines(1))
    with ape.reverts("escrow: token is not a contract"):
        escrow.create_job(freelancer, stranger, terms, b"\x00" * 32, 0, sender=client)


def test_create_job__paused__reverts_and_unpaused_works(escrow, token, owner, client, freelancer, arbiter):
    terms = make_terms(arbiter, [UNIT], _deadlines(1))
    escrow.pause(sender=owner)
    with ape.reverts("settings: new jobs paused"):
        escrow.create_job(freelancer, token, terms, b"\x00" * 32, 0, sender=client)
    escrow.unpause(sender=owner)
    assert escrow.create_job(freelancer, token, terms, b"\x00" * 32, 0, sender=client).return_value == 1


def _permit(token, owner_key, spender, value, deadline):
    owner = Account.from_key(owner_key)
    message = encode_typed_data(
        full_message={
            "types": {
                "EIP712Domain": [
                    {"name": "name", "type": "string"},
                    {"name": "version", "type": "string"},
                    {"name": "chainId", "type": "uint256"},
                    {"name": "verifyingContract", "type": "address"},
                ],
                "Permit": [
                    {"name": "owner", "type": "address"},
                    {"name": "spender", "type": "address"},
                    {"name": "value", "type": "uint256"},
                    {"name": "nonce", "type": "uint256"},
                    {"name": "deadline", "type": "uint256"},
                ],
            },
            "primaryType": "Permit",
            "domain": {
                "name": token.name(),
                "version": "1",
                "chainId": chain.chain_id,
                "verifyingContract": str(token.address),
            },
            "message": {
                "owner": owner.address,
                "spender": str(spender),
                "value": value,
                "nonce": token.nonces(owner.address),
                "deadline": deadline,
            },
        }
    )
    signed = owner.sign_message(message)
    return signed.v, signed.r.to_bytes(32, "big"), signed.s.to_bytes(32, "big")


def test_create_job_with_permit__no_prior_allowance__funds_in_one_call(escrow, token, client, freelancer, arbiter):
    key = client.private_key
    deadline = chain.pending_timestamp + 3_600
    v, r, s = _permit(token, key, escrow, 2 * UNIT, deadline)
    terms = make_terms(arbiter, [UNIT, UNIT], _deadlines(2))
    receipt = escrow.create_job_with_permit(
        freelancer, token, terms, b"\x00" * 32, 2, 2 * UNIT, deadline, v, r, s, sender=client
    )
    assert token.balanceOf(escrow) == 2 * UNIT
    assert token.allowance(client, escrow) == 0
    assert receipt.decode_logs(escrow.JobCreated)[0].funded_amount == 2 * UNIT


def test_create_job_with_permit__permit_already_used__still_works_with_allowance(
    escrow, token, client, freelancer, arbiter
):
    token.approve(escrow, UNIT, sender=client)
    terms = make_terms(arbiter, [UNIT], _deadlines(1))
    receipt = escrow.create_job_with_permit(
        freelancer, token, terms, b"\x00" * 32, 1, UNIT, 0, 27, b"\x01" * 32, b"\x01" * 32, sender=client
    )
    assert receipt.return_value == 1
    assert token.balanceOf(escrow) == UNIT


def test_create_job_with_permit__eth__reverts(escrow, client, freelancer, arbiter):
    terms = make_terms(arbiter, [UNIT], _deadlines(1))
    with ape.reverts("escrow: permit needs a token"):
        escrow.create_job_with_permit(
            freelancer, ETH, terms, b"\x00" * 32, 0, 0, 0, 27, b"\x00" * 32, b"\x00" * 32, sender=client
        )


def test_get_job__unknown_id__reverts(escrow):
    with ape.reverts("escrow: no such job"):
        escrow.get_job(99)
