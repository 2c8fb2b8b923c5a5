"""Reads logs from the node in block ranges that shrink when the node refuses them."""

from __future__ import annotations

import logging

from web3 import Web3
from web3.types import LogReceipt

log = logging.getLogger(__name__)


def fetch_logs(w3: Web3, address: str, from_block: int, to_block: int) -> list[LogReceipt]:
    """All logs of `address` in [from_block, to_block], ordered by (block, log index).

    A node that refuses a range as too large gets two halves instead.
    """
    try:
        logs = w3.eth.get_logs({"address": address, "fromBlock": from_block, "toBlock": to_block})
    except ValueError as error:  # JSON-RPC error, e.g. "query returned more than N results"
        if from_block == to_block:
            raise
        middle = (from_block + to_block) // 2
        log.info("node refused blocks %d-%d (%s); splitting", from_block, to_block, error)
        return fetch_logs(w3, address, from_block, middle) + fetch_logs(w3, address, middle + 1, to_block)
    return sorted(logs, key=lambda entry: (entry["blockNumber"], entry["logIndex"]))
