"""The freelancer's consent: an EIP-712 signature of the exact terms, by an EOA or an EIP-1271 wallet, used once.

The struct hash is computed three ways and must agree: by the contract (`hash_terms`), by eth_account's
EIP-712 encoder (what a wallet signs with eth_signTypedData_v4), and from the rules' type strings with eth_abi.
"""

from __future__ import annotations

import ape
import pytest
from ape import chain
from eth_utils import keccak

from tests.contracts.terms import (
    ETH,
    UNIT,
    Domain,
    Milestone,
    digest,
    high_s,
    sign,
    sign_digest,
    struct_hash,
)


def test_terms_hash__contract_wallet_encoder_and_rules_agree(escrow, domain, make_terms):
    for terms in (
        make_terms(),
        make_terms((1,), salt=2**256 - 1, token=ETH, metadata_hash=b"\xff" * 32),
        make_terms([UNIT] * 50, [86_400] * 50),
    ):
        assert escrow.hash_terms(terms.abi) == terms.struct_hash == struct_hash(domain.consent(terms))


def test_domain_separator__name_version_chain_and_escrow(escrow, domain):
    assert domain == Domain(chain.chain_id, str(escrow.address), "Jiedan Escrow", "2")
    assert escrow.domain_separator() == domain.separator


def test_consent__eoa_freelancer__creates_the_job(escrow, freelancer, domain, make_terms, create):
    terms = make_terms()
    signature = sign(freelancer, domain.consent(terms))
    assert len(signature) == 65 and signature[64] in (27, 28)
    job = create(terms, signature=signature)
    assert escrow.terms_hash_of(job.id) == terms.struct_hash
    assert escrow.consent_used(freelancer, terms.salt)


def test_consent__raw_digest_signature_is_the_same_as_the_wallet_one(freelancer, domain, make_terms, create):
    terms = make_terms()
    raw = keccak(b"\x19\x01" + domain.separator + terms.struct_hash)
    assert raw == digest(domain.consent(terms))
    assert create(terms, signature=sign_digest(freelancer, raw)).id == 1


@pytest.fixture
def wallet(project, owner, freelancer):
    """An EIP-1271 contract wallet whose signing key is the freelancer's."""
    return owner.deploy(project.smart_wallet_mock, freelancer)


def test_consent__eip1271_wallet_freelancer__creates_the_job(escrow, wallet, freelancer, domain, make_terms, create):
    terms = make_terms(freelancer=wallet)
    signature = sign(freelancer, domain.consent(terms))  # the wallet's key signs; the wallet vouches
    job = create(terms, signature=signature)
    [created] = job.receipt.decode_logs(escrow.JobCreated)
    assert created.freelancer == wallet


def test_consent__eip1271_wallet_refusing__reverts(wallet, stranger, domain, make_terms, create):
    terms = make_terms(freelancer=wallet)
    with ape.reverts("escrow: bad consent"):
        create(terms, signature=sign(stranger, domain.consent(terms)))


def test_consent__eip1271_wallet_gets_no_ecdsa_fallback(wallet, domain, make_terms, create):
    """A contract freelancer is asked by EIP-1271 only, and input the wallet cannot even decode (longer than the
    65 bytes it accepts) is a refusal ("bad consent"), not a revert that escapes the escrow's check."""
    terms = make_terms(freelancer=wallet)
    with ape.reverts("escrow: bad consent"):
        create(terms, signature=b"\x01" * 66)


def test_consent__account_with_code_whose_key_signs__accepted_by_ecdsa_before_its_code_is_asked(
    project, owner, freelancer, domain, make_terms, create
):
    """An account that has code and a key (an EIP-7702-delegated EOA) is checked by ECDSA first, as
    OpenZeppelin's SignatureChecker does: its key's signature creates the job though its code (here one
    that burns all gas and refuses every EIP-1271 check) would have said no."""
    burner = owner.deploy(project.gas_burning_wallet_mock)
    code = chain.provider.web3.eth.get_code(str(burner.address))
    chain.provider.make_request("anvil_setCode", [str(freelancer.address), "0x" + code.hex()])
    terms = make_terms()
    job = create(terms, signature=sign(freelancer, domain.consent(terms)))
    assert job.receipt.gas_used < 200_000  # the refusing code alone would have burnt 150,000


def test_consent__wrong_signer__reverts(client, stranger, arbiter, domain, make_terms, create):
    terms = make_terms()
    for signer in (client, stranger, arbiter):
        with ape.reverts("escrow: bad consent"):
            create(terms, signature=sign(signer, domain.consent(terms)))


def test_consent__high_s__reverts_though_ecrecover_would_accept_it(freelancer, domain, make_terms, create):
    terms = make_terms()
    good = sign(freelancer, domain.consent(terms))
    with ape.reverts("escrow: bad consent"):
        create(terms, signature=high_s(good))
    assert create(terms, signature=good).id == 1


@pytest.mark.parametrize("v", [0, 1, 26, 29, 255])
def test_consent__bad_v__reverts(freelancer, domain, make_terms, create, v):
    terms = make_terms()
    good = sign(freelancer, domain.consent(terms))
    with ape.reverts("escrow: bad consent"):
        create(terms, signature=good[:64] + bytes([v]))


@pytest.mark.parametrize("length", [0, 64, 66, 1_024])
def test_consent__not_65_bytes__reverts(freelancer, domain, make_terms, create, length):
    terms = make_terms()
    good = sign(freelancer, domain.consent(terms))
    malformed = (good * 20)[:length]
    with ape.reverts("escrow: bad consent"):
        create(terms, signature=malformed)


def test_consent__over_1024_bytes__refused_by_the_abi_bound(make_terms, create):
    with ape.reverts():
        create(make_terms(), signature=b"\x01" * 1_025)


def test_consent__expired_offer__reverts_and_the_last_second_is_good(escrow, make_terms, create):
    expiry = chain.pending_timestamp + 100
    terms = make_terms(offer_expiry=expiry)
    chain.pending_timestamp = expiry + 1
    with ape.reverts("escrow: offer expired"):
        create(terms)
    at_expiry = chain.pending_timestamp + 10
    chain.pending_timestamp = at_expiry
    assert create(make_terms(offer_expiry=at_expiry)).id == 1  # inclusive: good at offer_expiry itself


def test_consent__replayed__consent_used(escrow, make_terms, create, consent):
    terms = make_terms()
    signature = consent(terms)
    create(terms, signature=signature)
    with ape.reverts("escrow: consent used"):
        create(terms, signature=signature)
    with ape.reverts("escrow: consent used"):  # checked before the consent: any signature gets the same answer
        create(terms, signature=b"")
    assert escrow.job_count() == 1


def test_consent__other_terms_with_a_used_salt__consent_used(escrow, freelancer, make_terms, create):
    """A salt is the freelancer's nonce: once a consent with it made a job, no other terms with it can."""
    create(make_terms(salt=7))
    with ape.reverts("escrow: consent used"):
        create(make_terms((1 * UNIT,), salt=7))
    assert escrow.consent_used(freelancer, 7) and not escrow.consent_used(freelancer, 8)


@pytest.mark.parametrize("salt", [0, 255, 256, 2**256 - 1])
def test_consent__salts_at_word_edges__one_job_each__neighbours_unused(
    escrow, freelancer, stranger, make_terms, create, salt
):
    create(make_terms(salt=salt))
    assert escrow.consent_used(freelancer, salt)
    neighbours = [n for n in (salt - 1, salt + 1) if 0 <= n < 2**256]
    assert [escrow.consent_used(freelancer, n) for n in neighbours] == [False] * len(neighbours)
    assert not escrow.consent_used(stranger, salt)  # the bitmap is the freelancer's own
    with ape.reverts("escrow: consent used"):
        create(make_terms(salt=salt))


def test_consent__the_same_salt_of_another_freelancer__is_another_consent(
    escrow, arbiter, stranger, make_terms, create
):
    create(make_terms(salt=3))
    create(make_terms(salt=3, freelancer=stranger))
    assert escrow.job_count() == 2


def test_consent__same_offer_with_another_salt__is_another_job(make_terms, create):
    first = create(make_terms(salt=1))
    second = create(make_terms(salt=2))
    assert (first.id, second.id) == (1, 2)


@pytest.mark.parametrize(
    "change",
    [
        {"milestones": [Milestone(300 * UNIT, 864_000), Milestone(500 * UNIT + 1, 1_728_000)]},
        {"milestones": [Milestone(300 * UNIT, 864_000), Milestone(500 * UNIT, 1_728_001)]},
        {"milestones": [Milestone(300 * UNIT, 864_000)]},
        {"arbiter_fee_bps": 499},
        {"review_period": 86_400},
        {"ruling_window": 86_400},
        {"metadata_hash": b"\x01" * 32},
        {"salt": 1},
        {"offer_expiry": 2**40 - 1},
        {"token": ETH},
    ],
)
def test_consent__changed_terms_need_a_new_signature(freelancer, domain, make_terms, create, change):
    signed_terms = make_terms()
    signature = sign(freelancer, domain.consent(signed_terms))
    changed = signed_terms.but(**change)
    with ape.reverts("escrow: bad consent"):
        create(changed, signature=signature, value=0)
    assert create(changed, signature=sign(freelancer, domain.consent(changed)), fund=0).id == 1


def test_consent__changed_arbiter_needs_a_new_signature(freelancer, stranger, domain, make_terms, create):
    signature = sign(freelancer, domain.consent(make_terms()))
    with ape.reverts("escrow: bad consent"):
        create(make_terms(arbiter=stranger), signature=signature)


def test_consent__changed_client_needs_a_new_signature(freelancer, stranger, domain, make_terms, create):
    """A consent names its client: nobody else can hire the freelancer with it."""
    signed_terms = make_terms()
    signature = sign(freelancer, domain.consent(signed_terms))
    with ape.reverts("escrow: bad consent"):
        create(make_terms(client=stranger), signature=signature, fund=0)
    with ape.reverts("escrow: not client"):
        create(signed_terms, signature=signature, sender=stranger)


@pytest.mark.parametrize(
    "other",
    [
        {"chain_id": 1},
        {"verifying_contract": "0x" + "11" * 20},
        {"version": "1"},
        {"name": "Jiedan"},
    ],
)
def test_consent__signed_for_another_domain__reverts(escrow, freelancer, domain, make_terms, create, other):
    terms = make_terms()
    foreign = Domain(**{**domain.__dict__, **other})
    with ape.reverts("escrow: bad consent"):
        create(terms, signature=sign(freelancer, foreign.consent(terms)))


def test_consent__a_settlement_signature_is_not_a_consent(freelancer, domain, make_terms, create):
    terms = make_terms()
    with ape.reverts("escrow: bad consent"):
        create(terms, signature=sign(freelancer, domain.settlement(1, 10_000, 0)))
