"""A fast path to the test node for long randomized runs: calls, sends and log decoding over raw JSON-RPC.

Ape's contract path (argument conversion, gas estimation, receipt objects, revert decoding) costs
milliseconds to half a second per action; a stateful run makes tens of thousands of actions. This
module talks to the same Anvil directly: it encodes with the contracts' own ABIs, sends from Anvil's
unlocked test accounts, and decodes logs and revert reasons itself. Nothing here is a mock: every
call and transaction runs on the real node.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from eth_abi import decode, encode
from eth_utils import keccak, to_checksum_address
from web3 import Web3

ERROR = bytes.fromhex("08c379a0")  # Error(string)
PANIC = bytes.fromhex("4e487b71")  # Panic(uint256)
# Enough for any escrow action: the reputation record alone is given 250,000 and must be able to get it.
TX_GAS = hex(3_000_000)


class Refused(Exception):
    """The node refused a call: `reason` is the revert string ('' for a bare revert, 'panic 0x..' for a panic)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def revert_reason(error: dict) -> str:
    """The revert reason in a JSON-RPC error, decoded from its return data."""
    data = error.get("data")
    if isinstance(data, dict):  # some nodes nest it
        data = data.get("data")
    raw = bytes.fromhex(data[2:]) if isinstance(data, str) and data.startswith("0x") else b""
    if raw[:4] == ERROR:
        return decode(["string"], raw[4:])[0]
    if raw[:4] == PANIC:
        return f"panic {hex(decode(['uint256'], raw[4:])[0])}"
    if raw:
        return f"custom error 0x{raw.hex()}"
    return ""


class Node:
    """One Anvil, spoken to over its JSON-RPC URL."""

    def __init__(self, uri: str):
        self.provider = Web3.HTTPProvider(uri)

    def request(self, method: str, *params):
        response = self.provider.make_request(method, list(params))
        if (error := response.get("error")) is None:
            return response["result"]
        if _is_revert(error):
            raise Refused(revert_reason(error))
        raise RuntimeError(f"{method}: {error}")

    def batch(self, requests: list[tuple[str, list]]) -> list:
        """Several requests in one round trip; results in order."""
        responses = sorted(self.provider.make_batch_request(requests), key=lambda r: r["id"])
        for (method, _), response in zip(requests, responses, strict=True):
            if "error" in response:
                raise RuntimeError(f"{method}: {response['error']}")
        return [response["result"] for response in responses]

    def call(self, to: str, data: str, sender: str | None = None, value: int = 0) -> bytes:
        """`eth_call` on the pending block; raises Refused with the reason if it reverts."""
        return bytes.fromhex(self.request("eth_call", _tx(to, data, sender, value), "pending")[2:])

    def send(self, sender: str, to: str, data: str, value: int = 0) -> dict:
        """Mines a transaction from an unlocked account and returns its receipt (status may be 0)."""
        tx = {**_tx(to, data, sender, value), "gas": TX_GAS}
        tx_hash = self.request("eth_sendTransaction", tx)
        # Anvil automines, but may answer with the hash a moment before the receipt is stored.
        for _ in range(1_000):
            if (receipt := self.request("eth_getTransactionReceipt", tx_hash)) is not None:
                return receipt
            time.sleep(0.001)
        raise TimeoutError(f"no receipt for {tx_hash}")

    def pending_timestamp(self) -> int:
        return int(self.request("eth_getBlockByNumber", "pending", False)["timestamp"], 16)

    def set_next_timestamp(self, timestamp: int):
        self.request("evm_setNextBlockTimestamp", timestamp)

    def snapshot(self) -> str:
        return self.request("evm_snapshot")

    def revert(self, snapshot_id: str):
        assert self.request("evm_revert", snapshot_id), "snapshot not reverted"


def _is_revert(error: dict) -> bool:
    return error.get("code") == 3 or "revert" in str(error.get("message", "")).lower()


def _tx(to: str, data: str, sender: str | None, value: int) -> dict:
    tx = {"to": to, "data": data}
    if sender is not None:
        tx["from"] = sender
    if value:
        tx["value"] = hex(value)
    return tx


@dataclass(frozen=True)
class _Event:
    name: str
    indexed: list[tuple[str, str]]  # (name, type) of the topics after the first
    data: list[tuple[str, str]]


class RawContract:
    """A deployed Ape contract's ABI, for encoding calls and decoding its results and logs without Ape."""

    def __init__(self, contract, address=None):
        """`contract`'s ABI, at its own address or at `address` (EscrowAgreements' ABI at the escrow's)."""
        self.address = str(address or contract.address)
        self._address_lower = self.address.lower()
        abi = getattr(contract, "contract_type", contract)
        self._methods = {}
        for method in [*abi.mutable_methods, *abi.view_methods]:
            selector = keccak(text=method.selector)[:4]
            inputs = [i.canonical_type for i in method.inputs]
            outputs = [o.canonical_type for o in method.outputs]
            self._methods[method.name] = (selector, inputs, outputs)
        self._events = {}
        for event in abi.events:
            topic = "0x" + keccak(text=event.selector).hex()
            indexed = [(i.name, i.canonical_type) for i in event.inputs if i.indexed]
            data = [(i.name, i.canonical_type) for i in event.inputs if not i.indexed]
            self._events[topic] = _Event(event.name, indexed, data)

    def data(self, method: str, *args) -> str:
        selector, inputs, _ = self._methods[method]
        return "0x" + (selector + encode(inputs, [_plain(a) for a in args])).hex()

    def result(self, method: str, raw: bytes) -> tuple:
        return decode(self._methods[method][2], raw)

    def events(self, receipt: dict) -> list[tuple[str, dict]]:
        """(name, arguments) of this contract's events in a receipt, in log order."""
        decoded = []
        for log in receipt["logs"]:
            if log["address"].lower() != self._address_lower:
                continue
            event = self._events[log["topics"][0]]
            arguments = {}
            for (name, type_), topic in zip(event.indexed, log["topics"][1:], strict=True):
                arguments[name] = decode([type_], bytes.fromhex(topic[2:]))[0]
            values = decode([t for _, t in event.data], bytes.fromhex(log["data"][2:]))
            arguments.update({name: value for (name, _), value in zip(event.data, values, strict=True)})
            decoded.append((event.name, arguments))
        return decoded


def _plain(value):
    """Ape accounts and contracts as checksummed addresses; tuples and lists element by element."""
    if isinstance(value, (tuple, list)):
        return type(value)(_plain(v) for v in value)
    if hasattr(value, "address"):
        return to_checksum_address(str(value.address))
    if isinstance(value, str) and value.startswith("0x") and len(value) == 42:
        return to_checksum_address(value)
    return value
