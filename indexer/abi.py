"""Event decoding with the ABIs of the compiled contracts (never hand-copied).

Decoding is the indexer's hot path, so it calls eth_abi directly on the raw JSON-RPC log (hex
strings) instead of going through web3.py's log formatters. The same ABI turns a stored
`chain_events.args_json` back into the arguments a handler receives (`args_from_json`), which
is how projections are rebuilt from the raw events.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from eth_abi import abi as eth_abi
from eth_utils import event_abi_to_log_topic, to_checksum_address

from backend.app.core.contracts import load_abi

_ARRAY = re.compile(r"^(.*)\[(\d*)\]$")


@dataclass(frozen=True)
class DecodedEvent:
    """One log, decoded, with its position in the chain."""

    name: str
    args: dict[str, Any]
    contract: str  # checksummed address
    contract_name: str  # as in the deployments file, e.g. "Escrow"
    block_number: int
    block_hash: str
    tx_hash: str
    log_index: int


@lru_cache(maxsize=65536)
def checksum(address: str) -> str:
    return to_checksum_address(address)


def _abi_type(entry: dict[str, Any]) -> str:
    """The canonical type string of an ABI input (tuples spelled out from their components)."""
    kind: str = entry["type"]
    if kind.startswith("tuple"):
        return "(" + ",".join(_abi_type(c) for c in entry["components"]) + ")" + kind[len("tuple") :]
    return kind


def _is_dynamic(kind: str) -> bool:
    return kind in ("string", "bytes") or kind.endswith("[]") or kind.startswith("tuple")


def _normalize(entry: dict[str, Any], value: Any, kind: str | None = None) -> Any:
    """Checksummed addresses, lists for arrays, tuples for structs: the values handlers get."""
    kind = entry["type"] if kind is None else kind
    array = _ARRAY.match(kind)
    if array:
        return [_normalize(entry, item, array.group(1)) for item in value]
    if kind == "address":
        return checksum(value)
    if kind == "tuple":
        return tuple(_normalize(c, v) for c, v in zip(entry["components"], value, strict=True))
    return value


def to_jsonable(value: Any) -> Any:
    """A decoded argument as JSON: bytes as 0x-hex, integers ≥ 2**53 as decimal strings."""
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, list | tuple):
        return [to_jsonable(item) for item in value]
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 2**53:
        return str(value)  # exact in JSON, whatever the reader
    return value


def _from_jsonable(entry: dict[str, Any], value: Any, kind: str | None = None) -> Any:
    kind = entry["type"] if kind is None else kind
    array = _ARRAY.match(kind)
    if array:
        return [_from_jsonable(entry, item, array.group(1)) for item in value]
    if kind == "tuple":
        return tuple(_from_jsonable(c, v) for c, v in zip(entry["components"], value, strict=True))
    if kind.startswith(("uint", "int")):
        return int(value)
    if kind.startswith("bytes"):
        return bytes.fromhex(value[2:])
    return value


def _word_decoder(kind: str):  # noqa: ANN202 - a function from one 64-hex-digit word to a value
    """A decoder of one ABI word (64 hex digits) for a static one-word type, or None."""
    if "[" in kind or "(" in kind:
        return None
    if kind == "address":
        return lambda word: checksum("0x" + word[24:])
    if kind == "bool":
        return lambda word: int(word, 16) != 0
    if kind.startswith("uint"):
        return lambda word: int(word, 16)
    if kind.startswith("int"):
        bits = 256

        def signed(word: str) -> int:
            value = int(word, 16)
            return value - (1 << bits) if value >> (bits - 1) else value

        return signed
    if kind.startswith("bytes") and kind[5:].isdigit():
        size = int(kind[5:])
        return lambda word: bytes.fromhex(word[: 2 * size])
    return None


def _fast_plan(types: list[str]):  # noqa: ANN202
    """Decoders for the head of `types` when every one is a word type or a dynamic array of one; else None."""
    plan = []
    for kind in types:
        word = _word_decoder(kind)
        if word is not None:
            plan.append((False, word))
            continue
        array = _ARRAY.match(kind)
        item = _word_decoder(array.group(1)) if array and array.group(2) == "" else None
        if item is None:
            return None
        plan.append((True, item))
    return plan


def _decode_fast(plan, data: str) -> list[Any]:  # noqa: ANN001
    values = []
    for position, (dynamic, decode) in enumerate(plan):
        word = data[64 * position : 64 * position + 64]
        if not dynamic:
            values.append(decode(word))
            continue
        start = int(word, 16) * 2
        length = int(data[start : start + 64], 16)
        values.append([decode(data[start + 64 * (i + 1) : start + 64 * (i + 2)]) for i in range(length)])
    return values


class _EventType:
    def __init__(self, contract_name: str, entry: dict[str, Any]) -> None:
        self.contract_name = contract_name
        self.name: str = entry["name"]
        self.inputs: list[dict[str, Any]] = entry["inputs"]
        self.indexed = [i for i in self.inputs if i.get("indexed")]
        self.plain = [i for i in self.inputs if not i.get("indexed")]
        # an indexed dynamic value is only its keccak256 in the topic: handlers get those 32 bytes
        self.indexed_types = ["bytes32" if _is_dynamic(i["type"]) else _abi_type(i) for i in self.indexed]
        self.plain_types = [_abi_type(i) for i in self.plain]
        # the hot path: escrow-style events (words and arrays of words) decoded straight from hex
        self.indexed_plan = _fast_plan(self.indexed_types)
        self.plain_plan = _fast_plan(self.plain_types)

    def args_from_json(self, document: dict[str, Any]) -> dict[str, Any]:
        args = {}
        for entry in self.inputs:
            value = document[entry["name"]]
            if entry.get("indexed") and _is_dynamic(entry["type"]):
                args[entry["name"]] = bytes.fromhex(value[2:])
            else:
                args[entry["name"]] = _from_jsonable(entry, value)
        return args


class EventDecoder:
    """Decodes the logs of several contracts of one deployment (address → contract name → ABI)."""

    def __init__(self, manifest: Path, contracts: dict[str, str]) -> None:
        """`contracts` maps each followed address to its contract name in the build manifest."""
        self.contracts = {address.lower(): name for address, name in contracts.items()}
        self._by_topic: dict[tuple[str, str], _EventType] = {}
        self._by_name: dict[tuple[str, str], _EventType] = {}
        for name in set(self.contracts.values()):
            for entry in load_abi(manifest, name):
                if entry["type"] != "event":
                    continue
                event = _EventType(name, entry)
                self._by_topic[(name, "0x" + event_abi_to_log_topic(entry).hex())] = event
                self._by_name[(name, event.name)] = event

    def decode(self, log: dict[str, Any]) -> DecodedEvent | None:
        """The decoded event of a raw JSON-RPC log, or None for a log no followed ABI knows."""
        topics = log["topics"]
        if not topics:
            return None
        address = log["address"].lower()
        contract_name = self.contracts.get(address)
        if contract_name is None:
            return None
        event = self._by_topic.get((contract_name, topics[0].lower()))
        if event is None:
            return None
        args: dict[str, Any] = {}
        if event.indexed_plan is not None and event.plain_plan is not None:
            for entry, decode, topic in zip(event.indexed, event.indexed_plan, topics[1:], strict=True):
                args[entry["name"]] = decode[1](topic[2:])
            for entry, value in zip(event.plain, _decode_fast(event.plain_plan, log["data"][2:]), strict=True):
                args[entry["name"]] = value
            return self._decoded(event, args, address, log)
        if event.indexed:
            values = eth_abi.decode(event.indexed_types, b"".join(bytes.fromhex(t[2:]) for t in topics[1:]))
            for entry, value in zip(event.indexed, values, strict=True):
                args[entry["name"]] = _normalize(entry, value) if entry["type"] == "address" else value
        if event.plain:
            values = eth_abi.decode(event.plain_types, bytes.fromhex(log["data"][2:]))
            for entry, value in zip(event.plain, values, strict=True):
                args[entry["name"]] = _normalize(entry, value)
        return self._decoded(event, args, address, log)

    @staticmethod
    def _decoded(event: _EventType, args: dict[str, Any], address: str, log: dict[str, Any]) -> DecodedEvent:
        return DecodedEvent(
            name=event.name,
            args={entry["name"]: args[entry["name"]] for entry in event.inputs},
            contract=checksum(address),
            contract_name=event.contract_name,
            block_number=int(log["blockNumber"], 16),
            block_hash=log["blockHash"],
            tx_hash=log["transactionHash"],
            log_index=int(log["logIndex"], 16),
        )

    def args_json(self, event: DecodedEvent) -> str:
        return json.dumps({key: to_jsonable(value) for key, value in event.args.items()}, separators=(",", ":"))

    def from_row(
        self,
        *,
        contract: str,
        event_name: str,
        args_json: str,
        block_number: int,
        block_hash: str,
        tx_hash: str,
        log_index: int,
    ) -> DecodedEvent:
        """A stored raw event (a `chain_events` row) as the handler first received it."""
        contract_name = self.contracts.get(contract.lower())
        if contract_name is None:
            raise KeyError(f"{contract} is not a followed contract")
        event = self._by_name[(contract_name, event_name)]
        return DecodedEvent(
            name=event_name,
            args=event.args_from_json(json.loads(args_json)),
            contract=checksum(contract),
            contract_name=contract_name,
            block_number=block_number,
            block_hash=block_hash,
            tx_hash=tx_hash,
            log_index=log_index,
        )
