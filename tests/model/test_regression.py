"""The audit's thefts, written against v2: each must FAIL with the spec's reason. Every call
runs on the contract and the model side by side (conservation and every view checked after
every step). tests/model/test_v1_regression.py shows the same thefts succeeding on v1."""

from __future__ import annotations

import boa
import pytest
from eth_utils import keccak

from . import chain, eip712
from . import reference as R
from .harness import DAY, World, v2_available
from .scenario import Scenario

pytestmark = pytest.mark.skipif(not v2_available(), reason="escrow v2 not on this branch yet")


@pytest.fixture(scope="module")
def world():
    return World()


@pytest.fixture
def sc(world):
    with boa.env.anchor():
        yield Scenario(world)


def test_escrow_lands_at_the_create_address_predicted_from_the_deployer_nonce(world):
    assert world.escrow.address.lower() == world.predicted_escrow
    assert world.names["escrow"] == world.predicted_escrow


def test_v2__unfunded_job_approving_another_jobs_milestone_through_aliased_index__refused(sc):
    thief = sc.create(sc.terms(client="c2", freelancer="f2", arbiter="s2", amounts=(1,)), fund=0)
    sc.create(sc.terms(amounts=(5_000,)))
    victim_t = sc.terms(amounts=(1_000,))
    victim = sc.create(victim_t)
    assert (thief, victim) == (1, 3)
    sc.call("submit", "f1", job_id=victim, terms=victim_t, milestone=0, deliverable_hash=b"\x01" * 32)
    thief_t = sc.m.jobs[thief].terms
    for idx in (victim << 8, 3 << 8, 256, 255, 1, 2**255, 2**256 - 1):
        out = sc.call("approve", "c2", job_id=thief, terms=thief_t, milestone=idx)
        assert out.reason == "escrow: no such milestone"
    # the victim's terms under the thief's job id
    assert sc.call("approve", "c2", job_id=thief, terms=victim_t, milestone=0).reason == "escrow: wrong terms"
    assert sc.call("approve", "c2", job_id=victim, terms=victim_t, milestone=0).reason == "escrow: not client"
    assert sc.balance("std", "f2") == 0
    sc.check_all()


def test_v2__unfunded_job_disputing_and_ruling_on_another_jobs_milestone__refused(sc):
    thief_t = sc.terms(client="c2", freelancer="f2", arbiter="s2", amounts=(1,))
    thief = sc.create(thief_t, fund=0)
    sc.create(sc.terms(amounts=(5_000,)))
    victim_t = sc.terms(amounts=(1_000,))
    victim = sc.create(victim_t)
    sc.call("submit", "f1", job_id=victim, terms=victim_t, milestone=0, deliverable_hash=b"\x01" * 32)
    alias = victim << 8
    assert sc.call("dispute", "c2", job_id=thief, terms=thief_t, milestone=alias).reason == "escrow: no such milestone"
    assert sc.call("dispute", "c2", job_id=victim, terms=victim_t, milestone=0).reason == "escrow: not a party"
    out = sc.call("resolve", "s2", job_id=thief, terms=thief_t, milestone=alias, freelancer_bps=10_000)
    assert out.reason == "escrow: no such milestone"
    out = sc.call("resolve", "s2", job_id=victim, terms=victim_t, milestone=0, freelancer_bps=10_000)
    assert out.reason == "escrow: not arbiter"
    sc.time(sc.m.now + 8 * DAY)
    out = sc.call("apply_default_ruling", "c2", job_id=thief, terms=thief_t, milestone=alias)
    assert out.reason == "escrow: no such milestone"
    assert sc.balance("std", "f2") == 0 and sc.balance("std", "s2") == 0
    sc.check_all()


def test_v2__settled_job_paid_twice__refused(sc):
    thief_t = sc.terms(client="c2", freelancer="f2", arbiter="s2", amounts=(1,))
    thief = sc.create(thief_t, fund=0)
    sc.create(sc.terms(amounts=(5_000,)))
    t = sc.terms(amounts=(1_000,))
    job = sc.create(t)
    sc.call("submit", "f1", job_id=job, terms=t, milestone=0, deliverable_hash=b"\x01" * 32)
    assert sc.call("settle", "c1", job_id=job, terms=t, **sc.settle_sigs(job, 10_000)).ok
    paid = sc.balance("std", "f1")
    assert paid == 1_000 - R.fee(1_000, sc.m.platform_fee_bps)
    assert sc.call("approve", "c1", job_id=job, terms=t, milestone=0).reason == "escrow: job ended"
    sc.time(sc.m.now + 4 * DAY)
    assert sc.call("release", "s", job_id=job, terms=t, milestone=0).reason == "escrow: job ended"
    assert sc.call("settle", "s", job_id=job, terms=t, **sc.settle_sigs(job, 10_000)).reason == "escrow: job ended"
    assert sc.call("approve", "c2", job_id=thief, terms=thief_t, milestone=job << 8).reason == (
        "escrow: no such milestone"
    )
    assert sc.balance("std", "f1") == paid and sc.balance("std", "f2") == 0
    sc.check_all()


def test_v2__eth_job_draining_eth_for_a_token_milestone__refused(sc):
    thief_t = sc.terms(client="c2", freelancer="f2", arbiter="s2", token="eth", amounts=(1,))
    thief = sc.create(thief_t, fund=0)
    sc.create(sc.terms(token="eth", amounts=(50 * 10**18,)))
    victim_t = sc.terms(amounts=(40 * 10**18,))
    victim = sc.create(victim_t)
    sc.call("submit", "f1", job_id=victim, terms=victim_t, milestone=0, deliverable_hash=b"\x01" * 32)
    eth_before = sc.balance("eth", "f2")
    assert sc.call("approve", "c2", job_id=thief, terms=thief_t, milestone=victim << 8).reason == (
        "escrow: no such milestone"
    )
    # the victim's schedule under the thief's ETH job: not the thief job's terms
    forged = thief_t.replace(milestones=victim_t.milestones)
    assert sc.call("approve", "c2", job_id=thief, terms=forged, milestone=0).reason == "escrow: wrong terms"
    forged = victim_t.replace(token=R.ETH)
    assert sc.call("approve", "c1", job_id=victim, terms=forged, milestone=0).reason == "escrow: wrong terms"
    assert sc.balance("eth", "f2") == eth_before
    assert sc.balance("eth", "escrow") == 50 * 10**18
    sc.check_all()


def test_v2__old_terms_refused_after_an_amendment(sc):
    t = sc.terms(amounts=(1_000, 2_000))
    job = sc.create(t, fund=1)
    d = eip712.digest(sc.m.domain, eip712.extend_hash(job, 0, 20 * DAY, 0, sc.m.now))
    sig = sc.sign(t.freelancer, d)
    assert sc.call("extend_deadline", "c1", job_id=job, terms=t, milestone=0, new_duration=20 * DAY,
                   expiry=sc.m.now, signature=sig).ok  # fmt: skip
    assert sc.call("submit", "f1", job_id=job, terms=t, milestone=0, deliverable_hash=b"").reason == (
        "escrow: wrong terms"
    )
    assert sc.call("create_job", "c1", terms=t, consent=sc.consent(t), fund_count=0).reason == "escrow: consent used"
    new_t = sc.m.jobs[job].terms
    assert sc.call("create_job", "c1", terms=new_t, consent=sc.consent(new_t), fund_count=0).reason == (
        "escrow: consent used"
    )
    assert sc.call("submit", "f1", job_id=job, terms=new_t, milestone=0, deliverable_hash=b"").ok


def test_v2__consent_from_a_multisig_wallet_longer_than_65_bytes(sc):
    t = sc.terms(freelancer="msig")
    sig = sc.consent(t)
    assert len(sig) == 130
    assert sc.call("create_job", "c1", terms=t, consent=sig[:65], fund_count=0).reason == "escrow: bad consent"
    assert sc.call("create_job", "c1", terms=t, consent=sig[65:] + sig[:65], fund_count=0).reason == (
        "escrow: bad consent"
    )
    assert sc.call("create_job", "c1", terms=t, consent=sig, fund_count=1).ok


def test_v2__consent_from_a_wallet_that_burns_gas_in_isValidSignature(sc):
    t = sc.terms(freelancer="burnv")
    res = chain.send(sc.a("escrow"), sc.w.eabi.encode("create_job", {"terms": t, "consent": b"\x00" * 65,
                                                                      "fund_count": 0}), sc.a("c1"))  # fmt: skip
    assert res.reason == "escrow: bad consent"
    assert res.gas_used < 150_000 + 400_000  # the 1271 call is capped


def test_v2__gas_burning_recipient__payouts_bounded_and_credited(sc):
    t = sc.terms(freelancer="burn", token="eth", amounts=(10**18,))
    job = sc.create(t)
    sc.call("submit", "burn", job_id=job, terms=t, milestone=0, deliverable_hash=b"")
    to, data, sender = sc.r.encode(R.Call("approve", sc.a("c1"), {"job_id": job, "terms": t, "milestone": 0}))
    with boa.env.anchor():
        res = chain.send(to, data, sender)
        assert res.ok and res.gas_used < 600_000, res.gas_used
    assert sc.call("approve", "c1", job_id=job, terms=t, milestone=0).ok
    assert sc.m.credit(R.ETH, sc.a("burn")) > 0  # the model says: credited
    sc.check_all()


def test_v2__no_gas_limit_turns_a_payout_into_a_credit(sc):
    """A caller choosing the gas (anyone may release) can make the call revert, never make the
    freelancer's payout fail into a credit, nor end the job without its reputation record."""
    t = sc.terms(amounts=(1_000,))
    job = sc.create(t)
    sc.call("submit", "f1", job_id=job, terms=t, milestone=0, deliverable_hash=b"")
    sc.time(sc.m.now + 3 * DAY)
    call = R.Call("release", sc.a("s"), {"job_id": job, "terms": t, "milestone": 0})
    to, data, sender = sc.r.encode(call)
    bad = []
    for gas in range(60_000, 700_000, 7_000):
        with boa.env.anchor():
            boa.env.timestamp = sc.m.now
            res = chain.send(to, data, sender, gas=gas)
            if res.ok:
                if sc.r.credit(sc.a("std"), sc.a("f1")) != 0 or sc.balance("std", "f1") == 0:
                    bad.append((gas, "payout credited"))
                stats = chain.view(sc.a("rep"), sc.w.rabi.encode_pos("stats", sc.a("f1")), sc.w.rabi.out_types("stats"))
                if stats[0][1] != 1:
                    bad.append((gas, "job ended without its reputation record"))
    assert not bad, bad


def test_v2__reentrant_token_hook_re_enters_every_entry_point(sc, world):
    """The reentrant token calls back, through the attacker wallet (a party) and directly,
    into each entry point in turn while a payout is made; the model checks each outcome."""
    t = sc.terms(client="atk", freelancer="f1", token="reent", amounts=(1_000,) * 8, durations=[30 * DAY] * 8)
    job = sc.create(t)
    calls = []
    args = {"job_id": job, "terms": t, "milestone": 1}
    for fn, extra in [
        ("approve", {}), ("release", {}), ("reclaim", {}), ("dispute", {}), ("apply_default_ruling", {}),
        ("submit", {"deliverable_hash": b"\x00" * 32}), ("increment_nonce", {}), ("cancel_unfunded", {}),
        ("rate", {"score": 5, "comment_hash": b"\x00" * 32}), ("fund", {"count": 1}),
        ("resolve", {"freelancer_bps": 1}),
        ("settle", {"freelancer_bps": 1, "expiry": 2**64, "client_signature": b"", "freelancer_signature": b""}),
        ("extend_deadline", {"new_duration": 40 * DAY, "expiry": 2**64, "signature": b""}),
        ("add_milestones", {"milestones": ((1, DAY),), "fund_count": 0, "expiry": 2**64, "signature": b""}),
        ("accept_with_deduction", {"freelancer_bps": 1, "expiry": 2**64, "signature": b""}),
    ]:  # fmt: skip
        a = {k: v for k, v in args.items() if not (k == "milestone" and fn in ("fund", "rate", "increment_nonce",
                                                                                "cancel_unfunded", "settle",
                                                                                "add_milestones"))}  # fmt: skip
        a.update(extra)
        calls.append(R.Call(fn, "", a))
    calls.append(R.Call("withdraw", "", {"token": sc.a("reent"), "to": sc.a("sink")}))
    calls.append(R.Call("collect_fees", "", {"token": sc.a("reent")}))
    calls.append(R.Call("create_job", "", {"terms": sc.terms(), "consent": b"", "fund_count": 0}))
    calls.append(R.Call("withdraw", "", {"token": sc.a("reent"), "to": sc.a("sink")}))
    for i, c in enumerate(calls):
        direct = i % 2 == 1
        c.sender, c.via = sc.a("reent"), (None if direct else sc.a("atk"))
        sc.r.env("arm", call=c, target=sc.a("escrow") if direct else sc.a("atk"))
        # a payout of the reentrant token to trigger the hook: a fresh small job each time
        tt = sc.terms(client="c1", token="reent", amounts=(10,))
        j2 = sc.create(tt)
        sc.call("submit", "f1", job_id=j2, terms=tt, milestone=0, deliverable_hash=b"")
        sc.call("approve", "c1", job_id=j2, terms=tt, milestone=0)
    sc.check_all()
    reentered = {k for k, v in sc.r.stats.hooks.items() if k.startswith("re-entered")}
    fns = {k.split()[1].rstrip(":") for k in reentered}
    print(dict(sc.r.stats.hooks))
    assert fns == {c.fn for c in calls}, f"not re-entered: {({c.fn for c in calls}) - fns}"


def test_v2__credited_payout_counts_as_paid(sc):
    """Spec, State: `paid` is "what reached the freelancer so far, net of fees, credited or sent";
    rate: `freelancer not paid` only when `paid == 0`; reputation: completed when `paid > 0`.

    Sequence: an ETH job whose freelancer is a contract wallet that cannot take ETH (it burns
    its 50,000 gas); the freelancer submits, the client approves: the payout is credited. The
    job has ended. Spec: paid > 0, the client may rate, the job counts as completed for both.
    """
    t = sc.terms(client="c1", freelancer="burn", token="eth", amounts=(10_000,))
    jid = chain_job = sc.create(t)
    w = sc.w
    sub = sc.r.encode(R.Call("submit", sc.a("op"), {"job_id": jid, "terms": t, "milestone": 0,
                                                   "deliverable_hash": b"\x01" * 32}, via=sc.a("burn")))  # fmt: skip
    assert chain.send(*sub[:2], sub[2]).ok
    app = sc.r.encode(R.Call("approve", sc.a("c1"), {"job_id": jid, "terms": t, "milestone": 0}))
    assert chain.send(*app[:2], app[2]).ok
    assert sc.r.credit(R.ETH, sc.a("burn")) == 10_000 - R.fee(10_000, 100)  # credited, as the spec says
    view = sc.job_view(chain_job)
    assert view["ended"]
    rate = sc.r.encode(R.Call("rate", sc.a("c1"), {"job_id": jid, "terms": t, "score": 5,
                                                  "comment_hash": b"\x00" * 32}))  # fmt: skip
    res = chain.send(*rate[:2], rate[2])
    assert view["paid"], "get_job says the freelancer was not paid"
    assert res.ok, f"rate reverted: {res.reason!r}"
    stats = chain.view(w.names["rep"], w.rabi.encode_pos("stats", sc.a("burn")), w.rabi.out_types("stats"))[0]
    assert stats[1] == 1, "the job does not count as completed for the freelancer"


def test_v2__reentrant_pull_hook_re_enters_every_entry_point_with_all_the_gas(sc):
    """A pull is not gas-capped: the reentrant token's hook, armed for the client's next deposit,
    calls back through the client's own wallet (a party) into each entry point while the escrow
    pulls. Whatever the contract decides (refuse or run the re-entered call), the model checks
    the outcome and every balance after it."""
    t = sc.terms(client="atk", freelancer="f1", token="reent", amounts=(1_000,) * 12, durations=[30 * DAY] * 12)
    job = sc.create(t, fund=2)
    sc.call("submit", "f1", job_id=job, terms=t, milestone=0, deliverable_hash=b"\x01" * 32)
    extra = {
        "approve": {"milestone": 0}, "release": {"milestone": 0}, "reclaim": {"milestone": 1},
        "dispute": {"milestone": 0}, "apply_default_ruling": {"milestone": 0},
        "submit": {"milestone": 1, "deliverable_hash": b"\x00" * 32}, "increment_nonce": {},
        "cancel_unfunded": {}, "rate": {"score": 5, "comment_hash": b"\x00" * 32}, "fund": {"count": 1},
        "resolve": {"milestone": 0, "freelancer_bps": 1},
        "settle": {"freelancer_bps": 1, "expiry": 2**64, "client_signature": b"", "freelancer_signature": b""},
        "extend_deadline": {"milestone": 1, "new_duration": 40 * DAY, "expiry": 2**64, "signature": b""},
        "add_milestones": {"milestones": ((1, DAY),), "fund_count": 0, "expiry": 2**64, "signature": b""},
        "accept_with_deduction": {"milestone": 0, "freelancer_bps": 1, "expiry": 2**64, "signature": b""},
    }  # fmt: skip
    calls = []
    for fn, a in extra.items():
        calls.append(R.Call(fn, "", {"job_id": job, **a}))
    calls += [
        R.Call("withdraw", "", {"token": sc.a("reent"), "to": sc.a("sink")}),
        R.Call("collect_fees", "", {"token": sc.a("reent")}),
        R.Call("create_job", "", {"terms": sc.terms(client="atk"), "consent": b"", "fund_count": 0}),
    ]
    for c in calls:
        if "job_id" in c.args:
            c.args["terms"] = sc.m.jobs[job].terms
            c.args = {"job_id": c.args.pop("job_id"), "terms": c.args.pop("terms"), **c.args}
        c.sender, c.via = sc.a("reent"), sc.a("atk")
        sc.r.env("arm", call=c, target=sc.a("atk"), sender=sc.a("atk"))
        jt = sc.m.jobs[job]
        if jt.open and jt.funded < len(jt.terms.milestones):
            sc.call("fund", "atk", job_id=job, terms=jt.terms, count=1)
        else:
            sc.create(sc.terms(client="atk", token="reent", amounts=(10,)))
    sc.check_all()
    print(dict(sc.r.stats.hooks))
    fns = {k.split()[1].rstrip(":") for k in sc.r.stats.hooks if k.startswith("re-entered")}
    assert fns == {c.fn for c in calls}


def test_v2__signer_with_code_and_a_known_key__ecdsa_is_tried_first(sc):
    """A valid 65-byte ECDSA signature recovering to the signer is valid even when the signer has
    code; only failing that is EIP-1271 asked. Here: the smart wallet's code, owner key k_smart,
    placed at the address of a key we hold (the practically impossible case, forced with
    set_code)."""
    wk = keccak(text="jiedan-model-wallet-with-a-key")
    wallet = eip712.address_of(wk)
    boa.env.set_code(wallet, boa.env.get_code(sc.a("smart")))
    boa.env.set_storage(wallet, 0, int(sc.a("k_smart"), 16))  # owner (slot 0): k_smart
    sc.m.add_account(wallet, R.Account("smart", owner=sc.a("k_smart")))
    t = sc.terms(freelancer="smart").replace(freelancer=wallet)
    d = eip712.digest(sc.m.domain, t.hash)
    own = eip712.sign(wk, d)
    # high s: not valid ECDSA; EIP-1271 then recovers the wallet's own address, not its owner
    assert sc.call("create_job", "c1", terms=t, consent=eip712.high_s(own), fund_count=1).reason == (
        "escrow: bad consent"
    )
    assert sc.call("create_job", "c1", terms=t, consent=own, fund_count=1).ok  # ECDSA, before EIP-1271
    t2 = sc.terms(freelancer="smart").replace(freelancer=wallet)
    owner_sig = sc.sign(wallet, eip712.digest(sc.m.domain, t2.hash))  # k_smart: EIP-1271 decides
    job = sc.call("create_job", "c1", terms=t2, consent=owner_sig, fund_count=1).ret
    # a settlement the wallet signs with its address's key, then with its owner key
    args = sc.settle_sigs(job, 4_000)
    sd = eip712.digest(sc.m.domain, eip712.settlement_hash(job, 4_000, 0, args["expiry"]))
    assert sc.call("settle", "s", job_id=job, terms=t2, **{**args, "freelancer_signature": eip712.sign(wk, sd)}).ok
    sc.check_all()
