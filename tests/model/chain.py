"""Thin helpers over titanoboa: compile once, deploy at a predicted address, send raw calls and
read the exact revert reason (or none) of a failed call."""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import json
import os
from pathlib import Path

import boa
import rlp
from eth_abi import decode, encode
from eth_utils import keccak, to_canonical_address, to_checksum_address

ROOT = Path(__file__).resolve().parents[2]
# The tokens' and mocks' ABI, bytecode and storage layout, keyed by their source: a process deploys
# them without compiling (mutants change the escrow's modules, never these)
BUILT_CACHE = ROOT / "var" / "model-cache"
ERROR_SELECTOR = bytes.fromhex("08c379a0")
GAS = 30_000_000


@functools.cache
def deployer_for(path: str):
    """A boa deployer for a .vy file (compiled once per process)."""
    return boa.load_partial(str(path))


def create_address(sender: str, nonce: int) -> str:
    """The CREATE address of `sender` at `nonce` (keccak(rlp([sender, nonce]))[12:])."""
    return "0x" + keccak(rlp.encode([to_canonical_address(sender), nonce]))[12:].hex()


def nonce_of(addr: str) -> int:
    return boa.env.evm.vm.state.get_nonce(to_canonical_address(addr))


@functools.cache
def built(path: str) -> dict:
    """ABI, deploy bytecode and storage layout of a contract that imports no local module (a token, a
    mock), read from BUILT_CACHE when its source and the compiler are the ones it was built from."""
    import vyper
    from vyper.compiler.output import build_abi_output, build_layout_output

    compilers = f"vyper {vyper.__version__}, titanoboa {importlib.metadata.version('titanoboa')}"
    key = hashlib.sha256(Path(path).read_bytes() + compilers.encode())
    cached = BUILT_CACHE / f"{Path(path).stem}-{key.hexdigest()[:20]}.json"
    if cached.exists():
        return json.loads(cached.read_text())
    data = deployer_for(path).compiler_data
    out = {
        "abi": build_abi_output(data),
        "bytecode": data.bytecode.hex(),
        "layout": build_layout_output(data)["storage_layout"],
    }
    BUILT_CACHE.mkdir(parents=True, exist_ok=True)
    partial = cached.with_suffix(f".{os.getpid()}.part")
    partial.write_text(json.dumps(out))
    partial.replace(cached)  # atomic: parallel workers may build the same file
    return out


def deploy(path, *args, sender: str):
    """Deploys a token or mock (see `built`) from `sender`; returns a boa contract of its ABI."""
    contract = built(str(path))
    ctor = next((e for e in contract["abi"] if e.get("type") == "constructor"), {"inputs": []})
    code = bytes.fromhex(contract["bytecode"]) + encode([i["type"] for i in ctor["inputs"]], list(args))
    address, _ = boa.env.deploy_code(sender=sender, bytecode=code)
    return boa.loads_abi(json.dumps(contract["abi"]), name=Path(path).stem).at(address)


def selector(signature: str) -> bytes:
    return keccak(text=signature)[:4]


@functools.cache
def _sel(signature: str) -> bytes:
    return selector(signature)


def calldata(signature: str, types: list[str], values: list) -> bytes:
    return _sel(signature) + encode(types, values)


class Result:
    __slots__ = ("ok", "output", "reason", "gas_used", "error")

    def __init__(self, computation):
        self.ok = not computation.is_error
        self.output = computation.output
        self.gas_used = computation.get_gas_used()
        self.error = None if self.ok else computation.error
        self.reason = None if self.ok else revert_reason(computation.output)

    def decode(self, types):
        return decode(types, self.output)

    def __repr__(self):
        return "ok" if self.ok else f"revert({self.reason!r})"


def revert_reason(data: bytes) -> str:
    """The Error(string) reason of revert data, "" for none, or a hex dump for anything else."""
    if data[:4] == ERROR_SELECTOR:
        try:
            return decode(["string"], data[4:])[0]
        except Exception:  # noqa: BLE001 - malformed revert data
            return "0x" + data.hex()
    if not data:
        return ""
    return "0x" + data.hex()


def send(to: str, data: bytes, sender: str, value: int = 0, gas: int = GAS) -> Result:
    """A state-changing call from `sender` (kept on success, undone on failure)."""
    c = boa.env.execute_code(to_address=to, sender=sender, data=data, value=value, gas=gas)
    return Result(c)


def view(to: str, data: bytes, types: list[str]):
    c = boa.env.execute_code(to_address=to, sender=ZERO_CALLER, data=data, gas=GAS, is_modifying=False)
    if c.is_error:
        raise RuntimeError(f"view failed: {revert_reason(c.output)!r}")
    return decode(types, c.output)


ZERO_CALLER = "0x" + "00" * 19 + "01"


def checksum(a: str) -> str:
    return to_checksum_address(a)
