"""Token symbols and decimals, so amounts read "12.5 jUSD" rather than "12500000 (token 0x…)", and the one
check that money is named in a token the served network lists (`accepted`).

The listed tokens' come from the chain gateway (config/tokens.toml, checked against the chain at
connect); any other token's are read from its ERC-20 `symbol()`/`decimals()` once per process. When
the chain cannot be read (no gateway, no such contract), the token is named by its short address and
amounts stay in base units.
"""

from __future__ import annotations

from dataclasses import dataclass

from eth_utils import to_checksum_address

from backend.app.core.tokens import Token, TokenList, TokenNotListed
from backend.app.services.chain import ChainGateway
from backend.app.services.display_names import short_address
from backend.app.services.errors import TokenNotAccepted
from backend.app.services.units import format_units

_ERC20_METADATA_ABI = [
    {"name": name, "type": "function", "stateMutability": "view", "inputs": [], "outputs": [{"type": kind}]}
    for name, kind in (("symbol", "string"), ("decimals", "uint8"))
]


@dataclass(frozen=True)
class TokenInfo:
    address: str
    symbol: str  # the short address when the token has no readable symbol
    decimals: int

    def amount(self, base_units: int | str) -> str:
        """250_000_000 → "250 jUSD" (6 decimals)."""
        return f"{format_units(int(base_units), self.decimals)} {self.symbol}"


_known: dict[tuple[int, str], TokenInfo] = {}  # (chain id, lower-case address) → what the chain said


def describe(chain: ChainGateway | None, token: str) -> TokenInfo:
    """Symbol and decimals of `token` (the fallback, by short address in base units, is not cached)."""
    if chain is None:
        return TokenInfo(address=token, symbol=short_address(token), decimals=0)
    listed = chain.tokens.find(token)
    if listed is not None:
        return TokenInfo(address=token, symbol=listed.symbol, decimals=listed.decimals)
    key = (chain.chain_id, token.lower())
    if key not in _known:
        try:
            contract = chain.w3.eth.contract(address=to_checksum_address(token), abi=_ERC20_METADATA_ABI)
            symbol, decimals = str(contract.functions.symbol().call()), int(contract.functions.decimals().call())
        except Exception:  # noqa: BLE001 - no contract, no metadata, chain down: still shown, by address
            return TokenInfo(address=token, symbol=short_address(token), decimals=0)
        _known[key] = TokenInfo(address=token, symbol=symbol, decimals=decimals)
    return _known[key]


def accepted_in(listed: TokenList, token: str) -> Token:
    """The listed token `token` names, or a 422 problem naming the tokens the network lists."""
    try:
        return listed.require(token)
    except TokenNotListed as error:
        raise TokenNotAccepted(str(error)) from None


def accepted(chain: ChainGateway, token: str) -> Token:
    """`accepted_in` the connected chain's tokens."""
    return accepted_in(chain.tokens, token)
