"""Play jobs through the real escrow (v2) on the chain, printing each step, balances and gas.

ape run demo --network ethereum:local:foundry            # one job's whole story
ape run demo --network ethereum:local:foundry --jobs 6   # seed six varied jobs

Every job is created by the client with the freelancer's EIP-712 consent to its exact terms, and every
call presents the job's current terms (`Terms`, backend/app/core/escrow_terms.py); the amendments
both parties sign (extend a deadline, add a milestone, accept with a deduction) and settlements run at
the escrow's address (EscrowAgreements' code). The demo wallets' keys sign, as their wallets would. Each
consent's salt is the freelancer's lowest one no job used (the escrow's `consent_used`), as the app allots
them (it cannot see the consents an app on the same chain keeps: run the demo on a chain of its own).
"""

from __future__ import annotations

from typing import Any

import click
from ape import chain, project
from ape.cli import ConnectedProviderCommand, network_option
from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_utils import keccak

from backend.app.core.escrow_terms import Milestone, Terms, lowest_free_salt, typed_data
from scripts._common import read_deployments, role

UNIT = 10**6  # jUSD has 6 decimals
DAY = 86_400
GAS = 1_500_000  # settle and amendments run behind the escrow's fallback: give the estimate room


def _money(amount: int) -> str:
    return f"{amount / UNIT:,.2f}"


class Story:
    """One job between the demo client and freelancer, played step by step."""

    def __init__(self, escrow, agreements, token, parties, title: str, amounts: list[int]):
        self.escrow, self.agreements, self.token, self.parties = escrow, agreements, token, parties
        self.client, self.freelancer, self.arbiter = parties["client"], parties["freelancer"], parties["arbiter"]
        self.title = title
        self.terms = Terms(
            client=self.client.address,
            freelancer=self.freelancer.address,
            token=token.address,
            arbiter=self.arbiter.address,
            arbiter_fee_bps=500,  # 5% of a disputed milestone
            platform_fee_bps=escrow.platform_fee_bps(),
            review_period=3 * DAY,
            ruling_window=7 * DAY,
            metadata_hash=keccak(text=f'{{"title":"{title}"}}'),
            salt=lowest_free_salt(lambda salt: escrow.consent_used(self.freelancer, salt)),
            offer_expiry=chain.pending_timestamp + 30 * DAY,
            milestones=tuple(Milestone(amount, (i + 1) * 14 * DAY) for i, amount in enumerate(amounts)),
        )
        self.job_id = 0

    def step(self, what: str, receipt) -> None:
        click.echo(f"  job {self.job_id}: {what} (gas {receipt.gas_used:,})")

    def balances(self) -> None:
        line = ", ".join(f"{name} {_money(self.token.balanceOf(who))}" for name, who in self.parties.items())
        click.echo(f"  balances (jUSD): {line}, escrow {_money(self.token.balanceOf(self.escrow))}")

    def _sign(self, who, payload: dict[str, Any]) -> bytes:
        return bytes(Account.sign_message(encode_typed_data(full_message=payload), who.private_key).signature)

    def _signed(self, who, primary: str, **message: Any) -> tuple[int, bytes]:
        """`who`'s signature of an amendment or settlement at the job's nonce, good for a week."""
        expiry = chain.pending_timestamp + 7 * DAY
        message = {"jobId": self.job_id, **message, "nonce": self.escrow.get_job(self.job_id).nonce, "expiry": expiry}
        payload = typed_data(primary, message, chain_id=chain.chain_id, escrow=self.escrow.address)
        return expiry, self._sign(who, payload)

    @property
    def abi(self) -> tuple:
        return self.terms.as_abi()

    def hire(self, fund: int) -> None:
        funding = self.terms.amount_of(0, fund)
        payload = self.terms.consent_typed_data(chain_id=chain.chain_id, escrow=self.escrow.address)
        consent = self._sign(self.freelancer, payload)
        if funding:
            self.token.approve(self.escrow, funding, sender=self.client)
        receipt = self.escrow.create_job(self.abi, consent, fund, sender=self.client)
        self.job_id = receipt.return_value
        click.echo(
            f"job {self.job_id} '{self.title}': {len(self.terms.milestones)} milestones, "
            f"{_money(self.terms.total)} jUSD"
        )
        self.step(f"the freelancer signed the terms; the client created the job and funded {fund}", receipt)

    def fund(self, count: int) -> None:
        amount = self.terms.amount_of(self.escrow.get_job(self.job_id).funded_count, count)
        self.token.approve(self.escrow, amount, sender=self.client)
        receipt = self.escrow.fund(self.job_id, self.abi, count, sender=self.client)
        self.step(f"client funded {count} more ({_money(amount)} jUSD)", receipt)

    def submit(self, index: int) -> None:
        deliverable = keccak(text=f"{self.title} milestone {index}")
        receipt = self.escrow.submit(self.job_id, self.abi, index, deliverable, sender=self.freelancer)
        self.step(f"freelancer submitted milestone {index}", receipt)

    def approve(self, index: int) -> None:
        receipt = self.escrow.approve(self.job_id, self.abi, index, sender=self.client)
        [paid] = receipt.decode_logs(self.escrow.MilestoneApproved)
        self.step(
            f"client approved milestone {index}: {_money(paid.amount)} to the freelancer, "
            f"{_money(paid.platform_fee)} platform fee",
            receipt,
        )

    def extend(self, index: int, days: int) -> None:
        """延期: the freelancer asks for more time and signs; the client sends it."""
        new_duration = self.terms.milestones[index].duration + days * DAY
        expiry, signature = self._signed(self.freelancer, "ExtendDeadline", milestone=index, newDuration=new_duration)
        receipt = self.agreements.extend_deadline(
            self.job_id, self.abi, index, new_duration, expiry, signature, sender=self.client, gas=GAS
        )
        self.terms = self.terms.with_duration(index, new_duration)
        self.step(f"both extended milestone {index}'s deadline by {days} days", receipt)

    def add_milestone(self, amount: int, days: int) -> None:
        """The freelancer signs one more milestone; the client adds it and funds every unfunded one in the same call."""
        added = Milestone(amount, days * DAY)
        amended = self.terms.with_milestones([added])
        first = self.escrow.get_job(self.job_id).funded_count
        count = len(amended.milestones) - first
        milestones = [{"amount": added.amount, "duration": added.duration}]
        expiry, signature = self._signed(self.freelancer, "AddMilestones", milestones=milestones, fundCount=count)
        funding = amended.amount_of(first, count)
        self.token.approve(self.escrow, funding, sender=self.client)
        receipt = self.agreements.add_milestones(
            self.job_id,
            self.abi,
            [(added.amount, added.duration)],
            count,
            expiry,
            signature,
            sender=self.client,
            gas=GAS,
        )
        self.terms = amended
        self.step(f"both added a milestone of {_money(amount)} jUSD; the client funded {_money(funding)} jUSD", receipt)

    def accept_with_deduction(self, index: int, freelancer_bps: int) -> None:
        """扣款验收: the client proposes a share and signs; the freelancer agrees by sending it."""
        expiry, signature = self._signed(self.client, "Deduction", milestone=index, freelancerBps=freelancer_bps)
        receipt = self.agreements.accept_with_deduction(
            self.job_id, self.abi, index, freelancer_bps, expiry, signature, sender=self.freelancer, gas=GAS
        )
        [deducted] = receipt.decode_logs(self.agreements.MilestoneDeducted)
        self.step(
            f"milestone {index} accepted with a deduction: {_money(deducted.to_freelancer)} to the freelancer, "
            f"{_money(deducted.to_client)} back to the client",
            receipt,
        )

    def dispute_and_rule(self, index: int, freelancer_bps: int) -> None:
        receipt = self.escrow.dispute(self.job_id, self.abi, index, sender=self.client)
        self.step(f"client disputed milestone {index}", receipt)
        receipt = self.escrow.resolve(self.job_id, self.abi, index, freelancer_bps, sender=self.arbiter)
        [ruling] = receipt.decode_logs(self.escrow.DisputeResolved)
        self.step(
            f"arbiter ruled {freelancer_bps / 100:.0f}% for the freelancer: {_money(ruling.to_freelancer)} to the "
            f"freelancer, {_money(ruling.to_client)} back to the client, {_money(ruling.arbiter_fee)} arbiter fee",
            receipt,
        )

    def release_after_review(self, index: int) -> None:
        chain.pending_timestamp += 3 * DAY
        receipt = self.escrow.release(self.job_id, self.abi, index, sender=self.freelancer)
        self.step(f"review period over, milestone {index} released by the freelancer", receipt)

    def reclaim(self, index: int) -> None:
        deadline = self.terms.deadline(self.escrow.get_job(self.job_id).start, index)
        if chain.pending_timestamp <= deadline:
            chain.pending_timestamp = deadline + 1
        receipt = self.escrow.reclaim(self.job_id, self.abi, index, sender=self.client)
        self.step(f"deadline missed, client reclaimed milestone {index}", receipt)

    def settle(self, freelancer_bps: int) -> None:
        expiry, client_sig = self._signed(self.client, "Settlement", freelancerBps=freelancer_bps)
        _, freelancer_sig = self._signed(self.freelancer, "Settlement", freelancerBps=freelancer_bps)
        receipt = self.agreements.settle(
            self.job_id, self.abi, freelancer_bps, expiry, client_sig, freelancer_sig, sender=self.client, gas=GAS
        )
        self.step(f"both signed a {freelancer_bps / 100:.0f}% settlement; the job ended", receipt)

    def cancel_rest(self) -> None:
        receipt = self.escrow.cancel_unfunded(self.job_id, self.abi, sender=self.client)
        self.step("client cancelled the unfunded milestones", receipt)

    def rate(self, client_score: int, freelancer_score: int) -> None:
        self.step(
            f"client rated the freelancer {client_score}/5",
            self.escrow.rate(self.job_id, self.abi, client_score, keccak(text="great work"), sender=self.client),
        )
        self.step(
            f"freelancer rated the client {freelancer_score}/5",
            self.escrow.rate(
                self.job_id, self.abi, freelancer_score, keccak(text="clear brief"), sender=self.freelancer
            ),
        )


def full_story(story: Story) -> None:
    """Hire with consent, fund 2 of 3, submit, approve, extend a deadline, add a milestone (funding the rest),
    accept one with a deduction, dispute and rule, approve the last, ratings."""
    story.hire(fund=2)
    story.balances()
    story.submit(0)
    story.approve(0)
    story.extend(2, days=7)
    story.add_milestone(150 * UNIT, days=60)
    story.submit(3)
    story.accept_with_deduction(3, freelancer_bps=8_000)
    story.submit(1)
    story.dispute_and_rule(1, freelancer_bps=7_000)
    story.submit(2)
    story.approve(2)
    story.balances()
    story.rate(4, 5)


def seed_story(story: Story, kind: int) -> None:
    """Varied states for a seeded marketplace: open, in review, paid, disputed, settled, ended and rated."""
    n = len(story.terms.milestones)
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
        story.step(
            "freelancer disputed milestone 0", story.escrow.dispute(story.job_id, story.abi, 0, sender=story.freelancer)
        )
    else:
        story.submit(0)
        story.settle(6_000)
        story.rate(4, 4)


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
    agreements = project.EscrowAgreements.at(deployments["Escrow"]["address"])  # its code, the escrow's storage
    token = project.TestToken.at(deployments["TestToken"]["address"])
    reputation = project.Reputation.at(deployments["Reputation"]["address"])
    parties = {name: role(name) for name in ("client", "freelancer", "arbiter")}
    for name, who in parties.items():
        click.echo(f"{name:10} {who.address}")
    for number in range(jobs):
        title, plan = STORIES[number % len(STORIES)]
        story = Story(escrow, agreements, token, parties, title, [amount * UNIT for amount in plan])
        if jobs == 1:
            full_story(story)
        else:
            seed_story(story, number % 6)
    freelancer = parties["freelancer"]
    stats = reputation.stats(freelancer)
    click.echo(
        f"freelancer reputation: {stats.jobs_as_freelancer} jobs, {stats.rating_count} ratings "
        f"(sum {stats.rating_sum}), disputes won {stats.disputes_won} lost {stats.disputes_lost}, "
        f"{reputation.counterparties(freelancer)} counterparties"
    )
