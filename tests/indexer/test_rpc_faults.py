"""RPC faults from a proxy in front of the real Anvil: the indexer retries with backoff, adapts its
log range to the node's limits (and grows it back), and gives a clear error when the node stays away."""

from __future__ import annotations

import time

import pytest

from backend.app.core.config import Settings
from backend.app.services.chain import connect_chain
from indexer.main import Indexer, verify_indexer
from indexer.rpc import Rpc, RpcUnavailable
from tests.support.activity import UNIT, create_job, pay
from tests.support.chain import LocalChain
from tests.support.faulty_rpc import Faults, FaultyRpc
from tests.support.indexing import another_database, rpc, snapshot

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@pytest.fixture
def activity(own_settings: Settings, own_chain: LocalChain) -> None:
    gateway = connect_chain(own_settings)
    for amounts in ([UNIT], [2 * UNIT, UNIT], [4 * UNIT]):
        job_id = create_job(gateway, own_chain.w3, amounts)
        pay(gateway, own_chain.w3, job_id, 0)
    for _ in range(30):
        rpc(own_chain, "evm_mine")


def _equals_clean_run(settings: Settings, tmp_path) -> None:
    with another_database(settings.database_url, tmp_path / "clean") as clean_url:
        clean = settings.model_copy(update={"database_url": clean_url})
        Indexer(clean).catch_up()
        assert snapshot(settings) == snapshot(clean)


def test_log_range__that_times_out__shrinks(own_settings: Settings, activity, tmp_path):
    with FaultyRpc(own_settings.rpc_url, Faults(slow_log_range=8, delay=1.0)) as proxy:
        settings = own_settings.model_copy(update={"rpc_url": proxy.url, "batch_size": 64, "rpc_timeout": 0.5})
        indexer = Indexer(settings)
        indexer.catch_up()
        assert proxy.refused > 0
        assert indexer.span <= 16
    _equals_clean_run(own_settings, tmp_path)


def test_transient_faults__503s_and_dropped_connections__are_retried(own_settings: Settings, activity, tmp_path):
    with FaultyRpc(own_settings.rpc_url, Faults(fail_every=3)) as proxy:
        settings = own_settings.model_copy(update={"rpc_url": proxy.url, "batch_size": 7, "rpc_retries": 3})
        Indexer(settings).catch_up()
        assert proxy.failed >= 3
    _equals_clean_run(own_settings, tmp_path)


def test_node_down__gives_a_clear_error_after_the_retries(own_settings: Settings, activity):
    with FaultyRpc(own_settings.rpc_url, Faults(down=True)) as proxy:
        settings = own_settings.model_copy(update={"rpc_url": proxy.url, "rpc_retries": 3, "rpc_backoff": 0.05})
        indexer = Indexer(settings)
        began = time.monotonic()
        with pytest.raises(RpcUnavailable, match=r"unreachable: eth_blockNumber failed 4 times"):
            indexer.catch_up()
        assert 0.05 + 0.1 + 0.2 <= time.monotonic() - began < 5  # exponential backoff, then give up
        assert proxy.failed == 4


def test_log_range__refused_by_the_node__shrinks_then_grows_back(own_settings: Settings, activity, tmp_path):
    with FaultyRpc(own_settings.rpc_url, Faults(max_log_range=4)) as proxy:
        settings = own_settings.model_copy(update={"rpc_url": proxy.url, "batch_size": 64})
        indexer = Indexer(settings)
        indexer.catch_up()
        assert proxy.refused > 0
        assert indexer.span <= 8  # a refused range halves; a full success doubles, up to the limit
        proxy.faults.max_log_range = None
        rpc_chain_mine(own_settings, 320)
        indexer.catch_up()
        assert indexer.span == 64
    _equals_clean_run(own_settings, tmp_path)


def rpc_chain_mine(settings: Settings, blocks: int) -> None:
    from web3 import HTTPProvider, Web3

    Web3(HTTPProvider(settings.rpc_url)).provider.make_request("anvil_mine", [hex(blocks)])


def test_rate_limited__a_429_with_retry_after__is_retried_no_sooner_than_asked(own_settings: Settings):
    with FaultyRpc(own_settings.rpc_url, Faults(rate_limit_every=2, retry_after="1")) as proxy:
        client = Rpc(proxy.url, retries=2, backoff=0.01)  # without Retry-After it would try again in 10 ms
        try:
            first = client.block_number()
            assert client.block_number() >= first  # the second request got a 429, the third answered
        finally:
            client.close()
        assert len(proxy.rate_limited) == 1 and len(proxy.arrivals) == 3
        assert proxy.arrivals[2] - proxy.rate_limited[0] >= 1.0


def test_public_rpc_limits__result_caps_and_rate_limits__backfill_loses_and_duplicates_nothing(
    own_settings: Settings, activity, tmp_path
):
    faults = Faults(max_log_results=3, rate_limit_every=40, retry_after="1")
    with FaultyRpc(own_settings.rpc_url, faults) as proxy:
        settings = own_settings.model_copy(update={"rpc_url": proxy.url, "batch_size": 64, "rpc_backoff": 0.01})
        indexer = Indexer(settings)
        indexer.catch_up()
        assert proxy.refused > 0 and proxy.rate_limited  # both limits were met
    _equals_clean_run(own_settings, tmp_path)
    assert verify_indexer(Indexer(own_settings)).ok
