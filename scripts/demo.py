"""Play jobs through the real escrow on the chain, printing each step, balances and gas.

ape run demo --network ethereum:local:foundry            # one job's whole story
ape run demo --network ethereum:local:foundry --jobs 6   # seed six varied jobs
"""

from __future__ import annotations

import click
from ape import chain, project
from ape.cli import ConnectedProviderCommand, network_option
from eth_utils import keccak

from scripts._common import read_deployments, role

UNIT = 10**6  # jUSD has 6 decimals
DAY = 86_400


def _money(amount: int) -> str:
    return f"{amount / UNIT:,.2f}"


class Story:
    """One job between the demo client and freelancer, played step by step."""

    def __init__(self, escrow, token, parties, title: str, amounts: list[int]):
        self.escrow, self.token, self.parties = escrow, token, parties
        self.client, self.freelancer, self.arbiter = parties["client"], parties["freelancer"], parties["arbiter"]
        self.title, self.amounts = title, amounts
        now = chain.pending_timestamp
        self.terms = (
            self.arbiter.address,
            500,  # arbiter fee: 5% of a disputed milestone
            escrow.platform_fee_bps(),
            3 * DAY,  # review period
            7 * DAY,  # ruling window
            [(amount, now + (i + 1) * 14 * DAY) for i, amount in enumerate(amounts)],
        )
        self.job_id = 0

    def step(self, what: str, receipt) -> None:
        click.echo(f"  job {self.job_id}: {what} (gas {receipt.gas_used:,})")

    def balances(self) -> None:
        line = ", ".join(f"{name} {_money(self.token.balanceOf(who))}" for name, who in self.parties.items())
        click.echo(f"  balances (jUSD): {line}, escrow {_money(self.token.balanceOf(self.escrow))}")

    def hire(self, fund: int) -> None:
        funding = sum(self.amounts[:fund])
        metadata_hash = keccak(text=f'{{"title":"{self.title}"}}')
        if funding:
            self.token.approve(self.escrow, funding, sender=self.client)
        receipt = self.escrow.create_job(
            self.freelancer, self.token, self.terms, metadata_hash, fund, sender=self.client
        )
        self.job_id = receipt.return_value
        click.echo(
            f"job {self.job_id} '{self.title}': {len(self.amounts)} milestones, {_money(sum(self.amounts))} jUSD"
        )
        self.step(f"client hired the freelancer and funded {fund} milestones ({_money(funding)} jUSD)", receipt)

    def fund(self, count: int) -> None:
        job = self.escrow.get_job(self.job_id)
        amount = sum(self.amounts[job.funded_count : job.funded_count + count])
        self.token.approve(self.escrow, amount, sender=self.client)
        self.step(
            f"client funded {count} more ({_money(amount)} jUSD)",
            self.escrow.fund(self.job_id, count, self.terms, sender=self.client),
        )

    def submit(self, index: int) -> None:
        deliverable = keccak(text=f"{self.title} milestone {index}")
        receipt = self.escrow.submit(self.job_id, index, deliverable, self.terms, sender=self.freelancer)
        self.step(f"freelancer submitted milestone {index}", receipt)

    def approve(self, index: int) -> None:
        receipt = self.escrow.approve(self.job_id, index, sender=self.client)
        [paid] = receipt.decode_logs(self.escrow.MilestoneApproved)
        self.step(
            f"client approved milestone {index}: {_money(paid.amount)} to the freelancer, "
            f"{_money(paid.platform_fee)} platform fee",
            receipt,
        )

    def dispute_and_rule(self, index: int, freelancer_bps: int) -> None:
        self.step(f"client disputed milestone {index}", self.escrow.dispute(self.job_id, index, sender=self.client))
        receipt = self.escrow.resolve(self.job_id, index, freelancer_bps, self.terms, sender=self.arbiter)
        [ruling] = receipt.decode_logs(self.escrow.DisputeResolved)
        self.step(
            f"arbiter ruled {freelancer_bps / 100:.0f}% for the freelancer: {_money(ruling.to_freelancer)} to the "
            f"freelancer, {_money(ruling.to_client)} back to the client, {_money(ruling.arbiter_fee)} arbiter fee",
            receipt,
        )

    def release_after_review(self, index: int) -> None:
        chain.pending_timestamp += 3 * DAY
        receipt = self.escrow.release(self.job_id, index, sender=self.freelancer)
        self.step(f"review period over, milestone {index} released by the freelancer", receipt)

    def reclaim(self, index: int) -> None:
        deadline = self.terms[5][index][1]
        if chain.pending_timestamp <= deadline:
            chain.pending_timestamp = deadline + 1
        receipt = self.escrow.reclaim(self.job_id, index, self.terms, sender=self.client)
        self.step(f"deadline missed, client reclaimed milestone {index}", receipt)

    def cancel_rest(self) -> None:
        self.step(
            "client cancelled the unfunded milestones", self.escrow.cancel_unfunded(self.job_id, sender=self.client)
        )

    def rate(self, client_score: int, freelancer_score: int) -> None:
        self.step(
            f"client rated the freelancer {client_score}/5",
            self.escrow.rate(self.job_id, client_score, keccak(text="great work"), sender=self.client),
        )
        self.step(
            f"freelancer rated the client {freelancer_score}/5",
            self.escrow.rate(self.job_id, freelancer_score, keccak(text="clear brief"), sender=self.freelancer),
        )


def full_story(story: Story) -> None:
    """Post, hire and fund, submit, approve, dispute the next milestone, ruling, ratings."""
    story.hire(fund=2)
    story.balances()
    story.submit(0)
    story.approve(0)
    story.submit(1)
    story.dispute_and_rule(1, freelancer_bps=7_000)
    story.cancel_rest()
    story.balances()
    story.rate(4, 5)


def seed_story(story: Story, kind: int) -> None:
    """Varied states for a seeded marketplace: open, in review, paid, disputed, ended and rated."""
    n = len(story.amounts)
    if kind == 0:
        full_story(story)
        return
    story.hire(fund=n if kind in (1, 3) else 1)
    if kind == 1:
        story.submit(0)  # left in review
    elif kind == 2:
        story.submit(0)
        story.release_after_review(0)
        story.fund(n - 1)
    elif kind == 3:
        for index in range(n):
            story.submit(index)
            story.approve(index)
        story.rate(5, 5)
    elif kind == 4:
        story.submit(0)
        story.step("freelancer disputed milestone 0", story.escrow.dispute(story.job_id, 0, sender=story.freelancer))
    else:
        story.reclaim(0)
        story.cancel_rest()


STORIES = [
    ("Landing page for a tea shop", [300, 500, 200]),
    ("Translate a 20-page manual EN to ZH", [400, 400]),
    ("Logo and brand kit", [250, 250, 500]),
    ("Fix a memory leak in a Go service", [800]),
    ("Product photos for 40 items", [150, 150]),
    ("Write five blog posts on DeFi", [100, 100, 100, 100, 100]),
]


@click.command(cls=ConnectedProviderCommand)
@network_option()
@click.option(
    "--jobs",
    default=1,
    show_default=True,
    type=click.IntRange(1, 50),
    help="How many jobs to play (1: one job's whole story).",
)
def cli(jobs: int) -> None:
    """Play jobs between the demo client and freelancer through the escrow."""
    deployments = read_deployments()["contracts"]
    escrow = project.Escrow.at(deployments["Escrow"]["address"])
    token = project.TestToken.at(deployments["TestToken"]["address"])
    reputation = project.Reputation.at(deployments["Reputation"]["address"])
    parties = {name: role(name) for name in ("client", "freelancer", "arbiter")}
    for name, who in parties.items():
        click.echo(f"{name:10} {who.address}")
    for number in range(jobs):
        title, plan = STORIES[number % len(STORIES)]
        story = Story(escrow, token, parties, title, [amount * 10**6 for amount in plan])
        if jobs == 1:
            full_story(story)
        else:
            seed_story(story, number % 6)
    stats = reputation.stats(parties["freelancer"])
    click.echo(
        f"freelancer reputation: {stats.jobs_as_freelancer} jobs, {stats.rating_count} ratings "
        f"(sum {stats.rating_sum}), disputes won {stats.disputes_won} lost {stats.disputes_lost}"
    )
