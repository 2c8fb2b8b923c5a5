"""Verification bundles: what Sourcify or a block explorer needs to verify a deployed contract.

A bundle is Vyper's standard-JSON input for the contract (every source it imports, snekmate's
included, and the compiler settings Ape built it with), the compiler version, the contract's
identifier, its ABI-encoded constructor arguments and its creation transaction. Its keys are
those of Sourcify's APIv2 request, so an operator posts it as it is:

    curl -X POST -H 'Content-Type: application/json' -d @Escrow.json \\
        https://sourcify.dev/server/v2/verify/<chain id>/<address>

(an explorer's "Vyper standard JSON" form takes `stdJsonInput`, `contractIdentifier`,
`compilerVersion` and `constructorArguments` from the same file).
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
CONTRACTS = ROOT / "contracts"


def evm_version() -> str:
    """The EVM version Ape compiles for (ape-config.yaml's vyper.evm_version)."""
    return str(yaml.safe_load((ROOT / "ape-config.yaml").read_text())["vyper"]["evm_version"])


@contextlib.contextmanager
def _inside(folder: Path):
    before = Path.cwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(before)


def standard_json_input(contract_file: str, contracts_dir: Path = CONTRACTS) -> dict[str, Any]:
    """Vyper's standard-JSON input for `contract_file` (relative to contracts/), as `vyper -f solc_json`
    writes it, without compiling the bytecode (the imports are resolved, the sources read)."""
    import vyper
    from vyper.cli.vyper_compile import get_search_paths
    from vyper.compiler.input_bundle import FilesystemInputBundle
    from vyper.compiler.output_bundle import SolcJSONWriter
    from vyper.compiler.phases import CompilerData
    from vyper.compiler.settings import Settings

    with _inside(contracts_dir):
        sources = FilesystemInputBundle(get_search_paths(None, include_sys_path=True))
        source = sources.load_file(Path(contract_file))
        data = CompilerData(source, sources, settings=Settings(evm_version=evm_version()))
        writer = SolcJSONWriter(data)
        writer.write()
        output = writer.output()
    document: dict[str, Any] = json.loads(output) if isinstance(output, str) else dict(output)
    document.setdefault("compiler_version", "v" + vyper.__long_version__)
    return document


def bundle(
    std_input: dict[str, Any],
    *,
    contract_file: str,
    name: str,
    chain_id: int,
    address: str,
    constructor_args: bytes,
    transaction: str,
) -> dict[str, Any]:
    """The verification bundle of one deployed contract, from its `standard_json_input`."""
    std_input = dict(std_input)
    return {
        "chainId": str(chain_id),
        "address": address,
        "contractIdentifier": f"{contract_file}:{name}",
        "compilerVersion": std_input.pop("compiler_version"),
        "constructorArguments": constructor_args.hex(),
        "creationTransactionHash": transaction,
        "stdJsonInput": std_input,
    }


def write_bundle(folder: Path, contract_bundle: dict[str, Any], name: str) -> Path:
    """Write a bundle as <folder>/<chain id>/<name>.json; returns its path."""
    path = folder / contract_bundle["chainId"] / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(contract_bundle, indent=1) + "\n")
    return path
