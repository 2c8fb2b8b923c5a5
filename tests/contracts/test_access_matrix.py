"""Access control: every external state-changing function x every role -> allowed, or the exact revert reason.

For each function the setup puts the job (or contract) in the one state where the call would succeed,
so the caller is the only thing that changes between the five runs (each in an isolated snapshot).
"""

from __future__ import annotations

import ape
import pytest
from ape import chain
from eth_utils import keccak

from tests.contracts.conftest import REVIEW, RULING, UNIT, make_terms, settlement_signatures

OK = "allowed"
NOT_OWNER = "ownable: caller is not the owner"
NOT_CLIENT = "escrow: not client"
NOT_PARTY = "escrow: not a party"
ROLES = ("client", "freelancer", "arbiter", "owner", "stranger")
PARTIES_ONLY = {"client": OK, "freelancer": OK, "arbiter": NOT_PARTY, "owner": NOT_PARTY, "stranger": NOT_PARTY}
CLIENT_ONLY = {role: OK if role == "client" else NOT_CLIENT for role in ROLES}
OWNER_ONLY = {role: OK if role == "owner" else NOT_OWNER for role in ROLES}
ANYONE = dict.fromkeys(ROLES, OK)
NOT_ESCROW = dict.fromkeys(ROLES, "reputation: caller is not a registered escrow")

MATRIX = {
    "create_job": {
        "client": OK,
        "freelancer": "escrow: client is freelancer",
        "arbiter": "escrow: arbiter is a party",
        "owner": OK,
        "stranger": OK,
    },
    "create_job_with_permit": {
        "client": OK,
        "freelancer": "escrow: client is freelancer",
        "arbiter": "escrow: arbiter is a party",
        "owner": OK,
        "stranger": OK,
    },
    "fund": CLIENT_ONLY,
    "submit": {role: OK if role == "freelancer" else "escrow: not freelancer" for role in ROLES},
    "approve": CLIENT_ONLY,
    "release": ANYONE,
    "reclaim": ANYONE,
    "dispute": PARTIES_ONLY,
    "resolve": {role: OK if role == "arbiter" else "escrow: not arbiter" for role in ROLES},
    "apply_default_ruling": PARTIES_ONLY,
    "settle": ANYONE,
    "cancel_unfunded": CLIENT_ONLY,
    "increment_nonce": PARTIES_ONLY,
    "rate": PARTIES_ONLY,
    "withdraw": {role: OK if role == "freelancer" else "payouts: nothing to withdraw" for role in ROLES},
    "collect_fees": ANYONE,
    "set_platform_fee": OWNER_ONLY,
    "set_fee_recipient": OWNER_ONLY,
    "pause": OWNER_ONLY,
    "unpause": OWNER_ONLY,
    "transfer_ownership": OWNER_ONLY,
    "accept_ownership": {
        role: OK if role == "stranger" else "ownable_2step: caller is not the new owner" for role in ROLES
    },
    "reputation.register_escrow": OWNER_ONLY,
    "reputation.unregister_escrow": OWNER_ONLY,
    "reputation.transfer_ownership": OWNER_ONLY,
    "reputation.accept_ownership": {
        role: OK if role == "stranger" else "ownable_2step: caller is not the new owner" for role in ROLES
    },
    "reputation.record_job": NOT_ESCROW,
    "reputation.record_rating": NOT_ESCROW,
}


@pytest.fixture
def prepare(project, escrow, reputation, token, owner, client, freelancer, arbiter, stranger, open_job):
    """Per function: set the state up, return `call(sender)`."""

    def submitted(**options):
        job = open_job(**options)
        escrow.submit(job.id, 0, keccak(text="d"), job.terms, sender=freelancer)
        return job

    def setup(name):
        if name in ("create_job", "create_job_with_permit"):
            terms = make_terms(arbiter, [UNIT], [chain.pending_timestamp + 86_400])
            if name == "create_job":
                return lambda who: escrow.create_job(freelancer, token, terms, b"\x00" * 32, 0, sender=who)
            return lambda who: escrow.create_job_with_permit(
                freelancer, token, terms, b"\x00" * 32, 0, 0, 0, 27, b"\x00" * 32, b"\x00" * 32, sender=who
            )
        if name == "fund":
            job = open_job(fund=0)
            token.approve(escrow, 10_000 * UNIT, sender=client)
            return lambda who: escrow.fund(job.id, 1, job.terms, sender=who)
        if name == "submit":
            job = open_job()
            return lambda who: escrow.submit(job.id, 0, b"\x01" * 32, job.terms, sender=who)
        if name == "approve":
            job = submitted()
            return lambda who: escrow.approve(job.id, 0, sender=who)
        if name == "release":
            job = submitted()
            chain.pending_timestamp += REVIEW
            return lambda who: escrow.release(job.id, 0, sender=who)
        if name == "reclaim":
            job = open_job()
            chain.pending_timestamp = job.deadlines[0] + 1
            return lambda who: escrow.reclaim(job.id, 0, job.terms, sender=who)
        if name == "dispute":
            job = submitted()
            return lambda who: escrow.dispute(job.id, 0, sender=who)
        if name in ("resolve", "apply_default_ruling"):
            job = submitted()
            escrow.dispute(job.id, 0, sender=client)
            if name == "resolve":
                return lambda who: escrow.resolve(job.id, 0, 5_000, job.terms, sender=who)
            chain.pending_timestamp += RULING
            return lambda who: escrow.apply_default_ruling(job.id, 0, sender=who)
        if name == "settle":
            job = open_job()
            sigs = settlement_signatures(escrow, job.id, 5_000, (client, freelancer))
            return lambda who: escrow.settle(job.id, 5_000, job.terms, *sigs, sender=who)
        if name == "cancel_unfunded":
            job = open_job(fund=1)
            return lambda who: escrow.cancel_unfunded(job.id, sender=who)
        if name == "increment_nonce":
            job = open_job()
            return lambda who: escrow.increment_nonce(job.id, sender=who)
        if name == "rate":
            job = submitted(amounts=(UNIT,))
            escrow.approve(job.id, 0, sender=client)
            return lambda who: escrow.rate(job.id, 5, b"\x02" * 32, sender=who)
        if name == "withdraw":
            blocky = owner.deploy(project.blocklist_token_mock)
            blocky.mint(client, 100 * UNIT, sender=owner)
            job = submitted(amounts=(UNIT,), pay_token=blocky)
            blocky.set_blocked(freelancer, True, sender=owner)
            escrow.approve(job.id, 0, sender=client)
            blocky.set_blocked(freelancer, False, sender=owner)
            return lambda who: escrow.withdraw(blocky, who, sender=who)
        if name == "collect_fees":
            job = submitted(amounts=(100 * UNIT,))
            escrow.approve(job.id, 0, sender=client)
            return lambda who: escrow.collect_fees(token, sender=who)
        if name == "set_platform_fee":
            return lambda who: escrow.set_platform_fee(200, sender=who)
        if name == "set_fee_recipient":
            return lambda who: escrow.set_fee_recipient(stranger, sender=who)
        if name == "pause":
            return lambda who: escrow.pause(sender=who)
        if name == "unpause":
            escrow.pause(sender=owner)
            return lambda who: escrow.unpause(sender=who)
        if name == "transfer_ownership":
            return lambda who: escrow.transfer_ownership(stranger, sender=who)
        if name == "accept_ownership":
            escrow.transfer_ownership(stranger, sender=owner)
            return lambda who: escrow.accept_ownership(sender=who)
        if name == "reputation.register_escrow":
            other = owner.deploy(project.Escrow, reputation, 100, owner)
            return lambda who: reputation.register_escrow(other, sender=who)
        if name == "reputation.unregister_escrow":
            return lambda who: reputation.unregister_escrow(escrow, sender=who)
        if name == "reputation.transfer_ownership":
            return lambda who: reputation.transfer_ownership(stranger, sender=who)
        if name == "reputation.accept_ownership":
            reputation.transfer_ownership(stranger, sender=owner)
            return lambda who: reputation.accept_ownership(sender=who)
        if name == "reputation.record_job":
            return lambda who: reputation.record_job(1, client, freelancer, token, UNIT, 0, 0, 0, 0, sender=who)
        if name == "reputation.record_rating":
            return lambda who: reputation.record_rating(1, client, freelancer, 5, b"\x00" * 32, sender=who)
        raise AssertionError(name)

    return setup


def test_matrix_covers_every_state_changing_function(escrow, reputation):
    def mutating(contract):
        return {abi.name for abi in contract.contract_type.mutable_methods}

    assert mutating(escrow) == {name for name in MATRIX if "." not in name}
    assert {f"reputation.{name}" for name in mutating(reputation)} == {name for name in MATRIX if "." in name}


@pytest.mark.parametrize("function", list(MATRIX))
def test_access(request, prepare, function):
    call = prepare(function)
    for role in ROLES:
        who = request.getfixturevalue(role)
        expected = MATRIX[function][role]
        with chain.isolate():
            if expected == OK:
                assert call(who).status == 1, (function, role)
            else:
                with ape.reverts(expected):
                    call(who)
