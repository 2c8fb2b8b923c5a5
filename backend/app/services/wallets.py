"""Live token figures of a wallet, read from the chain (balances are not indexed)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from backend.app.core.tokens import NATIVE
from backend.app.models.chain import ChainCreditBalance
from backend.app.schemas.wallet import TokenPosition
from backend.app.services import tokens
from backend.app.services.chain import ChainGateway
from backend.app.services.errors import ChainUnavailable, Conflict
from backend.app.services.units import format_units


def token_position(chain: ChainGateway, *, owner: str, token: str | None = None) -> TokenPosition:
    """What `owner` holds of a token (default: the network's first listed) and may let the escrow take: the
    allowance of an ERC-20, the balance itself for the native currency (which needs no approval)."""
    address = token or chain.default_token.address
    native = address == NATIVE
    info = tokens.describe(chain, address)
    try:
        if native:
            balance = allowance = chain.w3.eth.get_balance(owner)
        else:
            contract = chain.token_contract(address)
            balance = contract.functions.balanceOf(owner).call()
            allowance = contract.functions.allowance(owner, chain.escrow.address).call()
    except Exception as error:  # connection refused, timeout
        raise ChainUnavailable(f"cannot read token balances: {error}") from error
    return TokenPosition(
        owner=owner,
        token=address,
        symbol=info.symbol,
        decimals=info.decimals,
        native=native,
        balance=str(balance),
        allowance=str(allowance),
    )


class InsufficientBalance(Conflict):
    title = "Insufficient balance"
    slug = "insufficient-balance"


def require_balance(chain: ChainGateway, *, owner: str, amount: int, token: str) -> None:
    """Refuse, in words, a funding the wallet cannot pay for in `token` (in the native currency, gas comes on top)."""
    position = token_position(chain, owner=owner, token=token)
    balance = int(position.balance)
    if balance < amount:
        symbol, decimals = position.symbol, position.decimals
        raise InsufficientBalance(
            f"you hold {format_units(balance, decimals)} {symbol}; "
            f"this funding needs {format_units(amount, decimals)} {symbol}"
        )


def outstanding_credit(session: Session, *, chain: ChainGateway, account: str, token: str) -> int:
    """What the escrow owes `account` in `token` after payouts it could not deliver (indexed)."""
    balance = session.get(ChainCreditBalance, (chain.chain_id, account, token))
    return 0 if balance is None else balance.credited - balance.withdrawn
