"""Event decoding with the ABIs of the compiled contracts (never hand-copied)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eth_utils import event_abi_to_log_topic
from hexbytes import HexBytes
from web3 import Web3
from web3._utils.events import get_event_data
from web3.types import LogReceipt

from backend.app.core.contracts import load_abi


@dataclass(frozen=True)
class DecodedEvent:
    """One log, decoded, with its position in the chain."""

    name: str
    args: dict[str, Any]
    contract: str
    block_number: int
    block_hash: str
    tx_hash: str
    log_index: int


class EventDecoder:
    """Maps a log's first topic to the event ABI that decodes it."""

    def __init__(self, manifest: Path, contract_name: str) -> None:
        self._codec = Web3().codec
        self._events = {
            HexBytes(event_abi_to_log_topic(entry)): entry
            for entry in load_abi(manifest, contract_name)
            if entry["type"] == "event"
        }

    def decode(self, log: LogReceipt) -> DecodedEvent | None:
        """The decoded event, or None for a topic this ABI does not know."""
        if not log["topics"]:
            return None
        abi = self._events.get(HexBytes(log["topics"][0]))
        if abi is None:
            return None
        data = get_event_data(self._codec, abi, log)
        return DecodedEvent(
            name=data["event"],
            args=dict(data["args"]),
            contract=Web3.to_checksum_address(log["address"]),
            block_number=log["blockNumber"],
            block_hash=HexBytes(log["blockHash"]).to_0x_hex(),
            tx_hash=HexBytes(log["transactionHash"]).to_0x_hex(),
            log_index=log["logIndex"],
        )
