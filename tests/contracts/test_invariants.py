"""Stateful property test: random sequences of every escrow action, several jobs, tokens and parties, with time travel.

Every escrow action is reached successfully in the default run (the test fails if one is not): create (with and
without a permit), fund, submit, approve, release after review, reclaim after the deadline, dispute, resolve by
the arbiter with a split, the default ruling after the ruling window, settle with both signatures, cancel,
increment the nonce, rate after a job ends, withdraw a credit made by the blocklisting token, collect fees, and
the owner's pause, unpause, fee and fee-recipient settings.

After every step that mined a transaction (a step that mined nothing cannot change what is read):
- conservation, per token: escrow balance = sum funded - sum paid out - sum withdrawn credits
  (paid out counts every delivered payout: milestone payments, refunds, rulings, settlements and
  collected fees; a payout that failed and was credited stays in the escrow until withdrawn);
- every account's outstanding credit and every token's accrued fees in storage match the events
  (fees of approved and released milestones become collectable when their job ends);
- no milestone is closed (paid, reclaimed or ruled) twice, and nothing closes after a settlement;
- reputation changes only when a job ends (by exactly one completed job per party when it had volume)
  and ratings only by a rating (by exactly its score);
- every refused action reverts with a module-prefixed reason (never a bare revert or a panic), and an
  action the node accepted in simulation is mined successfully.

At the end of every sequence that passed its checks (liveness): after every deadline, review period and
ruling window, the stranger and the clients alone close every running job, collect the fees and withdraw
every credit, and the escrow is left holding nothing in any token.

Chain time is deterministic (each block one second after the last, plus the machine's own time travel), so
the derandomized default run is reproducible. Actions go over raw JSON-RPC (tests/contracts/raw_node.py).

Default: 200 sequences. JIEDAN_SLOW=1: 5,000, randomized (the `slow` profile). JIEDAN_EXAMPLES=n: n.
"""

from __future__ import annotations

import os
from collections import Counter

import pytest
from ape import chain
from eth_account import Account
from eth_account.messages import encode_typed_data
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

from tests.contracts.conftest import DAY, ETH, REVIEW, RULING, UNIT, make_terms
from tests.contracts.raw_node import Node, RawContract, Refused

SLOW = os.environ.get("JIEDAN_SLOW") == "1"
STEPS = 12
settings.register_profile("slow", max_examples=5_000, stateful_step_count=STEPS, deadline=None)
PROFILE = (
    settings.get_profile("slow")
    if SLOW
    else settings(max_examples=int(os.environ.get("JIEDAN_EXAMPLES", 200)), stateful_step_count=STEPS, deadline=None)
)
# A blocked client cannot fund: the token itself refuses the transferFrom.
PREFIXES = ("escrow: ", "payouts: ", "settings: ", "reputation: ", "blocklist: ", "ownable: ")
CLOSING = ("MilestoneApproved", "MilestoneReleased", "MilestoneReclaimed", "DisputeResolved", "DefaultRulingApplied")
# Every state-changing escrow action; the default run must reach each one successfully.
ACTIONS = {
    "create_job",
    "create_job_with_permit",
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
    "increment_nonce",
    "rate",
    "withdraw",
    "collect_fees",
    "pause",
    "unpause",
    "set_platform_fee",
    "set_fee_recipient",
}
MAX = 2**256 - 1
TOKEN, BLOCKY, NATIVE = range(3)

WORLD: dict = {}
# Successful and refused actions over the whole run.
REACHED: Counter = Counter()
REFUSED: Counter = Counter()


class EscrowMachine(RuleBasedStateMachine):
    def start(self):
        w = WORLD
        self.node: Node = w["node"]
        self.snapshot = self.node.snapshot()
        self.escrow: RawContract = w["escrow"]
        self.reputation: RawContract = w["reputation"]
        self.coins: list[RawContract | None] = [w["token"], w["blocky"], None]  # None: native ETH
        self.token_addresses = [w["token"].address, w["blocky"].address, ETH]
        self.keys: dict[str, str] = w["keys"]
        self.clients, self.freelancers = w["clients"], w["freelancers"]
        self.arbiter, self.stranger, self.owner = w["arbiter"], w["stranger"], w["owner"]
        self.parties = [*self.clients, *self.freelancers, self.arbiter]
        # Whoever can be paid, and so credited: the parties and the fee recipients the owner can pick.
        self.payees = [*self.parties, w["fee_recipient"]]
        self.fee_bps = w["fee_bps"]
        self.jobs: list[dict] = []
        # The ledger, per token index, folded from the events.
        self.funded, self.paid_out, self.credited, self.withdrawn = Counter(), Counter(), Counter(), Counter()
        self.credits: Counter = Counter()  # (token index, account) -> outstanding credit
        self.fees: Counter = Counter()  # token index -> collectable fees
        self.pending_fees: Counter = Counter()  # job id -> fees of its paid milestones, collectable when it ends
        self.closed: Counter = Counter()
        # The model: milestone state by (job id, index), review/ruling ends, blocked accounts.
        self.state: dict[tuple[int, int], str] = {}
        self.ends: dict[tuple[int, int], int] = {}
        self.blocked: set[str] = set()
        self.paused = False
        # Reputation: the counters the events fix exactly, and whether a job ended since the last check.
        self.stats = {who: self._read(self.reputation, "stats", who)[0] for who in self.parties}
        self.expected = {who: list(self.stats[who]) for who in self.parties}
        self.job_ended_since_check = False
        self.dirty = True
        self.draining = False
        self.steps_checked = False  # whether the last step's checks all passed

    @initialize(
        plans=st.lists(
            st.tuples(
                st.integers(0, 1),
                st.integers(0, 1),
                st.integers(0, 2),
                st.lists(st.integers(1, 1_000), min_size=1, max_size=3),
                st.integers(1, 3),
                st.sampled_from(["submitted", "disputed by client", "disputed by freelancer"]),
                st.booleans(),
            ),
            min_size=2,
            max_size=3,
        ),
        blocked=st.sets(st.integers(0, 5), max_size=2),
    )
    def open_jobs(self, plans, blocked):
        """Every sequence starts with two or three funded jobs, milestone 0 of each submitted (and maybe disputed),
        and maybe some payees blocked by the blocklisting token (a job's freelancer, or any payee), so that the
        rules have something to act on."""
        self.start()
        self.blocked_at_start: list[int] = []
        for client, freelancer, token, amounts, fund, *_ in plans:
            self.create(client, freelancer, token, amounts, fund, permit=False)
        for j, (*_, stage, block_freelancer) in zip(self.jobs, plans, strict=False):
            self._send("submit", j["id"], 0, b"\x01" * 32, j["terms"], sender=j["freelancer"])
            if stage != "submitted":
                self._send("dispute", j["id"], 0, sender=j["client"] if stage.endswith("client") else j["freelancer"])
            if j["token"] == BLOCKY and (block_freelancer or not any(self.blocked_at_start)):
                # at least one payee of a job in the blocklisting token starts blocked, so that credits (and
                # their withdrawal) are reached whatever examples the generator draws
                blocked.add(self.payees.index(j["freelancer"]))
                self.blocked_at_start.append(j["id"])
        for who in sorted(blocked):
            self.block(who, blocked=True)

    def teardown(self):
        if not hasattr(self, "snapshot"):
            return
        try:
            if self.steps_checked:  # the sequence passed every check so far (a failure is reported as it is)
                self.drain()
        finally:
            self.node.revert(self.snapshot)

    def drain(self):
        """Liveness, from wherever the sequence left the escrow: once every deadline, review period and ruling
        window is over, the stranger and the clients alone can close every running job, the fees can be
        collected and every credit withdrawn (to the stranger, whom nothing blocks), and then the escrow
        holds nothing at all, in any token."""
        self.draining = True
        self._travel_to(max([self._now(), *self.ends.values(), *(d for j in self.jobs for _, d in j["terms"][5])]) + 1)
        for j in self._running():
            for index in range(j["funded"]):
                state = self.state.get((j["id"], index))
                if state is None:
                    self._must("reclaim", j["id"], index, j["terms"], sender=self.stranger)
                elif state == "submitted":
                    self._must("release", j["id"], index, sender=self.stranger)
                elif state == "disputed":
                    self._must("apply_default_ruling", j["id"], index, sender=j["client"])
            if not j["ended"]:
                self._must("cancel_unfunded", j["id"], sender=j["client"])
            assert j["ended"], f"job {j['id']} did not end"
        for t, address in enumerate(self.token_addresses):
            if self.fees[t]:
                self._must("collect_fees", address, sender=self.stranger)
        for (t, holder), amount in sorted(self.credits.items()):
            if amount:
                self._must("withdraw", self.token_addresses[t], self.stranger, sender=_checksum(holder, self.payees))
        self.ledger_matches_chain()
        for t in range(3):
            assert self.funded[t] == self.paid_out[t] - self.credited[t] + self.withdrawn[t], f"left in escrow: {t}"

    def _must(self, method, *args, sender):
        assert self._send(method, *args, sender=sender) is not None, f"{method}{args[:2]} refused while draining"

    # --- chain access ------------------------------------------------------------

    def _read(self, contract: RawContract, method: str, *args) -> tuple:
        return contract.result(method, self.node.call(contract.address, contract.data(method, *args)))

    def _now(self) -> int:
        return self.node.pending_timestamp()

    def _travel_to(self, timestamp: int):
        now = self._now()
        if timestamp > now:
            self.node.set_next_timestamp(timestamp)

    def _send(self, method, *args, sender, value=0):
        """Try `escrow.<method>(*args)`: a refusal must carry a prefixed reason; a success's events go to the ledger.

        The call is first simulated on the pending block; only calls that would succeed are mined, and they
        must succeed, since the mined block has the simulated one's number and timestamp.
        """
        self.steps_checked = False
        data = self.escrow.data(method, *args)
        try:
            self.node.call(self.escrow.address, data, sender, value)
        except Refused as refused:
            assert refused.reason.startswith(PREFIXES), f"unprefixed revert in {method}: {refused.reason!r}"
            REFUSED[(method, refused.reason)] += 1
            return None  # nothing was mined, so no state (reputation included) can have changed
        receipt = self.node.send(sender, self.escrow.address, data, value)
        assert receipt["status"] == "0x1", f"{method} passed its simulation but reverted when mined"
        if not self.draining:
            REACHED[method] += 1
        self.dirty = True
        events = self.escrow.events(receipt)
        for name, e in events:
            self._fold(name, e)
        return events

    def _fold(self, name: str, e: dict):  # noqa: C901 - one branch per event, as the ledger reads
        job = self.jobs[e["job_id"] - 1] if e.get("job_id") and e["job_id"] <= len(self.jobs) else None
        coin = job["token"] if job is not None else None
        if name == "JobCreated":
            self.funded[self._coin_index(e["token"])] += e["funded_amount"]
        elif name == "JobFunded":
            self.funded[coin] += e["amount"]
        elif name in ("MilestoneApproved", "MilestoneReleased"):
            self.paid_out[coin] += e["amount"]
            self.pending_fees[e["job_id"]] += e["platform_fee"]
        elif name == "MilestoneReclaimed":
            self.paid_out[coin] += e["amount"]
        elif name == "DisputeResolved":
            self.paid_out[coin] += e["to_freelancer"] + e["to_client"] + e["arbiter_fee"]
            self.fees[coin] += e["platform_fee"]
        elif name in ("DefaultRulingApplied", "JobSettled"):
            self.paid_out[coin] += e["to_freelancer"] + e["to_client"]
            self.fees[coin] += e["platform_fee"]
        elif name == "FeesCollected":
            index = self._coin_index(e["token"])
            assert e["amount"] == self.fees[index], "collected fees differ from the fees accrued"
            self.paid_out[index] += e["amount"]
            self.fees[index] = 0
        elif name == "Credited":
            index = self._coin_index(e["token"])
            self.credited[index] += e["amount"]
            self.credits[(index, e["account"].lower())] += e["amount"]
        elif name == "Withdrawn":
            index, account = self._coin_index(e["token"]), e["account"].lower()
            assert e["amount"] == self.credits[(index, account)], "withdrew other than the whole credit"
            self.withdrawn[index] += e["amount"]
            self.credits[(index, account)] = 0
        elif name == "JobEnded":
            assert e["recorded"], "a job ended without its reputation record"
            job["ended"] = True
            self.job_ended_since_check = True
            self.fees[coin] += self.pending_fees.pop(e["job_id"], 0)
            if e["volume"]:
                self.expected[job["client"]][0] += 1
                self.expected[job["freelancer"]][1] += 1
        elif name == "JobRated":
            subject = self.expected[_checksum(e["subject"], self.parties)]
            subject[5] += 1
            subject[6] += e["score"]
        elif name == "MilestoneSubmitted":
            self.state[(e["job_id"], e["milestone"])] = "submitted"
            self.ends[(e["job_id"], e["milestone"])] = e["review_end"]
        elif name == "DisputeOpened":
            self.state[(e["job_id"], e["milestone"])] = "disputed"
            self.ends[(e["job_id"], e["milestone"])] = e["ruling_end"]
        if name in CLOSING:
            assert not job["settled"], "a milestone closed after its job was settled"
            self.closed[(e["job_id"], e["milestone"])] += 1
            self.state[(e["job_id"], e["milestone"])] = "closed"
        elif name == "JobSettled":
            job["settled"] = True
        elif name in ("Paused", "Unpaused"):
            self.paused = name == "Paused"

    def _coin_index(self, address: str) -> int:
        return [a.lower() for a in self.token_addresses].index(address.lower())

    # --- choosing targets ------------------------------------------------------

    def _running(self) -> list[dict]:
        return [j for j in self.jobs if not j["ended"]]

    def _unfunded(self) -> list[dict]:
        return [j for j in self._running() if j["funded"] < len(j["amounts"]) and not j["cancelled"]]

    def _milestones(self, wanted, live=None) -> list[tuple[dict, int]]:
        """(job, index) of running jobs whose modelled state is `wanted` (None: funded, not submitted)."""
        found = []
        for j in self._running():
            for index in range(j["funded"]):
                key = (j["id"], index)
                if self.state.get(key) == wanted and (live is None or live(key)):
                    found.append((j, index))
        return found

    def _target(self, job, index, aim, wanted, live=None):
        """Aimed at a milestone in the right state when `aim`; any (often refused) otherwise."""
        if aim and (found := self._milestones(wanted, live)):
            return found[job % len(found)]
        j = self._job(job)
        return (j, index) if j is not None else None

    def _job(self, index, among=None):
        jobs = self.jobs if among is None else among
        return jobs[index % len(jobs)] if jobs else None

    # --- rules -----------------------------------------------------------------

    @rule(
        client=st.integers(0, 1),
        freelancer=st.integers(0, 1),
        token=st.integers(0, 2),
        amounts=st.lists(st.integers(1, 1_000), min_size=1, max_size=3),
        fund=st.integers(0, 3),
        permit=st.booleans(),
    )
    def create(self, client, freelancer, token, amounts, fund, permit):
        client, hired = self.clients[client], self.freelancers[freelancer]
        amounts = [a * UNIT for a in amounts]
        fund = min(fund, len(amounts))
        now = self._now()
        deadlines = [now + (i + 1) * 5 * DAY for i in range(len(amounts))]
        terms = make_terms(self.arbiter, amounts, deadlines, platform_fee_bps=self.fee_bps)
        value = sum(amounts[:fund]) if token == NATIVE else 0  # ERC-20 allowances are unlimited (set up once)
        args = (hired, self.token_addresses[token], terms, b"\x00" * 32, fund)
        if permit:  # a real permit for the unlimited allowance the client already gave (ETH: refused)
            args += self._permit(client, token, now + DAY)
        paused = self.paused
        events = self._send("create_job_with_permit" if permit else "create_job", *args, sender=client, value=value)
        assert not (paused and events), "a job was created while new jobs were paused"
        if events is not None:
            (job_id,) = [e["job_id"] for name, e in events if name == "JobCreated"]
            assert job_id == len(self.jobs) + 1
            self.jobs.append(
                {
                    "id": job_id,
                    "terms": terms,
                    "token": token,
                    "client": client,
                    "freelancer": hired,
                    "amounts": amounts,
                    "funded": fund,
                    "cancelled": False,
                    "settled": False,
                    "ended": False,
                }
            )

    def _permit(self, client, token, deadline) -> tuple:
        coin = self.coins[token]
        if coin is None:
            return (MAX, deadline, 27, b"\x00" * 32, b"\x00" * 32)
        (nonce,) = self._read(coin, "nonces", client)
        (name,) = self._read(coin, "name")
        typed = {
            "types": {
                "EIP712Domain": [
                    {"name": "name", "type": "string"},
                    {"name": "version", "type": "string"},
                    {"name": "chainId", "type": "uint256"},
                    {"name": "verifyingContract", "type": "address"},
                ],
                "Permit": [
                    {"name": "owner", "type": "address"},
                    {"name": "spender", "type": "address"},
                    {"name": "value", "type": "uint256"},
                    {"name": "nonce", "type": "uint256"},
                    {"name": "deadline", "type": "uint256"},
                ],
            },
            "primaryType": "Permit",
            "domain": {"name": name, "version": "1", "chainId": WORLD["chain_id"], "verifyingContract": coin.address},
            "message": {
                "owner": client,
                "spender": self.escrow.address,
                "value": MAX,
                "nonce": nonce,
                "deadline": deadline,
            },
        }
        signed = Account.sign_message(encode_typed_data(full_message=typed), self.keys[client])
        return (MAX, deadline, signed.v, signed.r.to_bytes(32, "big"), signed.s.to_bytes(32, "big"))

    @rule(job=st.integers(0, 20), count=st.integers(0, 2), aim=st.booleans())
    def fund(self, job, count, aim):
        unfunded = self._unfunded()
        if (j := self._job(job, unfunded if aim and unfunded else None)) is None:
            return
        first = j["funded"]
        value = sum(j["amounts"][first : first + count]) if j["token"] == NATIVE else 0
        if self._send("fund", j["id"], count, j["terms"], sender=j["client"], value=value) is not None:
            j["funded"] += count

    @rule(job=st.integers(0, 20), index=st.integers(0, 2), aim=st.booleans())
    def submit(self, job, index, aim):
        if (t := self._target(job, index, aim, None)) is not None:
            j, index = t
            self._send("submit", j["id"], index, b"\x01" * 32, j["terms"], sender=j["freelancer"])

    @rule(job=st.integers(0, 20), index=st.integers(0, 2), aim=st.booleans())
    def approve(self, job, index, aim):
        if (t := self._target(job, index, aim, "submitted")) is not None:
            j, index = t
            self._send("approve", j["id"], index, sender=j["client"])

    @rule(job=st.integers(0, 20), index=st.integers(0, 2), aim=st.booleans())
    def release(self, job, index, aim):
        if (t := self._target(job, index, aim, "submitted")) is not None:
            j, index = t
            if aim:  # wait for the review period to end
                self._travel_to(self.ends.get((j["id"], index), 0))
            self._send("release", j["id"], index, sender=self.stranger)

    @rule(job=st.integers(0, 20), index=st.integers(0, 2), aim=st.booleans())
    def reclaim(self, job, index, aim):
        if (t := self._target(job, index, aim, None)) is not None:
            j, index = t
            if aim and index < len(j["amounts"]):  # wait for the deadline to pass
                self._travel_to(j["terms"][5][index][1] + 1)
            self._send("reclaim", j["id"], index, j["terms"], sender=self.stranger)

    @rule(job=st.integers(0, 20), index=st.integers(0, 2), by_client=st.booleans(), aim=st.booleans())
    def dispute(self, job, index, by_client, aim):
        now = self._now()
        if (t := self._target(job, index, aim, "submitted", lambda key: now < self.ends[key])) is not None:
            j, index = t
            self._send("dispute", j["id"], index, sender=j["client"] if by_client else j["freelancer"])

    @rule(
        job=st.integers(0, 20),
        index=st.integers(0, 2),
        bps=st.sampled_from([0, 1, 3_333, 5_000, 9_999, 10_000, 10_001]),
        by_arbiter=st.booleans(),
        aim=st.booleans(),
    )
    def resolve(self, job, index, bps, by_arbiter, aim):
        now = self._now()
        if (t := self._target(job, index, aim, "disputed", lambda key: now < self.ends[key])) is not None:
            j, index = t
            who = self.arbiter if by_arbiter or aim else j["client"]
            self._send("resolve", j["id"], index, bps, j["terms"], sender=who)

    @rule(job=st.integers(0, 20), index=st.integers(0, 2), by_client=st.booleans(), aim=st.booleans())
    def default_ruling(self, job, index, by_client, aim):
        if (t := self._target(job, index, aim, "disputed")) is not None:
            j, index = t
            if aim:  # wait for the ruling window to end (the default applies from its last second on)
                self._travel_to(self.ends.get((j["id"], index), 0))
            who = j["client"] if by_client else j["freelancer"]
            self._send("apply_default_ruling", j["id"], index, sender=who)

    @rule(job=st.integers(0, 20), bps=st.sampled_from([0, 2_500, 5_000, 10_000]), stale=st.booleans())
    def settle(self, job, bps, stale):
        if (j := self._job(job, self._running() or None)) is None:
            return
        view = self._read(self.escrow, "get_job", j["id"])[0]
        nonce = max(view[8] - stale, 0)  # a stale nonce: signatures of an earlier state of the job
        (digest,) = self._read(self.escrow, "settlement_digest", j["id"], bps, nonce)
        sigs = [Account.unsafe_sign_hash(digest, self.keys[who]).signature for who in (j["client"], j["freelancer"])]
        self._send("settle", j["id"], bps, j["terms"], *sigs, sender=self.stranger)

    @rule(job=st.integers(0, 20), aim=st.booleans())
    def cancel_unfunded(self, job, aim):
        unfunded = self._unfunded()
        if (j := self._job(job, unfunded if aim and unfunded else None)) is not None:
            if self._send("cancel_unfunded", j["id"], sender=j["client"]) is not None:
                j["cancelled"] = True

    @rule(job=st.integers(0, 20), by_client=st.booleans())
    def increment_nonce(self, job, by_client):
        if (j := self._job(job)) is not None:
            self._send("increment_nonce", j["id"], sender=j["client"] if by_client else j["freelancer"])

    @rule(job=st.integers(0, 20), by_client=st.booleans(), score=st.integers(0, 5), aim=st.booleans())
    def rate(self, job, by_client, score, aim):
        ended = [j for j in self.jobs if j["ended"]]
        if (j := self._job(job, ended if aim and ended else None)) is not None:
            who = j["client"] if by_client else j["freelancer"]
            self._send("rate", j["id"], score, b"\x02" * 32, sender=who)

    @rule(who=st.integers(0, 5), token=st.integers(0, 2), to=st.integers(0, 6), aim=st.booleans())
    def withdraw(self, who, token, to, aim):
        account, recipients = self.payees[who], [*self.payees, self.stranger]
        holders = sorted(key for key, amount in self.credits.items() if amount)
        if aim and holders:  # a credit holder, to an address that can receive (a blocked one cannot)
            token, holder = holders[who % len(holders)]
            account = _checksum(holder, self.payees)
            recipients = [r for r in recipients if r not in self.blocked]
        self._send("withdraw", self.token_addresses[token], recipients[to % len(recipients)], sender=account)

    @rule(token=st.integers(0, 2))
    def collect_fees(self, token):
        self._send("collect_fees", self.token_addresses[token], sender=self.stranger)

    @rule(who=st.integers(0, 5), blocked=st.booleans())
    def block(self, who, blocked):
        """The blocklisting token blocks or unblocks a party or a fee recipient (never the stranger)."""
        account, blocky = self.payees[who], self.coins[BLOCKY]
        self.steps_checked = False
        receipt = self.node.send(self.owner, blocky.address, blocky.data("set_blocked", account, blocked))
        assert receipt["status"] == "0x1"
        (self.blocked.add if blocked else self.blocked.discard)(account)

    @rule(
        action=st.sampled_from(["pause", "unpause", "set_platform_fee", "set_fee_recipient"]),
        bps=st.sampled_from([0, 100, 500, 501]),
        recipient=st.integers(0, 5),
        by_owner=st.booleans(),
    )
    def administer(self, action, bps, recipient, by_owner):
        """The owner's settings: they change new jobs only, never a running one."""
        args = {"set_platform_fee": (bps,), "set_fee_recipient": (self.payees[recipient],)}.get(action, ())
        if self._send(action, *args, sender=self.owner if by_owner else self.stranger) is not None:
            if action == "set_platform_fee":
                self.fee_bps = bps

    @rule(seconds=st.sampled_from([1, REVIEW, RULING, 5 * DAY, 11 * DAY]))
    def travel(self, seconds):
        self.node.set_next_timestamp(self._now() + seconds)

    # --- aimed rules: enabled only when the model has a target, so deep paths are reached often ----------

    @precondition(lambda self: self._milestones("submitted"))
    @rule(job=st.integers(0, 20), by_client=st.booleans())
    def dispute_a_submission(self, job, by_client):
        self.dispute(job, 0, by_client, aim=True)

    @precondition(lambda self: self._milestones("disputed"))
    @rule(job=st.integers(0, 20), bps=st.sampled_from([0, 1, 3_333, 5_000, 9_999, 10_000]))
    def resolve_a_dispute(self, job, bps):
        self.resolve(job, 0, bps, by_arbiter=True, aim=True)

    @precondition(lambda self: self._milestones("disputed"))
    @rule(job=st.integers(0, 20), by_client=st.booleans())
    def default_ruling_after_the_window(self, job, by_client):
        self.default_ruling(job, 0, by_client, aim=True)

    @precondition(lambda self: self._milestones("submitted"))
    @rule(job=st.integers(0, 20))
    def release_after_review(self, job):
        self.release(job, 0, aim=True)

    @precondition(lambda self: any(j["token"] == BLOCKY for j in self._running()))
    @rule(job=st.integers(0, 20), client=st.booleans())
    def block_a_payee(self, job, client):
        """The blocklisting token blocks a party of a running job paid in it: its next payout is credited."""
        j = self._job(job, [j for j in self._running() if j["token"] == BLOCKY])
        self.block(self.payees.index(j["client"] if client else j["freelancer"]), blocked=True)

    @precondition(lambda self: any(self.credits.values()))
    @rule(who=st.integers(0, 5), to=st.integers(0, 6))
    def withdraw_a_credit(self, who, to):
        self.withdraw(who, 0, to, aim=True)

    @precondition(lambda self: self._unfunded())
    @rule(job=st.integers(0, 20), count=st.integers(1, 2))
    def fund_a_job(self, job, count):
        self.fund(job, count, aim=True)

    @precondition(lambda self: self._milestones(None))
    @rule(job=st.integers(0, 20))
    def reclaim_after_the_deadline(self, job):
        self.reclaim(job, 0, aim=True)

    @rule(
        action=st.sampled_from(["pause or unpause", "set_platform_fee", "set_fee_recipient"]),
        bps=st.sampled_from([0, 100, 500]),
        recipient=st.integers(0, 5),
    )
    def owner_changes_a_setting(self, action, bps, recipient):
        if action == "pause or unpause":
            action = "unpause" if self.paused else "pause"
        self.administer(action, bps, recipient, by_owner=True)

    @precondition(lambda self: self.paused)
    @rule()
    def unpause_new_jobs(self):
        self.administer("unpause", 0, 0, by_owner=True)

    @precondition(lambda self: self._milestones("submitted"))
    @rule(job=st.integers(0, 20))
    def approve_a_submission(self, job):
        self.approve(job, 0, aim=True)

    @precondition(lambda self: any(j["ended"] for j in self.jobs))
    @rule(job=st.integers(0, 20), by_client=st.booleans(), score=st.integers(1, 5))
    def rate_an_ended_job(self, job, by_client, score):
        self.rate(job, by_client, score, aim=True)

    # --- invariants ------------------------------------------------------------

    def ledger_matches_chain(self):
        """Balances, credits, fees and reputation on chain against the ledger, in one round trip."""
        if not self.dirty:
            return
        self.dirty = False
        requests = [("eth_getBalance", [self.escrow.address, "latest"])]
        for coin in self.coins[:NATIVE]:
            requests.append(_call(coin, "balanceOf", self.escrow.address))
        requests += [_call(self.escrow, "fees_accrued", t) for t in self.token_addresses]
        credit_keys = [(t, who) for t in range(3) for who in self.payees]
        requests += [_call(self.escrow, "credits", self.token_addresses[t], who) for t, who in credit_keys]
        requests += [_call(self.reputation, "stats", who) for who in self.parties]
        results = self.node.batch(requests)
        balances = [int(r, 16) for r in results[:3]]
        balances = balances[1:] + balances[:1]  # token, blocky, ETH
        fees = [int(r, 16) for r in results[3:6]]
        credits = [int(r, 16) for r in results[6 : 6 + len(credit_keys)]]
        stats = [self.reputation.result("stats", bytes.fromhex(r[2:]))[0] for r in results[6 + len(credit_keys) :]]
        for t in range(3):
            delivered = self.paid_out[t] - self.credited[t]
            assert balances[t] == self.funded[t] - delivered - self.withdrawn[t], f"conservation, token {t}"
            assert fees[t] == self.fees[t], f"accrued fees, token {t}"
        for (t, who), credit in zip(credit_keys, credits, strict=True):
            assert credit == self.credits[(t, who.lower())], f"credit of {who}, token {t}"
        for who, now in zip(self.parties, stats, strict=True):
            before, expected = self.stats[who], self.expected[who]
            assert (now[0], now[1]) == (expected[0], expected[1]), f"completed jobs of {who}"
            assert (now[5], now[6]) == (expected[5], expected[6]), f"ratings of {who}"
            if now[2:5] != before[2:5]:
                assert self.job_ended_since_check, f"dispute record of {who} changed without a job ending"
            self.stats[who] = now
        self.job_ended_since_check = False

    def nothing_closed_twice(self):
        assert all(count == 1 for count in self.closed.values())

    @invariant()
    def every_check(self):
        if not hasattr(self, "closed"):
            return
        self.ledger_matches_chain()
        self.nothing_closed_twice()
        self.steps_checked = True


def _call(contract: RawContract, method: str, *args) -> tuple[str, list]:
    return ("eth_call", [{"to": contract.address, "data": contract.data(method, *args)}, "latest"])


def _checksum(address: str, accounts: list[str]) -> str:
    """The account in `accounts` (checksummed) that `address` is, in any case."""
    (account,) = [a for a in accounts if a.lower() == address.lower()]
    return account


@pytest.fixture
def world(project, escrow, reputation, token, owner, accounts, client, freelancer, arbiter, stranger, fee_recipient):
    blocky = owner.deploy(project.blocklist_token_mock)
    clients, freelancers = [client, accounts[6]], [freelancer, accounts[7]]
    for who in clients:
        for coin in (token, blocky):
            coin.mint(who, 10**9 * UNIT, sender=owner)
            coin.approve(escrow, MAX, sender=who)
    node = Node(chain.provider.http_uri)
    # Each block one second after the last, whatever the wall clock: runs are reproducible.
    node.request("anvil_setBlockTimestampInterval", 1)
    WORLD.update(
        node=node,
        escrow=RawContract(escrow),
        reputation=RawContract(reputation),
        token=RawContract(token),
        blocky=RawContract(blocky),
        clients=[str(c) for c in clients],
        freelancers=[str(f) for f in freelancers],
        arbiter=str(arbiter),
        stranger=str(stranger),
        owner=str(owner),
        fee_recipient=str(fee_recipient),
        keys={str(a): a.private_key for a in (*clients, *freelancers)},
        fee_bps=escrow.platform_fee_bps(),
        chain_id=chain.chain_id,
    )
    yield WORLD
    node.request("anvil_removeBlockTimestampInterval")
    WORLD.clear()


def test_escrow_state_machine(world):
    REACHED.clear()
    REFUSED.clear()
    run_state_machine_as_test(
        EscrowMachine,
        settings=settings(PROFILE, suppress_health_check=list(HealthCheck), derandomize=not SLOW),
    )
    missing = sorted(ACTIONS - set(REACHED))
    assert not missing, f"never succeeded: {missing}; {REACHED}; {REFUSED}"
    if SLOW or os.environ.get("JIEDAN_EXAMPLES"):
        print(f"\nreached: {dict(REACHED)}\nrefused: {dict(REFUSED)}")
