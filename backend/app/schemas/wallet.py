from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from backend.app.core.tokens import Token
from backend.app.schemas.examples import CLIENT, TOKEN, TOKEN_SYMBOL


class TokenPosition(BaseModel):
    """What a wallet holds of a listed token and what the escrow may take from it (live, from the chain)."""

    owner: str
    token: str
    symbol: str
    decimals: int
    native: bool = Field(default=False, description="The chain's own currency (the zero address): no approval needed.")
    balance: str
    allowance: str = Field(description="What the escrow may take: the ERC-20 allowance, or the balance when native.")

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "owner": CLIENT,
                    "token": TOKEN,
                    "symbol": TOKEN_SYMBOL,
                    "decimals": 6,
                    "native": False,
                    "balance": "1000000000000",
                    "allowance": "1000000000",
                }
            ]
        }
    )


class ListedToken(BaseModel):
    """A token jobs may pay in on the served network."""

    symbol: str
    address: str = Field(description="The ERC-20 contract, or the zero address for the chain's own currency.")
    decimals: int
    permit: bool = Field(description="Takes EIP-2612 permits: one signature instead of an approve transaction.")
    native: bool = Field(description="The chain's own currency (sent as the call's value).")

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"symbol": TOKEN_SYMBOL, "address": TOKEN, "decimals": 6, "permit": True, "native": False}]
        }
    )

    @classmethod
    def of(cls, token: Token) -> ListedToken:
        fields = ("symbol", "address", "decimals", "permit", "native")
        return cls(**{name: getattr(token, name) for name in fields})
