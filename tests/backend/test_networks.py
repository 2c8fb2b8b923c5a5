"""The networks Jiedan knows by name (config/networks.toml), held against Ape's configuration and
against evmchains (the chain list Ape itself ships), and the settings that pick one."""

from __future__ import annotations

import pytest
import yaml
from evmchains import PUBLIC_CHAIN_META
from pydantic import ValidationError

from backend.app.core.config import Settings
from backend.app.core.networks import UnknownNetwork, network_named, network_of_chain, networks
from launcher.stack import ROOT

PUBLIC = [network for network in networks().values() if not network.local]


def test_registry__names_the_networks_an_operator_asks_for():
    assert {"local", "ethereum", "sepolia", "base", "arbitrum", "optimism", "polygon"} <= set(networks())
    assert len({network.chain_id for network in networks().values()}) == len(networks())
    assert network_named("local").chain_id == 31337  # Anvil's default chain id


@pytest.mark.parametrize("network", PUBLIC, ids=lambda network: network.name)
def test_registry__chain_id__is_the_one_evmchains_gives_ape_for_that_network(network):
    assert PUBLIC_CHAIN_META[network.ape_ecosystem][network.ape_network]["chainId"] == network.chain_id


@pytest.mark.parametrize("network", PUBLIC, ids=lambda network: network.name)
def test_ape_config__reads_each_public_network_url_from_the_registry_variable(network):
    nodes = yaml.safe_load((ROOT / "ape-config.yaml").read_text())["node"]
    assert network.ape.endswith(":node")
    assert nodes[network.ape_ecosystem][network.ape_network]["uri"] == f"${network.rpc_env}"


def test_ape_config__commits_no_rpc_url():
    nodes = yaml.safe_load((ROOT / "ape-config.yaml").read_text())["node"]
    uris = [net["uri"] for ecosystem in nodes.values() for net in ecosystem.values()]
    assert uris and all(uri.startswith("$JIEDAN_RPC_URL_") for uri in uris)


def test_unknown_network__the_error_lists_the_known_ones():
    with pytest.raises(UnknownNetwork, match="no network named 'basee'.*base"):
        network_named("basee")
    assert network_of_chain(8453).name == "base" and network_of_chain(999_999) is None


def test_settings__a_public_network__takes_its_chain_id_and_the_url_of_its_variable(monkeypatch):
    monkeypatch.setenv("JIEDAN_NETWORK", "base")
    monkeypatch.setenv("JIEDAN_RPC_URL_BASE", "https://base.example/rpc")

    settings = Settings()

    assert (settings.chain_id, settings.rpc_url) == (8453, "https://base.example/rpc")


def test_settings__an_explicit_rpc_url_wins_over_the_network_variable(monkeypatch):
    monkeypatch.setenv("JIEDAN_RPC_URL_BASE", "https://base.example/rpc")

    settings = Settings(network="base", rpc_url="http://127.0.0.1:9999")

    assert (settings.chain_id, settings.rpc_url) == (8453, "http://127.0.0.1:9999")


def test_settings__a_public_network_without_its_url__a_clear_error(monkeypatch):
    monkeypatch.delenv("JIEDAN_RPC_URL_ARBITRUM", raising=False)

    with pytest.raises(ValidationError, match="JIEDAN_NETWORK=arbitrum needs its RPC URL in JIEDAN_RPC_URL_ARBITRUM"):
        Settings(network="arbitrum")


def test_settings__a_chain_id_of_another_network__refused():
    with pytest.raises(ValidationError, match="JIEDAN_CHAIN_ID=10, but base is chain 8453"):
        Settings(network="base", rpc_url="http://127.0.0.1:9999", chain_id=10)


def test_settings__local_by_default__no_chain_id_forced():
    settings = Settings(_env_file=None)

    assert (settings.network, settings.chain_id) == ("local", None)
