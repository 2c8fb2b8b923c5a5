"""Sign-in shapes."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from backend.app.schemas.examples import CHAIN_ID, CLIENT
from backend.app.schemas.tx import EXAMPLE_SIGNATURE

EXAMPLE_SIWE_MESSAGE = (
    "localhost:8000 wants you to sign in with your Ethereum account:\n"
    "0x70997970C51812dc3A010C7d01b50e0d17dc79C8\n\nSign in to Jiedan.\n\n"
    "URI: http://localhost:8000\nVersion: 1\nChain ID: 31337\n"
    "Nonce: 9f2c4e0b7a1d3f5e8c6b4a2d0e9f7c5b\nIssued At: 2026-11-25T12:00:00Z"
)


class NonceOut(BaseModel):
    """What the wallet needs to build the EIP-4361 message."""

    nonce: str = Field(examples=["9f2c4e0b7a1d3f5e8c6b4a2d0e9f7c5b"])
    expires_at: datetime
    domain: str
    uri: str
    chain_id: int
    version: str = "1"
    statement: str = "Sign in to Jiedan."

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "nonce": "9f2c4e0b7a1d3f5e8c6b4a2d0e9f7c5b",
                    "expires_at": "2026-11-25T12:05:00Z",
                    "domain": "localhost:8000",
                    "uri": "http://localhost:8000",
                    "chain_id": CHAIN_ID,
                    "version": "1",
                    "statement": "Sign in to Jiedan.",
                }
            ]
        }
    )


class SignInRequest(BaseModel):
    message: str = Field(max_length=4_096, description="The EIP-4361 message exactly as signed.")
    signature: str = Field(max_length=2_000, pattern=r"^0x[0-9a-fA-F]*$", description="EIP-191 signature (hex).")

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "message": EXAMPLE_SIWE_MESSAGE,
                    "signature": EXAMPLE_SIGNATURE,
                }
            ]
        }
    )


class MeOut(BaseModel):
    address: str
    created_at: datetime
    last_sign_in_at: datetime
    is_moderator: bool = False

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "address": CLIENT,
                    "created_at": "2026-11-20T09:30:00Z",
                    "last_sign_in_at": "2026-11-25T12:00:03Z",
                    "is_moderator": False,
                }
            ]
        }
    )
