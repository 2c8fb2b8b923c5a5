"""The indexing loop: batches of blocks from the checkpoint to the head, each in one transaction.

Reorgs (written down in indexer/README.md): the indexer keeps (number, hash, parent hash) of
the blocks of the unfinalized window in `chain_blocks`. Before each batch it checks that the
checkpoint's block is still canonical. When it is not, it walks the remembered blocks down to
the newest one that still is (the common ancestor), deletes the raw events above it, rebuilds
every projection from the remaining raw events with the same handler registry, moves the
checkpoint to the ancestor and goes on from there, all in one transaction. A reorg that replaces
more than `finality_depth` indexed blocks halts with an error instead of rewinding.

A batch is consistent with one chain: the hash of its last block is read before and after its
logs, and every log's block hash must equal the header read for that block; otherwise the batch
is dropped and read again.
"""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, event, inspect
from sqlalchemy.orm import Session, sessionmaker

from backend.app.core.config import Settings
from backend.app.core.db import make_engine, make_session_factory, transaction
from backend.app.core.deployments import load_deployment
from indexer.abi import DecodedEvent, EventDecoder
from indexer.handlers import FOLLOWED_CONTRACTS
from indexer.lock import writer_lock
from indexer.projection import RowCache
from indexer.rpc import Rpc, RpcError, RpcTimeout, RpcUnavailable
from indexer.store import get_checkpoint, recent_blocks, record_events, rollback, save_blocks, set_checkpoint

log = logging.getLogger("indexer")

GROW_AFTER = 4  # full batches in a row before the log range doubles again
INITIAL_SPAN = 16
TARGET_BATCH_LOGS = 5_000  # a batch with more logs shrinks the next range
REQUIRED_TABLES = ("chain_events", "chain_blocks", "indexer_checkpoints")


class IndexerError(RuntimeError):
    """A condition the indexer cannot continue from; the message says what to do."""


class ReorgTooDeep(IndexerError):
    """A reorg replaced blocks the configuration calls final."""


class _Inconsistent(Exception):  # noqa: N818 - internal signal: the chain moved during a batch, read it again
    pass


@dataclass(frozen=True)
class _Batch:
    """A block range read from the node (consistent with one chain) and decoded, not yet written."""

    to_block: int
    logs: int
    events: list[tuple[DecodedEvent, datetime]]
    window: list[dict[str, Any]]  # headers of the range's unfinalized blocks, oldest first
    last: dict[str, Any]  # the header of to_block


@dataclass(frozen=True)
class BatchResult:
    from_block: int
    to_block: int
    events: int
    rolled_back_to: int | None = None


@dataclass(frozen=True)
class Status:
    chain_id: int
    head: int
    checkpoint: int | None

    @property
    def lag(self) -> int | None:
        return None if self.checkpoint is None else max(self.head - self.checkpoint, 0)


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """Backfill allocates millions of short-lived tuples and keeps a large row cache: with the default
    thresholds the cyclic garbage collector ran often enough to cost a fifth of the CPU time. The
    indexer makes little cyclic garbage (its JSON-RPC bodies are freed by reference counting), so
    collect less often while catching up."""
    thresholds = gc.get_threshold()
    gc.set_threshold(50_000, 20, 100)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)


def _time(header: dict[str, Any]) -> datetime:
    return datetime.fromtimestamp(int(header["timestamp"], 16), UTC)


class Indexer:
    """Follows the contracts of one deployment (Escrow, Reputation, …) and projects their events into SQL."""

    def __init__(self, settings: Settings, session_factory: sessionmaker[Session] | None = None) -> None:
        self.settings = settings
        deployment = load_deployment(settings.deployments_file, settings.chain_id)
        followed = [deployment.contracts[name] for name in FOLLOWED_CONTRACTS if name in deployment.contracts]
        if not followed:
            deployment.get(FOLLOWED_CONTRACTS[0])  # raises the "no contract named" error
        self.chain_id = deployment.chain_id
        self.contracts = {contract.address: contract.name for contract in followed}
        self.addresses = list(self.contracts)
        self.address = self.addresses[0]
        self.start_block = min(contract.block for contract in followed)
        self.decoder = EventDecoder(settings.build_manifest, self.contracts)
        self.rpc = Rpc(
            settings.rpc_url, timeout=settings.rpc_timeout, retries=settings.rpc_retries, backoff=settings.rpc_backoff
        )
        # blocks per eth_getLogs: starts small (the first answer's size is unknown), doubles while
        # batches stay light, halves on a refusal or timeout and then grows back more slowly
        self.span = min(settings.batch_size, INITIAL_SPAN)
        self._refused = False
        self._full_batches = 0
        self._rows: RowCache = {}  # projection rows kept between batches; cleared on any rollback
        self._head = -1
        self._reader: ThreadPoolExecutor | None = None  # reads the next range while a batch is written
        self._reader_rpc = self.rpc
        self._ahead: tuple[tuple[int, int, tuple[int, str]], Future[_Batch]] | None = None
        if session_factory is None:
            engine = make_engine(settings.database_url)
            sync_at_checkpoints(engine)
            check_migrated(engine)
            session_factory = make_session_factory(engine)
        else:
            sync_at_checkpoints(session_factory.kw["bind"])
        self.sessions = session_factory
        self._lock_depth = 0

    # -- checks ---------------------------------------------------------------------------------

    def check_chain(self) -> None:
        """Refuse to index a chain other than the one the deployments file names."""
        try:
            chain_id = int(self.rpc.call("eth_chainId", retries=0), 16)
        except (RpcUnavailable, RpcError) as error:
            raise IndexerError(f"RPC {self.settings.rpc_url} is unreachable: {error}") from error
        if chain_id != self.chain_id:
            raise IndexerError(
                f"RPC {self.settings.rpc_url} serves chain {chain_id}, the deployments file is for {self.chain_id}"
            )
        for address, name in self.contracts.items():
            if self.rpc.call("eth_getCode", [address, "latest"]) in (None, "0x", ""):
                raise IndexerError(
                    f"no contract at {address} ({name}) on chain {chain_id}: is the deployments file stale?"
                )

    def status(self) -> Status:
        with self.sessions() as session:
            checkpoint = get_checkpoint(session, self.chain_id)
            return Status(
                chain_id=self.chain_id,
                head=self.rpc.block_number(),
                checkpoint=None if checkpoint is None else checkpoint.block_number,
            )

    # -- one batch ------------------------------------------------------------------------------

    def step(self, until: int | None = None) -> BatchResult | None:
        """Index the next batch of blocks (up to `until`, if given); None when caught up."""
        while True:
            try:
                return self._step(until)
            except BaseException as error:
                self._rows.clear()  # the transaction rolled back: cached rows may be ahead of the tables
                self._ahead = None
                if not isinstance(error, _Inconsistent):
                    raise
                why = error
                log.info("chain moved during the batch (%s); reading it again", why)
                self._head = -1

    def _step(self, until: int | None) -> BatchResult | None:
        with transaction(self.sessions) as session:
            checkpoint = get_checkpoint(session, self.chain_id)
            from_block = self.start_block if checkpoint is None else checkpoint.block_number + 1
            if from_block > self._head - self.settings.confirmations:
                self._head = self.rpc.block_number()
            head = self._head
            target = head - self.settings.confirmations
            if until is not None:
                target = min(target, until)
            after = None if checkpoint is None else (checkpoint.block_number, checkpoint.block_hash)
            batch = self._prefetched(from_block, after, target)
            while batch is None:
                to_block = max(min(target, from_block + self.span - 1), from_block)
                wanted = [to_block] if checkpoint is None else [checkpoint.block_number, to_block]
                before = self.rpc.headers(wanted)
                if checkpoint is not None:
                    current = before[checkpoint.block_number]
                    if current is None or current["hash"] != checkpoint.block_hash:
                        return self._handle_reorg(session, checkpoint.block_number, head)
                if from_block > target:
                    return None
                if before[to_block] is None:
                    raise _Inconsistent(f"block {to_block} is gone")
                try:
                    batch = self._read(self.rpc, from_block, to_block, after, head, before[to_block]["hash"])
                except (RpcError, RpcTimeout) as error:
                    if to_block == from_block:
                        raise IndexerError(f"the node refuses eth_getLogs for block {from_block}: {error}") from error
                    self.span = max(1, (to_block - from_block + 1) // 2)
                    self._full_batches = 0
                    self._refused = True
                    log.info(
                        "node refused blocks %d-%d (%s); %d blocks per request", from_block, to_block, error, self.span
                    )
            to_block, window, last, events = batch.to_block, batch.window, batch.last, batch.events
            self._adapt_span(to_block - from_block + 1, batch.logs)
            if to_block < target:  # more to come: read the next range while this one is written
                next_to = min(target, to_block + self.span)
                self._prefetch(to_block + 1, next_to, (to_block, last["hash"]), head)
            written = record_events(session, self.chain_id, self.decoder, events, self._rows)
            save_blocks(
                session,
                self.chain_id,
                [(int(h["number"], 16), h["hash"], h["parentHash"]) for h in window],
                keep_from=to_block - self.settings.finality_depth,
            )
            set_checkpoint(session, self.chain_id, to_block, last["hash"], datetime.now(UTC))
        log.info("indexed blocks %d-%d: %d events", from_block, to_block, written)
        return BatchResult(from_block, to_block, written)

    def _adapt_span(self, blocks: int, logs: int) -> None:
        if logs > TARGET_BATCH_LOGS:  # dense blocks: fewer per batch keeps memory flat
            self.span = max(1, blocks * TARGET_BATCH_LOGS // logs)
            self._full_batches = 0
        elif blocks >= self.span and logs < TARGET_BATCH_LOGS // 2:
            self._full_batches += 1
            if self._full_batches >= (GROW_AFTER if self._refused else 1):  # a refusal costs a round trip
                self.span = min(self.settings.batch_size, self.span * 2)
                self._full_batches = 0

    def _read(
        self, rpc: Rpc, from_block: int, to_block: int, after: tuple[int, str] | None, head: int, last_hash: str
    ) -> _Batch:
        """The logs of [from_block, to_block] with the headers they need, checked to be of one chain, decoded.

        `last_hash` is `to_block`'s hash read before the logs; `after` the (number, hash) the range
        follows. Raises RpcError/RpcTimeout when the node refuses the range, _Inconsistent when
        the chain moved while it was read.
        """
        logs = rpc.call(
            "eth_getLogs",
            [{"address": self.addresses, "fromBlock": hex(from_block), "toBlock": hex(to_block)}],
            retry_timeouts=to_block == from_block,  # a slow range is halved instead
        )
        window_from = max(from_block, head - self.settings.finality_depth)
        numbers = {to_block, *range(window_from, to_block + 1)}
        numbers.update(int(entry["blockNumber"], 16) for entry in logs)
        headers = rpc.headers(sorted(numbers))
        last = headers[to_block]
        if last is None or last["hash"] != last_hash:
            raise _Inconsistent(f"block {to_block} changed")
        window = [headers[n] for n in range(window_from, to_block + 1)]
        if any(h is None for h in window):
            raise _Inconsistent("a block of the window is gone")
        for parent, child in zip(window, window[1:], strict=False):
            if child["parentHash"] != parent["hash"]:  # type: ignore[index]
                raise _Inconsistent(f"block {int(child['number'], 16)} does not follow its parent")  # type: ignore[index]
        if after is not None and window_from == from_block and window[0]["parentHash"] != after[1]:  # type: ignore[index]
            raise _Inconsistent(f"block {from_block} does not follow the checkpoint")

        events: list[tuple[DecodedEvent, datetime]] = []
        times: dict[int, datetime] = {}
        for entry in logs:
            if entry.get("removed"):
                raise _Inconsistent("a removed log")
            event = self.decoder.decode(entry)
            if event is None:
                continue
            header = headers[event.block_number]
            if header is None or header["hash"] != event.block_hash:
                raise _Inconsistent(f"a log of block {event.block_number} is from another fork")
            block_time = times.get(event.block_number)
            if block_time is None:
                block_time = times[event.block_number] = _time(header)
            events.append((event, block_time))
        positions = [(event.block_number, event.log_index) for event, _ in events]
        if positions != sorted(positions):  # nodes answer in chain order; make sure
            events.sort(key=lambda item: (item[0].block_number, item[0].log_index))
        return _Batch(to_block, len(logs), events, window, last)  # type: ignore[arg-type]

    # -- reading ahead --------------------------------------------------------------------------
    # While a batch is projected and committed, a worker thread reads and decodes the next range
    # (its own JSON-RPC connection). The result is used only if the batch it was read for
    # committed as expected: same start, same (number, hash) of the block it follows. Anything
    # else (an error, a reorg, a rollback) drops it and the range is read again in order.

    def _prefetch(self, from_block: int, to_block: int, after: tuple[int, str], head: int) -> None:
        if self._reader is None:
            self._reader = ThreadPoolExecutor(max_workers=1, thread_name_prefix="indexer-read-ahead")
            self._reader_rpc = Rpc(
                self.settings.rpc_url,
                timeout=self.settings.rpc_timeout,
                retries=self.settings.rpc_retries,
                backoff=self.settings.rpc_backoff,
            )
        rpc = self._reader_rpc

        def read() -> _Batch:
            before = rpc.headers([after[0], to_block])
            current, last = before[after[0]], before[to_block]
            if current is None or current["hash"] != after[1] or last is None:
                raise _Inconsistent(f"block {after[0]} or {to_block} changed")
            return self._read(rpc, from_block, to_block, after, head, last["hash"])

        self._ahead = ((from_block, to_block, after), self._reader.submit(read))

    def _prefetched(self, from_block: int, after: tuple[int, str] | None, target: int) -> _Batch | None:
        if self._ahead is None:
            return None
        (start, end, expected), future = self._ahead
        self._ahead = None
        if start != from_block or expected != after or end > target:
            return None
        try:
            return future.result()
        except (_Inconsistent, RpcError, RpcUnavailable) as error:  # read it again, in order
            log.info("read-ahead of blocks %d-%d dropped (%s)", start, end, error)
            return None

    def _handle_reorg(self, session: Session, checkpoint_block: int, head: int) -> BatchResult:
        blocks = recent_blocks(session, self.chain_id)
        canonical = self.rpc.headers([block.block_number for block in blocks]) if blocks else {}
        ancestor = next(
            (b for b in blocks if (c := canonical.get(b.block_number)) is not None and c["hash"] == b.block_hash),
            None,
        )
        if ancestor is None:
            raise ReorgTooDeep(
                f"block {checkpoint_block} changed under the checkpoint and none of the "
                f"{len(blocks)} remembered blocks is still canonical: the reorg is deeper than the window "
                f"of {self.settings.finality_depth} blocks (or the chain was reset). Rebuild from scratch "
                "into an empty database, or raise JIEDAN_FINALITY_DEPTH if this chain reorgs that deep."
            )
        depth = checkpoint_block - ancestor.block_number
        if depth > self.settings.finality_depth:
            raise ReorgTooDeep(
                f"a reorg replaced {depth} indexed blocks ({ancestor.block_number + 1}-{checkpoint_block}), more than "
                f"JIEDAN_FINALITY_DEPTH={self.settings.finality_depth}: halting instead of rewinding final blocks"
            )
        self._rows.clear()
        self._ahead = None
        removed = rollback(session, self.chain_id, self.decoder, ancestor)
        log.warning(
            "reorg: blocks %d-%d replaced (head %d); rolled back to %d (%d raw events removed), replaying",
            ancestor.block_number + 1,
            checkpoint_block,
            head,
            ancestor.block_number,
            removed,
        )
        self._head = -1
        return BatchResult(ancestor.block_number + 1, checkpoint_block, 0, rolled_back_to=ancestor.block_number)

    # -- loops ----------------------------------------------------------------------------------

    @contextmanager
    def writing(self, on_wait: Callable[[], None] | None = None) -> Iterator[None]:
        """Hold the single-writer lock for this chain (waits while another indexer holds it)."""
        if self._lock_depth:
            self._lock_depth += 1
            try:
                yield
            finally:
                self._lock_depth -= 1
            return
        engine = self.sessions.kw["bind"]
        with writer_lock(engine, self.chain_id, on_wait or self._log_wait):
            self._rows.clear()  # another writer may have run since this object last held the lock
            self._ahead = None
            self._lock_depth = 1
            try:
                yield
            finally:
                self._lock_depth = 0

    def _log_wait(self) -> None:
        log.warning("another indexer holds the lock for chain %d; waiting", self.chain_id)

    def catch_up(self, until: int | None = None, progress: Callable[[BatchResult], None] | None = None) -> int:
        """Index until the head (or `until`); the number of events written."""
        written = 0
        with self.writing(), _fewer_collections():
            while (batch := self.step(until)) is not None:
                written += batch.events
                if progress is not None:
                    progress(batch)
        return written

    def follow(self, stop_after: float | None = None) -> None:
        """Keep up with new blocks (until `stop_after` seconds, if given).

        An unreachable node is waited for (with backoff), not given up on.
        """
        deadline = None if stop_after is None else time.monotonic() + stop_after
        with self.writing():
            waiting = 0.0
            while deadline is None or time.monotonic() < deadline:
                try:
                    batch = self.step()
                except RpcUnavailable as error:
                    waiting = min(max(waiting * 2, self.settings.poll_interval), 5.0)
                    log.warning("%s; waiting %.1f s", error, waiting)
                    time.sleep(waiting)
                    continue
                waiting = 0.0
                if batch is None:
                    time.sleep(self.settings.poll_interval)


def _synchronous_normal(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.execute("PRAGMA synchronous=NORMAL")


def sync_at_checkpoints(engine: Engine) -> None:
    """SQLite: `synchronous=NORMAL` on the indexer's connections (new ones; WAL mode is set by make_engine).

    A commit then waits for no fsync (WAL checkpoints still sync). A crash of the process loses
    nothing; a power loss may lose the last batches, never half of one: the checkpoint commits with
    its batch, so they are indexed again. With many small batches the fsyncs were a tenth of a backfill.
    """
    if engine.dialect.name == "sqlite" and not event.contains(engine, "connect", _synchronous_normal):
        event.listen(engine, "connect", _synchronous_normal)


def check_migrated(engine: Engine) -> None:
    tables = set(inspect(engine).get_table_names())
    missing = [name for name in REQUIRED_TABLES if name not in tables]
    if missing:
        raise IndexerError(
            f"database {engine.url.render_as_string(hide_password=True)} is not migrated "
            f"(no table {', '.join(missing)}): run `alembic upgrade head` first"
        )


def verify_indexer(indexer: Indexer):  # noqa: ANN201 - a VerifyReport
    """Rebuild the indexer's projections into scratch tables and compare them with the live ones."""
    from indexer.verify import verify

    return verify(indexer.sessions.kw["bind"], indexer.chain_id, indexer.decoder)
