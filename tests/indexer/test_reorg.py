"""Reorgs on a real Anvil (evm_snapshot / evm_revert, then a different chain mined): the indexer
rolls back to the common ancestor and replays, and its tables equal a clean run over the new chain."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.app.core.config import Settings
from backend.app.core.db import make_engine
from backend.app.models.chain import ChainBlock, ChainEvent, IndexerCheckpoint
from backend.app.services.chain import connect_chain
from indexer.main import Indexer, ReorgTooDeep, verify_indexer
from tests.support.activity import UNIT, approve, create_job, reputation, submit
from tests.support.chain import LocalChain
from tests.support.chain_views import assert_projection_matches_chain
from tests.support.indexing import another_database, rpc, snapshot


def _mine_to(chain: LocalChain, number: int) -> None:
    while chain.w3.eth.block_number < number:
        rpc(chain, "evm_mine")


def _old_fork(chain: LocalChain, gateway, job_id: int, depth: int) -> str:
    """`depth` blocks on top of the snapshot: an approval (its raw tx returned), maybe a new job, padding.

    The milestone was submitted before the snapshot, so the approval is valid on both forks."""
    base = chain.w3.eth.block_number
    approve(gateway, chain.w3, job_id, 0)
    block = chain.w3.eth.get_block(base + 1, full_transactions=True)
    [release_tx] = block["transactions"]
    if depth >= 3:
        create_job(gateway, chain.w3, [5 * UNIT], title="orphaned")
    _mine_to(chain, base + depth)
    return chain.w3.eth.get_raw_transaction(release_tx["hash"]).to_0x_hex()


def _new_fork(chain: LocalChain, gateway, base: int, depth: int, raw_approve: str) -> int:
    """A longer chain from `base`: an empty block, the same approval one block later, another job."""
    rpc(chain, "evm_mine")
    tx_hash = chain.w3.eth.send_raw_transaction(raw_approve)
    receipt = chain.w3.eth.wait_for_transaction_receipt(tx_hash, timeout=10)
    assert receipt["blockNumber"] == base + 2
    create_job(gateway, chain.w3, [9 * UNIT, UNIT], title="canonical")
    _mine_to(chain, base + depth + 1)
    return receipt["blockNumber"]


@pytest.mark.parametrize("depth", [1, 2, 3, 4, 5])
def test_reorg__of_depth_1_to_5__projection_equals_a_clean_run(
    depth: int, own_settings: Settings, own_chain: LocalChain, tmp_path
):
    gateway = connect_chain(own_settings)
    w3 = own_chain.w3
    job_id = create_job(gateway, w3, [UNIT, 2 * UNIT])
    submit(gateway, w3, job_id, 0)
    indexer = Indexer(own_settings)
    indexer.catch_up()
    base = w3.eth.block_number
    snapshot_id = rpc(own_chain, "evm_snapshot")
    try:
        raw_approve = _old_fork(own_chain, gateway, job_id, depth)
        indexer.catch_up()
        with indexer.sessions() as session:
            assert session.get_one(IndexerCheckpoint, gateway.chain_id).block_number == base + depth
    finally:
        assert rpc(own_chain, "evm_revert", snapshot_id)
    approve_block = _new_fork(own_chain, gateway, base, depth, raw_approve)

    indexer.catch_up()

    with another_database(own_settings.database_url, tmp_path / "clean") as clean_url:
        clean = own_settings.model_copy(update={"database_url": clean_url})
        Indexer(clean).catch_up()
        assert snapshot(own_settings) == snapshot(clean)
    engine = make_engine(own_settings.database_url)
    with Session(engine) as session:
        approved = session.scalars(select(ChainEvent).where(ChainEvent.event_name == "MilestoneApproved")).all()
        assert [event.block_number for event in approved if event.block_number > base] == [approve_block]
        assert assert_projection_matches_chain(session, gateway, w3, reputation(gateway, w3)) >= 2
        blocks = session.scalars(select(ChainBlock).order_by(ChainBlock.block_number)).all()
        for block in blocks:
            assert block.block_hash == w3.eth.get_block(block.block_number)["hash"].to_0x_hex()
    engine.dispose()


def test_reorg__deeper_than_finality__halts_with_a_clear_error(own_settings: Settings, own_chain: LocalChain):
    settings = own_settings.model_copy(update={"finality_depth": 2})
    gateway = connect_chain(settings)
    job_id = create_job(gateway, own_chain.w3, [UNIT])
    submit(gateway, own_chain.w3, job_id, 0)
    indexer = Indexer(settings)
    indexer.catch_up()
    base = own_chain.w3.eth.block_number
    snapshot_id = rpc(own_chain, "evm_snapshot")
    try:
        raw_approve = _old_fork(own_chain, gateway, job_id, 4)
        indexer.catch_up()
    finally:
        rpc(own_chain, "evm_revert", snapshot_id)
    _new_fork(own_chain, gateway, base, 4, raw_approve)

    with pytest.raises(ReorgTooDeep, match="JIEDAN_FINALITY_DEPTH|deeper than"):
        indexer.catch_up()
    with indexer.sessions() as session:  # nothing was rewound
        assert session.get_one(IndexerCheckpoint, gateway.chain_id).block_number == base + 4


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_reorg__while_following__is_rolled_back_and_replayed(own_settings: Settings, own_chain: LocalChain, tmp_path):
    gateway = connect_chain(own_settings)
    w3 = own_chain.w3
    job_id = create_job(gateway, w3, [UNIT, UNIT])
    submit(gateway, w3, job_id, 0)
    indexer = Indexer(own_settings)
    indexer.catch_up()
    base = w3.eth.block_number
    stop = threading.Event()
    errors: list[BaseException] = []

    def follow() -> None:
        try:
            while not stop.is_set():
                indexer.follow(stop_after=0.2)
        except BaseException as error:  # noqa: BLE001 - reported by the test
            errors.append(error)

    thread = threading.Thread(target=follow)
    thread.start()
    try:
        snapshot_id = rpc(own_chain, "evm_snapshot")
        raw_approve = _old_fork(own_chain, gateway, job_id, 3)
        _wait_for_checkpoint(indexer, gateway.chain_id, base + 3)
        rpc(own_chain, "evm_revert", snapshot_id)
        _new_fork(own_chain, gateway, base, 3, raw_approve)
        _wait_for_checkpoint(indexer, gateway.chain_id, base + 4)
    finally:
        stop.set()
        thread.join()
    assert not errors
    with another_database(own_settings.database_url, tmp_path / "clean") as clean_url:
        clean = own_settings.model_copy(update={"database_url": clean_url})
        Indexer(clean).catch_up()
        assert snapshot(own_settings) == snapshot(clean)


def _wait_for_checkpoint(indexer: Indexer, chain_id: int, number: int, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with indexer.sessions() as session:
            checkpoint = session.get(IndexerCheckpoint, chain_id)
            if checkpoint is not None and checkpoint.block_number >= number:
                return
        time.sleep(0.05)
    raise AssertionError(f"the indexer did not reach block {number}")


@pytest.mark.slow
def test_reorgs__many_at_random_depths__projection_equals_a_clean_run(
    own_settings: Settings, own_chain: LocalChain, tmp_path
):
    import os
    import random

    seed = int(os.environ.get("JIEDAN_SEED", str(random.randrange(2**32))))
    print(f"JIEDAN_SEED={seed}")
    rng = random.Random(seed)
    gateway = connect_chain(own_settings)
    w3 = own_chain.w3
    indexer = Indexer(own_settings)
    for _ in range(30):
        job_id = create_job(gateway, w3, [UNIT, UNIT])
        submit(gateway, w3, job_id, 0)
        indexer.catch_up()
        depth = rng.randint(1, 8)
        base = w3.eth.block_number
        snapshot_id = rpc(own_chain, "evm_snapshot")
        raw_approve = _old_fork(own_chain, gateway, job_id, depth)
        if rng.random() < 0.7:
            indexer.catch_up()
        assert rpc(own_chain, "evm_revert", snapshot_id)
        _new_fork(own_chain, gateway, base, depth, raw_approve)
        indexer.catch_up()
    with another_database(own_settings.database_url, tmp_path / "clean") as clean_url:
        clean = own_settings.model_copy(update={"database_url": clean_url})
        Indexer(clean).catch_up()
        assert snapshot(own_settings) == snapshot(clean)
    assert verify_indexer(indexer).ok
