"""Small builder for named scenarios: jobs made by hand, every call run on the contract and the
model side by side through the harness's Runner (so every named test also checks conservation
and every view after every step)."""

from __future__ import annotations

import boa

from . import chain, eip712
from . import reference as R
from .harness import DAY, WALLETS, Runner, Stats, World, _named, key_of
from .reference import Call, Terms


class Scenario:
    def __init__(self, world: World):
        self.w = world
        self.m = world.fresh_model()
        self.r = Runner(world, self.m, Stats(), check_every=1)
        self._salt = 0

    def a(self, label):
        return self.w.names[label]

    def call(self, fn, who, value=0, target="escrow", **args):
        addr = self.a(who)
        if who in WALLETS:
            c = Call(fn, self.a("op"), args, value=value, via=addr, target=target)
        else:
            c = Call(fn, addr, args, value=value, target=target)
        return self.r.call(c)

    def terms(self, client="c1", freelancer="f1", token="std", arbiter="a1", amounts=(1_000,), durations=None,
              **kw) -> Terms:  # fmt: skip
        self._salt += 1
        durations = durations or [10 * DAY] * len(amounts)
        d = {
            "client": self.a(client),
            "freelancer": self.a(freelancer),
            "token": self.a(token),
            "arbiter": self.a(arbiter),
            "arbiter_fee_bps": 500,
            "platform_fee_bps": self.m.platform_fee_bps,
            "review_period": 3 * DAY,
            "ruling_window": 7 * DAY,
            "metadata_hash": b"\x42" * 32,
            "salt": self._salt,
            "offer_expiry": self.m.now + DAY,
            "milestones": tuple(zip(amounts, durations, strict=True)),
        }
        d.update(kw)
        return Terms(**d)

    def consent(self, t: Terms, signer_key=None) -> bytes:
        return self.sign(t.freelancer, eip712.digest(self.m.domain, t.hash), signer_key)

    def sign(self, signer: str, digest: bytes, key=None) -> bytes:
        if key is not None:
            return eip712.sign(key, digest)
        acct = self.m.accounts[signer]
        if acct.kind == "eoa":
            return eip712.sign(acct.key, digest)
        if acct.kind in ("smart", "burner"):
            return eip712.sign(self.w.keys[acct.owner], digest)
        if acct.kind == "multisig":
            return b"".join(eip712.sign(self.w.keys[o], digest) for o in acct.owners[: acct.threshold])
        return b"\x00" * 65

    def create(self, t: Terms, fund=None, who=None, **kw):
        fund = len(t.milestones) if fund is None else fund
        value = sum(a for a, _ in t.milestones[:fund]) if t.token == R.ETH else 0
        who = who or self.w.addr_label[t.client]
        out = self.call("create_job", who, value=value, terms=t, consent=self.consent(t), fund_count=fund, **kw)
        assert out.ok, out
        return out.ret

    def settle_sigs(self, jid, bps, expiry=None):
        job = self.m.jobs[jid]
        expiry = self.m.now if expiry is None else expiry
        d = eip712.digest(self.m.domain, eip712.settlement_hash(jid, bps, job.nonce, expiry))
        return {
            "freelancer_bps": bps,
            "expiry": expiry,
            "client_signature": self.sign(job.terms.client, d),
            "freelancer_signature": self.sign(job.terms.freelancer, d),
        }

    def time(self, to):
        self.r.env("time", to=to)

    def balance(self, label, who_label):
        return self.r.balance(label, self.a(who_label))

    def job_view(self, jid) -> dict:
        """get_job by the ABI's field names."""
        w = self.w
        vals = chain.view(w.names["escrow"], w.eabi.encode_pos("get_job", jid), w.eabi.out_types("get_job"))
        return _named(w.eabi.out_names("get_job"), vals)

    def check_all(self):
        self.r.compare(Call("check", "", {}), R.Outcome(ok=True), full=True)


def other_key():
    return key_of("s")


def anchor():
    return boa.env.anchor()
