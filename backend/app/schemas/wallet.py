from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from backend.app.schemas.examples import CLIENT, TOKEN, TOKEN_SYMBOL


class TokenPosition(BaseModel):
    """What a wallet holds of the payment token and what the escrow may take from it (live, from the chain)."""

    owner: str
    token: str
    symbol: str
    decimals: int
    balance: str
    allowance: str

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "owner": CLIENT,
                    "token": TOKEN,
                    "symbol": TOKEN_SYMBOL,
                    "decimals": 6,
                    "balance": "1000000000000",
                    "allowance": "1000000000",
                }
            ]
        }
    )
