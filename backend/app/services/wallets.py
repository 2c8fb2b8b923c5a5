"""Live token figures of a wallet, read from the chain (balances are not indexed)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from backend.app.models.chain import ChainCreditBalance
from backend.app.schemas.wallet import TokenPosition
from backend.app.services.chain import ChainGateway
from backend.app.services.errors import ChainUnavailable, Conflict
from backend.app.services.units import format_units


def token_position(chain: ChainGateway, *, owner: str) -> TokenPosition:
    try:
        balance = chain.token.functions.balanceOf(owner).call()
        allowance = chain.token.functions.allowance(owner, chain.escrow.address).call()
    except Exception as error:  # connection refused, timeout
        raise ChainUnavailable(f"cannot read token balances: {error}") from error
    return TokenPosition(
        owner=owner,
        token=chain.token.address,
        symbol=chain.token_symbol,
        decimals=chain.token_decimals,
        balance=str(balance),
        allowance=str(allowance),
    )


class InsufficientBalance(Conflict):
    title = "Insufficient balance"
    slug = "insufficient-balance"


def require_balance(chain: ChainGateway, *, owner: str, amount: int) -> None:
    """Refuse, in words, a funding the wallet cannot pay for."""
    balance = int(token_position(chain, owner=owner).balance)
    if balance < amount:
        symbol, decimals = chain.token_symbol, chain.token_decimals
        raise InsufficientBalance(
            f"you hold {format_units(balance, decimals)} {symbol}; "
            f"this funding needs {format_units(amount, decimals)} {symbol}"
        )


def outstanding_credit(session: Session, *, chain: ChainGateway, account: str, token: str) -> int:
    """What the escrow owes `account` in `token` after payouts it could not deliver (indexed)."""
    balance = session.get(ChainCreditBalance, (chain.chain_id, account, token))
    return 0 if balance is None else balance.credited - balance.withdrawn
