"""Sign-in shapes."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class NonceOut(BaseModel):
    """What the wallet needs to build the EIP-4361 message."""

    nonce: str = Field(examples=["9f2c4e0b7a1d3f5e8c6b4a2d0e9f7c5b"])
    expires_at: datetime
    domain: str
    uri: str
    chain_id: int
    version: str = "1"
    statement: str = "Sign in to Jiedan."


class SignInRequest(BaseModel):
    message: str = Field(max_length=4_096, description="The EIP-4361 message exactly as signed.")
    signature: str = Field(max_length=2_000, pattern=r"^0x[0-9a-fA-F]*$", description="EIP-191 signature (hex).")


class MeOut(BaseModel):
    address: str
    created_at: datetime
    last_sign_in_at: datetime
    is_moderator: bool = False
