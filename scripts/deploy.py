"""Deploy Reputation, EscrowAgreements, Escrow and the test token; write the deployments file.

ape run deploy --network ethereum:local:foundry

Reputation v2 takes its writers at deployment, so it is deployed first with the escrow's
address computed ahead (the CREATE address of the deployer two transactions later, after
Reputation and EscrowAgreements); the script checks that the escrow landed there.
"""

from __future__ import annotations

import click
from ape import project
from ape.cli import ConnectedProviderCommand, network_option

from scripts._common import DEMO_ROLES, deploy_block, load_account, role, write_deployments

DEMO_MINT = 1_000_000  # whole tokens minted to each demo wallet on a local chain


@click.command(cls=ConnectedProviderCommand)
@network_option()
@click.option(
    "--account",
    "account_name",
    default="TEST::0",
    show_default=True,
    help="Deployer: an Ape account alias, or TEST::n for the n-th test account.",
)
@click.option("--fee-bps", default=100, show_default=True, type=click.IntRange(0, 500), help="Platform fee (bps).")
@click.option("--fee-recipient", default=None, help="Platform fee recipient (default: the deployer).")
@click.option(
    "--mint-demo/--no-mint-demo",
    default=True,
    show_default=True,
    help="Mint test tokens to the demo wallets (local chains only).",
)
def cli(account_name: str, fee_bps: int, fee_recipient: str | None, mint_demo: bool) -> None:
    """Deploy Reputation (naming the escrow ahead), EscrowAgreements, Escrow and the test token."""
    deployer = load_account(account_name)
    predicted = deployer.get_deployment_address(deployer.nonce + 2)
    reputation = deployer.deploy(project.Reputation, [predicted])
    agreements = deployer.deploy(project.EscrowAgreements, reputation)
    escrow = deployer.deploy(project.Escrow, reputation, fee_bps, fee_recipient or deployer, agreements)
    if escrow.address != predicted:
        raise click.ClickException(
            f"the escrow landed at {escrow.address}, not at {predicted} that Reputation names as its writer "
            "(another transaction from the deployer got in between): deploy again from a quiet account"
        )
    usd = deployer.deploy(project.TestToken, "Jiedan USD", "jUSD", 6)
    click.echo(f"Reputation       {reputation.address} (block {deploy_block(reputation)}), writer {predicted}")
    click.echo(f"EscrowAgreements {agreements.address} (block {deploy_block(agreements)})")
    click.echo(f"Escrow           {escrow.address} (block {deploy_block(escrow)}), platform fee {fee_bps} bps")
    click.echo(f"TestToken        {usd.address} jUSD, 6 decimals (block {deploy_block(usd)})")
    if mint_demo:
        for name in DEMO_ROLES:
            wallet = role(name)
            mint_tx = usd.mint(wallet, DEMO_MINT * 10**6, sender=deployer)
            click.echo(f"minted {DEMO_MINT:,} jUSD to {name} {wallet.address} (gas {mint_tx.gas_used:,})")
    path = write_deployments(
        {"Reputation": reputation, "EscrowAgreements": agreements, "Escrow": escrow, "TestToken": usd}
    )
    click.echo(f"wrote {path}")
