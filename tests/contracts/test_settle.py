"""settle: both parties sign one split (EIP-712, nonce per job); anyone submits; replays are refused."""

from __future__ import annotations

import ape
import pytest
from ape import chain

from tests.contracts.conftest import UNIT, settlement_signatures, signature


def test_settle__signed_split__pays_remaining_and_ends_job(escrow, token, client, freelancer, stranger, open_job):
    job = open_job((100 * UNIT, 200 * UNIT, 300 * UNIT), fund=2)
    escrow.submit(job.id, 0, b"\x01" * 32, job.terms, sender=freelancer)
    escrow.approve(job.id, 0, sender=client)  # 100 paid; 200 left funded, 300 unfunded
    before = {who: token.balanceOf(who) for who in (client, freelancer)}
    nonce = escrow.get_job(job.id).nonce
    sigs = settlement_signatures(escrow, job.id, 2_500, (client, freelancer))

    receipt = escrow.settle(job.id, 2_500, job.terms, *sigs, sender=stranger)

    assert token.balanceOf(freelancer) - before[freelancer] == 50 * UNIT - 500_000
    assert token.balanceOf(client) - before[client] == 150 * UNIT
    state = escrow.get_job(job.id)
    assert state.settled and state.ended and state.nonce == nonce + 1
    [event] = receipt.decode_logs(escrow.JobSettled)
    assert (event.job_id, event.nonce, event.freelancer_bps) == (job.id, nonce, 2_500)
    assert (event.to_freelancer, event.to_client, event.platform_fee) == (49_500_000, 150 * UNIT, 500_000)
    [ended] = receipt.decode_logs(escrow.JobEnded)
    assert ended.volume == 100 * UNIT + 50 * UNIT
    assert escrow.fees_accrued(token) == UNIT + 500_000
    assert token.balanceOf(escrow) == escrow.fees_accrued(token)


def test_settle__includes_disputed_milestones(escrow, token, client, freelancer, stranger, disputed_job):
    job = disputed_job(amounts=(100 * UNIT,))
    sigs = settlement_signatures(escrow, job.id, 10_000, (client, freelancer))
    escrow.settle(job.id, 10_000, job.terms, *sigs, sender=stranger)
    assert token.balanceOf(escrow) == UNIT  # only the platform fee is left


def test_settle__only_one_party_signed__reverts(escrow, client, freelancer, stranger, open_job):
    job = open_job()
    [client_sig] = settlement_signatures(escrow, job.id, 5_000, (client,))
    with ape.reverts("escrow: bad freelancer signature"):
        escrow.settle(job.id, 5_000, job.terms, client_sig, client_sig, sender=stranger)
    with ape.reverts("escrow: bad client signature"):
        escrow.settle(job.id, 5_000, job.terms, b"\x00" * 65, client_sig, sender=stranger)


def test_settle__different_split_than_signed__reverts(escrow, client, freelancer, stranger, open_job):
    job = open_job()
    sigs = settlement_signatures(escrow, job.id, 5_000, (client, freelancer))
    with ape.reverts("escrow: bad client signature"):
        escrow.settle(job.id, 9_000, job.terms, *sigs, sender=stranger)


def test_settle__split_above_100__reverts(escrow, client, freelancer, stranger, open_job):
    job = open_job()
    sigs = settlement_signatures(escrow, job.id, 10_001, (client, freelancer))
    with ape.reverts("escrow: split above 100%"):
        escrow.settle(job.id, 10_001, job.terms, *sigs, sender=stranger)


def test_settle__high_s_signature__reverts(escrow, client, freelancer, stranger, open_job):
    job = open_job()
    client_sig, freelancer_sig = settlement_signatures(escrow, job.id, 5_000, (client, freelancer))
    n = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
    s = int.from_bytes(client_sig[32:64], "big")
    flipped = client_sig[:32] + (n - s).to_bytes(32, "big") + bytes([55 - client_sig[64]])
    with ape.reverts("escrow: bad client signature"):
        escrow.settle(job.id, 5_000, job.terms, flipped, freelancer_sig, sender=stranger)


def test_settle__replayed_on_another_job__reverts(escrow, client, freelancer, stranger, open_job):
    first, second = open_job(), open_job()
    sigs = settlement_signatures(escrow, first.id, 5_000, (client, freelancer))
    with ape.reverts("escrow: bad client signature"):
        escrow.settle(second.id, 5_000, second.terms, *sigs, sender=stranger)


def test_settle__replayed_after_nonce_moved__reverts(escrow, client, freelancer, stranger, open_job):
    job = open_job()
    sigs = settlement_signatures(escrow, job.id, 5_000, (client, freelancer))
    receipt = escrow.increment_nonce(job.id, sender=client)
    [event] = receipt.decode_logs(escrow.NonceIncremented)
    assert (event.job_id, event.by, event.nonce) == (job.id, client, 1)
    with ape.reverts("escrow: bad client signature"):
        escrow.settle(job.id, 5_000, job.terms, *sigs, sender=stranger)


def test_settle__replayed_after_settling__reverts(escrow, client, freelancer, stranger, open_job):
    job = open_job()
    sigs = settlement_signatures(escrow, job.id, 5_000, (client, freelancer))
    escrow.settle(job.id, 5_000, job.terms, *sigs, sender=stranger)
    with ape.reverts("escrow: job ended"):
        escrow.settle(job.id, 5_000, job.terms, *sigs, sender=stranger)


def test_settle__signed_for_another_chain_id__reverts(escrow, client, freelancer, stranger, open_job):
    from eth_abi import encode
    from eth_utils import keccak

    job = open_job()
    domain = keccak(
        encode(
            ["bytes32", "bytes32", "bytes32", "uint256", "address"],
            [
                keccak(text="EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
                keccak(text="Jiedan Escrow"),
                keccak(text="1"),
                chain.chain_id + 1,
                str(escrow.address),
            ],
        )
    )
    struct = keccak(
        encode(
            ["bytes32", "uint256", "uint256", "uint256"],
            [keccak(text="Settlement(uint256 jobId,uint256 freelancerBps,uint256 nonce)"), job.id, 5_000, 0],
        )
    )
    digest = keccak(b"\x19\x01" + domain + struct)
    same_chain = keccak(b"\x19\x01" + escrow.domain_separator() + struct)
    assert same_chain == escrow.settlement_digest(job.id, 5_000, 0)
    sigs = [signature(who, digest) for who in (client, freelancer)]
    with ape.reverts("escrow: bad client signature"):
        escrow.settle(job.id, 5_000, job.terms, *sigs, sender=stranger)


def test_settle__signed_for_another_escrow__reverts(
    project, owner, reputation, fee_recipient, escrow, client, freelancer, stranger, open_job
):
    other = owner.deploy(project.Escrow, reputation, 100, fee_recipient)
    job = open_job()
    digest = other.settlement_digest(job.id, 5_000, 0)
    assert digest != escrow.settlement_digest(job.id, 5_000, 0)
    sigs = [signature(who, digest) for who in (client, freelancer)]
    with ape.reverts("escrow: bad client signature"):
        escrow.settle(job.id, 5_000, job.terms, *sigs, sender=stranger)


@pytest.mark.parametrize("malformed", [b"", b"\x01" * 64])
def test_settle__malformed_signature__reverts(escrow, client, freelancer, stranger, open_job, malformed):
    job = open_job()
    _, freelancer_sig = settlement_signatures(escrow, job.id, 5_000, (client, freelancer))
    with ape.reverts("escrow: bad client signature"):
        escrow.settle(job.id, 5_000, job.terms, malformed, freelancer_sig, sender=stranger)
