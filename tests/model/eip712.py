"""The escrow v2's EIP-712 hashing and signature rules, written from docs/escrow-v2.md.

Our own hashStruct (eth_abi + keccak), cross-checked against eth_account's
``encode_typed_data`` in tests/model/test_eip712.py. Also: ECDSA signing helpers (low-s as
eth_keys makes them, plus deliberately malformed variants) and an ecrecover that behaves like
the precompile (zero address for anything it refuses).
"""

from __future__ import annotations

from eth_abi import encode
from eth_keys import keys
from eth_keys.exceptions import BadSignature, ValidationError
from eth_utils import keccak, to_canonical_address

SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
HALF_N = SECP256K1_N // 2
ZERO = "0x" + "00" * 20

MILESTONE_TYPE = "Milestone(uint256 amount,uint256 duration)"
TERMS_TYPE = (
    "Terms(address client,address freelancer,address token,address arbiter,uint256 arbiterFeeBps,"
    "uint256 platformFeeBps,uint256 reviewPeriod,uint256 rulingWindow,bytes32 metadataHash,uint256 salt,"
    "uint256 offerExpiry,Milestone[] milestones)" + MILESTONE_TYPE
)
SETTLEMENT_TYPE = "Settlement(uint256 jobId,uint256 freelancerBps,uint256 nonce,uint256 expiry)"
EXTEND_TYPE = "ExtendDeadline(uint256 jobId,uint256 milestone,uint256 newDuration,uint256 nonce,uint256 expiry)"
ADD_TYPE = (
    "AddMilestones(uint256 jobId,Milestone[] milestones,uint256 fundCount,uint256 nonce,uint256 expiry)"
    + MILESTONE_TYPE
)
DEDUCTION_TYPE = "Deduction(uint256 jobId,uint256 milestone,uint256 freelancerBps,uint256 nonce,uint256 expiry)"
DOMAIN_TYPE = "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"

MILESTONE_TYPEHASH = keccak(text=MILESTONE_TYPE)
TERMS_TYPEHASH = keccak(text=TERMS_TYPE)
SETTLEMENT_TYPEHASH = keccak(text=SETTLEMENT_TYPE)
EXTEND_TYPEHASH = keccak(text=EXTEND_TYPE)
ADD_TYPEHASH = keccak(text=ADD_TYPE)
DEDUCTION_TYPEHASH = keccak(text=DEDUCTION_TYPE)
DOMAIN_TYPEHASH = keccak(text=DOMAIN_TYPE)


def milestones_hash(milestones) -> bytes:
    """hashStruct of a Milestone[]: keccak of the concatenated element hashes."""
    parts = b"".join(
        keccak(encode(["bytes32", "uint256", "uint256"], [MILESTONE_TYPEHASH, a, d])) for a, d in milestones
    )
    return keccak(parts)


def terms_hash(t) -> bytes:
    """hashStruct(Terms) for a reference.Terms (or anything with the same attributes)."""
    return keccak(
        encode(
            ["bytes32"] + ["address"] * 4 + ["uint256"] * 4 + ["bytes32", "uint256", "uint256", "bytes32"],
            [
                TERMS_TYPEHASH,
                t.client,
                t.freelancer,
                t.token,
                t.arbiter,
                t.arbiter_fee_bps,
                t.platform_fee_bps,
                t.review_period,
                t.ruling_window,
                t.metadata_hash,
                t.salt,
                t.offer_expiry,
                milestones_hash(t.milestones),
            ],
        )
    )


def settlement_hash(job_id: int, bps: int, nonce: int, expiry: int) -> bytes:
    return keccak(encode(["bytes32"] + ["uint256"] * 4, [SETTLEMENT_TYPEHASH, job_id, bps, nonce, expiry]))


def extend_hash(job_id: int, milestone: int, new_duration: int, nonce: int, expiry: int) -> bytes:
    return keccak(
        encode(["bytes32"] + ["uint256"] * 5, [EXTEND_TYPEHASH, job_id, milestone, new_duration, nonce, expiry])
    )


def add_hash(job_id: int, milestones, fund_count: int, nonce: int, expiry: int) -> bytes:
    return keccak(
        encode(
            ["bytes32", "uint256", "bytes32", "uint256", "uint256", "uint256"],
            [ADD_TYPEHASH, job_id, milestones_hash(milestones), fund_count, nonce, expiry],
        )
    )


def deduction_hash(job_id: int, milestone: int, bps: int, nonce: int, expiry: int) -> bytes:
    return keccak(encode(["bytes32"] + ["uint256"] * 5, [DEDUCTION_TYPEHASH, job_id, milestone, bps, nonce, expiry]))


def domain_separator(chain_id: int, verifying_contract: str, name: str = "Jiedan Escrow", version: str = "2") -> bytes:
    return keccak(
        encode(
            ["bytes32", "bytes32", "bytes32", "uint256", "address"],
            [DOMAIN_TYPEHASH, keccak(text=name), keccak(text=version), chain_id, verifying_contract],
        )
    )


def digest(domain: bytes, struct_hash: bytes) -> bytes:
    return keccak(b"\x19\x01" + domain + struct_hash)


PERMIT_TYPEHASH = keccak(text="Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)")


def permit_digest(token_name: str, chain_id: int, token: str, owner: str, spender: str, value, nonce, deadline):
    """The EIP-2612 digest a snekmate ERC-20 checks (domain version "1")."""
    dom = domain_separator(chain_id, token, name=token_name, version="1")
    sh = keccak(
        encode(
            ["bytes32", "address", "address", "uint256", "uint256", "uint256"],
            [PERMIT_TYPEHASH, owner, spender, value, nonce, deadline],
        )
    )
    return digest(dom, sh)


# ---------------------------------------------------------------- ECDSA


def sign(key: bytes, msg_hash: bytes) -> bytes:
    """A canonical 65-byte r ‖ s ‖ v signature (low s, v in {27, 28})."""
    sig = keys.PrivateKey(key).sign_msg_hash(msg_hash)
    return sig.r.to_bytes(32, "big") + sig.s.to_bytes(32, "big") + bytes([sig.v + 27])


def sign_vrs(key: bytes, msg_hash: bytes) -> tuple[int, bytes, bytes]:
    sig = sign(key, msg_hash)
    return sig[64], sig[:32], sig[32:64]


def high_s(sig: bytes) -> bytes:
    """The malleable twin of a 65-byte signature: s' = n - s, v flipped. ecrecover accepts it."""
    r, s, v = sig[:32], int.from_bytes(sig[32:64], "big"), sig[64]
    return r + (SECP256K1_N - s).to_bytes(32, "big") + bytes([55 - v])


def ecrecover(msg_hash: bytes, v: int, r: int, s: int) -> str:
    """The ecrecover precompile: the signer, or the zero address for anything it refuses."""
    if v not in (27, 28) or not (0 < r < SECP256K1_N) or not (0 < s < SECP256K1_N):
        return ZERO
    try:
        sig = keys.Signature(vrs=(v - 27, r, s))
        pub = sig.recover_public_key_from_msg_hash(msg_hash)
    except (BadSignature, ValidationError, ValueError):
        return ZERO
    return pub.to_checksum_address().lower()


def split_sig(sig: bytes) -> tuple[int, int, int]:
    return int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:64], "big"), sig[64]


def eoa_signature_valid(signer: str, msg_hash: bytes, sig: bytes) -> bool:
    """The spec's EOA rule: 65 bytes, s <= n/2, v in {27, 28}, ecrecover gives the signer."""
    if len(sig) != 65:
        return False
    r, s, v = split_sig(sig)
    if s > HALF_N or v not in (27, 28):
        return False
    rec = ecrecover(msg_hash, v, r, s)
    return rec != ZERO and rec == signer.lower()


def address_of(key: bytes) -> str:
    return keys.PrivateKey(key).public_key.to_checksum_address().lower()


def canonical(a: str) -> bytes:
    return to_canonical_address(a)
