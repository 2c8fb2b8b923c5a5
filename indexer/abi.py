"""Event decoding with the ABIs of the compiled contracts (never hand-copied).

Decoding is the indexer's hot path, so it calls eth_abi directly on the raw JSON-RPC log (hex
strings) instead of going through web3.py's log formatters. The same ABI turns a stored
`chain_events.args_json` back into the arguments a handler receives (`args_from_json`), which
is how projections are rebuilt from the raw events.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from eth_abi import abi as eth_abi
from eth_utils import event_abi_to_log_topic, to_checksum_address

from backend.app.core.contracts import load_abi

_ARRAY = re.compile(r"^(.*)\[(\d*)\]$")
_DUMPS = json.JSONEncoder(separators=(",", ":")).encode


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


def _tuple_words(kind: str):  # noqa: ANN202 - decoders of a static tuple's words, or None
    """Word decoders of a tuple type spelled `(t1,t2,…)` whose every member is a one-word type."""
    if not (kind.startswith("(") and kind.endswith(")")) or "(" in kind[1:]:
        return None
    words = [_word_decoder(member) for member in kind[1:-1].split(",")]
    return None if not words or None in words else words


def _fast_plan(types: list[str]):  # noqa: ANN202
    """How to decode the head of `types` straight from hex, or None when a type needs eth_abi.

    Each step is (kind, decode): "word" decodes one word; "array" a dynamic array of word items;
    "tuples" a dynamic array of static tuples of words (e.g. the escrow's `(amount, deadline)[]`),
    where `decode` is the list of the members' word decoders.
    """
    plan: list[tuple[str, Any]] = []
    for kind in types:
        word = _word_decoder(kind)
        if word is not None:
            plan.append(("word", word))
            continue
        array = _ARRAY.match(kind)
        if array is None or array.group(2) != "":
            return None
        item = _word_decoder(array.group(1))
        if item is not None:
            plan.append(("array", item))
            continue
        members = _tuple_words(array.group(1))
        if members is None:
            return None
        plan.append(("tuples", members))
    return plan


def _decode_fast(plan, data: str) -> list[Any]:  # noqa: ANN001
    values: list[Any] = []
    for position, (step, decode) in enumerate(plan):
        word = data[64 * position : 64 * position + 64]
        if step == "word":
            values.append(decode(word))
            continue
        start = int(word, 16) * 2 + 64  # the array's length word, then its items
        length = int(data[start - 64 : start], 16)
        if step == "array":
            values.append([decode(data[start + 64 * i : start + 64 * (i + 1)]) for i in range(length)])
            continue
        width = 64 * len(decode)
        values.append(
            [
                tuple(
                    member(data[start + width * i + 64 * j : start + width * i + 64 * (j + 1)])
                    for j, member in enumerate(decode)
                )
                for i in range(length)
            ]
        )
    return values


def _big(value: int) -> int | str:
    return str(value) if abs(value) >= 2**53 else value  # exact in JSON, whatever the reader


def _hex(value: bytes) -> str:
    return "0x" + value.hex()


def _json_converter(entry: dict[str, Any], kind: str | None = None):  # noqa: ANN202 - value -> JSON value
    """`to_jsonable` specialised to one ABI type (None: the value is JSON as it is)."""
    kind = entry["type"] if kind is None else kind
    array = _ARRAY.match(kind)
    if array:
        item = _json_converter(entry, array.group(1))
        return list if item is None else (lambda values: [item(value) for value in values])
    if kind == "tuple":
        members = [_json_converter(c) or (lambda value: value) for c in entry["components"]]
        return lambda value: [convert(v) for convert, v in zip(members, value, strict=True)]
    if kind.startswith(("uint", "int")):
        return _big
    if kind.startswith("bytes"):
        return _hex
    return None


def _json_encoder(inputs: list[dict[str, Any]]) -> Callable[[dict[str, Any]], str]:
    """`args_json` of one event type, generated from its ABI: the same text as
    `json.dumps({name: to_jsonable(value)}, separators=(",", ":"))`, without walking every value's
    type at run time (numbers, addresses, booleans and bytes are written inline; arrays and
    structs go through `to_jsonable`'s typed twin and json)."""
    namespace: dict[str, Any] = {"_dumps": _DUMPS, "_B": 2**53}
    pieces = []
    for position, entry in enumerate(inputs):
        kind, value = entry["type"], f"a[{entry['name']!r}]"
        if (entry.get("indexed") and _is_dynamic(kind)) or (kind.startswith("bytes") and "[" not in kind):
            text = f"'\"0x' + {value}.hex() + '\"'"
        elif kind.startswith(("uint", "int")) and "[" not in kind:
            text = f"(str({value}) if -_B < {value} < _B else '\"%d\"' % {value})"
        elif kind == "address":
            text = f"'\"' + {value} + '\"'"  # checksummed hex: nothing to escape
        elif kind == "bool":
            text = f"('true' if {value} else 'false')"
        else:
            namespace[f"_c{position}"] = _json_converter(entry) or (lambda item: item)
            text = f"_dumps(_c{position}({value}))"
        pieces += [repr(("{" if position == 0 else ",") + _DUMPS(entry["name"]) + ":"), text]
    body = "''.join((" + ", ".join(pieces) + ", '}'))" if pieces else "'{}'"
    exec(f"def encode(a):\n    return {body}\n", namespace)  # noqa: S102 - code built from the compiled ABI only
    return namespace["encode"]  # type: ignore[no-any-return]


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
        self.names = [i["name"] for i in self.inputs]
        self.to_json = _json_encoder(self.inputs)  # args_json

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
            for entry, (_step, decode), topic in zip(event.indexed, event.indexed_plan, topics[1:], strict=True):
                args[entry["name"]] = decode(topic[2:])
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
            args={name: args[name] for name in event.names},
            contract=checksum(address),
            contract_name=event.contract_name,
            block_number=int(log["blockNumber"], 16),
            block_hash=log["blockHash"],
            tx_hash=log["transactionHash"],
            log_index=int(log["logIndex"], 16),
        )

    def args_json(self, event: DecodedEvent) -> str:
        """The arguments as `chain_events.args_json` stores them (see `to_jsonable`)."""
        kind = self._by_name.get((event.contract_name, event.name))
        if kind is None:
            return json.dumps({key: to_jsonable(value) for key, value in event.args.items()}, separators=(",", ":"))
        return kind.to_json(event.args)

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
