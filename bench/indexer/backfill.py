"""One timed backfill from zero, run as its own process so that its peak RSS is its own.

Prints one JSON object: events, blocks, seconds.
"""

from __future__ import annotations

import json
import sys
import time

from backend.app.core.config import get_settings
from indexer.main import Indexer


def main() -> None:
    indexer = Indexer(get_settings())
    began = time.perf_counter()
    events = indexer.catch_up()
    seconds = time.perf_counter() - began
    status = indexer.status()
    json.dump({"events": events, "seconds": seconds, "checkpoint": status.checkpoint}, sys.stdout)


if __name__ == "__main__":
    main()
