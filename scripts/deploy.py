"""Deploy Reputation, EscrowAgreements and Escrow (and, on a local chain, the test token); record them.

    ape run deploy                                   # local Anvil: contracts, jUSD, demo balances
    ape run deploy --network base:mainnet:node --account ALIAS \\
        --owner 0xSAFE… --fee-recipient 0xSAFE…      # a public network (RPC URL: JIEDAN_RPC_URL_BASE)

On a public network (any network Ape does not call local) the script deploys the contracts only
(no test token, no minting), needs the owner and the fee recipient named (a multisig, say: the
deployer offers it ownership with the contracts' two-step transfer, and the owner accepts), refuses
to deploy over a deployment the deployments file records for that chain while its escrow still has
code there (--replace does; a local chain's record is simply replaced), and writes one verification
bundle per contract beside the file (`verification/<chain id>/<Name>.json`, scripts/_verification.py).

Reputation v2 takes its writers at deployment, so it is deployed first with the escrow's address
computed ahead (the CREATE address of the deployer two transactions later, after Reputation and
EscrowAgreements); the script checks that the escrow landed there.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import click
from ape import chain, project
from ape.cli import ConnectedProviderCommand, network_option

from backend.app.core.deployments import DeploymentError, chain_entry, record_chain
from backend.app.core.networks import network_of_chain
from scripts import _verification
from scripts._common import DEMO_ROLES, deploy_block, deployments_path, load_account, role

DEMO_MINT = 1_000_000  # whole tokens minted to each demo wallet on a local chain
# (contract name, source file under contracts/) in deployment order
CONTRACTS = (("Reputation", "Reputation.vy"), ("EscrowAgreements", "EscrowAgreements.vy"), ("Escrow", "Escrow.vy"))


def _address(value: str | None) -> str | None:
    if value is None:
        return None
    from eth_utils import is_address, to_checksum_address

    if not is_address(value):
        raise click.BadParameter(f"{value!r} is not an address")
    return to_checksum_address(value)


def _refuse_live_deployment(replace: bool) -> None:
    """On a public network, stop when the file records a deployment on this chain whose escrow still has code
    there (a local chain's record is simply replaced: its state is disposable)."""
    if chain.provider.network.is_local:
        return
    path = deployments_path()
    try:
        earlier = chain_entry(path, chain.chain_id)
    except DeploymentError:
        return  # no file yet, or nothing recorded for this chain
    escrow = earlier["contracts"].get("Escrow", {}).get("address")
    if escrow is None or not chain.provider.get_code(escrow):
        click.echo(f"{path} records chain {chain.chain_id}, but no escrow is left at {escrow}: replacing that record")
        return
    if not replace:
        raise click.ClickException(
            f"{path} already records a deployment on chain {chain.chain_id} (Escrow {escrow}, block "
            f"{earlier['contracts']['Escrow']['block']}): pass --replace to deploy a new one over it"
        )
    click.echo(f"replacing the deployment of chain {chain.chain_id} recorded in {path} (Escrow {escrow})")


def _constructor_args(contract: Any, args: list[Any]) -> bytes:
    """The ABI-encoded constructor arguments (what follows the initcode in the creation transaction)."""
    from eth_abi import encode

    inputs = contract.contract_type.constructor.inputs
    return encode([str(item.canonical_type) for item in inputs], args) if inputs else b""


@click.command(cls=ConnectedProviderCommand)
@network_option()
@click.option(
    "--account",
    "account_name",
    default=None,
    help="Deployer: an Ape account alias, or TEST::n for the n-th test account. Default on a local chain: TEST::0; "
    "required on a public one.",
)
@click.option("--fee-bps", default=100, show_default=True, type=click.IntRange(0, 500), help="Platform fee (bps).")
@click.option(
    "--fee-recipient",
    default=None,
    help="Platform fee recipient. Default on a local chain: the deployer; required on a public one.",
)
@click.option(
    "--owner",
    default=None,
    help="Owner of the escrow and of Reputation (e.g. a multisig), offered ownership by the deployer; it calls "
    "accept_ownership on each. Default on a local chain: the deployer; required on a public one.",
)
@click.option(
    "--mint-demo/--no-mint-demo",
    default=True,
    show_default=True,
    help="Mint test tokens to the demo wallets (local chains only).",
)
@click.option("--replace", is_flag=True, help="Deploy even though the deployments file records a live deployment here.")
@click.option(
    "--allow-test-account",
    is_flag=True,
    help="Let a TEST::n account (Anvil's public mnemonic) deploy on a public network: only for a stand-in chain.",
)
def cli(
    account_name: str | None,
    fee_bps: int,
    fee_recipient: str | None,
    owner: str | None,
    mint_demo: bool,
    replace: bool,
    allow_test_account: bool,
) -> None:
    """Deploy the marketplace's contracts to the connected network and record them per chain id."""
    local = chain.provider.network.is_local
    fee_recipient, owner = _address(fee_recipient), _address(owner)
    if not local:
        missing = [flag for flag, value in (("--account", account_name), ("--owner", owner)) if value is None]
        missing += ["--fee-recipient"] if fee_recipient is None else []
        if missing:
            raise click.UsageError(f"deploying to a public network needs {', '.join(missing)}")
        if account_name and account_name.startswith("TEST::") and not allow_test_account:
            raise click.UsageError(
                f"{account_name} is derived from a public mnemonic: use an account of your own "
                "(`ape accounts import`), or --allow-test-account on a stand-in chain"
            )
    _refuse_live_deployment(replace)
    # the verification inputs are built before any transaction: a failure here costs no gas
    std_inputs = {} if local else {name: _verification.standard_json_input(source) for name, source in CONTRACTS}
    deployer = load_account(account_name or "TEST::0")
    network = network_of_chain(chain.chain_id)
    click.echo(
        f"deploying to chain {chain.chain_id} ({network.name if network else chain.provider.network.name}) "
        f"from {deployer.address}"
    )

    predicted = deployer.get_deployment_address(deployer.nonce + 2)
    arguments: dict[str, list[Any]] = {"Reputation": [[predicted]]}
    reputation = deployer.deploy(project.Reputation, *arguments["Reputation"])
    arguments["EscrowAgreements"] = [reputation.address]
    agreements = deployer.deploy(project.EscrowAgreements, *arguments["EscrowAgreements"])
    arguments["Escrow"] = [reputation.address, fee_bps, fee_recipient or deployer.address, agreements.address]
    escrow = deployer.deploy(project.Escrow, *arguments["Escrow"])
    if escrow.address != predicted:
        raise click.ClickException(
            f"the escrow landed at {escrow.address}, not at {predicted} that Reputation names as its writer "
            "(another transaction from the deployer got in between): deploy again from a quiet account"
        )
    deployed = {"Reputation": reputation, "EscrowAgreements": agreements, "Escrow": escrow}
    click.echo(f"Reputation       {reputation.address} (block {deploy_block(reputation)}), writer {predicted}")
    click.echo(f"EscrowAgreements {agreements.address} (block {deploy_block(agreements)})")
    click.echo(f"Escrow           {escrow.address} (block {deploy_block(escrow)}), platform fee {fee_bps} bps")
    if owner is not None and owner != deployer.address:
        for contract in (escrow, reputation):
            contract.transfer_ownership(owner, sender=deployer)
        click.echo(f"offered ownership of Escrow and Reputation to {owner}: it calls accept_ownership() on each")
    if local:
        usd = deployer.deploy(project.TestToken, "Jiedan USD", "jUSD", 6)
        deployed["TestToken"] = usd
        arguments["TestToken"] = ["Jiedan USD", "jUSD", 6]
        click.echo(f"TestToken        {usd.address} jUSD, 6 decimals (block {deploy_block(usd)})")
        if mint_demo:
            for name in DEMO_ROLES:
                wallet = role(name)
                mint_tx = usd.mint(wallet, DEMO_MINT * 10**6, sender=deployer)
                click.echo(f"minted {DEMO_MINT:,} jUSD to {name} {wallet.address} (gas {mint_tx.gas_used:,})")

    path = deployments_path()
    entries: dict[str, dict[str, Any]] = {}
    for name, contract in deployed.items():
        entries[name] = {
            "address": str(contract.address),
            "block": deploy_block(contract),
            "transaction": str(contract.txn_hash),
            "constructor_args": "0x" + _constructor_args(contract, arguments[name]).hex(),
        }
    if not local:
        for name, source in CONTRACTS:
            contract_bundle = _verification.bundle(
                std_inputs[name],
                contract_file=source,
                name=name,
                chain_id=chain.chain_id,
                address=entries[name]["address"],
                constructor_args=bytes.fromhex(entries[name]["constructor_args"][2:]),
                transaction=entries[name]["transaction"],
            )
            written = _verification.write_bundle(path.parent / "verification", contract_bundle, name)
            entries[name]["verification"] = str(written.relative_to(path.parent))
            click.echo(f"verification bundle {written}")
    import vyper

    record_chain(
        path,
        {
            "chain_id": chain.chain_id,
            "network": network.name if network else chain.provider.network.choice,
            "deployed_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "deployer": deployer.address,
            "owner": deployer.address,
            "pending_owner": owner if owner not in (None, deployer.address) else None,
            "fee_recipient": fee_recipient or deployer.address,
            "fee_bps": fee_bps,
            "compiler": f"vyper {vyper.__long_version__}, evm {_verification.evm_version()}",
            "contracts": entries,
        },
    )
    click.echo(f"wrote chain {chain.chain_id} into {path}")
