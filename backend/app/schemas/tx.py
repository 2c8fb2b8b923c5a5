"""Unsigned transactions the browser's wallet signs, and the requests that ask for them."""

from __future__ import annotations

from typing import Annotated

from eth_utils import is_address, to_checksum_address
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from backend.app.schemas.examples import (
    APPROVE_CALLDATA,
    ARBITER,
    ARBITER_FEE_BPS,
    CHAIN_ID,
    CHAIN_JOB_ID,
    CLIENT,
    CLIENT_SETTLEMENT_SIGNATURE,
    DEADLINES,
    DELIVERABLE_HASH,
    ESCROW,
    FREELANCER,
    FREELANCER_SETTLEMENT_SIGNATURE,
    LISTING_HASH,
    REVIEW_PERIOD,
    RULING_WINDOW,
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

    model_config = ConfigDict(json_schema_extra={"examples": [{"owner": CLIENT, "amount": "1000000000"}]})


class MilestoneTerms(BaseModel):
    amount: Amount
    deadline: int = Field(gt=0, description="Unix time (seconds): the last moment the freelancer may submit.")

    model_config = ConfigDict(json_schema_extra={"examples": [{"amount": "400000000", "deadline": DEADLINES[0]}]})


class CreateJobRequest(BaseModel):
    """A job's terms: the escrow commits to them and every later call must repeat them exactly."""

    client: Address
    freelancer: Address
    arbiter: Address
    arbiter_fee_bps: int = Field(ge=0, le=1_000, description="The arbiter's fee on a ruled milestone (≤ 10%).")
    review_period: int = Field(gt=0, le=365 * 86_400, description="Seconds the client has to review a submission.")
    ruling_window: int = Field(gt=0, le=365 * 86_400, description="Seconds the arbiter has to rule on a dispute.")
    milestones: list[MilestoneTerms] = Field(min_length=1, max_length=50)
    metadata_hash: Bytes32
    fund_count: int | None = Field(default=None, ge=0, le=50, description="Milestones funded now (default: all).")

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "client": CLIENT,
                    "freelancer": FREELANCER,
                    "arbiter": ARBITER,
                    "arbiter_fee_bps": ARBITER_FEE_BPS,
                    "review_period": REVIEW_PERIOD,
                    "ruling_window": RULING_WINDOW,
                    "milestones": [
                        {"amount": "400000000", "deadline": DEADLINES[0]},
                        {"amount": "600000000", "deadline": DEADLINES[1]},
                    ],
                    "metadata_hash": LISTING_HASH,
                    "fund_count": 2,
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
    freelancer_bps: int = Field(ge=0, le=10_000)
    client_signature: str = Field(pattern=r"^0x[0-9a-fA-F]{130}$")
    freelancer_signature: str = Field(pattern=r"^0x[0-9a-fA-F]{130}$")

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "sender": CLIENT,
                    "job_id": CHAIN_JOB_ID,
                    "freelancer_bps": 6000,
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


SETTLEMENT_TYPES: dict[str, list[dict[str, str]]] = {
    "EIP712Domain": [
        {"name": "name", "type": "string"},
        {"name": "version", "type": "string"},
        {"name": "chainId", "type": "uint256"},
        {"name": "verifyingContract", "type": "address"},
    ],
    "Settlement": [
        {"name": "jobId", "type": "uint256"},
        {"name": "freelancerBps", "type": "uint256"},
        {"name": "nonce", "type": "uint256"},
    ],
}
"""The EIP-712 types of an early settlement, as the escrow's `settle` verifies them."""


class TypedData(BaseModel):
    """An EIP-712 payload for `eth_signTypedData_v4`."""

    types: dict[str, list[dict[str, str]]]
    primaryType: str  # noqa: N815 (EIP-712's field name)
    domain: dict[str, str | int]
    message: dict[str, str | int]

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "types": SETTLEMENT_TYPES,
                    "primaryType": "Settlement",
                    "domain": {
                        "name": "Jiedan Escrow",
                        "version": "1",
                        "chainId": CHAIN_ID,
                        "verifyingContract": ESCROW,
                    },
                    "message": {"jobId": CHAIN_JOB_ID, "freelancerBps": 6000, "nonce": 1},
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
