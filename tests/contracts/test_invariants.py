"""Stateful property test: random sequences of escrow actions on several jobs, tokens and parties, with time travel,
checked against the test's OWN ledger.

The ledger is built from the inputs only: what the machine funded, and the payouts it computes from the rules of
docs/escrow-v2.md (`fee` rounds up, `share` rounds down, the arbiter fee first, the platform fee on the freelancer
side, fees collectable when a job ends). No event is read. After every step:
- conservation, per token: the escrow's balance is exactly what the ledger says it holds (funded - paid out -
  fees collected), and every party's token balance moved by exactly what the ledger paid it or took from it;
- fees_accrued and every credit (payouts to a blocklisted recipient) equal the ledger's;
- every job's funded and open counts, nonce and milestone statuses equal the model's.
At the end of every sequence (liveness): once every deadline and window is over, a stranger and the parties close
every job through the unilateral paths, the fees are collected and the credits withdrawn, and the escrow holds
nothing in any token.

The machine only takes actions its model says must succeed (and asserts they do); the independent reference
model in tests/model/ covers refusals. Actions go over raw JSON-RPC to the same Anvil (tests/contracts/raw_node.py).

Default: 30 sequences of up to 20 steps, derandomized. JIEDAN_SLOW=1: 1,000, randomized. JIEDAN_EXAMPLES=n: n.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field

import pytest
from ape import chain
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from tests.contracts.raw_node import Node, RawContract
from tests.contracts.terms import (
    APPROVED,
    CANCELLED,
    DAY,
    DEDUCTED,
    DEFAULTED,
    DISPUTED,
    ETH,
    FAR,
    OPEN,
    RECLAIMED,
    RELEASED,
    RESOLVED,
    SETTLED,
    SUBMITTED,
    Domain,
    Milestone,
    Terms,
    fee,
    share,
    sign,
)

SLOW = os.environ.get("JIEDAN_SLOW") == "1"
EXAMPLES = int(os.environ.get("JIEDAN_EXAMPLES", 1_000 if SLOW else 30))
STEPS = 20
TOKEN, BLOCKY, NATIVE = range(3)
LIVE = (OPEN, SUBMITTED, DISPUTED)
# Every escrow action the machine takes; the default run must reach each one.
ACTIONS = {
    "create_job",
    "fund",
    "submit",
    "approve",
    "release",
    "reclaim",
    "dispute",
    "resolve",
    "apply_default_ruling",
    "settle",
    "cancel_unfunded",
    "extend_deadline",
    "add_milestones",
    "accept_with_deduction",
    "collect_fees",
    "withdraw",
}
WORLD: dict = {}
REACHED: Counter = Counter()


# A job to create: client, freelancer, coin, amounts, durations, arbiter fee, how many left unfunded, whether its
# freelancer is blocked by the blocklisting token.
JOB = st.tuples(
    st.integers(0, 1),
    st.integers(0, 1),
    st.sampled_from([TOKEN, BLOCKY, NATIVE]),
    st.lists(st.integers(1, 10**9), min_size=1, max_size=3),
    st.lists(st.integers(3 * DAY, 12 * DAY), min_size=3, max_size=3),
    st.sampled_from([500, 0, 1, 1_000]),
    st.integers(0, 2),
    st.booleans(),
)


@dataclass
class Job:
    """The model of one job: its terms and everything the rules say about its state."""

    id: int
    terms: Terms
    coin: int
    start: int
    funded: int
    status: list[int]
    review_end: list[int]
    ruling_end: list[int]
    nonce: int = 0
    pending_fee: int = 0  # platform fees of its payouts, collectable when it ends
    ended: bool = False
    history: list[str] = field(default_factory=list)

    @property
    def open(self) -> int:
        return sum(s in LIVE for s in self.status)

    def deadline(self, index: int) -> int:
        return self.start + self.terms.milestones[index].duration


class EscrowMachine(RuleBasedStateMachine):
    def start(self):
        w = WORLD
        self.node: Node = w["node"]
        self.snapshot = self.node.snapshot()
        self.escrow: RawContract = w["escrow"]
        self.agreements: RawContract = w["agreements"]
        self.coins: list[RawContract | None] = [w["token"], w["blocky"], None]
        self.coin_addresses = [w["token"].address, w["blocky"].address, ETH]
        self.clients, self.freelancers = w["clients"], w["freelancers"]
        self.arbiter, self.stranger, self.owner = w["arbiter"], w["stranger"], w["owner"]
        self.fee_recipient = w["fee_recipient"]
        self.people = [*self.clients, *self.freelancers, self.arbiter, self.stranger, self.fee_recipient]
        self.domain: Domain = w["domain"]
        self.fee_bps = w["fee_bps"]
        self.jobs: list[Job] = []
        self.now = int(self.node.request("eth_getBlockByNumber", "latest", False)["timestamp"], 16)
        # The ledger: what the escrow must hold, fees collectable, credits, and how each balance moved.
        self.held = [0, 0, 0]
        self.fees = [0, 0, 0]
        self.credits: Counter = Counter()  # (coin, account) -> credit
        self.moved: Counter = Counter()  # (coin, account) -> change of its token balance (tokens only)
        self.blocked: set[str] = set()
        self.initial = self._balances()
        self.salt = 0
        self.checked = False

    def teardown(self):
        if not hasattr(self, "snapshot"):
            return
        try:
            if self.checked:
                self.drain()
        finally:
            self.node.revert(self.snapshot)

    # --- chain access ------------------------------------------------------------------------------

    def _send(self, contract: RawContract, method: str, *args, sender: str, value: int = 0, at: int | None = None):
        """Mine `contract.method(*args)` at `at` (default: one second after the last block); it must succeed."""
        self.now = max(self.now + 1, at or 0)
        self.node.set_next_timestamp(self.now)
        receipt = self.node.send(sender, contract.address, contract.data(method, *args), value)
        if receipt["status"] != "0x1":
            reason = "?"
            try:
                self.node.call(contract.address, contract.data(method, *args), sender, value)
            except Exception as refused:  # noqa: BLE001 - any refusal is reported as it is
                reason = str(refused)
            raise AssertionError(f"{method}{args[:1]} by {sender[:8]} refused: {reason}")
        if not getattr(self, "draining", False):
            REACHED[method] += 1
        return receipt

    def _balances(self) -> dict:
        requests = []
        keys = []
        for coin in (TOKEN, BLOCKY):
            for who in [*self.people, self.escrow.address]:
                keys.append((coin, who))
                requests.append(_call(self.coins[coin], "balanceOf", who))
        results = self.node.batch(requests)
        values = {key: self.coins[key[0]].result("balanceOf", _raw(r))[0] for key, r in zip(keys, results, strict=True)}
        values[(NATIVE, self.escrow.address)] = int(
            self.node.request("eth_getBalance", self.escrow.address, "latest"), 16
        )
        return values

    # --- the ledger ----------------------------------------------------------------------------------

    def _pull(self, job: Job, amount: int):
        self.held[job.coin] += amount
        if job.coin != NATIVE:
            self.moved[(job.coin, job.terms.client)] -= amount

    def _pay(self, job_or_coin, to: str, amount: int):
        coin = job_or_coin.coin if isinstance(job_or_coin, Job) else job_or_coin
        if amount == 0:
            return
        if coin == BLOCKY and to in self.blocked:
            self.credits[(coin, to)] += amount  # a failed payout stays in the escrow as a credit
            return
        self.held[coin] -= amount
        if coin != NATIVE:
            self.moved[(coin, to)] += amount

    def _to_freelancer(self, job: Job, gross: int) -> int:
        """Pays the freelancer side `gross` less the platform fee; the fee stays with the job until it ends."""
        platform = fee(gross, job.terms.platform_fee_bps)
        self._pay(job, job.terms.freelancer, gross - platform)
        job.pending_fee += platform
        return platform

    def _closed(self, job: Job):
        job.nonce += 1
        if job.open == 0 and not job.ended:
            job.ended = True
            self.fees[job.coin] += job.pending_fee
            job.pending_fee = 0

    def _running(self) -> list[Job]:
        return [j for j in self.jobs if not j.ended]

    # --- rules ---------------------------------------------------------------------------------------

    @initialize(specs=st.lists(JOB, min_size=2, max_size=3))
    def first_jobs(self, specs):
        """Every sequence starts with two or three jobs, so that the moves have something to act on."""
        self.start()
        for spec in specs:
            self.create(spec)

    @precondition(lambda self: len(self._running()) < 3)
    @rule(spec=JOB)
    def another_job(self, spec):
        self.create(spec)

    def create(self, spec):
        """A job; in the blocklisting token, maybe with its freelancer blocked (payouts to it are then credited)."""
        who, hired, coin, amounts, durations, arbiter_fee_bps, unfunded, block = spec
        client, freelancer = self.clients[who], self.freelancers[hired]
        if coin == BLOCKY and block and freelancer not in self.blocked:
            self._send(self.coins[BLOCKY], "set_blocked", freelancer, True, sender=self.owner)
            self.blocked.add(freelancer)
        self.salt += 1
        terms = Terms.of(
            client,
            freelancer,
            self.coin_addresses[coin],
            self.arbiter,
            amounts,
            durations[: len(amounts)],
            arbiter_fee_bps=arbiter_fee_bps,
            platform_fee_bps=self.fee_bps,
            review_period=2 * DAY,
            ruling_window=3 * DAY,
            salt=self.salt,
        )
        fund = max(0, len(amounts) - unfunded)
        funding = sum(amounts[:fund])
        consent = sign(freelancer, self.domain.consent(terms))
        self._send(
            self.escrow,
            "create_job",
            terms.abi,
            consent,
            fund,
            sender=client,
            value=funding if coin == NATIVE else 0,
        )
        n = len(amounts)
        job = Job(len(self.jobs) + 1, terms, coin, self.now, fund, [OPEN] * n, [0] * n, [0] * n)
        self.jobs.append(job)
        self._pull(job, funding)

    # --- one milestone moves on ----------------------------------------------------------------------

    def _live(self) -> list[tuple[Job, int]]:
        return [(j, i) for j in self._running() for i, s in enumerate(j.status) if s in LIVE]

    def _moves(self, job: Job, index: int) -> list[str]:
        """What the rules let someone do to this milestone now; the moves that keep a job going are listed more
        than once, so that sequences get to disputes and rulings."""
        status, now = job.status[index], self.now + 1
        if status == OPEN and index >= job.funded:
            overdue = now > job.deadline(job.funded)
            return ["fund", "fund", "extend_deadline"] + (["cancel_unfunded"] if overdue or index % 2 else [])
        if status == OPEN:
            if now > job.deadline(index):
                return ["reclaim", "extend_deadline"]
            return ["submit", "submit", "submit", "extend_deadline"]
        if status == SUBMITTED:
            if now >= job.review_end[index]:
                return ["release", "approve", "accept_with_deduction"]
            return ["approve", "accept_with_deduction", "dispute", "dispute", "dispute"]
        if now >= job.ruling_end[index]:
            return ["apply_default_ruling", "accept_with_deduction"]
        # The default ruling waits for the window's end.
        return ["resolve", "resolve", "accept_with_deduction", "apply_default_ruling", "apply_default_ruling"]

    @precondition(lambda self: self._live())
    @rule(data=st.data(), moves=st.integers(1, 4))
    def advance(self, data, moves):
        """A few live milestones move on, each by one of the moves its state allows, maybe after some time."""
        for _ in range(moves):
            if not self._live():
                return
            wait = data.draw(st.sampled_from([0, 0, 0, DAY, 2 * DAY, 5 * DAY]))
            self.now += wait
            self._advance(
                data,
                data.draw(st.sampled_from([5_000, 0, 1, 3_333, 8_000, 9_999, 10_000])),
                data.draw(st.booleans()),
                data.draw(st.integers(1, 20 * DAY)),
            )

    def _advance(self, data, bps, by_client, more):
        # Submitted and disputed milestones are drawn three times as often: sequences get to rulings.
        weighted = [(j, i) for j, i in self._live() for _ in range(1 if j.status[i] == OPEN else 3)]
        job, index = data.draw(st.sampled_from(weighted))
        move = data.draw(st.sampled_from(self._moves(job, index)))
        t = job.terms
        party, other = (t.client, t.freelancer) if by_client else (t.freelancer, t.client)
        amount = t.amounts[index]
        if move == "fund":
            count = index - job.funded + 1
            funding = sum(t.amounts[job.funded : index + 1])
            value = funding if job.coin == NATIVE else 0
            self._send(self.escrow, "fund", job.id, t.abi, count, sender=t.client, value=value)
            job.funded += count
            job.nonce += 1
            self._pull(job, funding)
        elif move == "cancel_unfunded":
            self._send(self.escrow, "cancel_unfunded", job.id, t.abi, sender=t.client)
            for i in range(job.funded, len(job.status)):
                job.status[i] = CANCELLED
            job.funded = len(job.status)
            self._closed(job)
        elif move == "extend_deadline":
            new_duration = t.milestones[index].duration + more
            signature = sign(other, self.domain.extend_deadline(job.id, index, new_duration, job.nonce, FAR))
            self._send(
                self.agreements, "extend_deadline", job.id, t.abi, index, new_duration, FAR, signature, sender=party
            )
            job.terms = t.extended(index, new_duration)
            job.nonce += 1
        elif move == "submit":
            self._send(self.escrow, "submit", job.id, t.abi, index, b"\x01" * 32, sender=t.freelancer)
            job.status[index] = SUBMITTED
            job.review_end[index] = self.now + t.review_period
            job.nonce += 1
        elif move == "reclaim":  # anyone, once the deadline has passed
            self._send(self.escrow, "reclaim", job.id, t.abi, index, sender=self.stranger)
            job.status[index] = RECLAIMED
            self._pay(job, t.client, amount)
            self._closed(job)
        elif move in ("approve", "release"):
            if move == "approve":
                self._send(self.escrow, "approve", job.id, t.abi, index, sender=t.client)
            else:  # anyone, once the review period is over
                self._send(self.escrow, "release", job.id, t.abi, index, sender=self.stranger)
            job.status[index] = APPROVED if move == "approve" else RELEASED
            self._to_freelancer(job, amount)
            self._closed(job)
        elif move == "dispute":
            self._send(self.escrow, "dispute", job.id, t.abi, index, sender=party)
            job.status[index] = DISPUTED
            job.ruling_end[index] = self.now + t.ruling_window
            job.nonce += 1
        elif move == "resolve":
            self._send(self.escrow, "resolve", job.id, t.abi, index, bps, sender=self.arbiter)
            arbiter_fee = fee(amount, t.arbiter_fee_bps)
            gross = share(amount - arbiter_fee, bps)
            self._to_freelancer(job, gross)
            self._pay(job, t.client, amount - arbiter_fee - gross)
            self._pay(job, self.arbiter, arbiter_fee)
            job.status[index] = RESOLVED
            self._closed(job)
        elif move == "apply_default_ruling":  # either party, once the ruling window is over
            at = job.ruling_end[index]  # after the ruling window (waiting for it if need be)
            self._send(self.escrow, "apply_default_ruling", job.id, t.abi, index, sender=party, at=at)
            gross = share(amount, 5_000)
            self._to_freelancer(job, gross)
            self._pay(job, t.client, amount - gross)
            job.status[index] = DEFAULTED
            self._closed(job)
        else:  # accept_with_deduction
            signature = sign(other, self.domain.deduction(job.id, index, bps, job.nonce, FAR))
            self._send(
                self.agreements, "accept_with_deduction", job.id, t.abi, index, bps, FAR, signature, sender=party
            )
            gross = share(amount, bps)
            self._to_freelancer(job, gross)
            self._pay(job, t.client, amount - gross)
            job.status[index] = DEDUCTED
            self._closed(job)

    # --- whole jobs and the escrow -------------------------------------------------------------------

    def _settleable(self) -> list[Job]:
        return [j for j in self._running() if j.nonce >= 3]  # jobs with some history

    @precondition(lambda self: self._settleable())
    @rule(data=st.data(), bps=st.sampled_from([5_000, 0, 2_500, 10_000]))
    def settle(self, data, bps):
        job = data.draw(st.sampled_from(self._settleable()))
        typed = self.domain.settlement(job.id, bps, job.nonce, FAR)
        signatures = (sign(job.terms.client, typed), sign(job.terms.freelancer, typed))
        self._send(self.agreements, "settle", job.id, job.terms.abi, bps, FAR, *signatures, sender=self.stranger)
        remaining = 0
        for i, s in enumerate(job.status):
            if s in LIVE:
                if i < job.funded:
                    remaining += job.terms.amounts[i]
                    job.status[i] = SETTLED
                else:
                    job.status[i] = CANCELLED
        gross = share(remaining, bps)
        self._to_freelancer(job, gross)
        self._pay(job, job.terms.client, remaining - gross)
        self._closed(job)

    @precondition(lambda self: any(len(j.status) < 4 for j in self._running()))
    @rule(
        data=st.data(),
        amounts=st.lists(st.integers(1, 10**9), min_size=1, max_size=2),
        duration=st.integers(3 * DAY, 30 * DAY),
        unfunded=st.integers(0, 3),
    )
    def add_milestones(self, data, amounts, duration, unfunded):
        job = data.draw(st.sampled_from([j for j in self._running() if len(j.status) < 4]))
        added = tuple(Milestone(a, duration) for a in amounts)
        terms = job.terms.with_added(added)
        fund = max(0, len(terms.milestones) - job.funded - unfunded)
        funding = sum(terms.amounts[job.funded : job.funded + fund])
        signature = sign(job.terms.freelancer, self.domain.add_milestones(job.id, added, fund, job.nonce, FAR))
        self._send(
            self.agreements,
            "add_milestones",
            job.id,
            job.terms.abi,
            [m.abi for m in added],
            fund,
            FAR,
            signature,
            sender=job.terms.client,
            value=funding if job.coin == NATIVE else 0,
        )
        job.terms = terms
        job.status += [OPEN] * len(added)
        job.review_end += [0] * len(added)
        job.ruling_end += [0] * len(added)
        job.funded += fund
        job.nonce += 1
        self._pull(job, funding)

    @precondition(lambda self: any(self.fees))
    @rule(data=st.data())
    def collect_fees(self, data):
        coin = data.draw(st.sampled_from([c for c in range(3) if self.fees[c]]))
        self._send(self.escrow, "collect_fees", self.coin_addresses[coin], sender=self.stranger)
        amount, self.fees[coin] = self.fees[coin], 0
        self._pay(coin, self.fee_recipient, amount)

    @precondition(lambda self: any(self.credits.values()))
    @rule(data=st.data())
    def withdraw(self, data):
        (coin, holder) = data.draw(st.sampled_from(sorted(k for k, v in self.credits.items() if v)))
        amount = self.credits.pop((coin, holder))
        self._send(self.escrow, "withdraw", self.coin_addresses[coin], self.stranger, sender=holder)
        self.held[coin] -= amount
        self.moved[(coin, self.stranger)] += amount

    # --- checks --------------------------------------------------------------------------------------

    @invariant()
    def ledger_matches_chain(self):
        if not hasattr(self, "jobs"):
            return
        self.checked = False
        balances = self._balances()
        for coin in range(3):
            assert balances[(coin, self.escrow.address)] == self.held[coin], f"escrow balance, coin {coin}"
        for coin in (TOKEN, BLOCKY):
            for who in self.people:
                expected = self.initial[(coin, who)] + self.moved[(coin, who)]
                assert balances[(coin, who)] == expected, f"balance of {who[:8]} in coin {coin}"
        requests = [_call(self.escrow, "fees_accrued", a) for a in self.coin_addresses]
        credit_keys = [(c, who) for c in range(3) for who in self.people]
        requests += [_call(self.escrow, "credits", self.coin_addresses[c], who) for c, who in credit_keys]
        requests += [_call(self.escrow, "get_job", j.id) for j in self.jobs]
        results = [_raw(r) for r in self.node.batch(requests)]
        for coin in range(3):
            assert self.escrow.result("fees_accrued", results[coin])[0] == self.fees[coin], f"fees, coin {coin}"
        for (coin, who), raw in zip(credit_keys, results[3 : 3 + len(credit_keys)], strict=True):
            assert self.escrow.result("credits", raw)[0] == self.credits[(coin, who)], f"credit of {who[:8]}"
        for job, raw in zip(self.jobs, results[3 + len(credit_keys) :], strict=True):
            view = self.escrow.result("get_job", raw)[0]
            count, funded, open_, nonce, start, *_flags, milestones = view
            assert (count, funded, open_, start) == (len(job.status), job.funded, job.open, job.start), job.id
            assert nonce == job.nonce, f"nonce of job {job.id}"
            assert [m[0] for m in milestones] == job.status, f"statuses of job {job.id}"
            assert view[7] == job.ended
        self.checked = True

    def drain(self):
        """Liveness: after every deadline and window, unilateral paths close every job; then nothing is left."""
        self.draining = True
        for job in self._running():
            for index, status in enumerate(job.status):
                if status == SUBMITTED:
                    self._send(
                        self.escrow,
                        "release",
                        job.id,
                        job.terms.abi,
                        index,
                        sender=self.stranger,
                        at=job.review_end[index],
                    )
                    job.status[index] = RELEASED
                    self._to_freelancer(job, job.terms.amounts[index])
                    self._closed(job)
                elif status == DISPUTED:
                    self._send(
                        self.escrow,
                        "apply_default_ruling",
                        job.id,
                        job.terms.abi,
                        index,
                        sender=job.terms.client,
                        at=job.ruling_end[index],
                    )
                    amount = job.terms.amounts[index]
                    self._to_freelancer(job, share(amount, 5_000))
                    self._pay(job, job.terms.client, amount - share(amount, 5_000))
                    job.status[index] = DEFAULTED
                    self._closed(job)
            if job.funded < len(job.status):
                self._send(
                    self.escrow,
                    "cancel_unfunded",
                    job.id,
                    job.terms.abi,
                    sender=self.stranger,
                    at=job.deadline(job.funded) + 1,
                )
                for i in range(job.funded, len(job.status)):
                    job.status[i] = CANCELLED
                job.funded = len(job.status)
                self._closed(job)
            for index, status in enumerate(job.status):
                if status == OPEN:
                    self._send(
                        self.escrow,
                        "reclaim",
                        job.id,
                        job.terms.abi,
                        index,
                        sender=self.stranger,
                        at=job.deadline(index) + 1,
                    )
                    job.status[index] = RECLAIMED
                    self._pay(job, job.terms.client, job.terms.amounts[index])
                    self._closed(job)
            assert job.ended, f"job {job.id} did not end"
        for coin in range(3):
            if self.fees[coin]:
                self._send(self.escrow, "collect_fees", self.coin_addresses[coin], sender=self.stranger)
                self._pay(coin, self.fee_recipient, self.fees[coin])
                self.fees[coin] = 0
        for (coin, holder), amount in sorted(self.credits.items()):
            if amount:
                self._send(self.escrow, "withdraw", self.coin_addresses[coin], self.stranger, sender=holder)
                self.held[coin] -= amount
                self.moved[(coin, self.stranger)] += amount
        self.credits.clear()
        self.ledger_matches_chain()
        assert self.held == [0, 0, 0], f"the ledger says the escrow still holds {self.held}"


_CALLS: dict = {}


def _call(contract: RawContract, method: str, *args) -> tuple[str, list]:
    """An eth_call request (views only: their arguments are addresses and ids, so the encoding is cached)."""
    key = (contract.address, method, args)
    if key not in _CALLS:
        _CALLS[key] = contract.data(method, *args)
    return ("eth_call", [{"to": contract.address, "data": _CALLS[key]}, "latest"])


def _raw(result: str) -> bytes:
    return bytes.fromhex(result[2:])


@pytest.fixture
def world(project, escrow, token, owner, accounts, client, freelancer, arbiter, stranger, fee_recipient):
    blocky = owner.deploy(project.blocklist_token_mock)
    clients, freelancers = [client, accounts[7]], [freelancer, accounts[8]]
    for who in clients:
        for coin in (token, blocky):
            coin.mint(who, 10**12, sender=owner)
            coin.approve(escrow, 2**256 - 1, sender=who)
    WORLD.update(
        node=Node(chain.provider.http_uri),
        escrow=RawContract(escrow),
        agreements=RawContract(project.EscrowAgreements.contract_type, address=escrow.address),
        token=RawContract(token),
        blocky=RawContract(blocky),
        clients=[str(c.address) for c in clients],
        freelancers=[str(f.address) for f in freelancers],
        arbiter=str(arbiter.address),
        stranger=str(stranger.address),
        owner=str(owner.address),
        fee_recipient=str(fee_recipient.address),
        domain=Domain.of(escrow, chain.chain_id),
        fee_bps=escrow.platform_fee_bps(),
    )
    yield WORLD
    WORLD.clear()


def test_escrow_state_machine__conservation_against_its_own_ledger(world):
    REACHED.clear()
    run_state_machine_as_test(
        EscrowMachine,
        settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=STEPS,
            deadline=None,
            derandomize=not SLOW,
            suppress_health_check=list(HealthCheck),
        ),
    )
    missing = sorted(ACTIONS - set(REACHED))
    assert not missing, f"never reached: {missing}; {dict(REACHED)}"
    if SLOW or os.environ.get("JIEDAN_EXAMPLES"):
        print(f"\nreached: {dict(REACHED)}")
