"""`ape run deploy` on a public network, played on an Anvil started with Base's chain id (8453).

What the script claims is read back from the chain itself (nonces, owners, fee recipient, creation
transactions), and the verification bundles are checked the way an explorer checks them: compiled
alone by `vyper-json` in an empty folder, they must give the creation transaction's input.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from eth_utils import keccak, to_checksum_address

from backend.app.core.deployments import load_deployment, record_chain
from launcher.stack import ROOT, VENV_BIN, Stack, free_port, tool_env
from tests.support.indexing import start_anvil
from tests.support.mining import RawRpc

BASE = 8453
DEPLOYER = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"  # TEST::0
SAFE = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"  # stands in for the operator's multisig
FEES = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"
STRANGER = "0xa0Ee7A142d267C1f36714E4a8F75612F20a79720"  # Anvil's account 9: deploys nothing of ours
MANIFEST = ROOT / ".build" / "__local__.json"
PUBLIC_ARGS = ["--account", "TEST::0", "--allow-test-account", "--owner", SAFE, "--fee-recipient", FEES]


@dataclass
class StandIn:
    rpc: RawRpc
    rpc_url: str
    deployments: Path

    def deploy(self, *args: str) -> subprocess.CompletedProcess[str]:
        """`ape run deploy --network base:mainnet:node …` against the stand-in chain."""
        env = tool_env({"JIEDAN_RPC_URL_BASE": self.rpc_url, "JIEDAN_DEPLOYMENTS_FILE": str(self.deployments)})
        return subprocess.run(
            [str(VENV_BIN / "ape"), "run", "deploy", "--network", "base:mainnet:node", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )

    def nonce(self, address: str) -> int:
        return int(self.rpc.call("eth_getTransactionCount", address, "latest"), 16)

    def address_of(self, contract: str, getter: str) -> str:
        word = self.rpc.call("eth_call", {"to": contract, "data": "0x" + keccak(text=getter)[:4].hex()}, "latest")
        return to_checksum_address("0x" + word[-40:])


@pytest.fixture(scope="module")
def stand_in(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StandIn]:
    """The stand-in chain, deployed to once; its deployments file already holds a local chain's entry."""
    folder = tmp_path_factory.mktemp("base")
    stack = Stack(log_dir=folder / "logs")
    try:
        rpc_url = start_anvil(stack, free_port(), "base", ["--chain-id", str(BASE)])
        chain = StandIn(RawRpc(rpc_url), rpc_url, folder / "deployments.json")
        record_chain(chain.deployments, LOCAL_ENTRY)
        result = chain.deploy(*PUBLIC_ARGS)
        assert result.returncode == 0, result.stdout + result.stderr
        yield chain
    finally:
        stack.stop()


LOCAL_ENTRY = {
    "chain_id": 31337,
    "network": "local",
    "contracts": {"Escrow": {"address": "0x" + "11" * 20, "block": 3}},
}


def test_deploy__public_network__the_contracts_only__with_the_named_owner_and_fee_recipient(stand_in: StandIn):
    entry = json.loads(stand_in.deployments.read_text())["chains"][str(BASE)]
    escrow, reputation = entry["contracts"]["Escrow"]["address"], entry["contracts"]["Reputation"]["address"]

    assert set(entry["contracts"]) == {"Reputation", "EscrowAgreements", "Escrow"}  # no test token
    assert stand_in.nonce(DEPLOYER) == 3 + 2  # three deployments, two ownership offers: no token, no mint
    assert stand_in.address_of(escrow, "fee_recipient()") == FEES
    for contract in (escrow, reputation):
        assert stand_in.address_of(contract, "owner()") == DEPLOYER
        assert stand_in.address_of(contract, "pending_owner()") == SAFE  # the multisig accepts it
    assert (entry["network"], entry["pending_owner"], entry["fee_recipient"]) == ("base", SAFE, FEES)
    assert entry["compiler"].startswith("vyper 0.4.3")


def test_deployments_file__holds_both_chains__each_read_by_its_chain_id(stand_in: StandIn):
    from backend.app.core.deployments import DeploymentError

    assert load_deployment(stand_in.deployments, 31337).get("Escrow").address == to_checksum_address("0x" + "11" * 20)
    assert load_deployment(stand_in.deployments, BASE).get("Escrow").block > 0
    with pytest.raises(DeploymentError, match="holds the chains 8453, 31337: set JIEDAN_CHAIN_ID"):
        load_deployment(stand_in.deployments)
    with pytest.raises(DeploymentError, match="no deployment for chain 10 "):
        load_deployment(stand_in.deployments, 10)


@pytest.mark.parametrize("name", ["Reputation", "EscrowAgreements", "Escrow"])
def test_verification_bundle__compiled_alone__is_the_creation_transaction(stand_in: StandIn, name: str, tmp_path):
    entry = json.loads(stand_in.deployments.read_text())["chains"][str(BASE)]["contracts"][name]
    bundle = json.loads((stand_in.deployments.parent / entry["verification"]).read_text())
    (tmp_path / "input.json").write_text(json.dumps(bundle["stdJsonInput"]))

    compiled = subprocess.run(
        [str(VENV_BIN / "vyper-json"), "input.json"], cwd=tmp_path, capture_output=True, text=True, check=True
    )
    output = json.loads(compiled.stdout)
    assert "errors" not in output, output.get("errors")
    path, contract = bundle["contractIdentifier"].split(":")
    initcode = output["contracts"][path][contract]["evm"]["bytecode"]["object"].removeprefix("0x")

    creation = stand_in.rpc.call("eth_getTransactionByHash", bundle["creationTransactionHash"])
    receipt = stand_in.rpc.call("eth_getTransactionReceipt", bundle["creationTransactionHash"])
    assert creation["input"] == "0x" + initcode + bundle["constructorArguments"]
    assert to_checksum_address(receipt["contractAddress"]) == bundle["address"] == entry["address"]
    assert (bundle["chainId"], bundle["compilerVersion"]) == (str(BASE), "v0.4.3+commit.bff19ea2")


def test_deploy__again__refused_without_replace__nothing_sent_and_the_record_kept(stand_in: StandIn):
    before, nonce = stand_in.deployments.read_bytes(), stand_in.nonce(DEPLOYER)

    result = stand_in.deploy(*PUBLIC_ARGS)

    assert result.returncode != 0
    assert f"already records a deployment on chain {BASE}" in result.stderr + result.stdout
    assert "--replace" in result.stderr + result.stdout
    assert (stand_in.deployments.read_bytes(), stand_in.nonce(DEPLOYER)) == (before, nonce)


def test_deploy__public_network__refuses_a_missing_owner_or_a_test_account__before_sending_anything(
    stand_in: StandIn,
):
    nonce = stand_in.nonce(DEPLOYER)

    unnamed = stand_in.deploy("--account", "TEST::0", "--allow-test-account", "--replace")
    public_key = stand_in.deploy("--account", "TEST::0", "--owner", SAFE, "--fee-recipient", FEES, "--replace")

    assert unnamed.returncode != 0 and "needs --owner, --fee-recipient" in unnamed.stderr
    assert public_key.returncode != 0 and "public mnemonic" in public_key.stderr
    assert stand_in.nonce(DEPLOYER) == nonce


def test_deploy__replace__a_new_deployment_recorded__the_other_chains_kept(stand_in: StandIn):
    first = load_deployment(stand_in.deployments, BASE).get("Escrow").address

    result = stand_in.deploy(*PUBLIC_ARGS, "--replace")

    assert result.returncode == 0, result.stdout + result.stderr
    second = load_deployment(stand_in.deployments, BASE).get("Escrow").address
    assert second != first and stand_in.rpc.call("eth_getCode", second, "latest") not in ("0x", "")
    assert json.loads(stand_in.deployments.read_text())["chains"]["31337"] == LOCAL_ENTRY


def _token_at(stand_in: StandIn, address: str, *, symbol: str, decimals: int) -> None:
    """A TestToken's code (its name, symbol and decimals are immutables, held in the code) placed at `address`."""
    from web3 import HTTPProvider, Web3

    from backend.app.core.contracts import load_abi

    w3 = Web3(HTTPProvider(stand_in.rpc_url))
    build = json.loads(MANIFEST.read_text())["contractTypes"]["TestToken"]
    factory = w3.eth.contract(abi=load_abi(MANIFEST, "TestToken"), bytecode=build["deploymentBytecode"]["bytecode"])
    sent = factory.constructor("USD Coin", symbol, decimals).transact({"from": STRANGER})
    deployed = w3.eth.wait_for_transaction_receipt(sent)["contractAddress"]
    stand_in.rpc.call("anvil_setCode", address, stand_in.rpc.call("eth_getCode", deployed, "latest"))


def test_api_on_the_stand_in__reads_the_registry_s_usdc_from_the_chain__or_says_what_is_wrong(stand_in, tmp_path):
    from backend.app.core.config import Settings
    from backend.app.core.networks import network_named
    from backend.app.core.tokens import listed_tokens
    from backend.app.services.chain import connect_chain
    from backend.app.services.errors import ChainUnavailable

    settings = Settings(
        network="base",
        rpc_url=stand_in.rpc_url,
        deployments_file=stand_in.deployments,
        build_manifest=MANIFEST,
        database_url=f"sqlite:///{tmp_path / 'unused.db'}",
    )
    usdc = listed_tokens(network_named("base"), None).default
    assert (settings.chain_id, usdc.symbol, usdc.decimals) == (BASE, "USDC", 6)

    with pytest.raises(ChainUnavailable, match=f"cannot read the token USDC \\({usdc.address}\\) on base"):
        connect_chain(settings)  # nothing at Circle's address on the stand-in
    _token_at(stand_in, usdc.address, symbol="USDC", decimals=18)
    with pytest.raises(ChainUnavailable, match="lists USDC with 6 decimals .* says 'USDC' with 18 decimals"):
        connect_chain(settings)
    _token_at(stand_in, usdc.address, symbol="USDC", decimals=6)

    gateway = connect_chain(settings)

    assert [token.symbol for token in gateway.tokens.tokens] == ["USDC", "ETH"]
    escrow = load_deployment(stand_in.deployments, BASE).get("Escrow").address
    assert (gateway.chain_id, gateway.escrow.address) == (BASE, escrow)
