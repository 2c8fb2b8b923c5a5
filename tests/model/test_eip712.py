"""Our hashStruct against eth_account's EIP-712 encoder, for every struct of the spec."""

import pytest
from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_utils import keccak

from . import eip712
from .reference import Terms

ESCROW = "0x" + "ab" * 20
CHAIN = 31337

DOMAIN = {"name": "Jiedan Escrow", "version": "2", "chainId": CHAIN, "verifyingContract": ESCROW}
DOMAIN_TYPES = [
    {"name": "name", "type": "string"},
    {"name": "version", "type": "string"},
    {"name": "chainId", "type": "uint256"},
    {"name": "verifyingContract", "type": "address"},
]
MILESTONE = [{"name": "amount", "type": "uint256"}, {"name": "duration", "type": "uint256"}]


def _u(*names):
    return [{"name": n, "type": "uint256"} for n in names]


TYPES = {
    "Terms": [
        {"name": "client", "type": "address"},
        {"name": "freelancer", "type": "address"},
        {"name": "token", "type": "address"},
        {"name": "arbiter", "type": "address"},
        *_u("arbiterFeeBps", "platformFeeBps", "reviewPeriod", "rulingWindow"),
        {"name": "metadataHash", "type": "bytes32"},
        *_u("salt", "offerExpiry"),
        {"name": "milestones", "type": "Milestone[]"},
    ],
    "Settlement": _u("jobId", "freelancerBps", "nonce", "expiry"),
    "ExtendDeadline": _u("jobId", "milestone", "newDuration", "nonce", "expiry"),
    "AddMilestones": [
        *_u("jobId"),
        {"name": "milestones", "type": "Milestone[]"},
        *_u("fundCount", "nonce", "expiry"),
    ],
    "Deduction": _u("jobId", "milestone", "freelancerBps", "nonce", "expiry"),
}


def _typed(primary, message):
    types = {"EIP712Domain": DOMAIN_TYPES, primary: TYPES[primary]}
    if primary in ("Terms", "AddMilestones"):
        types["Milestone"] = MILESTONE
    return {"types": types, "primaryType": primary, "domain": DOMAIN, "message": message}


def _their_digest(primary, message) -> bytes:
    m = encode_typed_data(full_message=_typed(primary, message))
    return keccak(b"\x19" + m.version + m.header + m.body)


def _ms(milestones):
    return [{"amount": a, "duration": d} for a, d in milestones]


TERMS = [
    Terms(
        "0x" + "11" * 20, "0x" + "22" * 20, "0x" + "00" * 20, "0x" + "33" * 20,
        250, 100, 86_400, 3 * 86_400, b"\x07" * 32, 42, 2**40, ((1, 1), (2**96 - 2, 10 * 365 * 86_400)),
    ),
    Terms(
        "0x" + "a1" * 20, "0x" + "b2" * 20, "0x" + "c3" * 20, "0x" + "d4" * 20,
        0, 0, 1, 1, b"\x00" * 32, 2**256 - 1, 0, tuple((i + 1, i + 7) for i in range(50)),
    ),
]  # fmt: skip


@pytest.mark.parametrize("terms", TERMS)
def test_terms_hash_and_consent_digest__match_eth_account(terms):
    msg = {
        "client": terms.client,
        "freelancer": terms.freelancer,
        "token": terms.token,
        "arbiter": terms.arbiter,
        "arbiterFeeBps": terms.arbiter_fee_bps,
        "platformFeeBps": terms.platform_fee_bps,
        "reviewPeriod": terms.review_period,
        "rulingWindow": terms.ruling_window,
        "metadataHash": terms.metadata_hash,
        "salt": terms.salt,
        "offerExpiry": terms.offer_expiry,
        "milestones": _ms(terms.milestones),
    }
    ours = eip712.digest(eip712.domain_separator(CHAIN, ESCROW), terms.hash)
    assert ours == _their_digest("Terms", msg)


def test_amendment_and_settlement_digests__match_eth_account():
    dom = eip712.domain_separator(CHAIN, ESCROW)
    assert eip712.digest(dom, eip712.settlement_hash(3, 5_001, 7, 2**33)) == _their_digest(
        "Settlement", {"jobId": 3, "freelancerBps": 5_001, "nonce": 7, "expiry": 2**33}
    )
    assert eip712.digest(dom, eip712.extend_hash(3, 4, 99, 7, 8)) == _their_digest(
        "ExtendDeadline", {"jobId": 3, "milestone": 4, "newDuration": 99, "nonce": 7, "expiry": 8}
    )
    ms = ((5, 6), (7, 8), (2**96 - 1, 1))
    assert eip712.digest(dom, eip712.add_hash(3, ms, 2, 7, 8)) == _their_digest(
        "AddMilestones", {"jobId": 3, "milestones": _ms(ms), "fundCount": 2, "nonce": 7, "expiry": 8}
    )
    assert eip712.digest(dom, eip712.deduction_hash(3, 1, 10_000, 0, 1)) == _their_digest(
        "Deduction", {"jobId": 3, "milestone": 1, "freelancerBps": 10_000, "nonce": 0, "expiry": 1}
    )


def test_changing_any_field_changes_the_terms_hash():
    base = TERMS[0]
    seen = {base.hash}
    for name, new in [
        ("client", "0x" + "12" * 20), ("freelancer", "0x" + "23" * 20), ("token", "0x" + "01" * 20),
        ("arbiter", "0x" + "34" * 20), ("arbiter_fee_bps", 251), ("platform_fee_bps", 101),
        ("review_period", 86_401), ("ruling_window", 1), ("metadata_hash", b"\x08" * 32), ("salt", 43),
        ("offer_expiry", 2**40 + 1), ("milestones", ((1, 2), (2**96 - 2, 10 * 365 * 86_400))),
        ("milestones", ((1, 1),)),
    ]:  # fmt: skip
        h = base.replace(**{name: new}).hash
        assert h not in seen, name
        seen.add(h)


def test_signatures__low_s_valid_high_s_and_bad_v_refused():
    acct = Account.create("model-eip712")
    key = bytes(acct.key)
    d = keccak(b"anything")
    sig = eip712.sign(key, d)
    signer = acct.address.lower()
    assert eip712.eoa_signature_valid(signer, d, sig)
    hi = eip712.high_s(sig)
    assert eip712.ecrecover(d, hi[64], *eip712.split_sig(hi)[:2]) == signer  # the precompile accepts it
    assert not eip712.eoa_signature_valid(signer, d, hi)  # the spec does not
    assert not eip712.eoa_signature_valid(signer, d, sig[:64] + bytes([sig[64] - 27]))  # v in {0, 1}
    assert not eip712.eoa_signature_valid(signer, d, sig + b"\x00")
    assert not eip712.eoa_signature_valid(signer, keccak(b"other"), sig)
    # eth_account agrees with our signature bytes
    theirs = Account._sign_hash(d, key)
    assert theirs.signature == sig
