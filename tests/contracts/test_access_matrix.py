"""Access control: every external state-changing function x every role -> allowed, or the exact revert reason.

For each function the setup puts the job (or contract) in the one state where the call would succeed, so the
caller is the only thing that changes between the five runs (each in an isolated snapshot). Settlements and
amendments (EscrowAgreements, run in the escrow's storage) are called on the escrow's address.
"""

from __future__ import annotations

import ape
import pytest
from ape import chain

from tests.contracts.conftest import DELIVERABLE
from tests.contracts.terms import FAR, REVIEW, RULING, UNIT, sign

OK = "allowed"
NOT_OWNER = "ownable: caller is not the owner"
NOT_CLIENT = "escrow: not client"
NOT_PARTY = "escrow: not a party"
NOT_NEW_OWNER = "ownable_2step: caller is not the new owner"
ROLES = ("client", "freelancer", "arbiter", "owner", "stranger")
PARTIES_ONLY = {"client": OK, "freelancer": OK, "arbiter": NOT_PARTY, "owner": NOT_PARTY, "stranger": NOT_PARTY}
CLIENT_ONLY = {role: OK if role == "client" else NOT_CLIENT for role in ROLES}
OWNER_ONLY = {role: OK if role == "owner" else NOT_OWNER for role in ROLES}
ANYONE = dict.fromkeys(ROLES, OK)
NOT_ESCROW = dict.fromkeys(ROLES, "reputation: caller is not a registered escrow")

MATRIX = {
    "create_job": CLIENT_ONLY,
    "create_job_with_permit": CLIENT_ONLY,
    "fund": CLIENT_ONLY,
    "submit": {role: OK if role == "freelancer" else "escrow: not freelancer" for role in ROLES},
    "approve": CLIENT_ONLY,
    "release": ANYONE,
    "reclaim": ANYONE,
    "dispute": PARTIES_ONLY,
    "resolve": {role: OK if role == "arbiter" else "escrow: not arbiter" for role in ROLES},
    "apply_default_ruling": PARTIES_ONLY,
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
    "accept_ownership": {role: OK if role == "stranger" else NOT_NEW_OWNER for role in ROLES},
    "agreements.settle": ANYONE,
    "agreements.extend_deadline": PARTIES_ONLY,
    "agreements.add_milestones": CLIENT_ONLY,
    "agreements.accept_with_deduction": PARTIES_ONLY,
    "reputation.announce_escrow": OWNER_ONLY,
    "reputation.cancel_escrow_change": OWNER_ONLY,
    "reputation.apply_escrow_change": ANYONE,
    "reputation.transfer_ownership": OWNER_ONLY,
    "reputation.accept_ownership": {role: OK if role == "stranger" else NOT_NEW_OWNER for role in ROLES},
    "reputation.record_job": NOT_ESCROW,
    "reputation.record_rating": NOT_ESCROW,
}


@pytest.fixture
def prepare(
    project,
    escrow,
    agreements_at,
    reputation,
    token,
    owner,
    client,
    freelancer,
    stranger,
    agree,
    domain,
    open_job,
    submitted_job,
    make_terms,
    consent,
):
    """Per function: set the state up, return `call(sender)`."""

    def other_party(job, who):
        return job.terms.freelancer if str(who.address) == job.terms.client else job.terms.client

    def setup(name):
        if name in ("create_job", "create_job_with_permit"):
            terms = make_terms((UNIT,))
            signature = consent(terms)
            if name == "create_job":
                return lambda who: escrow.create_job(terms.abi, signature, 1, sender=who)
            return lambda who: escrow.create_job_with_permit(
                terms.abi, signature, 1, 0, 0, 27, b"\x00" * 32, b"\x00" * 32, sender=who
            )
        if name == "fund":
            job = open_job(fund=0)
            return lambda who: escrow.fund(job.id, job.abi, 1, sender=who)
        if name == "submit":
            job = open_job()
            return lambda who: escrow.submit(job.id, job.abi, 0, DELIVERABLE, sender=who)
        if name == "approve":
            job = submitted_job()
            return lambda who: escrow.approve(job.id, job.abi, 0, sender=who)
        if name == "release":
            job = submitted_job()
            chain.pending_timestamp += REVIEW
            return lambda who: escrow.release(job.id, job.abi, 0, sender=who)
        if name == "reclaim":
            job = open_job()
            chain.pending_timestamp = job.deadline(0) + 1
            return lambda who: escrow.reclaim(job.id, job.abi, 0, sender=who)
        if name == "dispute":
            job = submitted_job()
            return lambda who: escrow.dispute(job.id, job.abi, 0, sender=who)
        if name in ("resolve", "apply_default_ruling"):
            job = submitted_job()
            escrow.dispute(job.id, job.abi, 0, sender=client)
            if name == "resolve":
                return lambda who: escrow.resolve(job.id, job.abi, 0, 5_000, sender=who)
            chain.pending_timestamp += RULING
            return lambda who: escrow.apply_default_ruling(job.id, job.abi, 0, sender=who)
        if name == "cancel_unfunded":
            job = open_job(fund=1)
            return lambda who: escrow.cancel_unfunded(job.id, job.abi, sender=who)
        if name == "increment_nonce":
            job = open_job()
            return lambda who: escrow.increment_nonce(job.id, job.abi, sender=who)
        if name == "rate":
            job = submitted_job(amounts=(UNIT,))
            escrow.approve(job.id, job.abi, 0, sender=client)
            return lambda who: escrow.rate(job.id, job.abi, 5, b"\x02" * 32, sender=who)
        if name == "withdraw":
            blocky = owner.deploy(project.blocklist_token_mock)
            blocky.mint(client, 100 * UNIT, sender=owner)
            blocky.approve(escrow, 100 * UNIT, sender=client)
            job = submitted_job(amounts=(UNIT,), token=blocky)
            blocky.set_blocked(freelancer, True, sender=owner)
            escrow.approve(job.id, job.abi, 0, sender=client)
            blocky.set_blocked(freelancer, False, sender=owner)
            return lambda who: escrow.withdraw(blocky, who, sender=who)
        if name == "collect_fees":
            job = submitted_job(amounts=(100 * UNIT,))
            escrow.approve(job.id, job.abi, 0, sender=client)
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
        if name == "agreements.settle":
            job = open_job()
            return lambda who: agree.settle(job, 5_000, sender=who)
        if name == "agreements.extend_deadline":
            job = open_job()

            def extend(who):
                signature = sign(other_party(job, who), domain.extend_deadline(job.id, 0, 40 * 86_400, 0))
                return agreements_at.extend_deadline(job.id, job.abi, 0, 40 * 86_400, FAR, signature, sender=who)

            return extend
        if name == "agreements.add_milestones":
            job = open_job()
            signature = sign(freelancer, domain.add_milestones(job.id, job.terms.milestones[:1], 0, 0))
            added = [job.terms.milestones[0].abi]
            return lambda who: agreements_at.add_milestones(job.id, job.abi, added, 0, FAR, signature, sender=who)
        if name == "agreements.accept_with_deduction":
            job = submitted_job()

            def deduct(who):
                signature = sign(other_party(job, who), domain.deduction(job.id, 0, 5_000, 1))
                return agreements_at.accept_with_deduction(job.id, job.abi, 0, 5_000, FAR, signature, sender=who)

            return deduct
        if name == "reputation.announce_escrow":
            return lambda who: reputation.announce_escrow(stranger, True, sender=who)
        if name == "reputation.cancel_escrow_change":
            reputation.announce_escrow(stranger, True, sender=owner)
            return lambda who: reputation.cancel_escrow_change(stranger, sender=who)
        if name == "reputation.apply_escrow_change":
            reputation.announce_escrow(stranger, True, sender=owner)
            chain.pending_timestamp += 7 * 86_400
            return lambda who: reputation.apply_escrow_change(stranger, sender=who)
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


def test_matrix_covers_every_state_changing_function(project, escrow, reputation):
    def mutating(contract_type):
        return {abi.name for abi in contract_type.mutable_methods}

    assert mutating(escrow.contract_type) == {name for name in MATRIX if "." not in name}
    assert {f"agreements.{n}" for n in mutating(project.EscrowAgreements.contract_type)} == {
        name for name in MATRIX if name.startswith("agreements.")
    }
    assert {f"reputation.{n}" for n in mutating(reputation.contract_type)} == {
        name for name in MATRIX if name.startswith("reputation.")
    }


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
