"""Follow mode: from block mined to row visible within one block interval at p95 (measured on a real
Anvil mining one block with an escrow event every second, and a real `python -m indexer run`)."""

from __future__ import annotations

import math
import subprocess
import sys
import time

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.app.core.config import Settings
from backend.app.core.db import make_engine
from backend.app.models.chain import ChainJob, IndexerCheckpoint
from backend.app.services.chain import connect_chain
from launcher.stack import ROOT, tool_env
from tests.support.activity import UNIT, consent, make_terms
from tests.support.chain import LocalChain, wallet
from tests.support.indexing import rpc

INTERVAL = 1.0
BLOCKS = 10


def test_follow__block_mined_to_row_visible__within_one_block_at_p95(
    own_settings: Settings, own_chain: LocalChain, tmp_path
):
    gateway = connect_chain(own_settings)
    w3 = own_chain.w3
    client, escrow = wallet("client"), gateway.escrow.address
    w3.eth.wait_for_transaction_receipt(
        gateway.token.functions.approve(escrow, 2**256 - 1).transact({"from": client}), timeout=10
    )
    env = tool_env(
        {
            "JIEDAN_DATABASE_URL": own_settings.database_url,
            "JIEDAN_RPC_URL": own_settings.rpc_url,
            "JIEDAN_DEPLOYMENTS_FILE": str(own_settings.deployments_file),
            "JIEDAN_BUILD_MANIFEST": str(own_settings.build_manifest),
            "JIEDAN_POLL_INTERVAL": "0.2",
        }
    )
    offers = []  # one job per block, each with the freelancer's consent signed ahead
    for _ in range(BLOCKS):
        terms = make_terms(w3, gateway.escrow, [UNIT], token=gateway.token.address)
        offers.append((terms, consent(gateway, w3, terms)))
    log = (tmp_path / "indexer.log").open("wb")
    follower = subprocess.Popen([sys.executable, "-m", "indexer", "run"], cwd=ROOT, env=env, stdout=log, stderr=log)
    engine = make_engine(own_settings.database_url)
    lags: list[float] = []
    rpc(own_chain, "evm_setAutomine", False)
    try:
        _wait_for(engine, w3.eth.block_number, timeout=30)  # started and caught up
        for terms, signature in offers:
            create = gateway.escrow.functions.create_job(terms.as_abi(), signature, 1)
            create.transact({"from": client, "gas": 700_000})
            time.sleep(INTERVAL)
            rpc(own_chain, "evm_mine")
            mined = time.perf_counter()
            _wait_for(engine, w3.eth.block_number, timeout=10)
            lags.append(time.perf_counter() - mined)
    finally:
        rpc(own_chain, "evm_setAutomine", True)
        follower.terminate()
        follower.wait(timeout=10)
        log.close()
    with Session(engine) as session:
        assert len(session.scalars(select(ChainJob)).all()) >= BLOCKS
    engine.dispose()
    lags.sort()
    p95 = lags[math.ceil(0.95 * len(lags)) - 1]
    print(f"follow lag p50 {lags[len(lags) // 2]:.3f} s, p95 {p95:.3f} s at one block per {INTERVAL} s")
    assert p95 <= INTERVAL


def _wait_for(engine, block: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with Session(engine) as session:
            checkpoint = session.scalar(select(IndexerCheckpoint.block_number))
        if checkpoint is not None and checkpoint >= block:
            return
        time.sleep(0.005)
    pytest.fail(f"block {block} not indexed within {timeout} s")
