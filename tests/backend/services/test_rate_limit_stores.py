"""The database rate-limit store against the in-memory one as its reference: the same hits at the same times get
the same verdicts, on SQLite and PostgreSQL; and processes that share the database count one limit together."""

from __future__ import annotations

import random
import threading

import pytest
from sqlalchemy import create_engine

from backend.app.core.rate_limit import Bucket, DatabaseLimiter, SlidingWindowLimiter

LIMITS = {Bucket.SEARCH: 3, Bucket.PROPOSALS: 1, Bucket.SIGN_IN: 5}
WINDOW = 10.0


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def engine(database_url: str):
    engine = create_engine(database_url)
    yield engine
    engine.dispose()


@pytest.mark.parametrize("seed", range(4))
def test_database_store__gives_the_verdicts_of_the_memory_store__for_random_hits(engine, seed):
    rng = random.Random(seed)
    clock = Clock()
    reference = SlidingWindowLimiter(LIMITS, window=WINDOW, clock=clock)
    shared = DatabaseLimiter(LIMITS, window=WINDOW, engine=engine, clock=clock)
    clients = [f"ip:10.0.0.{n}" for n in range(3)] + ["address:0xabc"]
    for step in range(150):
        clock.now += rng.choice([0.0, 0.25, 1.0, 3.0, WINDOW - 0.5, WINDOW, 2 * WINDOW])
        bucket, client = rng.choice(list(LIMITS)), rng.choice(clients)
        assert shared.hit(bucket, client) == reference.hit(bucket, client), (seed, step, bucket, client)


def test_database_store__forgets_what_left_the_window(engine):
    clock = Clock()
    shared = DatabaseLimiter(LIMITS, window=WINDOW, engine=engine, clock=clock)
    for n in range(40):
        shared.hit(Bucket.SEARCH, f"ip:{n}")
    assert shared.count() == 40
    clock.now += WINDOW + 1
    shared.hit(Bucket.SEARCH, "ip:new")
    assert shared.count() == 1


def test_database_store__limiters_sharing_the_database__allow_the_limit_once__under_concurrency(engine, database_url):
    """Eight threads, each with its own limiter and engine (as separate processes have), hit one client at once:
    exactly the limit is allowed, however the hits interleave."""
    engines = [create_engine(database_url) for _ in range(8)]
    limiters = [DatabaseLimiter({Bucket.SEARCH: 5}, window=60, engine=e) for e in engines]
    verdicts: list[bool] = []
    start = threading.Barrier(len(limiters))

    def hammer(limiter: DatabaseLimiter) -> None:
        start.wait()
        for _ in range(4):
            verdicts.append(limiter.hit(Bucket.SEARCH, "address:0xsame").allowed)

    threads = [threading.Thread(target=hammer, args=(limiter,)) for limiter in limiters]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for e in engines:
        e.dispose()
    assert verdicts.count(True) == 5 and len(verdicts) == 32
