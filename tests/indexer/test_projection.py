"""The indexer projects every escrow event into SQL, once, with its checkpoint in the same transaction."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from backend.app.core.config import Settings
from backend.app.core.db import make_engine
from backend.app.core.migrate import upgrade
from backend.app.models.chain import ChainEvent, ChainJob, ChainMilestone, IndexerCheckpoint
from backend.app.services.chain import connect_chain
from indexer import handlers
from indexer.main import Indexer, IndexerError
from tests.support.activity import UNIT, create_job, pay, reputation
from tests.support.chain_views import assert_projection_matches_chain


def _snapshot(settings: Settings) -> dict[str, list[tuple]]:
    engine = make_engine(settings.database_url)
    with Session(engine) as session:
        tables = {
            "jobs": session.execute(select(ChainJob.__table__).order_by("job_id")).all(),
            "milestones": session.execute(select(ChainMilestone.__table__).order_by("job_id", "index")).all(),
            "events": session.execute(
                select(
                    ChainEvent.block_number, ChainEvent.log_index, ChainEvent.event_name, ChainEvent.args_json
                ).order_by(ChainEvent.block_number, ChainEvent.log_index)
            ).all(),
        }
    engine.dispose()
    return {name: [tuple(row) for row in rows] for name, rows in tables.items()}


def test_index__every_job_equals_the_contract_view(settings: Settings, local_chain):
    gateway = connect_chain(settings)
    w3 = local_chain.w3
    paid_job = create_job(gateway, w3, [300 * UNIT, 500 * UNIT])
    pay(gateway, w3, paid_job, 1)
    create_job(gateway, w3, [7 * UNIT, 8 * UNIT], fund_count=1)

    Indexer(settings).catch_up()

    engine = make_engine(settings.database_url)
    with Session(engine) as session:
        assert assert_projection_matches_chain(session, gateway, w3, reputation(gateway, w3)) >= 2
        paid = session.get_one(ChainJob, (gateway.chain_id, paid_job))
        assert [m.state for m in paid.milestones] == ["funded", "approved"]
        assert paid.paid_to_freelancer == 500 * UNIT - paid.milestones[1].platform_fee
        assert paid.milestones[1].closed_tx is not None
        checkpoint = session.get_one(IndexerCheckpoint, gateway.chain_id)
        assert checkpoint.block_number == w3.eth.block_number
        assert checkpoint.block_hash == w3.eth.get_block(checkpoint.block_number)["hash"].to_0x_hex()
    engine.dispose()


def test_replay__of_an_indexed_range__changes_nothing(settings: Settings, local_chain):
    gateway = connect_chain(settings)
    job_id = create_job(gateway, local_chain.w3, [UNIT, 2 * UNIT])
    pay(gateway, local_chain.w3, job_id, 0)
    indexer = Indexer(settings)
    indexer.catch_up()
    before = _snapshot(settings)

    with indexer.sessions.begin() as session:  # forget the checkpoint: the whole range is read again
        session.delete(session.get_one(IndexerCheckpoint, gateway.chain_id))
    assert indexer.catch_up() == 0

    assert _snapshot(settings) == before
    assert len(before["events"]) >= 4


def test_batch__fails_midway__leaves_neither_rows_nor_checkpoint(settings: Settings, local_chain, monkeypatch):
    gateway = connect_chain(settings)
    job_id = create_job(gateway, local_chain.w3, [UNIT])
    pay(gateway, local_chain.w3, job_id, 0)

    def crash(*_args):
        raise RuntimeError("crash while projecting")

    monkeypatch.setitem(handlers.HANDLERS, "MilestoneApproved", crash)
    indexer = Indexer(settings)
    with pytest.raises(RuntimeError, match="crash while projecting"):
        indexer.catch_up()
    approved_block = local_chain.w3.eth.block_number
    with indexer.sessions() as session:  # earlier batches committed; the failing one left nothing
        checkpoint = session.get(IndexerCheckpoint, gateway.chain_id)
        committed = -1 if checkpoint is None else checkpoint.block_number
        assert committed < approved_block
        later = select(func.count()).select_from(ChainEvent).where(ChainEvent.block_number > committed)
        assert session.scalar(later) == 0
        milestone = session.get(ChainMilestone, (gateway.chain_id, job_id, 0))
        assert milestone is None or milestone.state != "approved"

    monkeypatch.undo()
    indexer.catch_up()
    with indexer.sessions() as session:
        assert session.get_one(ChainMilestone, (gateway.chain_id, job_id, 0)).state == "approved"


def test_batches__small__give_the_same_tables_as_one_big_batch(settings: Settings, local_chain, tmp_path):
    gateway = connect_chain(settings)
    job_id = create_job(gateway, local_chain.w3, [3 * UNIT, 4 * UNIT])
    pay(gateway, local_chain.w3, job_id, 1)
    Indexer(settings.model_copy(update={"batch_size": 3})).catch_up()

    one_batch = settings.model_copy(update={"database_url": f"sqlite:///{tmp_path / 'one-batch.db'}"})
    upgrade(one_batch.database_url)
    Indexer(one_batch.model_copy(update={"batch_size": 100_000})).catch_up()

    assert _snapshot(settings) == _snapshot(one_batch)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_indexer__database_not_migrated__says_so(settings: Settings, tmp_path):
    empty = tmp_path / "empty.db"
    create_engine(f"sqlite:///{empty}").dispose()
    with pytest.raises(IndexerError, match="not migrated"):
        Indexer(settings.model_copy(update={"database_url": f"sqlite:///{empty}"}))


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_indexer__rpc_unreachable__says_so(settings: Settings):
    indexer = Indexer(settings.model_copy(update={"rpc_url": "http://127.0.0.1:9"}))
    with pytest.raises(IndexerError, match="unreachable"):
        indexer.check_chain()
