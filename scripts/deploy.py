"""Deploy the escrow and the test tokens, and write the deployments file.

ape run deploy --network ethereum:local:foundry
"""

from __future__ import annotations

import click
from ape import chain, project
from ape.cli import ConnectedProviderCommand, network_option

from scripts._common import DEMO_ROLES, load_account, role, write_deployments

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
@click.option(
    "--mint-demo/--no-mint-demo",
    default=True,
    show_default=True,
    help="Mint test tokens to the demo wallets (local chains only).",
)
def cli(account_name: str, mint_demo: bool) -> None:
    """Deploy Escrow and the test tokens; write the deployments file."""
    deployer = load_account(account_name)
    escrow = deployer.deploy(project.Escrow)
    escrow_block = chain.get_receipt(escrow.txn_hash).block_number
    usd = deployer.deploy(project.TestToken, "Jiedan USD", "jUSD", 6)
    usd_block = chain.get_receipt(usd.txn_hash).block_number
    click.echo(f"Escrow    {escrow.address} (block {escrow_block})")
    click.echo(f"TestToken {usd.address} jUSD, 6 decimals (block {usd_block})")
    if mint_demo:
        for name in DEMO_ROLES:
            wallet = role(name)
            deployer_tx = usd.mint(wallet, DEMO_MINT * 10**6, sender=deployer)
            click.echo(f"minted {DEMO_MINT:,} jUSD to {name} {wallet.address} (gas {deployer_tx.gas_used:,})")
    path = write_deployments({"Escrow": (escrow, escrow_block), "TestToken": (usd, usd_block)})
    click.echo(f"wrote {path}")
