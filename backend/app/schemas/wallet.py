from __future__ import annotations

from pydantic import BaseModel


class TokenPosition(BaseModel):
    """What a wallet holds of the payment token and what the escrow may take from it (live, from the chain)."""

    owner: str
    token: str
    symbol: str
    decimals: int
    balance: str
    allowance: str
