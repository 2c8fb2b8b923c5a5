"""Play jobs through the real escrow on the chain, printing each step.

ape run demo --network ethereum:local:foundry            # one job's story
ape run demo --network ethereum:local:foundry --jobs 6   # seed several jobs
"""

from __future__ import annotations

import click
from ape import project
from ape.cli import ConnectedProviderCommand, network_option
from eth_utils import keccak

from scripts._common import read_deployments, role

UNIT = 10**6  # jUSD has 6 decimals


def _balances(token, **parties) -> str:
    return ", ".join(f"{name} {token.balanceOf(who) / UNIT:,.2f}" for name, who in parties.items())


def play_job(escrow, token, client, freelancer, amounts: list[int], release: int, title: str) -> int:
    """Create and fund one job, then release its first `release` milestones."""
    metadata_hash = keccak(text=f'{{"title":"{title}"}}')
    approve_tx = token.approve(escrow, sum(amounts), sender=client)
    create_tx = escrow.create_job(freelancer, token, amounts, metadata_hash, sender=client)
    job_id = create_tx.return_value
    click.echo(
        f"job {job_id} '{title}': created and funded {sum(amounts) / UNIT:,.2f} jUSD in "
        f"{len(amounts)} milestones (gas: approve {approve_tx.gas_used:,}, create {create_tx.gas_used:,})"
    )
    for index in range(release):
        release_tx = escrow.release_milestone(job_id, index, sender=client)
        click.echo(
            f"job {job_id}: milestone {index} released, {amounts[index] / UNIT:,.2f} jUSD paid "
            f"(gas {release_tx.gas_used:,})"
        )
    return job_id


STORIES = [
    ("Landing page for a tea shop", [300, 500], 1),
    ("Translate a 20-page manual EN to ZH", [400], 1),
    ("Logo and brand kit", [250, 250, 500], 2),
    ("Fix a memory leak in a Go service", [800], 0),
    ("Product photos for 40 items", [150, 150], 0),
    ("Write five blog posts on DeFi", [100, 100, 100, 100, 100], 3),
]


@click.command(cls=ConnectedProviderCommand)
@network_option()
@click.option(
    "--jobs",
    default=1,
    show_default=True,
    type=click.IntRange(1, len(STORIES)),
    help="How many jobs to play.",
)
def cli(jobs: int) -> None:
    """Play jobs between the demo client and freelancer through the escrow."""
    deployments = read_deployments()["contracts"]
    escrow = project.Escrow.at(deployments["Escrow"]["address"])
    token = project.TestToken.at(deployments["TestToken"]["address"])
    client, freelancer = role("client"), role("freelancer")
    click.echo(f"client {client.address}, freelancer {freelancer.address}")
    click.echo("before: " + _balances(token, client=client, freelancer=freelancer, escrow=escrow))
    for title, plan, release in STORIES[:jobs]:
        play_job(escrow, token, client, freelancer, [a * UNIT for a in plan], release, title)
    click.echo("after:  " + _balances(token, client=client, freelancer=freelancer, escrow=escrow))
