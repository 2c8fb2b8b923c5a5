"""config/tokens.toml: well-formed, for known networks, resolved per deployment, the native currency last."""

from __future__ import annotations

import tomllib

import pytest
from eth_utils import is_checksum_address

from backend.app.core.deployments import DeployedContract, Deployment
from backend.app.core.networks import network_named, networks
from backend.app.core.tokens import NATIVE, TOKENS_FILE, TokenNotListed, listed_tokens

TABLE = tomllib.loads(TOKENS_FILE.read_text())
JUSD = "0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9"
LOCAL = Deployment(chain_id=31337, contracts={"TestToken": DeployedContract("TestToken", JUSD, 4)})


def test_every_configured_network_is_a_known_one_and_every_address_is_eip55():
    # a mistyped address fails its EIP-55 checksum with near certainty: real money goes to what is written here
    assert set(TABLE) <= set(networks())
    for network, listed in TABLE.items():
        for symbol, entry in listed.items():
            assert ("address" in entry) != ("deployment" in entry), f"{network}.{symbol}: one of address, deployment"
            assert "address" not in entry or is_checksum_address(entry["address"]), f"{network}.{symbol}"


def test_local__jusd_from_the_deployment__then_eth():
    tokens = listed_tokens(network_named("local"), LOCAL)

    assert [(t.symbol, t.address, t.decimals, t.permit, t.native) for t in tokens.tokens] == [
        ("jUSD", JUSD, 6, True, False),
        ("ETH", NATIVE, 18, False, True),
    ]
    assert tokens.default.symbol == "jUSD" and tokens.find(JUSD.lower()).symbol == "jUSD"


def test_without_a_deployment__only_what_needs_none__the_native_currency():
    tokens = listed_tokens(network_named("local"), None)

    assert [t.symbol for t in tokens.tokens] == ["ETH"] and tokens.default.native


def test_polygon__pays_in_usdc_or_pol():
    assert [t.symbol for t in listed_tokens(network_named("polygon"), None).tokens] == ["USDC", "POL"]


def test_require__an_unlisted_token__names_the_listed_ones():
    with pytest.raises(TokenNotListed, match=rf"0x1111.* on local; it lists jUSD \({JUSD}\), ETH \(native\)"):
        listed_tokens(network_named("local"), LOCAL).require("0x" + "11" * 20)
