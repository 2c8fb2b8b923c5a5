"""Unsigned transactions the browser's wallet signs, and the requests that ask for them."""

from __future__ import annotations

from typing import Annotated, Any

from eth_utils import is_address, to_checksum_address
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from backend.app.core.escrow_terms import MAX_HORIZON, MAX_MILESTONES, MAX_PERIOD, Terms, eip712_types
from backend.app.schemas.examples import (
    APPROVE_CALLDATA,
    ARBITER,
    ARBITER_FEE_BPS,
    CHAIN_ID,
    CHAIN_JOB_ID,
    CLIENT,
    CLIENT_SETTLEMENT_SIGNATURE,
    CONSENT_SIGNATURE,
    DELIVERABLE_HASH,
    DURATIONS,
    ESCROW,
    FREELANCER,
    FREELANCER_SETTLEMENT_SIGNATURE,
    LISTING_HASH,
    PLATFORM_FEE_BPS,
    PROPOSAL_OFFER_EXPIRY,
    PROPOSAL_SALT,
    REVIEW_PERIOD,
    RULING_WINDOW,
    SETTLEMENT_EXPIRY,
    TERMS_HASH,
    TOKEN,
)
from backend.app.schemas.text import UserText


def _checksummed(value: str) -> str:
    if not is_address(value):
        raise ValueError("not an Ethereum address")
    return to_checksum_address(value)


def _uint256(value: str) -> str:
    if not value.isdigit() or int(value) >= 2**256:
        raise ValueError("not a decimal uint256")
    return str(int(value))


def _bytes32(value: str) -> str:
    body = value.removeprefix("0x")
    if len(body) != 64 or any(c not in "0123456789abcdefABCDEF" for c in body):
        raise ValueError("not a 32-byte hex string")
    return "0x" + body.lower()


Address = Annotated[str, AfterValidator(_checksummed)]
Amount = Annotated[str, AfterValidator(_uint256), Field(examples=["1000000"])]
Bytes32 = Annotated[str, AfterValidator(_bytes32)]
# An EOA's 65-byte r ‖ s ‖ v, or a contract wallet's EIP-1271 signature (at most 1,024 bytes, as the escrow takes)
Signature = Annotated[str, Field(pattern=r"^0x([0-9a-fA-F]{2}){65,1024}$")]
Duration = Annotated[int, Field(ge=1, le=MAX_HORIZON, description="Seconds from the job's start.")]

EXAMPLE_SIGNATURE = "0x" + "ab" * 65  # the shape of a 65-byte signature, for examples only
EXAMPLE_APPROVE_TX = {"chain_id": CHAIN_ID, "from": CLIENT, "to": TOKEN, "data": APPROVE_CALLDATA, "value": "0x0"}


class UnsignedTx(BaseModel):
    """What `eth_sendTransaction` needs, built by the backend, signed by the user's wallet."""

    chain_id: int
    from_: Address = Field(alias="from", serialization_alias="from")
    to: Address
    data: str
    value: str = "0x0"

    model_config = ConfigDict(populate_by_name=True, json_schema_extra={"examples": [EXAMPLE_APPROVE_TX]})


class TokenApproveRequest(BaseModel):
    owner: Address
    amount: Amount
    token: Address | None = Field(
        default=None, description="The listed ERC-20 to approve; unset: the network's first listed token."
    )

    model_config = ConfigDict(json_schema_extra={"examples": [{"owner": CLIENT, "amount": "1000000000"}]})


class MilestoneTerms(BaseModel):
    amount: Amount
    duration: Duration = Field(description="The deadline, in seconds from the job's start (its creation).")

    model_config = ConfigDict(json_schema_extra={"examples": [{"amount": "400000000", "duration": DURATIONS[0]}]})


EXAMPLE_TERMS = {
    "client": CLIENT,
    "freelancer": FREELANCER,
    "token": TOKEN,
    "arbiter": ARBITER,
    "arbiter_fee_bps": ARBITER_FEE_BPS,
    "platform_fee_bps": PLATFORM_FEE_BPS,
    "review_period": REVIEW_PERIOD,
    "ruling_window": RULING_WINDOW,
    "metadata_hash": LISTING_HASH,
    "salt": PROPOSAL_SALT,
    "offer_expiry": PROPOSAL_OFFER_EXPIRY,
    "milestones": [
        {"amount": "400000000", "duration": DURATIONS[0]},
        {"amount": "600000000", "duration": DURATIONS[1]},
    ],
}


class JobTerms(BaseModel):
    """An escrow job's terms (the contract's `Terms`, docs/escrow-v2.md): what the freelancer signs as consent and
    every escrow call presents. Deadlines are durations from the job's start."""

    client: Address
    freelancer: Address
    token: Address
    arbiter: Address
    arbiter_fee_bps: int = Field(ge=0, le=1_000, description="The arbiter's fee on a ruled milestone (≤ 10%).")
    platform_fee_bps: int = Field(ge=0, le=500, description="The escrow's platform fee when the job is created.")
    review_period: int = Field(ge=1, le=MAX_PERIOD, description="Seconds the client has to review a submission.")
    ruling_window: int = Field(ge=1, le=MAX_PERIOD, description="Seconds the arbiter has to rule on a dispute.")
    metadata_hash: Bytes32 = Field(description="keccak256 of the listing's canonical JSON.")
    salt: Amount = Field(
        description=(
            "The number of the freelancer's consent (decimal uint256): the escrow creates one job per (freelancer, "
            "salt) and refuses another (`escrow: consent used`; its view `consent_used(freelancer, salt)`). The "
            "server allots it when it offers terms to sign: the lowest salt >= 1 the freelancer has neither used "
            "on-chain nor holds in another consent still usable here (a proposal open on a published post or "
            "accepted, an accepted order, until its offer expiry); signed again for the same proposal or order, a "
            "usable consent's salt is kept. Small sequential salts share the escrow's storage words (256 to a word: "
            "a salt in a word the freelancer has not used yet costs its create ~17,000 gas more). A consent whose "
            "salt is used or held by another is refused (409 `consent-needed`; `create-job`: 409 `conflict`)."
        )
    )
    offer_expiry: int = Field(ge=0, description="Unix time: the consent creates the job until then, inclusive.")
    milestones: list[MilestoneTerms] = Field(min_length=1, max_length=MAX_MILESTONES)

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE_TERMS]})

    def to_terms(self) -> Terms:
        return Terms.from_json(self.model_dump())

    @staticmethod
    def of(terms: Terms) -> JobTerms:
        return JobTerms.model_validate(terms.to_json())


class CreateJobRequest(BaseModel):
    """Create an escrow job: the terms the freelancer signed, their signature, and how many milestones to fund."""

    terms: JobTerms
    consent: Signature = Field(description="The freelancer's EIP-712 signature of the terms.")
    fund_count: int | None = Field(default=None, ge=0, le=50, description="Milestones funded now (default: all).")

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"terms": EXAMPLE_TERMS, "consent": CONSENT_SIGNATURE, "fund_count": 2}]}
    )


class CreateJobWithPermitRequest(CreateJobRequest):
    """`CreateJobRequest` plus the client's EIP-2612 permit of the job's token (the payload a hire offers as
    `permit`): one signature and one transaction instead of an approve and a create."""

    permit_value: Amount = Field(description="The allowance the permit grants the escrow (the payload's value).")
    permit_deadline: int = Field(ge=0, description="The permit's deadline (the payload's deadline).")
    permit_signature: Signature = Field(description="The client's eth_signTypedData_v4 signature of the permit.")

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "terms": EXAMPLE_TERMS,
                    "consent": CONSENT_SIGNATURE,
                    "fund_count": 2,
                    "permit_value": "1000000000",
                    "permit_deadline": EXAMPLE_TERMS["offer_expiry"],
                    "permit_signature": CONSENT_SIGNATURE,
                }
            ]
        }
    )


class SenderRequest(BaseModel):
    sender: Address
    job_id: int = Field(ge=1)

    model_config = ConfigDict(json_schema_extra={"examples": [{"sender": CLIENT, "job_id": CHAIN_JOB_ID}]})


class MilestoneRequest(SenderRequest):
    milestone: int = Field(ge=0, lt=50)

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"sender": CLIENT, "job_id": CHAIN_JOB_ID, "milestone": 0}]}
    )


class FundRequest(SenderRequest):
    count: int = Field(ge=1, le=50, description="How many more milestones to fund, in order.")

    model_config = ConfigDict(json_schema_extra={"examples": [{"sender": CLIENT, "job_id": CHAIN_JOB_ID, "count": 1}]})


class SubmitRequest(MilestoneRequest):
    deliverable_hash: Bytes32

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "sender": FREELANCER,
                    "job_id": CHAIN_JOB_ID,
                    "milestone": 0,
                    "deliverable_hash": DELIVERABLE_HASH,
                }
            ]
        }
    )


class ResolveRequest(MilestoneRequest):
    freelancer_bps: int = Field(ge=0, le=10_000, description="The freelancer's share of the rest, in basis points.")

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "sender": ARBITER,
                    "job_id": CHAIN_JOB_ID,
                    "milestone": 1,
                    "freelancer_bps": 7000,
                }
            ]
        }
    )


class RateRequest(SenderRequest):
    score: int = Field(ge=1, le=5)
    comment: UserText = Field(default="", max_length=2_000, description="Kept off-chain; its keccak256 goes on-chain.")

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "sender": CLIENT,
                    "job_id": CHAIN_JOB_ID,
                    "score": 5,
                    "comment": "Fast, clear and the logo is lovely.",
                }
            ]
        }
    )


class SettleRequest(SenderRequest):
    """A settlement as the escrow's `settle` takes it: the split, its expiry and both parties' signatures."""

    freelancer_bps: int = Field(ge=0, le=10_000)
    expiry: int = Field(ge=0, description="Unix time: the signatures settle until then, inclusive.")
    client_signature: Signature
    freelancer_signature: Signature

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "sender": CLIENT,
                    "job_id": CHAIN_JOB_ID,
                    "freelancer_bps": 6000,
                    "expiry": SETTLEMENT_EXPIRY,
                    "client_signature": CLIENT_SETTLEMENT_SIGNATURE,
                    "freelancer_signature": FREELANCER_SETTLEMENT_SIGNATURE,
                }
            ]
        }
    )


class WithdrawRequest(BaseModel):
    sender: Address
    token: Address
    to: Address | None = Field(default=None, description="Where the credit goes (default: the sender).")

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "sender": FREELANCER,
                    "token": TOKEN,
                    "to": None,
                }
            ]
        }
    )


SETTLEMENT_TYPES = eip712_types("Settlement")
"""The EIP-712 types of an early settlement, as the escrow's `settle` verifies them."""


class TypedData(BaseModel):
    """An EIP-712 payload for `eth_signTypedData_v4` (integers in the message as decimal strings)."""

    types: dict[str, list[dict[str, str]]]
    primaryType: str  # noqa: N815 (EIP-712's field name)
    domain: dict[str, str | int]
    message: dict[str, Any]

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "types": SETTLEMENT_TYPES,
                    "primaryType": "Settlement",
                    "domain": {
                        "name": "Jiedan Escrow",
                        "version": "2",
                        "chainId": CHAIN_ID,
                        "verifyingContract": ESCROW,
                    },
                    "message": {
                        "jobId": str(CHAIN_JOB_ID),
                        "freelancerBps": "6000",
                        "nonce": "1",
                        "expiry": str(SETTLEMENT_EXPIRY),
                    },
                }
            ]
        }
    )


class ConsentIn(BaseModel):
    """The freelancer's consent: the terms (as `…/consent` returned them) and their EIP-712 signature."""

    terms: JobTerms
    signature: Signature

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"terms": EXAMPLE_TERMS, "signature": CONSENT_SIGNATURE}]}, extra="forbid"
    )


class ConsentOut(BaseModel):
    """The terms the client would create the job with, and the payload the freelancer's wallet signs."""

    terms: JobTerms
    terms_hash: str = Field(
        description="hashStruct(Terms): what the escrow's `terms_hash_of(job_id)` holds once the job is created."
    )
    typed_data: TypedData

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "terms": EXAMPLE_TERMS,
                    "terms_hash": TERMS_HASH,
                    "typed_data": {
                        "types": eip712_types("Terms"),
                        "primaryType": "Terms",
                        "domain": {
                            "name": "Jiedan Escrow",
                            "version": "2",
                            "chainId": CHAIN_ID,
                            "verifyingContract": ESCROW,
                        },
                        "message": {
                            "client": CLIENT,
                            "freelancer": FREELANCER,
                            "token": TOKEN,
                            "arbiter": ARBITER,
                            "arbiterFeeBps": str(ARBITER_FEE_BPS),
                            "platformFeeBps": str(PLATFORM_FEE_BPS),
                            "reviewPeriod": str(REVIEW_PERIOD),
                            "rulingWindow": str(RULING_WINDOW),
                            "metadataHash": LISTING_HASH,
                            "salt": PROPOSAL_SALT,
                            "offerExpiry": str(PROPOSAL_OFFER_EXPIRY),
                            "milestones": [
                                {"amount": "400000000", "duration": str(DURATIONS[0])},
                                {"amount": "600000000", "duration": str(DURATIONS[1])},
                            ],
                        },
                    },
                }
            ]
        }
    )


class JobAction(BaseModel):
    """An action the given address may take on a job right now (milestone None: the whole job)."""

    action: str
    milestone: int | None = None

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"action": "approve", "milestone": 1}, {"action": "settle", "milestone": None}]}
    )
