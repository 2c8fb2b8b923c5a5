"""The networks Jiedan knows by name (config/networks.toml): chain id, Ape's network choice, where the
RPC URL comes from, the native currency and the explorer."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

NETWORKS_FILE = Path(__file__).resolve().parents[3] / "config" / "networks.toml"


class UnknownNetwork(ValueError):
    """A network name or chain id config/networks.toml does not list."""


@dataclass(frozen=True)
class Network:
    name: str
    chain_id: int
    ape: str  # ecosystem:network:provider
    native: str  # the chain's own currency symbol (18 decimals)
    local: bool = False
    rpc_env: str | None = None  # the environment variable holding the RPC URL (public networks)
    explorer: str | None = None

    @property
    def ape_ecosystem(self) -> str:
        return self.ape.split(":")[0]

    @property
    def ape_network(self) -> str:
        return self.ape.split(":")[1]


@cache
def networks(path: Path = NETWORKS_FILE) -> dict[str, Network]:
    """Every network of the file, by name."""
    table = tomllib.loads(path.read_text())
    return {name: Network(name=name, **fields) for name, fields in table.items()}


def network_named(name: str) -> Network:
    known = networks()
    try:
        return known[name]
    except KeyError:
        raise UnknownNetwork(f"no network named {name!r}: config/networks.toml knows {', '.join(known)}") from None


def network_of_chain(chain_id: int) -> Network | None:
    """The network with this chain id, or None for a chain the file does not name."""
    return next((network for network in networks().values() if network.chain_id == chain_id), None)
