"""Deploy Reputation, Escrow (registered in Reputation) and the test token; write the deployments file.

ape run deploy --network ethereum:local:foundry
"""

from __future__ import annotations

import click
from ape import chain, project
from ape.cli import ConnectedProviderCommand, network_option

from scripts._common import DEMO_ROLES, load_account, role, write_deployments

DEMO_MINT = 1_000_000  # whole tokens minted to each demo wallet on a local chain


def _block(contract) -> int:
    return chain.get_receipt(contract.txn_hash).block_number


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
    """Deploy Reputation, Escrow and the test token; write the deployments file."""
    deployer = load_account(account_name)
    reputation = deployer.deploy(project.Reputation)
    escrow = deployer.deploy(project.Escrow, reputation, fee_bps, fee_recipient or deployer)
    register_tx = reputation.register_escrow(escrow, sender=deployer)
    usd = deployer.deploy(project.TestToken, "Jiedan USD", "jUSD", 6)
    click.echo(f"Reputation {reputation.address} (block {_block(reputation)})")
    click.echo(f"Escrow     {escrow.address} (block {_block(escrow)}), platform fee {fee_bps} bps")
    click.echo(f"           registered in Reputation (gas {register_tx.gas_used:,})")
    click.echo(f"TestToken  {usd.address} jUSD, 6 decimals (block {_block(usd)})")
    if mint_demo:
        for name in DEMO_ROLES:
            wallet = role(name)
            mint_tx = usd.mint(wallet, DEMO_MINT * 10**6, sender=deployer)
            click.echo(f"minted {DEMO_MINT:,} jUSD to {name} {wallet.address} (gas {mint_tx.gas_used:,})")
    path = write_deployments(
        {
            "Reputation": (reputation, _block(reputation)),
            "Escrow": (escrow, _block(escrow)),
            "TestToken": (usd, _block(usd)),
        }
    )
    click.echo(f"wrote {path}")
