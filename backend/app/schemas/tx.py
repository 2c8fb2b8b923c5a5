"""Unsigned transactions the browser's wallet signs, and the requests that ask for them."""

from __future__ import annotations

from typing import Annotated

from eth_utils import is_address, to_checksum_address
from pydantic import AfterValidator, BaseModel, Field


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


class UnsignedTx(BaseModel):
    """What `eth_sendTransaction` needs, built by the backend, signed by the user's wallet."""

    chain_id: int
    from_: Address = Field(alias="from", serialization_alias="from")
    to: Address
    data: str
    value: str = "0x0"

    model_config = {"populate_by_name": True}


class TokenApproveRequest(BaseModel):
    owner: Address
    amount: Amount


class CreateJobRequest(BaseModel):
    client: Address
    freelancer: Address
    amounts: list[Amount] = Field(min_length=1, max_length=50)
    metadata_hash: Bytes32


class ReleaseRequest(BaseModel):
    sender: Address
    job_id: int = Field(ge=1)
    milestone: int = Field(ge=0)
