"""The tokens a job may pay in on the served network (config/tokens.toml), plus its native currency.

Configuration, not code: an operator lists a token by address, decimals and EIP-2612 support; the API
checks each listed token's symbol and decimals against the contract when it connects
(`services/chain.py`). Native money (ETH) is the zero address, as in the escrow.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from eth_utils import is_checksum_address, to_checksum_address

from backend.app.core.deployments import Deployment
from backend.app.core.networks import Network

TOKENS_FILE = Path(__file__).resolve().parents[3] / "config" / "tokens.toml"
NATIVE = "0x0000000000000000000000000000000000000000"  # the escrow's `payouts.ETH`
NATIVE_DECIMALS = 18


class TokenNotListed(ValueError):
    """A token the served network does not list (the message names the ones it lists)."""


@dataclass(frozen=True)
class Token:
    symbol: str
    address: str  # checksummed; NATIVE for the chain's own currency
    decimals: int
    permit: bool = False
    native: bool = False

    @property
    def label(self) -> str:
        return f"{self.symbol} ({'native' if self.native else self.address})"


@dataclass(frozen=True)
class TokenList:
    network: str
    tokens: tuple[Token, ...]

    def find(self, address: str) -> Token | None:
        return next((token for token in self.tokens if token.address.lower() == address.lower()), None)

    def require(self, address: str) -> Token:
        """The listed token at `address`, or TokenNotListed naming what is listed."""
        token = self.find(address)
        if token is None:
            listed = ", ".join(token.label for token in self.tokens)
            raise TokenNotListed(f"{address} is not a token jobs pay in on {self.network}; it lists {listed}")
        return token

    @property
    def erc20(self) -> tuple[Token, ...]:
        return tuple(token for token in self.tokens if not token.native)

    @property
    def default(self) -> Token:
        """The token forms offer first: the first listed ERC-20, else the native currency."""
        return (self.erc20 or self.tokens)[0]


@cache
def _table(path: Path) -> dict[str, dict[str, dict[str, object]]]:
    return tomllib.loads(path.read_text())


def listed_tokens(network: Network, deployment: Deployment | None, path: Path = TOKENS_FILE) -> TokenList:
    """The network's tokens as configured (a `deployment` entry resolved through `deployment`), then its native
    currency. A deployment-relative token is left out when no deployment is at hand."""
    tokens: list[Token] = []
    for symbol, entry in _table(path).get(network.name, {}).items():
        if "deployment" in entry:
            if deployment is None or str(entry["deployment"]) not in deployment.contracts:
                continue
            address = deployment.get(str(entry["deployment"])).address
        else:
            address = str(entry["address"])
            if not is_checksum_address(address):
                raise ValueError(f"{path}: {network.name}.{symbol} address {address} is not EIP-55 checksummed")
        tokens.append(
            Token(
                symbol=symbol,
                address=to_checksum_address(address),
                decimals=int(str(entry["decimals"])),
                permit=bool(entry.get("permit", False)),
            )
        )
    tokens.append(Token(symbol=network.native, address=NATIVE, decimals=NATIVE_DECIMALS, native=True))
    return TokenList(network=network.name, tokens=tuple(tokens))
