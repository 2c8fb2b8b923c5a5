"""A job's terms under escrow v2, and what the parties sign about a job (EIP-712).

The escrow stores nothing about a job's parties, token or schedule: every call presents the job's
`Terms`, bound to the job by their EIP-712 struct hash (`escrow.terms_hash_of(job_id) ==
hash_terms(terms)`, rewritten in place by an amendment). The app therefore carries one typed value
for them, built here and nowhere else:

- from the `JobCreated` event (`Terms.from_event`), then amended by `DeadlineExtended`
  (`with_duration`) and `MilestonesAdded` (`with_milestones`), as the indexer projects a job's
  current terms;
- to the ABI tuple every escrow call takes (`as_abi`), to the JSON the projection and the API
  keep (`to_json` / `from_json`, `dumps` / `loads`), and to the EIP-712 typed data the freelancer
  signs as consent (`consent_typed_data`), with its struct hash (`struct_hash`, what the escrow's
  `hash_terms` returns).

Deadlines are durations from the job's start (`JobCreated.start`): milestone i's deadline is
`start + duration_i` (`deadline`). The settlement and amendment messages (`Settlement`,
`ExtendDeadline`, `AddMilestones`, `Deduction`) share the same domain (`typed_data`).

A consent creates one job at most: the escrow sets the bit of its (freelancer, salt) pair when it
creates the job (`consent_used`), 256 salts of one freelancer to a storage word (`salt >> 8`). A
consent whose salt falls in a word the freelancer has not used yet pays a fresh storage slot
(~17,000 gas more on create), so a freelancer's salts count up from one (`lowest_free_salt`; the
backend's `services/consent_salts.py` allots them). The rules are docs/escrow-v2.md's; nothing here
talks to a chain or a database.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from eth_abi import abi as eth_abi
from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_utils import keccak, to_checksum_address

DOMAIN_NAME = "Jiedan Escrow"
DOMAIN_VERSION = "2"
BPS = 10_000
MAX_MILESTONES = 50
MAX_HORIZON = 10 * 365 * 86_400  # a milestone's duration: 1 s … ten years
MAX_PERIOD = 365 * 86_400  # review period and ruling window: 1 s … 365 days
MAX_TOTAL = 2**96 - 1
MAX_ARBITER_FEE_BPS = 1_000
FIRST_SALT = 1  # a freelancer's consents are numbered from here up

EIP712_DOMAIN_FIELDS = [
    {"name": "name", "type": "string"},
    {"name": "version", "type": "string"},
    {"name": "chainId", "type": "uint256"},
    {"name": "verifyingContract", "type": "address"},
]
_MILESTONE = [{"name": "amount", "type": "uint256"}, {"name": "duration", "type": "uint256"}]
# Every EIP-712 struct the escrow verifies, field for field as docs/escrow-v2.md writes them.
EIP712_STRUCTS: dict[str, list[dict[str, str]]] = {
    "Milestone": _MILESTONE,
    "Terms": [
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
    ],
    "Settlement": [
        {"name": "jobId", "type": "uint256"},
        {"name": "freelancerBps", "type": "uint256"},
        {"name": "nonce", "type": "uint256"},
        {"name": "expiry", "type": "uint256"},
    ],
    "ExtendDeadline": [
        {"name": "jobId", "type": "uint256"},
        {"name": "milestone", "type": "uint256"},
        {"name": "newDuration", "type": "uint256"},
        {"name": "nonce", "type": "uint256"},
        {"name": "expiry", "type": "uint256"},
    ],
    "AddMilestones": [
        {"name": "jobId", "type": "uint256"},
        {"name": "milestones", "type": "Milestone[]"},
        {"name": "fundCount", "type": "uint256"},
        {"name": "nonce", "type": "uint256"},
        {"name": "expiry", "type": "uint256"},
    ],
    "Deduction": [
        {"name": "jobId", "type": "uint256"},
        {"name": "milestone", "type": "uint256"},
        {"name": "freelancerBps", "type": "uint256"},
        {"name": "nonce", "type": "uint256"},
        {"name": "expiry", "type": "uint256"},
    ],
}
MILESTONE_TYPEHASH = keccak(text="Milestone(uint256 amount,uint256 duration)")
TERMS_TYPEHASH = keccak(
    text="Terms(address client,address freelancer,address token,address arbiter,uint256 arbiterFeeBps,"
    "uint256 platformFeeBps,uint256 reviewPeriod,uint256 rulingWindow,bytes32 metadataHash,uint256 salt,"
    "uint256 offerExpiry,Milestone[] milestones)Milestone(uint256 amount,uint256 duration)"
)


def lowest_free_salt(is_used: Callable[[int], bool], taken: Collection[int] = ()) -> int:
    """The lowest salt >= 1 that is not in `taken` and that `is_used` (the escrow's `consent_used` for the
    freelancer) says no job was created with: a freelancer's consents counting up from one share the
    escrow's storage words (256 salts to a word), so none of them pays a fresh slot before it must."""
    salt = FIRST_SALT
    while salt in taken or is_used(salt):
        salt += 1
    return salt


def eip712_types(primary: str) -> dict[str, list[dict[str, str]]]:
    """The `types` of an `eth_signTypedData_v4` payload for `primary` (the domain, it, and Milestone if used)."""
    types = {"EIP712Domain": EIP712_DOMAIN_FIELDS, primary: EIP712_STRUCTS[primary]}
    if any(field["type"].startswith("Milestone") for field in EIP712_STRUCTS[primary]):
        types["Milestone"] = _MILESTONE
    return types


def domain(chain_id: int, escrow: str) -> dict[str, str | int]:
    """The escrow's EIP-712 domain: name "Jiedan Escrow", version "2", the chain, the escrow."""
    return {"name": DOMAIN_NAME, "version": DOMAIN_VERSION, "chainId": chain_id, "verifyingContract": escrow}


def _wire(value: Any) -> Any:
    """A message value as JSON carries it safely to a browser wallet: integers as decimal strings."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list | tuple):
        return [_wire(item) for item in value]
    if isinstance(value, dict):
        return {key: _wire(item) for key, item in value.items()}
    return value


def typed_data(primary: str, message: Mapping[str, Any], *, chain_id: int, escrow: str) -> dict[str, Any]:
    """A complete EIP-712 payload (`types`, `primaryType`, `domain`, `message`) for `eth_signTypedData_v4`.

    Integers in the message are decimal strings (a salt does not fit a JavaScript number).
    """
    fields = [field["name"] for field in EIP712_STRUCTS[primary]]
    if sorted(message) != sorted(fields):
        raise ValueError(f"a {primary} message has the fields {fields}, not {sorted(message)}")
    return {
        "types": eip712_types(primary),
        "primaryType": primary,
        "domain": domain(chain_id, escrow),
        "message": {name: _wire(message[name]) for name in fields},
    }


def eip712_domain_separator(name: str, version: str, chain_id: int, contract: str) -> bytes:
    """hashStruct(EIP712Domain(name, version, chainId, verifyingContract)) of any contract's domain."""
    return keccak(
        eth_abi.encode(
            ["bytes32", "bytes32", "bytes32", "uint256", "address"],
            [
                keccak(text="EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
                keccak(text=name),
                keccak(text=version),
                chain_id,
                contract,
            ],
        )
    )


def domain_separator(chain_id: int, escrow: str) -> bytes:
    """hashStruct(EIP712Domain): the escrow's `domain_separator()`."""
    return eip712_domain_separator(DOMAIN_NAME, DOMAIN_VERSION, chain_id, escrow)


def signing_digest(struct_hash: bytes, separator: bytes) -> bytes:
    """keccak256(0x1901 ‖ domainSeparator ‖ structHash): the digest an EIP-712 signature signs."""
    return keccak(b"\x19\x01" + separator + struct_hash)


def signer_of(payload: Mapping[str, Any], signature: str | bytes) -> str:
    """The address whose key made `signature` of the EIP-712 `payload` (checksummed); ValueError if none."""
    signable = encode_typed_data(full_message=dict(payload))
    return str(Account.recover_message(signable, signature=signature))


@dataclass(frozen=True)
class Milestone:
    """One milestone of a schedule: its amount (token base units) and its deadline as seconds from the start."""

    amount: int
    duration: int

    def to_json(self) -> dict[str, Any]:
        return {"amount": str(self.amount), "duration": self.duration}

    @staticmethod
    def from_json(document: Mapping[str, Any]) -> Milestone:
        return Milestone(amount=int(document["amount"]), duration=int(document["duration"]))

    def struct_hash(self) -> bytes:
        return keccak(
            eth_abi.encode(["bytes32", "uint256", "uint256"], [MILESTONE_TYPEHASH, self.amount, self.duration])
        )


def milestones_hash(milestones: Iterable[Milestone]) -> bytes:
    """EIP-712 `encodeData` of a `Milestone[]`: keccak256 of the concatenated struct hashes."""
    return keccak(b"".join(m.struct_hash() for m in milestones))


def _bytes32(value: str | bytes) -> str:
    text = "0x" + value.hex() if isinstance(value, bytes) else value
    if len(text) != 66 or not text.startswith("0x"):
        raise ValueError(f"{text!r} is not 32 bytes of hex")
    return text.lower()


@dataclass(frozen=True)
class Terms:
    """A job's terms, in the order of the escrow's `Terms` struct (addresses checksummed, hash as 0x-hex)."""

    client: str
    freelancer: str
    token: str
    arbiter: str
    arbiter_fee_bps: int
    platform_fee_bps: int
    review_period: int
    ruling_window: int
    metadata_hash: str
    salt: int
    offer_expiry: int
    milestones: tuple[Milestone, ...]

    def __post_init__(self) -> None:
        for name in ("client", "freelancer", "token", "arbiter"):
            object.__setattr__(self, name, to_checksum_address(getattr(self, name)))
        object.__setattr__(self, "metadata_hash", _bytes32(self.metadata_hash))
        object.__setattr__(self, "milestones", tuple(self.milestones))

    # --- from the chain -------------------------------------------------------------------------

    @staticmethod
    def from_event(args: Mapping[str, Any]) -> Terms:
        """The terms a `JobCreated` event carries (decoded arguments, milestones as (amount, duration) pairs)."""
        return Terms(
            client=args["client"],
            freelancer=args["freelancer"],
            token=args["token"],
            arbiter=args["arbiter"],
            arbiter_fee_bps=args["arbiter_fee_bps"],
            platform_fee_bps=args["platform_fee_bps"],
            review_period=args["review_period"],
            ruling_window=args["ruling_window"],
            metadata_hash=args["metadata_hash"],
            salt=args["salt"],
            offer_expiry=args["offer_expiry"],
            milestones=tuple(Milestone(int(amount), int(duration)) for amount, duration in _pairs(args["milestones"])),
        )

    def with_duration(self, index: int, new_duration: int) -> Terms:
        """The terms after `DeadlineExtended(milestone=index, new_duration)`."""
        schedule = list(self.milestones)
        schedule[index] = replace(schedule[index], duration=new_duration)
        return replace(self, milestones=tuple(schedule))

    def with_milestones(self, added: Iterable[Milestone]) -> Terms:
        """The terms after `MilestonesAdded`: the new milestones appended (durations from the same start)."""
        return replace(self, milestones=(*self.milestones, *added))

    # --- figures --------------------------------------------------------------------------------

    @property
    def total(self) -> int:
        return sum(m.amount for m in self.milestones)

    def amount_of(self, first: int, count: int) -> int:
        """What funding milestones [first, first + count) costs."""
        return sum(m.amount for m in self.milestones[first : first + count])

    def deadline(self, start: int, index: int) -> int:
        """Milestone `index`'s deadline (unix seconds) for a job that started at `start`."""
        return start + self.milestones[index].duration

    # --- to the chain ---------------------------------------------------------------------------

    def as_abi(self) -> tuple[Any, ...]:
        """The `terms` argument of every escrow call, as web3.py and eth_abi encode it."""
        return (
            self.client,
            self.freelancer,
            self.token,
            self.arbiter,
            self.arbiter_fee_bps,
            self.platform_fee_bps,
            self.review_period,
            self.ruling_window,
            bytes.fromhex(self.metadata_hash[2:]),
            self.salt,
            self.offer_expiry,
            [(m.amount, m.duration) for m in self.milestones],
        )

    def eip712_message(self) -> dict[str, Any]:
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
            "milestones": [{"amount": m.amount, "duration": m.duration} for m in self.milestones],
        }

    def consent_typed_data(self, *, chain_id: int, escrow: str) -> dict[str, Any]:
        """What the freelancer signs (`eth_signTypedData_v4`) to let the client create this job."""
        return typed_data("Terms", self.eip712_message(), chain_id=chain_id, escrow=escrow)

    def struct_hash(self) -> bytes:
        """hashStruct(Terms): the escrow's `hash_terms(terms)`, what its `terms_hash_of(job_id)` holds."""
        return keccak(
            eth_abi.encode(
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
                    bytes.fromhex(self.metadata_hash[2:]),
                    self.salt,
                    self.offer_expiry,
                    milestones_hash(self.milestones),
                ],
            )
        )

    # --- JSON -----------------------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        """The JSON shape the projection (`chain_jobs.terms_json`) and the API use: big numbers as strings."""
        return {
            "client": self.client,
            "freelancer": self.freelancer,
            "token": self.token,
            "arbiter": self.arbiter,
            "arbiter_fee_bps": self.arbiter_fee_bps,
            "platform_fee_bps": self.platform_fee_bps,
            "review_period": self.review_period,
            "ruling_window": self.ruling_window,
            "metadata_hash": self.metadata_hash,
            "salt": str(self.salt),
            "offer_expiry": self.offer_expiry,
            "milestones": [m.to_json() for m in self.milestones],
        }

    @staticmethod
    def from_json(document: Mapping[str, Any]) -> Terms:
        return Terms(
            client=document["client"],
            freelancer=document["freelancer"],
            token=document["token"],
            arbiter=document["arbiter"],
            arbiter_fee_bps=int(document["arbiter_fee_bps"]),
            platform_fee_bps=int(document["platform_fee_bps"]),
            review_period=int(document["review_period"]),
            ruling_window=int(document["ruling_window"]),
            metadata_hash=document["metadata_hash"],
            salt=int(document["salt"]),
            offer_expiry=int(document["offer_expiry"]),
            milestones=tuple(Milestone.from_json(m) for m in document["milestones"]),
        )

    def dumps(self) -> str:
        return json.dumps(self.to_json(), separators=(",", ":"))

    @staticmethod
    def loads(text: str) -> Terms:
        return Terms.from_json(json.loads(text))


def _pairs(milestones: Sequence[Any]) -> list[tuple[int, int]]:
    """(amount, duration) pairs from decoded tuples or from web3's attribute dicts."""
    return [(m["amount"], m["duration"]) if isinstance(m, Mapping) else (m[0], m[1]) for m in milestones]


def milestones_from_event(milestones: Sequence[Any]) -> tuple[Milestone, ...]:
    """The schedule a `MilestonesAdded` event carries."""
    return tuple(Milestone(int(amount), int(duration)) for amount, duration in _pairs(milestones))
