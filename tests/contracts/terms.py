"""The one place that builds a job's Terms, the EIP-712 messages of docs/escrow-v2.md, and their signatures.

`Terms` is the ABI tuple every escrow call presents (`terms.abi`); `Terms.struct_hash` is its EIP-712
`hashStruct`, computed here with eth_abi from the type strings of the rules (what `terms_hash_of(job_id)` holds);
the typed-data dictionaries are what a wallet (`eth_signTypedData_v4`) signs, and `sign` signs them with
a test account's key, derived from the test mnemonic (or taken from the Ape test account).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cache

from eth_abi import encode
from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_utils import keccak, to_checksum_address

MNEMONIC = "test test test test test test test test test test test junk"
UNIT = 10**6  # the test token has 6 decimals
DAY = 86_400
BPS = 10_000
REVIEW = 3 * DAY
RULING = 7 * DAY
ARBITER_FEE_BPS = 500  # 5% of a disputed milestone
PLATFORM_FEE_BPS = 100  # 1% of what the freelancer side is paid
MAX_HORIZON = 10 * 365 * DAY
MAX_PERIOD = 365 * DAY
MAX_TOTAL = 2**96 - 1
FAR = 2**40  # an offer or signature expiry that never comes in a test
ETH = "0x" + "00" * 20
SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141

# Milestone statuses (docs/escrow-v2.md, "State").
OPEN, SUBMITTED, DISPUTED, APPROVED, RELEASED, RECLAIMED, RESOLVED, DEFAULTED, SETTLED, CANCELLED, DEDUCTED = range(11)
LIVE = (OPEN, SUBMITTED, DISPUTED)

DOMAIN_TYPE = [
    {"name": "name", "type": "string"},
    {"name": "version", "type": "string"},
    {"name": "chainId", "type": "uint256"},
    {"name": "verifyingContract", "type": "address"},
]
MILESTONE_TYPE = [{"name": "amount", "type": "uint256"}, {"name": "duration", "type": "uint256"}]
TERMS_TYPE = [
    {"name": "client", "type": "address"},
    {"name": "freelancer", "type": "address"},
    {"name": "token", "type": "address"},
    {"name": "arbiter", "type": "address"},
    {"name": "arbiterFeeBps", "type": "uint256"},
    {"name": "platformFeeBps", "type": "uint256"},
    {"name": "reviewPeriod", "type": "uint256"},
    {"name": "rulingWindow", "type": "uint256"},
    {"name": "metadataHash", "type": "bytes32"},
    {"name": "salt", "type": "uint256"},
    {"name": "offerExpiry", "type": "uint256"},
    {"name": "milestones", "type": "Milestone[]"},
]
SETTLEMENT_TYPE = [
    {"name": "jobId", "type": "uint256"},
    {"name": "freelancerBps", "type": "uint256"},
    {"name": "nonce", "type": "uint256"},
    {"name": "expiry", "type": "uint256"},
]
EXTEND_TYPE = [
    {"name": "jobId", "type": "uint256"},
    {"name": "milestone", "type": "uint256"},
    {"name": "newDuration", "type": "uint256"},
    {"name": "nonce", "type": "uint256"},
    {"name": "expiry", "type": "uint256"},
]
ADD_TYPE = [
    {"name": "jobId", "type": "uint256"},
    {"name": "milestones", "type": "Milestone[]"},
    {"name": "fundCount", "type": "uint256"},
    {"name": "nonce", "type": "uint256"},
    {"name": "expiry", "type": "uint256"},
]
DEDUCTION_TYPE = [
    {"name": "jobId", "type": "uint256"},
    {"name": "milestone", "type": "uint256"},
    {"name": "freelancerBps", "type": "uint256"},
    {"name": "nonce", "type": "uint256"},
    {"name": "expiry", "type": "uint256"},
]

# The type strings exactly as the rules list them (hashed independently of eth_account's encoder).
MILESTONE_TYPEHASH = keccak(text="Milestone(uint256 amount,uint256 duration)")
TERMS_TYPEHASH = keccak(
    text="Terms(address client,address freelancer,address token,address arbiter,uint256 arbiterFeeBps,"
    "uint256 platformFeeBps,uint256 reviewPeriod,uint256 rulingWindow,bytes32 metadataHash,uint256 salt,"
    "uint256 offerExpiry,Milestone[] milestones)Milestone(uint256 amount,uint256 duration)"
)
DOMAIN_TYPEHASH = keccak(text="EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)")


def fee(amount: int, bps: int) -> int:
    """The rules' fee: ceil(amount * bps / BPS)."""
    return -(-amount * bps // BPS)


def share(amount: int, bps: int) -> int:
    """The rules' split to the freelancer side: floor(amount * bps / BPS)."""
    return amount * bps // BPS


@dataclass(frozen=True)
class Milestone:
    amount: int
    duration: int  # seconds from the job's start

    @property
    def abi(self) -> tuple[int, int]:
        return (self.amount, self.duration)


def milestones(amounts, durations=None) -> tuple[Milestone, ...]:
    """Milestones of `amounts`, due 10, 20, 30 ... days after the start unless `durations` are given."""
    amounts = list(amounts)
    durations = list(durations) if durations is not None else [(i + 1) * 10 * DAY for i in range(len(amounts))]
    return tuple(Milestone(a, d) for a, d in zip(amounts, durations, strict=True))


def as_milestones(schedule) -> tuple[Milestone, ...]:
    """Milestone objects from Milestones or (amount, duration) pairs."""
    return tuple(m if isinstance(m, Milestone) else Milestone(*m) for m in schedule)


def _address(who) -> str:
    return to_checksum_address(str(getattr(who, "address", who)))


@dataclass(frozen=True)
class Terms:
    """A job's terms, in the order of the ABI tuple."""

    client: str
    freelancer: str
    token: str
    arbiter: str
    arbiter_fee_bps: int = ARBITER_FEE_BPS
    platform_fee_bps: int = PLATFORM_FEE_BPS
    review_period: int = REVIEW
    ruling_window: int = RULING
    metadata_hash: bytes = keccak(text='{"title":"Landing page"}')
    salt: int = 0
    offer_expiry: int = FAR
    milestones: tuple[Milestone, ...] = field(default_factory=tuple)

    @staticmethod
    def of(client, freelancer, token, arbiter, amounts=(), durations=None, **options) -> Terms:
        """Terms between accounts or contracts (anything with an address), with `milestones(amounts, durations)`."""
        schedule = options.pop("milestones", None) or milestones(amounts, durations)
        return Terms(
            _address(client),
            _address(freelancer),
            _address(token),
            _address(arbiter),
            milestones=tuple(schedule),
            **options,
        )

    @property
    def abi(self) -> tuple:
        return (
            self.client,
            self.freelancer,
            self.token,
            self.arbiter,
            self.arbiter_fee_bps,
            self.platform_fee_bps,
            self.review_period,
            self.ruling_window,
            self.metadata_hash,
            self.salt,
            self.offer_expiry,
            [m.abi for m in self.milestones],
        )

    @property
    def amounts(self) -> list[int]:
        return [m.amount for m in self.milestones]

    @property
    def durations(self) -> list[int]:
        return [m.duration for m in self.milestones]

    @property
    def total(self) -> int:
        return sum(self.amounts)

    def but(self, **changes) -> Terms:
        """A copy with some fields changed (`milestones` may be given as Milestone objects or (amount, duration))."""
        if "milestones" in changes:
            changes["milestones"] = tuple(
                m if isinstance(m, Milestone) else Milestone(*m) for m in changes["milestones"]
            )
        return replace(self, **changes)

    def extended(self, index: int, new_duration: int) -> Terms:
        """The terms `extend_deadline` leaves: milestone `index` due `new_duration` after the start."""
        schedule = list(self.milestones)
        schedule[index] = Milestone(schedule[index].amount, new_duration)
        return replace(self, milestones=tuple(schedule))

    def with_added(self, added) -> Terms:
        """The terms `add_milestones` leaves: `added` appended."""
        return replace(self, milestones=self.milestones + tuple(added))

    @property
    def struct_hash(self) -> bytes:
        """hashStruct(Terms), from the rules' type strings with eth_abi (independent of eth_account)."""
        return keccak(
            encode(
                ["bytes32", "address", "address", "address", "address"]
                + ["uint256"] * 4
                + ["bytes32", "uint256", "uint256", "bytes32"],
                [
                    TERMS_TYPEHASH,
                    self.client,
                    self.freelancer,
                    self.token,
                    self.arbiter,
                    self.arbiter_fee_bps,
                    self.platform_fee_bps,
                    self.review_period,
                    self.ruling_window,
                    self.metadata_hash,
                    self.salt,
                    self.offer_expiry,
                    milestones_hash(self.milestones),
                ],
            )
        )

    def message(self) -> dict:
        return {
            "client": self.client,
            "freelancer": self.freelancer,
            "token": self.token,
            "arbiter": self.arbiter,
            "arbiterFeeBps": self.arbiter_fee_bps,
            "platformFeeBps": self.platform_fee_bps,
            "reviewPeriod": self.review_period,
            "rulingWindow": self.ruling_window,
            "metadataHash": self.metadata_hash,
            "salt": self.salt,
            "offerExpiry": self.offer_expiry,
            "milestones": _milestone_messages(self.milestones),
        }


def milestones_hash(schedule) -> bytes:
    """EIP-712 encodeData of a Milestone[]: keccak256 of the concatenated struct hashes."""
    hashes = [
        keccak(encode(["bytes32", "uint256", "uint256"], [MILESTONE_TYPEHASH, m.amount, m.duration])) for m in schedule
    ]
    return keccak(b"".join(hashes))


def _milestone_messages(schedule) -> list[dict]:
    return [{"amount": m.amount, "duration": m.duration} for m in schedule]


@dataclass(frozen=True)
class Domain:
    """The escrow's EIP-712 domain: name "Jiedan Escrow", version "2", chain id, the escrow's address."""

    chain_id: int
    verifying_contract: str
    name: str = "Jiedan Escrow"
    version: str = "2"

    @staticmethod
    def of(escrow, chain_id: int) -> Domain:
        return Domain(chain_id, _address(escrow))

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "version": self.version,
            "chainId": self.chain_id,
            "verifyingContract": self.verifying_contract,
        }

    @property
    def separator(self) -> bytes:
        return keccak(
            encode(
                ["bytes32", "bytes32", "bytes32", "uint256", "address"],
                [
                    DOMAIN_TYPEHASH,
                    keccak(text=self.name),
                    keccak(text=self.version),
                    self.chain_id,
                    self.verifying_contract,
                ],
            )
        )

    def _typed(self, primary: str, fields: list[dict], message: dict, with_milestone: bool) -> dict:
        types = {"EIP712Domain": DOMAIN_TYPE, primary: fields}
        if with_milestone:
            types["Milestone"] = MILESTONE_TYPE
        return {"types": types, "primaryType": primary, "domain": self.as_dict(), "message": message}

    # --- the five messages of the rules, as typed data a wallet signs -------------------------

    def consent(self, terms: Terms) -> dict:
        return self._typed("Terms", TERMS_TYPE, terms.message(), True)

    def settlement(self, job_id: int, freelancer_bps: int, nonce: int, expiry: int = FAR) -> dict:
        message = {"jobId": job_id, "freelancerBps": freelancer_bps, "nonce": nonce, "expiry": expiry}
        return self._typed("Settlement", SETTLEMENT_TYPE, message, False)

    def extend_deadline(self, job_id: int, milestone: int, new_duration: int, nonce: int, expiry: int = FAR) -> dict:
        message = {
            "jobId": job_id,
            "milestone": milestone,
            "newDuration": new_duration,
            "nonce": nonce,
            "expiry": expiry,
        }
        return self._typed("ExtendDeadline", EXTEND_TYPE, message, False)

    def add_milestones(self, job_id: int, added, fund_count: int, nonce: int, expiry: int = FAR) -> dict:
        message = {
            "jobId": job_id,
            "milestones": _milestone_messages(added),
            "fundCount": fund_count,
            "nonce": nonce,
            "expiry": expiry,
        }
        return self._typed("AddMilestones", ADD_TYPE, message, True)

    def deduction(self, job_id: int, milestone: int, freelancer_bps: int, nonce: int, expiry: int = FAR) -> dict:
        message = {
            "jobId": job_id,
            "milestone": milestone,
            "freelancerBps": freelancer_bps,
            "nonce": nonce,
            "expiry": expiry,
        }
        return self._typed("Deduction", DEDUCTION_TYPE, message, False)


# --- signing ------------------------------------------------------------------------------------


@cache
def _mnemonic_keys() -> dict[str, bytes]:
    Account.enable_unaudited_hdwallet_features()
    keys = {}
    for i in range(10):
        account = Account.from_mnemonic(MNEMONIC, account_path=f"m/44'/60'/0'/0/{i}")
        keys[account.address.lower()] = bytes(account.key)
    return keys


def key_of(who) -> bytes:
    """The private key of a test account (an Ape test account, an eth_account account or an address)."""
    key = getattr(who, "private_key", None) or getattr(who, "key", None)
    if key is not None:
        return bytes.fromhex(key[2:]) if isinstance(key, str) else bytes(key)
    return _mnemonic_keys()[_address(who).lower()]


def digest(typed: dict) -> bytes:
    """keccak256(0x1901 ‖ domainSeparator ‖ hashStruct(message)) of a typed-data dictionary."""
    signable = encode_typed_data(full_message=typed)
    return keccak(b"\x19" + signable.version + signable.header + signable.body)


def struct_hash(typed: dict) -> bytes:
    """hashStruct(message) of a typed-data dictionary, as eth_account encodes it."""
    return encode_typed_data(full_message=typed).body


def sign(who, typed: dict) -> bytes:
    """`who`'s EIP-712 signature of `typed`, 65 bytes r ‖ s ‖ v (v 27 or 28, low s), as a wallet makes it."""
    signed = Account.sign_message(encode_typed_data(full_message=typed), key_of(who))
    return bytes(signed.signature)


def sign_digest(who, message_hash: bytes) -> bytes:
    """`who`'s raw ECDSA signature of a 32-byte hash, r ‖ s ‖ v."""
    signed = Account.unsafe_sign_hash(message_hash, key_of(who))
    return bytes(signed.signature)


def high_s(signature: bytes) -> bytes:
    """The same signature made malleable: s' = n - s and v flipped (ecrecover still gives the signer)."""
    s = int.from_bytes(signature[32:64], "big")
    return signature[:32] + (SECP256K1_N - s).to_bytes(32, "big") + bytes([55 - signature[64]])
