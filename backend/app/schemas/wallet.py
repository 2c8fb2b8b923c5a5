from __future__ import annotations

from pydantic import BaseModel, ConfigDict


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
                    "owner": "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
                    "token": "0x5FbDB2315678afecb367f032d93F642f64180aa3",
                    "symbol": "mUSD",
                    "decimals": 6,
                    "balance": "5000000000",
                    "allowance": "1000000000",
                }
            ]
        }
    )
