"""A quick titanoboa smoke campaign of the (v1) escrow, for trying tools/mutate.py.

Deploys Reputation and Escrow from $JIEDAN_CONTRACTS_DIR (default: contracts/)
and walks ETH jobs through create, fund, submit, approve, release, reclaim,
dispute and resolve, the default ruling, settlement by signatures (with a
stale nonce refused), cancel, rating and fee collection, with a few reverts.
Exits non-zero at the first check that fails. It is not the kill suite:
tests/model is. Run it: `python tools/mutation_smoke.py`. It speaks the v1
interface (commit 9446412): on the v2 contracts it fails at deployment, so
tools/mutate.py's baseline check refuses it there.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import boa
from eth_account import Account
from eth_utils import keccak

CONTRACTS = Path(os.environ.get("JIEDAN_CONTRACTS_DIR") or Path(__file__).resolve().parents[1] / "contracts")
ETH = "0x" + "00" * 20
DAY = 86_400
REVIEW, RULING = 3 * DAY, 7 * DAY
PLATFORM_BPS, ARBITER_BPS = 100, 500
META = keccak(text="smoke")
DELIVERABLE = keccak(text="deliverable")


def check(condition: bool, what: str) -> None:
    if not condition:
        raise AssertionError(what)


class Smoke:
    def __init__(self) -> None:
        keyed = [Account.create() for _ in range(2)]  # client and freelancer sign settlements
        self.keys = {acct.address: acct for acct in keyed}
        self.client, self.freelancer = (acct.address for acct in keyed)
        self.owner, self.arbiter, self.stranger, self.fee_to = (boa.env.generate_address() for _ in range(4))
        for who in (self.client, self.freelancer, self.arbiter, self.stranger, self.owner):
            boa.env.set_balance(who, 10**24)
        with boa.env.prank(self.owner):
            self.rep = boa.load(str(CONTRACTS / "Reputation.vy"))
            self.escrow = boa.load(str(CONTRACTS / "Escrow.vy"), self.rep.address, PLATFORM_BPS, self.fee_to)
            self.rep.register_escrow(self.escrow.address)

    # -- helpers ------------------------------------------------------------------------

    def terms(self, amounts, deadlines=None, fee=PLATFORM_BPS, arbiter_bps=ARBITER_BPS):
        now = boa.env.timestamp
        deadlines = deadlines or [now + (i + 1) * 10 * DAY for i in range(len(amounts))]
        return (self.arbiter, arbiter_bps, fee, REVIEW, RULING, list(zip(amounts, deadlines, strict=True)))

    def create(self, amounts, fund=None):
        terms = self.terms(amounts)
        fund = len(amounts) if fund is None else fund
        value = sum(amounts[:fund])
        with boa.env.prank(self.client):
            job = self.escrow.create_job(self.freelancer, ETH, terms, META, fund, value=value)
        return job, terms

    def bal(self, who) -> int:
        return boa.env.get_balance(who)

    def sign(self, who, digest: bytes) -> bytes:
        sig = self.keys[who].unsafe_sign_hash(digest)
        return sig.r.to_bytes(32, "big") + sig.s.to_bytes(32, "big") + bytes([sig.v])

    # -- flows --------------------------------------------------------------------------

    def approve_and_release(self) -> None:
        amounts = [1_000_000, 2_000_000]
        job, terms = self.create(amounts)
        check(job == 1 and self.escrow.job_count() == 1, "job id")
        check(self.bal(self.escrow.address) == 3_000_000, "escrow holds the funding")
        view = self.escrow.get_job(job)
        check(view.client == self.client and view.freelancer == self.freelancer, "parties")
        check(view.milestone_count == 2 and view.funded_count == 2 and view.open_count == 2, "counts")
        with boa.reverts("escrow: not freelancer"), boa.env.prank(self.stranger):
            self.escrow.submit(job, 0, DELIVERABLE, terms)
        with boa.reverts("escrow: no such milestone"), boa.env.prank(self.freelancer):
            self.escrow.submit(job, 2, DELIVERABLE, terms)
        with boa.env.prank(self.freelancer):
            self.escrow.submit(job, 0, DELIVERABLE, terms)
        with boa.reverts("escrow: milestone not open"), boa.env.prank(self.freelancer):
            self.escrow.submit(job, 0, DELIVERABLE, terms)
        with boa.reverts("escrow: not client"), boa.env.prank(self.stranger):
            self.escrow.approve(job, 0)
        with boa.reverts("escrow: review period running"), boa.env.prank(self.stranger):
            self.escrow.release(job, 0)
        before = self.bal(self.freelancer)
        with boa.env.prank(self.client):
            self.escrow.approve(job, 0)
        check(self.bal(self.freelancer) - before == 990_000, "approve pays the freelancer less 1%")
        with boa.reverts("escrow: not submitted"), boa.env.prank(self.client):
            self.escrow.approve(job, 0)
        with boa.env.prank(self.freelancer):
            self.escrow.submit(job, 1, DELIVERABLE, terms)
        boa.env.time_travel(seconds=REVIEW - 60)
        with boa.reverts("escrow: review period running"), boa.env.prank(self.stranger):
            self.escrow.release(job, 1)
        boa.env.time_travel(seconds=60)
        before = self.bal(self.freelancer)
        with boa.env.prank(self.stranger):
            self.escrow.release(job, 1)
        check(self.bal(self.freelancer) - before == 1_980_000, "release pays the freelancer less 1%")
        view = self.escrow.get_job(job)
        check(view.ended and view.open_count == 0, "job ended")
        check(self.escrow.fees_accrued(ETH) == 30_000, "fees accrue when the job ends")
        check(self.bal(self.escrow.address) == 30_000, "only the fees stay")
        stats = self.rep.stats(self.freelancer)
        check(stats.jobs_as_freelancer == 1 and self.rep.stats(self.client).jobs_as_client == 1, "jobs recorded")
        check(self.rep.volume(self.freelancer, ETH).as_freelancer == 3_000_000, "volume recorded")
        check(self.rep.volume(self.client, ETH).as_client == 3_000_000, "client volume recorded")
        with boa.reverts("escrow: score out of range"), boa.env.prank(self.client):
            self.escrow.rate(job, 6, META)
        with boa.env.prank(self.client):
            self.escrow.rate(job, 5, META)
        with boa.reverts("escrow: already rated"), boa.env.prank(self.client):
            self.escrow.rate(job, 4, META)
        with boa.env.prank(self.freelancer):
            self.escrow.rate(job, 1, META)
        s = self.rep.stats(self.freelancer)
        check(s.rating_count == 1 and s.rating_sum == 5, "rating of the freelancer")
        check(self.rep.stats(self.client).rating_sum == 1, "rating of the client")
        self.escrow.collect_fees(ETH)
        check(self.bal(self.fee_to) == 30_000 and self.escrow.fees_accrued(ETH) == 0, "fees collected")
        with boa.reverts("settings: no fees to collect"):
            self.escrow.collect_fees(ETH)

    def fund_reclaim_dispute(self) -> None:
        amounts = [1_000_000, 2_000_000, 4_000_000]
        job, terms = self.create(amounts, fund=1)
        with boa.reverts("escrow: milestone not funded"), boa.env.prank(self.freelancer):
            self.escrow.submit(job, 1, DELIVERABLE, terms)
        with boa.reverts("escrow: bad fund count"), boa.env.prank(self.client):
            self.escrow.fund(job, 3, terms, value=6_000_000)
        with boa.reverts("payouts: wrong ETH amount"), boa.env.prank(self.client):
            self.escrow.fund(job, 1, terms, value=1)
        with boa.env.prank(self.client):
            self.escrow.fund(job, 1, terms, value=2_000_000)
        check(self.escrow.get_job(job).funded_count == 2, "funded one more")
        # milestone 0: submitted, disputed by the client, resolved 70% to the freelancer
        with boa.env.prank(self.freelancer):
            self.escrow.submit(job, 0, DELIVERABLE, terms)
        with boa.reverts("escrow: not a party"), boa.env.prank(self.stranger):
            self.escrow.dispute(job, 0)
        with boa.env.prank(self.client):
            self.escrow.dispute(job, 0)
        with boa.reverts("escrow: not arbiter"), boa.env.prank(self.client):
            self.escrow.resolve(job, 0, 7_000, terms)
        with boa.reverts("escrow: split above 100%"), boa.env.prank(self.arbiter):
            self.escrow.resolve(job, 0, 10_001, terms)
        f0, c0, a0 = self.bal(self.freelancer), self.bal(self.client), self.bal(self.arbiter)
        with boa.env.prank(self.arbiter):
            self.escrow.resolve(job, 0, 7_000, terms)
        # 5% arbiter fee (50_000), 70% of the rest (665_000) less 1% (6_650) to the freelancer
        check(self.bal(self.arbiter) - a0 == 50_000, "arbiter fee")
        check(self.bal(self.freelancer) - f0 == 658_350, "freelancer share")
        check(self.bal(self.client) - c0 == 285_000, "client share")
        # milestone 1: not submitted by its deadline, reclaimed for the client by anyone
        with boa.reverts("escrow: deadline not passed"), boa.env.prank(self.stranger):
            self.escrow.reclaim(job, 1, terms)
        boa.env.time_travel(seconds=20 * DAY + 1)
        with boa.reverts("escrow: deadline passed"), boa.env.prank(self.freelancer):
            self.escrow.submit(job, 1, DELIVERABLE, terms)
        c0 = self.bal(self.client)
        with boa.env.prank(self.stranger):
            self.escrow.reclaim(job, 1, terms)
        check(self.bal(self.client) - c0 == 2_000_000, "reclaim refunds the client")
        # milestone 2 was never funded: cancelling it ends the job
        with boa.reverts("escrow: not client"), boa.env.prank(self.freelancer):
            self.escrow.cancel_unfunded(job)
        with boa.env.prank(self.client):
            self.escrow.cancel_unfunded(job)
        view = self.escrow.get_job(job)
        check(view.ended and view.cancelled, "cancelled and ended")
        check(self.rep.stats(self.client).disputes_opened == 1, "dispute recorded")
        check(self.rep.stats(self.client).disputes_lost == 1, "ruling above 50% is the freelancer's win")
        check(self.escrow.fees_accrued(ETH) == 6_650, "fee of the ruling")

    def default_ruling(self) -> None:
        job, terms = self.create([3_000_001])
        with boa.env.prank(self.freelancer):
            self.escrow.submit(job, 0, DELIVERABLE, terms)
            self.escrow.dispute(job, 0)
        boa.env.time_travel(seconds=RULING - 60)
        with boa.reverts("escrow: ruling window running"), boa.env.prank(self.client):
            self.escrow.apply_default_ruling(job, 0)
        boa.env.time_travel(seconds=60)
        f0, c0 = self.bal(self.freelancer), self.bal(self.client)
        with boa.reverts("escrow: ruling window over"), boa.env.prank(self.arbiter):
            self.escrow.resolve(job, 0, 5_000, terms)
        with boa.env.prank(self.client):
            self.escrow.apply_default_ruling(job, 0)
        check(self.bal(self.freelancer) - f0 == 1_500_000 - 15_000, "half less 1% to the freelancer")
        check(self.bal(self.client) - c0 == 1_500_001, "the other half (and the odd unit) to the client")

    def settle(self) -> None:
        job, terms = self.create([1_000_000, 3_000_000])
        nonce = self.escrow.get_job(job).nonce
        digest = self.escrow.settlement_digest(job, 2_500, nonce)
        sigs = [self.sign(self.client, digest), self.sign(self.freelancer, digest)]
        with boa.env.prank(self.freelancer):
            self.escrow.increment_nonce(job)
        check(self.escrow.get_job(job).nonce == nonce + 1, "nonce bumped")
        with boa.reverts("escrow: bad client signature"):
            self.escrow.settle(job, 2_500, terms, *sigs)
        digest = self.escrow.settlement_digest(job, 2_500, nonce + 1)
        with boa.reverts("escrow: bad freelancer signature"):
            self.escrow.settle(job, 2_500, terms, self.sign(self.client, digest), self.sign(self.client, digest))
        sigs = [self.sign(self.client, digest), self.sign(self.freelancer, digest)]
        f0, c0 = self.bal(self.freelancer), self.bal(self.client)
        self.escrow.settle(job, 2_500, terms, *sigs)
        check(self.bal(self.freelancer) - f0 == 1_000_000 - 10_000, "a quarter less 1% to the freelancer")
        check(self.bal(self.client) - c0 == 3_000_000, "the rest to the client")
        with boa.reverts("escrow: job ended"):
            self.escrow.settle(job, 2_500, terms, *sigs)

    def admin(self) -> None:
        with boa.reverts("settings: fee above cap"), boa.env.prank(self.owner):
            self.escrow.set_platform_fee(501)
        with boa.reverts(), boa.env.prank(self.stranger):
            self.escrow.set_platform_fee(200)
        with boa.env.prank(self.owner):
            self.escrow.set_platform_fee(500)
            self.escrow.pause()
        check(self.escrow.platform_fee_bps() == 500 and self.escrow.paused(), "fee and pause set")
        with boa.reverts("settings: new jobs paused"), boa.env.prank(self.client):
            self.escrow.create_job(self.freelancer, ETH, self.terms([10], fee=500), META, 1, value=10)
        with boa.env.prank(self.owner):
            self.escrow.unpause()
        with boa.reverts("escrow: platform fee changed"), boa.env.prank(self.client):
            self.escrow.create_job(self.freelancer, ETH, self.terms([10]), META, 1, value=10)
        with boa.reverts("escrow: arbiter fee above cap"), boa.env.prank(self.client):
            self.escrow.create_job(
                self.freelancer, ETH, self.terms([10], fee=500, arbiter_bps=1_001), META, 1, value=10
            )
        with boa.reverts("escrow: client is freelancer"), boa.env.prank(self.client):
            self.escrow.create_job(self.client, ETH, self.terms([10], fee=500), META, 1, value=10)
        with boa.reverts("reputation: caller is not a registered escrow"), boa.env.prank(self.stranger):
            self.rep.record_rating(1, self.stranger, self.client, 5, META)


def main() -> int:
    if os.environ.get("JIEDAN_MUTATION"):
        # Keep the mutants' compiled artifacts out of ~/.cache/titanoboa: in the worker's
        # scratch directory tools/mutate.py removes at the end (so the contracts a mutant
        # leaves alone are compiled once per worker), or a throw-away one. (boa 0.2.8 with
        # no cache at all fails to compute source maps.)
        scratch = os.environ.get("JIEDAN_MUTATION_SCRATCH")
        if scratch:
            boa.interpret.set_cache_dir(Path(scratch) / "boa-cache")
            return campaign()
        with tempfile.TemporaryDirectory(prefix="boa-cache-") as cache:
            boa.interpret.set_cache_dir(cache)
            return campaign()
    return campaign()


def campaign() -> int:
    smoke = Smoke()
    for step in (
        smoke.approve_and_release,
        smoke.fund_reclaim_dispute,
        smoke.default_ruling,
        smoke.settle,
        smoke.admin,
    ):
        try:
            step()
        except Exception as exc:  # a mutant can fail any way
            sys.stdout.write(f"FAILED {step.__name__}: {type(exc).__name__}: {str(exc)[:500]}\n")
            return 1
    sys.stdout.write("smoke: all checks passed\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
