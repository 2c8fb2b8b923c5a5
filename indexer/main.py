"""The indexing loop: batches of blocks from the checkpoint to the head, each in one transaction."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from hexbytes import HexBytes
from sqlalchemy import inspect
from sqlalchemy.orm import Session, sessionmaker
from web3 import HTTPProvider, Web3

from backend.app.core.config import Settings
from backend.app.core.contracts import load_deployment
from backend.app.core.db import make_engine, make_session_factory, transaction
from indexer.abi import EventDecoder
from indexer.fetch import fetch_logs
from indexer.store import get_checkpoint, record_event, set_checkpoint

log = logging.getLogger("indexer")


class IndexerError(RuntimeError):
    """A condition the indexer cannot continue from; the message says what to do."""


@dataclass(frozen=True)
class BatchResult:
    from_block: int
    to_block: int
    events: int


@dataclass(frozen=True)
class Status:
    chain_id: int
    head: int
    checkpoint: int | None

    @property
    def lag(self) -> int | None:
        return None if self.checkpoint is None else max(self.head - self.checkpoint, 0)


class Indexer:
    """Follows one escrow deployment and projects its events into SQL."""

    def __init__(self, settings: Settings, session_factory: sessionmaker[Session] | None = None) -> None:
        self.settings = settings
        deployment = load_deployment(settings.deployments_file)
        escrow = deployment.get("Escrow")
        self.chain_id = deployment.chain_id
        self.address = escrow.address
        self.start_block = escrow.block
        self.decoder = EventDecoder(settings.build_manifest, "Escrow")
        self.w3 = Web3(HTTPProvider(settings.rpc_url, request_kwargs={"timeout": 10}))
        if session_factory is None:
            engine = make_engine(settings.database_url)
            if not inspect(engine).has_table("indexer_checkpoints"):
                raise IndexerError(
                    f"database {engine.url.render_as_string(hide_password=True)} is not migrated: "
                    "run `alembic upgrade head` first"
                )
            session_factory = make_session_factory(engine)
        self.sessions = session_factory

    def check_chain(self) -> None:
        """Refuse to index a chain other than the one the deployments file names."""
        try:
            chain_id = self.w3.eth.chain_id
        except Exception as error:  # connection refused, timeout, bad URL
            raise IndexerError(f"RPC {self.settings.rpc_url} is unreachable: {error}") from error
        if chain_id != self.chain_id:
            raise IndexerError(
                f"RPC {self.settings.rpc_url} serves chain {chain_id}, the deployments file is for {self.chain_id}"
            )
        if not self.w3.eth.get_code(self.address):
            raise IndexerError(f"no contract at {self.address} on chain {chain_id}: is the deployments file stale?")

    def status(self) -> Status:
        with self.sessions() as session:
            checkpoint = get_checkpoint(session, self.chain_id)
            return Status(
                chain_id=self.chain_id,
                head=self.w3.eth.block_number,
                checkpoint=None if checkpoint is None else checkpoint.block_number,
            )

    def step(self) -> BatchResult | None:
        """Index the next batch of blocks; None when caught up with the head."""
        head = self.w3.eth.block_number - self.settings.confirmations
        with transaction(self.sessions) as session:
            checkpoint = get_checkpoint(session, self.chain_id)
            if checkpoint is None:
                from_block = self.start_block
            else:
                canonical = HexBytes(self.w3.eth.get_block(checkpoint.block_number)["hash"]).to_0x_hex()
                if canonical != checkpoint.block_hash:
                    raise IndexerError(
                        f"block {checkpoint.block_number} changed under the checkpoint "
                        f"({checkpoint.block_hash} is now {canonical}): a reorg; this indexer version halts"
                    )
                from_block = checkpoint.block_number + 1
            if from_block > head:
                return None
            to_block = min(head, from_block + self.settings.batch_size - 1)
            logs = fetch_logs(self.w3, self.address, from_block, to_block)
            block_times: dict[int, datetime] = {}
            events = 0
            for entry in logs:
                event = self.decoder.decode(entry)
                if event is None:
                    continue
                if event.block_number not in block_times:
                    timestamp = self.w3.eth.get_block(event.block_number)["timestamp"]
                    block_times[event.block_number] = datetime.fromtimestamp(timestamp, UTC)
                events += record_event(session, self.chain_id, event, block_times[event.block_number])
            last = self.w3.eth.get_block(to_block)
            set_checkpoint(session, self.chain_id, to_block, HexBytes(last["hash"]).to_0x_hex(), datetime.now(UTC))
        log.info("indexed blocks %d-%d: %d events", from_block, to_block, events)
        return BatchResult(from_block, to_block, events)

    def catch_up(self) -> int:
        """Index until the head; the number of events written."""
        written = 0
        while (batch := self.step()) is not None:
            written += batch.events
        return written

    def follow(self, stop_after: float | None = None) -> None:
        """Keep up with new blocks (until `stop_after` seconds, if given)."""
        deadline = None if stop_after is None else time.monotonic() + stop_after
        while deadline is None or time.monotonic() < deadline:
            if self.step() is None:
                time.sleep(self.settings.poll_interval)
