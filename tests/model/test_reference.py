"""Hand-written scenarios for the reference model: every expected number and reason below was
worked out by hand from docs/escrow-v2.md, not by running the model."""

import pytest
from eth_utils import keccak

from . import eip712
from . import reference as R
from .reference import Account, Call, Model, Terms, Token

DAY = 86_400
T0 = 1_800_000_000


def key(name):
    return keccak(text=name)


CLIENT_K, FREEL_K, ARB_K, STRANGER_K, OWNER_K, W_K = (key(n) for n in ("c", "f", "a", "s", "o", "w"))
CLIENT, FREEL, ARB, STRANGER, OWNER = (eip712.address_of(k) for k in (CLIENT_K, FREEL_K, ARB_K, STRANGER_K, OWNER_K))
ESCROW = "0x" + "e5" * 20
REP = "0x" + "7e" * 20
TOKEN = "0x" + "70" * 20
BLOCK = "0x" + "b1" * 20
FEES = "0x" + "fe" * 20


@pytest.fixture
def m():
    model = Model(
        chain_id=1, escrow=ESCROW, reputation=REP, owner=OWNER, rep_owner=OWNER, fee_bps=100, fee_recipient=FEES, now=T0
    )
    for a, k in ((CLIENT, CLIENT_K), (FREEL, FREEL_K), (ARB, ARB_K), (STRANGER, STRANGER_K), (OWNER, OWNER_K)):
        model.add_account(a, Account("eoa", key=k))
        model.eth[a] = 10**24
    for addr, kind in ((TOKEN, "standard"), (BLOCK, "blocklist")):
        tok = Token(addr, kind, kind)
        tok.balances[CLIENT] = 10**30
        tok.allowances[(CLIENT, ESCROW)] = R.UINT256_MAX
        model.add_token(tok)
    model.add_account(ESCROW, Account("contract"))
    return model


def terms(**kw):
    d = {
        "client": CLIENT,
        "freelancer": FREEL,
        "token": TOKEN,
        "arbiter": ARB,
        "arbiter_fee_bps": 1_000,
        "platform_fee_bps": 100,
        "review_period": 3 * DAY,
        "ruling_window": 5 * DAY,
        "metadata_hash": b"\x01" * 32,
        "salt": 1,
        "offer_expiry": T0 + DAY,
        "milestones": ((1_000, 10 * DAY), (2_001, 20 * DAY)),
    }
    d.update(kw)
    return Terms(**d)


def consent(m, t, k=FREEL_K):
    return eip712.sign(k, eip712.digest(m.domain, t.hash))


def call(m, fn, sender, value=0, **args):
    return m.execute(Call(fn, sender, args, value=value))


def create(m, t=None, fund=1, value=0):
    t = t or terms()
    out = call(m, "create_job", t.client, value=value, terms=t, consent=consent(m, t), fund_count=fund)
    assert out.ok, out
    return out.ret, t


def test_fee_and_share_rounding():
    assert R.fee(1, 1) == 1  # a non-zero rate never rounds to 0
    assert R.fee(10_000, 100) == 100
    assert R.fee(10_001, 100) == 101
    assert R.fee(0, 500) == 0 and R.fee(12_345, 0) == 0
    assert R.share(1, 5_000) == 0 and R.share(3, 5_000) == 1 and R.share(9_999, 10_000) == 9_999


def test_create_job__checks_in_spec_order(m):
    t = terms()
    m.paused = True
    assert call(m, "create_job", STRANGER, terms=t, consent=b"", fund_count=9).reason == "settings: new jobs paused"
    m.paused = False
    assert call(m, "create_job", STRANGER, terms=t, consent=b"", fund_count=9).reason == "escrow: not client"
    cases = [
        ({"milestones": ()}, "escrow: no milestones"),
        ({"freelancer": R.ZERO, "arbiter": R.ZERO}, "escrow: freelancer is zero"),
        ({"freelancer": CLIENT}, "escrow: client is freelancer"),
        ({"arbiter": FREEL}, "escrow: arbiter is a party"),
        ({"arbiter": R.ZERO}, "escrow: arbiter is a party"),
        ({"token": STRANGER, "arbiter_fee_bps": 1_001}, "escrow: token is not a contract"),
        ({"arbiter_fee_bps": 1_001, "platform_fee_bps": 7}, "escrow: arbiter fee above cap"),
        ({"platform_fee_bps": 99, "review_period": 0}, "escrow: platform fee changed"),
        ({"review_period": 365 * DAY + 1}, "escrow: bad review period"),
        ({"ruling_window": 0}, "escrow: bad ruling window"),
        ({"milestones": ((0, 0), (1, 1))}, "escrow: zero milestone"),
        ({"milestones": ((1, 0), (0, 1))}, "escrow: bad duration"),  # milestone by milestone
        ({"milestones": ((2**96 - 1, 1), (1, 0))}, "escrow: bad duration"),
        ({"milestones": ((2**96 - 1, 1), (1, 1))}, "escrow: total too large"),
        ({"milestones": ((1, 10 * 365 * DAY + 1),)}, "escrow: bad duration"),
        ({"offer_expiry": T0 - 1}, "escrow: offer expired"),
    ]
    for kw, reason in cases:
        tt = terms(**kw)
        assert call(m, "create_job", CLIENT, terms=tt, consent=b"", fund_count=0).reason == reason, kw
    assert call(m, "create_job", CLIENT, terms=t, consent=b"", fund_count=3).reason == "escrow: bad fund count"
    assert call(m, "create_job", CLIENT, terms=t, consent=b"", fund_count=2).reason == "escrow: bad consent"
    # offer_expiry is inclusive
    tt = terms(offer_expiry=T0)
    assert call(m, "create_job", CLIENT, terms=tt, consent=consent(m, tt), fund_count=0).ok


def test_create_job__pulls_first_fund_count_and_refuses_eth_with_token(m):
    t = terms()
    out = call(m, "create_job", CLIENT, value=1, terms=t, consent=consent(m, t), fund_count=1)
    assert out.reason == "payouts: ETH sent with a token job"
    jid, _ = create(m, t, fund=1)
    assert jid == 1 and m.tokens[TOKEN].bal(ESCROW) == 1_000
    assert call(m, "create_job", CLIENT, terms=t, consent=consent(m, t), fund_count=0).reason == "escrow: consent used"
    j = m.jobs[1]
    assert (j.funded, j.open, j.nonce, j.start) == (1, 2, 0, T0)


def test_create_job__eth_takes_exactly_the_value(m):
    t = terms(token=R.ETH)
    c = consent(m, t)
    assert call(m, "create_job", CLIENT, value=999, terms=t, consent=c, fund_count=1).reason == (
        "payouts: wrong ETH amount"
    )
    assert m.ethbal(ESCROW) == 0 and m.ethbal(CLIENT) == 10**24
    assert call(m, "create_job", CLIENT, value=3_001, terms=t, consent=c, fund_count=2).ok
    assert m.ethbal(ESCROW) == 3_001


def test_full_job__approve_then_resolve__numbers_by_hand(m):
    jid, t = create(m)
    assert call(m, "submit", FREEL, job_id=jid, terms=t, milestone=0, deliverable_hash=b"\x02" * 32).ok
    assert call(m, "approve", CLIENT, job_id=jid, terms=t, milestone=0).ok
    tok = m.tokens[TOKEN]
    assert tok.bal(FREEL) == 990  # 1000 - ceil(1000 * 100 / 10000)
    assert m.fees_accrued.get(TOKEN, 0) == 0  # fees accrue when the job ends
    assert m.held(TOKEN) == 10 == tok.bal(ESCROW)
    assert call(m, "fund", CLIENT, job_id=jid, terms=t, count=1).ok
    assert call(m, "submit", FREEL, job_id=jid, terms=t, milestone=1, deliverable_hash=b"\x03" * 32).ok
    assert call(m, "dispute", FREEL, job_id=jid, terms=t, milestone=1).ok
    assert call(m, "resolve", ARB, job_id=jid, terms=t, milestone=1, freelancer_bps=10_001).reason == (
        "escrow: split above 100%"
    )
    assert call(m, "resolve", ARB, job_id=jid, terms=t, milestone=1, freelancer_bps=7_000).ok
    # arbiter fee ceil(2001 * 0.1) = 201; rest 1800; gross floor(1800 * 0.7) = 1260; fee ceil(12.6) = 13
    assert tok.bal(ARB) == 201
    assert tok.bal(FREEL) == 990 + 1_247
    assert tok.bal(CLIENT) == 10**30 - 3_001 + 540
    assert m.fees_accrued[TOKEN] == 23 == tok.bal(ESCROW)
    j = m.jobs[jid]
    assert j.open == 0 and j.paid == 2_237 and j.nonce == 6  # submit, approve, fund, submit, dispute, resolve
    assert m.rep_jobs[CLIENT] == [1, 0] and m.rep_jobs[FREEL] == [0, 1]
    assert m.rep_disputes[FREEL] == [1, 1, 0] and m.rep_disputes[CLIENT] == [0, 0, 1]
    assert m.rep_volume[(FREEL, TOKEN)] == [0, 2_237]
    assert m.rep_counterparties[CLIENT] == [FREEL] and m.rep_together[(CLIENT, FREEL)] == 1
    assert call(m, "collect_fees", STRANGER, token=TOKEN).ok
    assert tok.bal(FEES) == 23 and m.held(TOKEN) == 0 == tok.bal(ESCROW)
    assert call(m, "collect_fees", STRANGER, token=TOKEN).reason == "settings: no fees to collect"


def test_aliased_and_foreign_indices_are_refused(m):
    jid1, t1 = create(m, terms(salt=1), fund=0)  # unfunded
    jid2, t2 = create(m, terms(salt=2), fund=2)
    assert call(m, "submit", FREEL, job_id=jid2, terms=t2, milestone=0, deliverable_hash=b"\x00" * 32).ok
    for idx in (2, 255, 256, (jid2 << 8) | 0, 2**255, 2**256 - 1):
        assert call(m, "approve", CLIENT, job_id=jid1, terms=t1, milestone=idx).reason == "escrow: no such milestone"
        assert call(m, "dispute", CLIENT, job_id=jid1, terms=t1, milestone=idx).reason == "escrow: no such milestone"
    assert call(m, "approve", CLIENT, job_id=jid1, terms=t2, milestone=0).reason == "escrow: wrong terms"
    assert call(m, "approve", CLIENT, job_id=jid1, terms=t1, milestone=0).reason == "escrow: not submitted"
    for jid in (0, 3, 2**256 - 1):
        assert call(m, "approve", CLIENT, job_id=jid, terms=t2, milestone=0).reason == "escrow: no such job"


def test_time_boundaries(m):
    jid, t = create(m, fund=2)
    dl0 = T0 + 10 * DAY
    m.now = dl0 + 1
    assert call(m, "submit", FREEL, job_id=jid, terms=t, milestone=0, deliverable_hash=b"").reason == (
        "escrow: deadline passed"
    )
    m.now = dl0
    assert call(m, "reclaim", STRANGER, job_id=jid, terms=t, milestone=0).reason == "escrow: deadline not passed"
    assert call(m, "submit", FREEL, job_id=jid, terms=t, milestone=0, deliverable_hash=b"").ok  # inclusive
    review_end = dl0 + 3 * DAY
    m.now = review_end - 1
    assert call(m, "release", STRANGER, job_id=jid, terms=t, milestone=0).reason == "escrow: review period running"
    assert call(m, "dispute", CLIENT, job_id=jid, terms=t, milestone=0).ok
    ruling_end = review_end - 1 + 5 * DAY
    m.now = ruling_end - 1
    assert call(m, "apply_default_ruling", FREEL, job_id=jid, terms=t, milestone=0).reason == (
        "escrow: ruling window running"
    )
    m.now = ruling_end
    assert call(m, "resolve", ARB, job_id=jid, terms=t, milestone=0, freelancer_bps=0).reason == (
        "escrow: ruling window over"
    )
    assert call(m, "apply_default_ruling", STRANGER, job_id=jid, terms=t, milestone=0).reason == "escrow: not a party"
    assert call(m, "apply_default_ruling", FREEL, job_id=jid, terms=t, milestone=0).ok
    assert m.tokens[TOKEN].bal(FREEL) == 495  # 500 - ceil(5)
    assert m.tokens[TOKEN].bal(CLIENT) == 10**30 - 3_001 + 500
    m.now = T0 + 20 * DAY + 1
    assert call(m, "reclaim", STRANGER, job_id=jid, terms=t, milestone=1).ok
    assert m.jobs[jid].open == 0 and m.jobs[jid].paid == 495
    assert m.rep_disputes[CLIENT] == [1, 0, 0]  # a default ruling is nobody's win


def test_default_ruling__odd_unit_to_client(m):
    t = terms(milestones=((5, DAY),), platform_fee_bps=100)
    jid, t = create(m, t, fund=1)
    call(m, "submit", FREEL, job_id=jid, terms=t, milestone=0, deliverable_hash=b"")
    call(m, "dispute", FREEL, job_id=jid, terms=t, milestone=0)
    m.now += 5 * DAY
    assert call(m, "apply_default_ruling", CLIENT, job_id=jid, terms=t, milestone=0).ok
    # gross floor(5/2) = 2, fee ceil(0.02) = 1: freelancer 1, client 3, fee 1
    assert m.tokens[TOKEN].bal(FREEL) == 1 and m.fees_accrued[TOKEN] == 1
    assert m.tokens[TOKEN].bal(CLIENT) == 10**30 - 5 + 3


def _settle_sigs(m, jid, bps, nonce, expiry):
    d = eip712.digest(m.domain, eip712.settlement_hash(jid, bps, nonce, expiry))
    return eip712.sign(CLIENT_K, d), eip712.sign(FREEL_K, d)


def test_settle__signed_nonce_and_unfunded_cancelled(m):
    jid, t = create(m, terms(milestones=((1_000, DAY), (2_000, DAY), (4_000, DAY))), fund=2)
    cs, fs = _settle_sigs(m, jid, 2_500, 0, T0)
    call(m, "submit", FREEL, job_id=jid, terms=t, milestone=0, deliverable_hash=b"")  # nonce 1: old sigs stale
    args = {
        "job_id": jid,
        "terms": t,
        "freelancer_bps": 2_500,
        "expiry": T0,
        "client_signature": cs,
        "freelancer_signature": fs,
    }
    assert call(m, "settle", STRANGER, **args).reason == "escrow: bad client signature"
    cs, fs = _settle_sigs(m, jid, 2_500, 1, T0)
    args.update(client_signature=cs, freelancer_signature=cs)
    assert call(m, "settle", STRANGER, **args).reason == "escrow: bad freelancer signature"
    args.update(freelancer_signature=eip712.high_s(fs))
    assert call(m, "settle", STRANGER, **args).reason == "escrow: bad freelancer signature"
    args.update(freelancer_signature=fs)
    m.now = T0 + 1
    assert call(m, "settle", STRANGER, **args).reason == "escrow: settlement expired"
    m.now = T0
    assert call(m, "settle", STRANGER, **args).ok
    # remaining 3000 (milestones 0 and 1); gross 750; fee ceil(7.5) = 8
    tok = m.tokens[TOKEN]
    assert tok.bal(FREEL) == 742 and tok.bal(CLIENT) == 10**30 - 3_000 + 2_250 and m.fees_accrued[TOKEN] == 8
    j = m.jobs[jid]
    assert [x.status for x in j.milestones] == [R.SETTLED, R.SETTLED, R.CANCELLED] and j.open == 0 and j.settled
    assert call(m, "settle", STRANGER, **args).reason == "escrow: job ended"


def test_cancel_unfunded__client_or_anyone_after_first_unfunded_deadline(m):
    jid, t = create(m, terms(milestones=((1, DAY), (2, 2 * DAY), (3, DAY))), fund=1)
    assert call(m, "cancel_unfunded", STRANGER, job_id=jid, terms=t).reason == "escrow: not client"
    m.now = T0 + 2 * DAY
    assert call(m, "cancel_unfunded", STRANGER, job_id=jid, terms=t).reason == "escrow: not client"  # inclusive
    m.now += 1
    assert call(m, "cancel_unfunded", STRANGER, job_id=jid, terms=t).ok
    j = m.jobs[jid]
    assert j.funded == 3 and j.open == 1 and j.cancelled and j.nonce == 1
    assert call(m, "cancel_unfunded", CLIENT, job_id=jid, terms=t).reason == "escrow: nothing to cancel"
    assert call(m, "reclaim", STRANGER, job_id=jid, terms=t, milestone=2).reason == "escrow: milestone not open"
    assert call(m, "reclaim", STRANGER, job_id=jid, terms=t, milestone=0).ok
    assert j.open == 0 and j.paid == 0 and m.rep_jobs.get(CLIENT) is None  # not completed: paid nothing


def test_extend_deadline__rewrites_the_jobs_terms_hash(m):
    jid, t = create(m, fund=1)
    d = eip712.digest(m.domain, eip712.extend_hash(jid, 0, 15 * DAY, 0, T0))
    sig = eip712.sign(FREEL_K, d)
    base = {"job_id": jid, "terms": t, "milestone": 0, "expiry": T0, "signature": sig}
    assert call(m, "extend_deadline", CLIENT, **base, new_duration=10 * DAY).reason == "escrow: deadline not later"
    assert call(m, "extend_deadline", CLIENT, **base, new_duration=3651 * DAY).reason == "escrow: bad duration"
    assert call(m, "extend_deadline", FREEL, **base, new_duration=15 * DAY).reason == "escrow: bad signature"
    assert call(m, "extend_deadline", CLIENT, **base, new_duration=15 * DAY).ok
    t2 = t.replace(milestones=((1_000, 15 * DAY), (2_001, 20 * DAY)))
    assert m.terms_hash_of(jid) == t2.hash and m.terms_hash_of(jid + 1) == b"\x00" * 32
    assert call(m, "submit", FREEL, job_id=jid, terms=t, milestone=0, deliverable_hash=b"").reason == (
        "escrow: wrong terms"
    )
    # the old terms' consent (f, salt 1) made job 1: neither the old nor the new terms make another job
    for tt in (t, t2):
        assert call(m, "create_job", CLIENT, terms=tt, consent=consent(m, tt), fund_count=0).reason == (
            "escrow: consent used"
        )
    m.now = T0 + 12 * DAY
    assert call(m, "submit", FREEL, job_id=jid, terms=t2, milestone=0, deliverable_hash=b"").ok


def test_add_milestones__funds_in_order_from_funded(m):
    jid, t = create(m, fund=1)
    new = ((7, DAY), (9, 30 * DAY))
    d = eip712.digest(m.domain, eip712.add_hash(jid, new, 3, 0, T0))
    base = {"job_id": jid, "terms": t, "milestones": new, "expiry": T0, "signature": eip712.sign(FREEL_K, d)}
    assert call(m, "add_milestones", CLIENT, **base, fund_count=4).reason == "escrow: bad fund count"
    assert call(m, "add_milestones", CLIENT, **base, fund_count=3).ok
    j = m.jobs[jid]
    assert j.funded == 4 and j.open == 4 and j.nonce == 1
    assert m.tokens[TOKEN].bal(ESCROW) == 1_000 + 2_001 + 7 + 9
    too_many = tuple((1, 1) for _ in range(47))
    assert (
        call(
            m,
            "add_milestones",
            CLIENT,
            job_id=jid,
            terms=j.terms,
            milestones=too_many,
            fund_count=0,
            expiry=T0,
            signature=b"",
        ).reason
        == "escrow: too many milestones"
    )


def test_accept_with_deduction(m):
    jid, t = create(m, fund=1)
    call(m, "submit", FREEL, job_id=jid, terms=t, milestone=0, deliverable_hash=b"")
    d = eip712.digest(m.domain, eip712.deduction_hash(jid, 0, 6_000, 1, T0))
    args = {
        "job_id": jid,
        "terms": t,
        "milestone": 0,
        "freelancer_bps": 6_000,
        "expiry": T0,
        "signature": eip712.sign(CLIENT_K, d),
    }
    assert call(m, "accept_with_deduction", CLIENT, **args).reason == "escrow: bad signature"
    assert call(m, "accept_with_deduction", FREEL, **args).ok
    assert m.tokens[TOKEN].bal(FREEL) == 594 and m.tokens[TOKEN].bal(CLIENT) == 10**30 - 1_000 + 400


def test_blocked_freelancer_is_credited_and_withdraws_elsewhere(m):
    jid, t = create(m, terms(token=BLOCK), fund=1)
    call(m, "submit", FREEL, job_id=jid, terms=t, milestone=0, deliverable_hash=b"")
    m.tokens[BLOCK].blocked.add(FREEL)
    assert call(m, "approve", CLIENT, job_id=jid, terms=t, milestone=0).ok
    assert m.credit(BLOCK, FREEL) == 990 and m.jobs[jid].paid == 990
    assert call(m, "withdraw", FREEL, token=BLOCK, to=FREEL).reason == "payouts: withdrawal failed"
    assert m.credit(BLOCK, FREEL) == 990
    assert call(m, "withdraw", FREEL, token=BLOCK, to=STRANGER).ok
    assert m.tokens[BLOCK].bal(STRANGER) == 990 and m.credit(BLOCK, FREEL) == 0
    out = call(m, "withdraw", FREEL, token=BLOCK, to=R.ZERO)
    assert {out.reason, *out.alternatives} == {"payouts: zero recipient", "payouts: nothing to withdraw"}


def test_rate__only_paid_ended_jobs_once_each(m):
    jid, t = create(m, terms(milestones=((1_000, DAY),)), fund=1)
    assert call(m, "rate", CLIENT, job_id=jid, terms=t, score=5, comment_hash=b"").reason == "escrow: job not ended"
    m.now += DAY + 1
    call(m, "reclaim", STRANGER, job_id=jid, terms=t, milestone=0)
    assert call(m, "rate", CLIENT, job_id=jid, terms=t, score=5, comment_hash=b"").reason == (
        "escrow: freelancer not paid"
    )
    jid, t = create(m, terms(milestones=((1_000, 30 * DAY),), salt=9, offer_expiry=m.now), fund=1)
    call(m, "submit", FREEL, job_id=jid, terms=t, milestone=0, deliverable_hash=b"")
    call(m, "approve", CLIENT, job_id=jid, terms=t, milestone=0)
    assert call(m, "rate", STRANGER, job_id=jid, terms=t, score=5, comment_hash=b"").reason == "escrow: not a party"
    assert call(m, "rate", CLIENT, job_id=jid, terms=t, score=6, comment_hash=b"").reason == (
        "escrow: score out of range"
    )
    assert call(m, "rate", CLIENT, job_id=jid, terms=t, score=4, comment_hash=b"").ok
    assert call(m, "rate", CLIENT, job_id=jid, terms=t, score=4, comment_hash=b"").reason == "escrow: already rated"
    assert call(m, "rate", FREEL, job_id=jid, terms=t, score=2, comment_hash=b"").ok
    assert m.rep_ratings[FREEL] == [1, 4] and m.rep_ratings[CLIENT] == [1, 2]


def test_contract_wallet_consent(m):
    wallet = "0x" + "5a" * 20
    m.add_account(wallet, Account("smart", owner=eip712.address_of(W_K)))
    t = terms(freelancer=wallet)
    d = eip712.digest(m.domain, t.hash)
    good = eip712.sign(W_K, d)
    assert call(m, "create_job", CLIENT, terms=t, consent=good + b"\x00", fund_count=0).reason == "escrow: bad consent"
    assert call(m, "create_job", CLIENT, terms=t, consent=eip712.sign(FREEL_K, d), fund_count=0).reason == (
        "escrow: bad consent"
    )
    assert call(m, "create_job", CLIENT, terms=t, consent=eip712.high_s(good), fund_count=0).ok  # EIP-1271 decides
    attacker = "0x" + "ad" * 20
    m.add_account(attacker, Account("attacker"))
    t = terms(freelancer=attacker)
    assert call(m, "create_job", CLIENT, terms=t, consent=good, fund_count=0).reason == "escrow: bad consent"


def test_owner_powers(m):
    assert call(m, "set_platform_fee", STRANGER, new_bps=1).reason == "ownable: caller is not the owner"
    assert call(m, "set_platform_fee", OWNER, new_bps=501).reason == "settings: fee above cap"
    assert call(m, "set_platform_fee", OWNER, new_bps=500).ok
    t = terms()
    assert call(m, "create_job", CLIENT, terms=t, consent=consent(m, t), fund_count=0).reason == (
        "escrow: platform fee changed"
    )
    assert call(m, "pause", OWNER).ok and call(m, "pause", OWNER).reason == "settings: already paused"
    assert call(m, "unpause", OWNER).ok and call(m, "unpause", OWNER).reason == "settings: not paused"
    assert call(m, "set_fee_recipient", OWNER, new_recipient=R.ZERO).reason == "settings: zero recipient"


def _tok(m, kind):
    addr = "0x" + {"fot": "f0", "false": "fa", "zero": "00" * 0 + "2e", "pausable": "9a", "noreturn": "4e"}[kind] * 20
    tok = Token(addr, kind, kind)
    tok.balances[CLIENT] = 10**30
    tok.allowances[(CLIENT, ESCROW)] = R.UINT256_MAX
    m.add_token(tok)
    return addr


def test_fee_on_transfer__short_delivery_refused_below_100_units_exact(m):
    fot = _tok(m, "fot")
    t = terms(token=fot, milestones=((100, DAY), (99, DAY)))
    c = consent(m, t)
    # 100 units burn 1: the escrow gets 99
    assert call(m, "create_job", CLIENT, terms=t, consent=c, fund_count=1).reason == (
        "payouts: token delivered less than sent"
    )
    t = terms(token=fot, milestones=((99, DAY), (99, DAY)))
    jid, t = create(m, t, fund=1)
    assert m.tokens[fot].bal(ESCROW) == 99
    assert call(m, "fund", CLIENT, job_id=jid, terms=t, count=1).ok
    # settling 198 at 100%: the transfer burns 1 of what the freelancer gets
    d = eip712.digest(m.domain, eip712.settlement_hash(jid, 10_000, 1, T0))
    args = {"job_id": jid, "terms": t, "freelancer_bps": 10_000, "expiry": T0}
    args.update(client_signature=eip712.sign(CLIENT_K, d), freelancer_signature=eip712.sign(FREEL_K, d))
    assert call(m, "settle", STRANGER, **args).ok
    net = 198 - R.fee(198, 100)  # 196
    assert m.tokens[fot].bal(FREEL) == net - net // 100
    assert m.tokens[fot].bal(ESCROW) == 2 == m.held(fot)


def test_false_returning_token__pull_refused_payout_credited(m):
    tok = _tok(m, "false")
    t = terms(token=tok)
    m.tokens[tok].failing = True
    assert call(m, "create_job", CLIENT, terms=t, consent=consent(m, t), fund_count=1).reason == (
        "payouts: token transfer failed"
    )
    m.tokens[tok].failing = False
    jid, t = create(m, t, fund=1)
    call(m, "submit", FREEL, job_id=jid, terms=t, milestone=0, deliverable_hash=b"")
    m.tokens[tok].failing = True
    assert call(m, "approve", CLIENT, job_id=jid, terms=t, milestone=0).ok
    assert m.credit(tok, FREEL) == 990 and m.tokens[tok].bal(ESCROW) == 1_000 == m.held(tok)


def test_zero_reverting_token__zero_amounts_never_moved(m):
    tok = _tok(m, "zero")
    t = terms(token=tok, milestones=((1, DAY),), platform_fee_bps=100)
    jid, t = create(m, t, fund=1)
    call(m, "submit", FREEL, job_id=jid, terms=t, milestone=0, deliverable_hash=b"")
    # fee(1) = 1: the freelancer's 0 is not sent (a zero transfer would revert and be credited)
    assert call(m, "approve", CLIENT, job_id=jid, terms=t, milestone=0).ok
    assert m.credit(tok, FREEL) == 0 and m.fees_accrued[tok] == 1 and m.jobs[jid].paid == 0
    jid2, t2 = create(m, terms(token=tok, salt=5), fund=0)
    assert call(m, "create_job", CLIENT, terms=terms(token=tok, salt=6), consent=b"", fund_count=0).reason == (
        "escrow: bad consent"
    )
    assert m.jobs[jid2].funded == 0


def test_pausable_token__paused_payouts_credited(m):
    tok = _tok(m, "pausable")
    jid, t = create(m, terms(token=tok), fund=1)
    m.now += 10 * DAY + 1
    m.tokens[tok].paused = True
    assert call(m, "reclaim", STRANGER, job_id=jid, terms=t, milestone=0).ok
    assert m.credit(tok, CLIENT) == 1_000
    assert call(m, "withdraw", CLIENT, token=tok, to=CLIENT).reason == "payouts: withdrawal failed"
    m.tokens[tok].paused = False
    assert call(m, "withdraw", CLIENT, token=tok, to=CLIENT).ok and m.held(tok) == 0


def test_abi_refusals_have_no_reason(m):
    t = terms(milestones=tuple((1, DAY) for _ in range(51)))
    assert call(m, "create_job", CLIENT, terms=t, consent=b"", fund_count=0).reason == R.NO_REASON
    assert call(m, "create_job", CLIENT, terms=terms(), consent=b"\x00" * 1_025, fund_count=0).reason == R.NO_REASON
    assert call(m, "withdraw", CLIENT, value=1, token=TOKEN, to=CLIENT).reason == R.NO_REASON


def test_amendment_onto_another_jobs_terms__cannot_arise_then_harmless(m):
    """An amendment keeps the freelancer and the salt, and two jobs never share a (freelancer,
    salt) consent: the terms an amendment produces are never another job's. The setup that once
    did it (job 2 = job 1's terms with a later deadline) is refused at creation."""
    jid, t = create(m, terms(milestones=((1_000, 10 * DAY),)), fund=1)
    other = t.replace(milestones=((1_000, 20 * DAY),))
    out = call(m, "create_job", CLIENT, terms=other, consent=consent(m, other), fund_count=1)
    assert out.reason == "escrow: consent used"
    # forced (white-box): forget the consent, so that job 2 gets terms equal to job 1's extension
    m.consent_words.clear()
    create(m, other, fund=1)
    d = eip712.digest(m.domain, eip712.extend_hash(jid, 0, 20 * DAY, 0, T0))
    args = {"job_id": jid, "terms": t, "milestone": 0, "new_duration": 20 * DAY, "expiry": T0}
    assert call(m, "extend_deadline", CLIENT, **args, signature=eip712.sign(FREEL_K, d)).ok
    assert m.terms_hash_of(jid) == other.hash == m.terms_hash_of(2)  # per job: job 2 untouched
    assert call(m, "submit", FREEL, job_id=2, terms=other, milestone=0, deliverable_hash=b"").ok
    assert call(m, "submit", FREEL, job_id=jid, terms=t, milestone=0, deliverable_hash=b"").reason == (
        "escrow: wrong terms"
    )
    assert call(m, "submit", FREEL, job_id=jid, terms=other, milestone=0, deliverable_hash=b"").ok


def test_consent__one_job_per_freelancer_and_salt(m):
    t = terms(salt=7)
    create(m, t, fund=0)
    # other terms, same (freelancer, salt): refused, whatever the consent
    t2 = terms(salt=7, metadata_hash=b"\x09" * 32)
    assert call(m, "create_job", CLIENT, terms=t2, consent=consent(m, t2), fund_count=0).reason == (
        "escrow: consent used"
    )
    assert call(m, "create_job", CLIENT, terms=t2, consent=b"", fund_count=0).reason == "escrow: consent used"
    # checked after the offer's expiry
    t3 = terms(salt=7, offer_expiry=T0 - 1)
    assert call(m, "create_job", CLIENT, terms=t3, consent=b"", fund_count=0).reason == "escrow: offer expired"
    # the same terms with another salt: another consent
    create(m, t.replace(salt=8), fund=0)
    # the same salt for another freelancer: another consent
    other_k = key("f2")
    other = eip712.address_of(other_k)
    m.add_account(other, Account("eoa", key=other_k))
    t4 = terms(salt=7, freelancer=other)
    assert call(m, "create_job", CLIENT, terms=t4, consent=consent(m, t4, other_k), fund_count=0).ok
    assert m.consent_used(FREEL, 7) and m.consent_used(FREEL, 8) and m.consent_used(other, 7)
    assert not m.consent_used(FREEL, 6) and not m.consent_used(other, 8) and not m.consent_used(ARB, 7)


def test_consent__bits_at_the_word_boundaries(m):
    for salt in (255, 256, 2**256 - 1, 0):
        create(m, terms(salt=salt), fund=0)
    assert m.consent_word(FREEL, 0) == 1 << 255 | 1
    assert m.consent_word(FREEL, 1) == 1
    assert m.consent_word(FREEL, 2**248 - 1) == 1 << 255
    for salt in (1, 254, 257, 511, 512, 2**256 - 2, 2**256 - 256):
        assert not m.consent_used(FREEL, salt)
    for salt in (255, 256, 2**256 - 1, 0):
        tt = terms(salt=salt, metadata_hash=b"\x07" * 32)
        assert call(m, "create_job", CLIENT, terms=tt, consent=consent(m, tt), fund_count=0).reason == (
            "escrow: consent used"
        )
    assert call(m, "create_job", CLIENT, terms=terms(salt=257), consent=consent(m, terms(salt=257)), fund_count=0).ok


def test_consent__a_creation_that_reverts_uses_nothing(m):
    t = terms(token=BLOCK)
    m.tokens[BLOCK].blocked.add(CLIENT)
    assert call(m, "create_job", CLIENT, terms=t, consent=consent(m, t), fund_count=1).reason == "blocklist: blocked"
    assert not m.consent_used(FREEL, t.salt) and m.job_count == 0
    m.tokens[BLOCK].blocked.clear()
    assert create(m, t, fund=1)[0] == 1 and m.consent_used(FREEL, t.salt)


def test_consent__a_job_that_ended_keeps_its_consent_used(m):
    jid, t = create(m, terms(milestones=((1_000, DAY),), offer_expiry=T0 + 30 * DAY), fund=1)
    m.now = T0 + DAY + 1
    assert call(m, "reclaim", STRANGER, job_id=jid, terms=t, milestone=0).ok and m.jobs[jid].open == 0
    assert call(m, "create_job", CLIENT, terms=t, consent=consent(m, t), fund_count=1).reason == (
        "escrow: consent used"
    )


def test_signatures__ecdsa_first_even_for_a_signer_with_code(m):
    # a contract (no isValidSignature returning the magic value) at an address whose key is known
    wk = key("wallet-with-a-key")
    wallet = eip712.address_of(wk)
    m.add_account(wallet, Account("attacker"))
    t = terms(freelancer=wallet)
    d = eip712.digest(m.domain, t.hash)
    assert call(m, "create_job", CLIENT, terms=t, consent=eip712.high_s(eip712.sign(wk, d)), fund_count=0).reason == (
        "escrow: bad consent"
    )
    assert call(m, "create_job", CLIENT, terms=t, consent=eip712.sign(wk, d), fund_count=0).ok
    # a smart wallet whose owner key signed: ECDSA does not recover the wallet, EIP-1271 decides
    sw = "0x" + "5b" * 20
    m.add_account(sw, Account("smart", owner=eip712.address_of(W_K)))
    t = terms(freelancer=sw)
    assert call(m, "create_job", CLIENT, terms=t, consent=eip712.sign(W_K, eip712.digest(m.domain, t.hash)),
                fund_count=0).ok  # fmt: skip
    # an EOA: ECDSA only
    t = terms(salt=2)
    assert call(m, "create_job", CLIENT, terms=t, consent=eip712.sign(W_K, eip712.digest(m.domain, t.hash)),
                fund_count=0).reason == "escrow: bad consent"  # fmt: skip
