"""create_job / create_job_with_permit: the client creates a job from the freelancer's signed terms, funding some.

Checks run in the order of docs/escrow-v2.md; `test_create_job__checks_run_in_the_documented_order` proves the
order by breaking every rule from the k-th on and expecting the k-th reason.
"""

from __future__ import annotations

import ape
import pytest
from ape import chain
from eth_account import Account
from eth_account.messages import encode_typed_data

from tests.contracts.conftest import balances
from tests.contracts.terms import (
    ARBITER_FEE_BPS,
    DAY,
    ETH,
    MAX_HORIZON,
    MAX_PERIOD,
    MAX_TOTAL,
    PLATFORM_FEE_BPS,
    REVIEW,
    RULING,
    UNIT,
    Milestone,
    key_of,
)


def test_create_job__funded_by_allowance__holds_funds_and_logs_every_term(
    escrow, token, client, freelancer, arbiter, make_terms, create
):
    terms = make_terms((300 * UNIT, 500 * UNIT), salt=7)
    client_before, escrow_before = balances(token, client, escrow)

    job = create(terms)

    assert job.id == 1 and escrow.job_count() == 1
    assert balances(token, client, escrow) == [client_before - 800 * UNIT, escrow_before + 800 * UNIT]
    assert escrow.terms_hash_of(job.id) == terms.struct_hash
    state = escrow.get_job(job.id)
    assert (state.milestone_count, state.funded_count, state.open_count, state.nonce) == (2, 2, 2, 0)
    assert state.start == job.receipt.timestamp
    assert not (state.ended or state.settled or state.cancelled or state.paid)
    assert [m.status for m in state.milestones] == [0, 0]
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
    assert (created.metadata_hash, created.salt, created.offer_expiry) == (
        terms.metadata_hash,
        7,
        terms.offer_expiry,
    )
    assert [tuple(m) for m in created.milestones] == [m.abi for m in terms.milestones]
    assert (created.start, created.funded_count, created.funded_amount) == (job.start, 2, 800 * UNIT)
    assert created.terms_hash == terms.struct_hash
    assert job.receipt.decode_logs(escrow.JobFunded) == []


def test_create_job__partial_funding__funds_first_milestones_only(escrow, token, open_job):
    job = open_job((100 * UNIT, 200 * UNIT, 300 * UNIT), fund=1)
    assert token.balanceOf(escrow) == 100 * UNIT
    assert escrow.get_job(job.id).funded_count == 1
    [created] = job.receipt.decode_logs(escrow.JobCreated)
    assert (created.funded_count, created.funded_amount) == (1, 100 * UNIT)


def test_create_job__without_funding__takes_nothing_and_calls_no_token(escrow, token, client, open_job):
    token.approve(escrow, 0, sender=client)  # a pull of 0 makes no transferFrom: no allowance needed
    job = open_job((UNIT,), fund=0)
    assert token.balanceOf(escrow) == 0
    assert escrow.get_job(job.id).funded_count == 0


def test_create_job__ids_count_up(open_job):
    assert [open_job(salt=i).id for i in range(3)] == [1, 2, 3]


def test_create_job__native_eth__holds_exactly_the_value(escrow, client, open_job):
    [before] = balances(ETH, client)
    job = open_job((UNIT, 2 * UNIT), token=ETH)
    assert balances(ETH, escrow) == [3 * UNIT]
    assert balances(ETH, client)[0] <= before - 3 * UNIT
    assert job.receipt.decode_logs(escrow.JobCreated)[0].token == ETH


@pytest.mark.parametrize("value", [UNIT - 1, UNIT + 1, 0])
def test_create_job__eth_amount_mismatch__reverts(make_terms, create, value):
    with ape.reverts("payouts: wrong ETH amount"):
        create(make_terms((UNIT,), token=ETH), fund=1, value=value)


def test_create_job__eth_without_funding_but_value__reverts(make_terms, create):
    with ape.reverts("payouts: wrong ETH amount"):
        create(make_terms((UNIT,), token=ETH), fund=0, value=1)


def test_create_job__eth_with_a_token_job__reverts(make_terms, create):
    with ape.reverts("payouts: ETH sent with a token job"):
        create(make_terms((UNIT,)), fund=1, value=1)


def test_create_job__without_allowance__reverts_and_keeps_nothing(escrow, token, client, make_terms, create):
    token.approve(escrow, UNIT - 1, sender=client)
    with ape.reverts():
        create(make_terms((UNIT,)), fund=1)
    assert escrow.job_count() == 0
    assert token.balanceOf(escrow) == 0


def test_create_job__limits_at_their_bounds__are_accepted(escrow, make_terms, create, arbiter):
    schedule = [Milestone(MAX_TOTAL - 49, MAX_HORIZON)] + [Milestone(1, 1)] * 49
    terms = make_terms(milestones=schedule, arbiter_fee_bps=1_000, review_period=MAX_PERIOD, ruling_window=MAX_PERIOD)
    job = create(terms, fund=0)
    assert escrow.get_job(job.id).milestone_count == 50
    assert terms.total == MAX_TOTAL
    create(make_terms((1,), review_period=1, ruling_window=1, arbiter_fee_bps=0, salt=1), fund=0)


def test_create_job__51_milestones__refused_by_the_abi_bound(make_terms, create):
    with ape.reverts():
        create(make_terms([1] * 51, [DAY] * 51), fund=0)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"milestones": ()}, "escrow: no milestones"),
        ({"freelancer": ETH}, "escrow: freelancer is zero"),
        ({"freelancer": "client"}, "escrow: client is freelancer"),
        ({"arbiter": ETH}, "escrow: arbiter is a party"),
        ({"arbiter": "client"}, "escrow: arbiter is a party"),
        ({"arbiter": "freelancer"}, "escrow: arbiter is a party"),
        ({"token": "stranger"}, "escrow: token is not a contract"),
        ({"arbiter_fee_bps": 1_001}, "escrow: arbiter fee above cap"),
        ({"platform_fee_bps": PLATFORM_FEE_BPS - 1}, "escrow: platform fee changed"),
        ({"platform_fee_bps": PLATFORM_FEE_BPS + 1}, "escrow: platform fee changed"),
        ({"review_period": 0}, "escrow: bad review period"),
        ({"review_period": MAX_PERIOD + 1}, "escrow: bad review period"),
        ({"ruling_window": 0}, "escrow: bad ruling window"),
        ({"ruling_window": MAX_PERIOD + 1}, "escrow: bad ruling window"),
        ({"fund": 3}, "escrow: bad fund count"),
        ({"milestones": [(UNIT, DAY), (0, DAY)]}, "escrow: zero milestone"),
        ({"milestones": [(UNIT, 0)]}, "escrow: bad duration"),
        ({"milestones": [(UNIT, MAX_HORIZON + 1)]}, "escrow: bad duration"),
        ({"milestones": [(MAX_TOTAL, DAY), (1, DAY)]}, "escrow: total too large"),
        ({"milestones": [(2**96, DAY)]}, "escrow: total too large"),
        ({"offer_expiry": "past"}, "escrow: offer expired"),
        ({"consent": "client"}, "escrow: bad consent"),
    ],
)
def test_create_job__bad_terms__reverts_with_the_rule(request, escrow, make_terms, create, consent, change, reason):
    change = dict(change)
    fund = change.pop("fund", 0)
    signer = change.pop("consent", None)
    for role in ("freelancer", "arbiter", "token"):
        if change.get(role) in ("client", "freelancer", "stranger"):
            change[role] = request.getfixturevalue(change[role])
    if change.get("offer_expiry") == "past":
        change["offer_expiry"] = chain.pending_timestamp - 1
    schedule = change.pop("milestones", None)
    terms = make_terms((UNIT, UNIT), **change)
    if schedule is not None:
        terms = terms.but(milestones=schedule)
    signature = consent(terms, signer=request.getfixturevalue(signer)) if signer else b"\x01" * 65
    if terms.freelancer != ETH and not signer:
        signature = consent(terms)
    with ape.reverts(reason):
        create(terms, fund=fund, signature=signature)
    assert escrow.job_count() == 0


def test_create_job__by_someone_else_than_the_terms_client__reverts(stranger, make_terms, create):
    with ape.reverts("escrow: not client"):
        create(make_terms(), sender=stranger)


def test_create_job__paused__reverts_and_unpaused_works(escrow, owner, make_terms, create):
    terms = make_terms()
    escrow.pause(sender=owner)
    with ape.reverts("settings: new jobs paused"):
        create(terms)
    escrow.unpause(sender=owner)
    assert create(terms).id == 1


# The rules of create_job in their documented order, each as a change that breaks it.
ORDERED_FAULTS = [
    ("settings: new jobs paused", "pause"),
    ("escrow: not client", "sender"),
    ("escrow: no milestones", "milestones"),
    ("escrow: freelancer is zero", "freelancer"),
    ("escrow: client is freelancer", "freelancer_is_client"),
    ("escrow: arbiter is a party", "arbiter"),
    ("escrow: token is not a contract", "token"),
    ("escrow: arbiter fee above cap", "arbiter_fee_bps"),
    ("escrow: platform fee changed", "platform_fee_bps"),
    ("escrow: bad review period", "review_period"),
    ("escrow: bad ruling window", "ruling_window"),
    ("escrow: bad fund count", "fund"),
    ("escrow: zero milestone", "zero_amount"),
    ("escrow: bad duration", "duration"),
    ("escrow: total too large", "total"),
    ("escrow: offer expired", "offer_expiry"),
    ("escrow: bad consent", "consent"),
]


@pytest.mark.parametrize("first", range(len(ORDERED_FAULTS)), ids=[r for r, _ in ORDERED_FAULTS])
def test_create_job__checks_run_in_the_documented_order(
    escrow, owner, client, stranger, make_terms, create, consent, first
):
    """Every rule from the `first` on is broken at once (the freelancer-is-client fault only when the
    freelancer-is-zero one is not applied, since both name the freelancer): the `first` reason wins."""
    faults = {name for _, name in ORDERED_FAULTS[first:]}
    if "freelancer" in faults and first != 4:
        faults.discard("freelancer_is_client")
    if first == 4:
        faults.discard("freelancer")
    # Milestone 0 breaks every per-milestone rule still in play; the amounts overflow the total at milestone 1.
    amount0 = 0 if "zero_amount" in faults else MAX_TOTAL if "total" in faults else UNIT
    duration0 = 0 if "duration" in faults else DAY
    schedule = [] if "milestones" in faults else [(amount0, duration0), (1 if "total" in faults else UNIT, DAY)]
    terms = make_terms(
        freelancer=ETH if "freelancer" in faults else client if "freelancer_is_client" in faults else None,
        arbiter=client if "arbiter" in faults else None,
        token=stranger if "token" in faults else None,
        arbiter_fee_bps=1_001 if "arbiter_fee_bps" in faults else ARBITER_FEE_BPS,
        platform_fee_bps=PLATFORM_FEE_BPS + 1 if "platform_fee_bps" in faults else PLATFORM_FEE_BPS,
        review_period=0 if "review_period" in faults else REVIEW,
        ruling_window=0 if "ruling_window" in faults else RULING,
        offer_expiry=chain.pending_timestamp - 1 if "offer_expiry" in faults else 2**40,
    ).but(milestones=schedule)
    fund = len(schedule) + 1 if "fund" in faults else 0
    signature = consent(terms, signer=stranger) if "consent" in faults else b"\x00" * 65
    if "consent" not in faults and terms.freelancer != ETH:
        signature = consent(terms)
    if "pause" in faults:
        escrow.pause(sender=owner)
    with ape.reverts(ORDERED_FAULTS[first][0]):
        create(terms, fund=fund, signature=signature, sender=stranger if "sender" in faults else client)


def test_create_job__per_milestone_rules_run_milestone_by_milestone(make_terms, create):
    terms = make_terms().but(milestones=[(UNIT, 0), (0, DAY)])
    with ape.reverts("escrow: bad duration"):
        create(terms, fund=0)
    terms = make_terms().but(milestones=[(MAX_TOTAL, DAY), (0, DAY)])
    with ape.reverts("escrow: zero milestone"):
        create(terms, fund=0)


def _permit(token, owner, spender, value, deadline):
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
                "owner": str(owner.address),
                "spender": str(spender.address),
                "value": value,
                "nonce": token.nonces(owner),
                "deadline": deadline,
            },
        }
    )
    signed = Account.sign_message(message, key_of(owner))
    return signed.v, signed.r.to_bytes(32, "big"), signed.s.to_bytes(32, "big")


def test_create_job_with_permit__no_prior_allowance__funds_in_one_call(escrow, token, client, make_terms, consent):
    token.approve(escrow, 0, sender=client)
    deadline = chain.pending_timestamp + 3_600
    v, r, s = _permit(token, client, escrow, 2 * UNIT, deadline)
    terms = make_terms((UNIT, UNIT))
    receipt = escrow.create_job_with_permit(terms.abi, consent(terms), 2, 2 * UNIT, deadline, v, r, s, sender=client)
    assert receipt.return_value == 1
    assert token.balanceOf(escrow) == 2 * UNIT
    assert token.allowance(client, escrow) == 0
    assert receipt.decode_logs(escrow.JobCreated)[0].funded_amount == 2 * UNIT


def test_create_job_with_permit__failed_permit_is_ignored_and_the_allowance_funds(
    escrow, token, client, make_terms, consent
):
    terms = make_terms((UNIT,))
    receipt = escrow.create_job_with_permit(
        terms.abi, consent(terms), 1, UNIT, 0, 27, b"\x01" * 32, b"\x01" * 32, sender=client
    )
    assert receipt.return_value == 1
    assert token.balanceOf(escrow) == UNIT


def test_create_job_with_permit__failed_permit_and_no_allowance__reverts(escrow, token, client, make_terms, consent):
    token.approve(escrow, 0, sender=client)
    terms = make_terms((UNIT,))
    with ape.reverts("erc20: insufficient allowance"):  # the token's own reason, re-raised
        escrow.create_job_with_permit(
            terms.abi, consent(terms), 1, UNIT, 0, 27, b"\x01" * 32, b"\x01" * 32, sender=client
        )
    assert escrow.job_count() == 0


def test_create_job_with_permit__eth__reverts_before_anything_else(escrow, owner, client, make_terms, consent):
    escrow.pause(sender=owner)  # "permit needs a token" is checked first, before the pause
    terms = make_terms((UNIT,), token=ETH)
    with ape.reverts("escrow: permit needs a token"):
        escrow.create_job_with_permit(terms.abi, consent(terms), 0, 0, 0, 27, b"\x00" * 32, b"\x00" * 32, sender=client)


def test_create_job_with_permit__runs_the_create_checks(escrow, client, stranger, make_terms, consent):
    terms = make_terms((UNIT,))
    with ape.reverts("escrow: bad consent"):
        escrow.create_job_with_permit(
            terms.abi, consent(terms, signer=stranger), 0, 0, 0, 27, b"\x00" * 32, b"\x00" * 32, sender=client
        )


def test_get_job__unknown_id__reverts(escrow, open_job):
    open_job()
    for job_id in (0, 2, 2**256 - 1):
        with ape.reverts("escrow: no such job"):
            escrow.get_job(job_id)
