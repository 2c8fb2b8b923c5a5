"""Drives the escrow v2 contract (titanoboa, in process) and the reference model side by side.

One `World` per process: tokens, wallets, reputation and escrow deployed once (the escrow at
the CREATE address predicted from the deployer's nonce, because the reputation contract takes
its writers in its constructor); every sequence runs inside a snapshot (`boa.env.anchor()`)
on a fresh copy of the model. A sequence is generated from a seed (`random.Random(seed)`); the
generator aims its calls with the model's view of the jobs and mixes hostile arguments in.
After every step the outcome, the exact revert reason, the return value, balances, credits,
fees, the job's state (its job and milestone words, terms_hash_of), the consent a creation
presented (consent_used and its bit words) and reputation are compared — storage words where a
getter would only unpack them, the getters themselves (get_job, fees_accrued, credits, ...) in
the full check that ends each sequence — and for every token the escrow's
balance must equal what the MODEL says is owed (live funded milestones + fees not yet accrued +
credits + accrued fees). Each sequence ends with a liveness drain.

The model never reads the contract: the only facts taken from the chain into the model are the
two gas-dependent hook facts described in reference.py (read from the mocks, never from the
escrow).
"""

from __future__ import annotations

import copy
import functools
import random
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import boa
from eth_abi import encode
from eth_utils import keccak

from . import chain, eip712
from . import reference as R
from .contracts_dir import contracts_dir
from .reference import Account, Call, Model, Outcome, Terms, Token

CONTRACTS = contracts_dir()
ESCROW_PATH = CONTRACTS / "Escrow.vy"
AGREEMENTS_PATH = CONTRACTS / "EscrowAgreements.vy"
REPUTATION_PATH = CONTRACTS / "Reputation.vy"
TOKEN_MOCKS = CONTRACTS / "tokens" / "mocks"
WALLET_MOCKS = CONTRACTS / "mocks"

DAY = 86_400
T_START = 1_800_000_000
BIG = 2**100
FEE_BPS = 100

# token label -> (file, model kind)
TOKENS = {
    "std": (CONTRACTS / "tokens" / "TestToken.vy", "standard"),
    "blk": (TOKEN_MOCKS / "blocklist_token_mock.vy", "blocklist"),
    "false": (TOKEN_MOCKS / "false_return_token_mock.vy", "false"),
    "fot": (TOKEN_MOCKS / "fee_on_transfer_token_mock.vy", "fot"),
    "noret": (TOKEN_MOCKS / "no_return_token_mock.vy", "noreturn"),
    "paus": (TOKEN_MOCKS / "pausable_token_mock.vy", "pausable"),
    "reent": (TOKEN_MOCKS / "reentrant_token_mock.vy", "reentrant"),
    "zero": (TOKEN_MOCKS / "zero_revert_token_mock.vy", "zero"),
}
TOKEN_NAMES = {
    "std": "Jiedan USD",
    "blk": "Blocklisting token",
    "false": "False-returning token",
    "fot": "Fee-on-transfer token",
    "noret": "No-return token",
    "paus": "Pausable token",
    "reent": "Reentrant token",
    "zero": "Zero-reverting token",
}

EOAS = ("owner", "c1", "c2", "f1", "f2", "a1", "s", "s2", "fees", "op", "sink")
KEYS_ONLY = ("k_smart", "k_burn", "k_m1", "k_m2", "k_m3")
# wallets: label -> (kind, can act (has execute), may be freelancer (valid EIP-1271))
WALLETS = {
    "atk": ("attacker", True, False),
    "atk2": ("attacker", True, False),
    "smart": ("smart", False, True),
    "msig": ("multisig", True, True),
    "burn": ("burner", True, True),
    "burnv": ("burner", True, False),
}
CLIENTS = ("c1", "c2", "atk", "msig", "burn")
FREELANCERS = ("f1", "f2", "msig", "burn", "smart")
ARBITERS = ("a1", "atk", "atk2", "burn", "s2")

ENTRY_POINTS = (
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
    "extend_deadline",
    "add_milestones",
    "accept_with_deduction",
    "withdraw",
    "collect_fees",
    "set_platform_fee",
    "set_fee_recipient",
    "pause",
    "unpause",
    "transfer_ownership",
    "accept_ownership",
    "rep.announce_escrow",
    "rep.apply_escrow_change",
    "rep.cancel_escrow_change",
)

# argument names the contract's ABI may spell differently from the spec's
ALIASES = {"freelancer_bps": ("bps", "split_bps"), "deliverable_hash": ("deliverable",)}


def key_of(name: str) -> bytes:
    return keccak(text=f"jiedan-model-{name}")


def addr_of(name: str) -> str:
    return eip712.address_of(key_of(name))


class Mismatch(AssertionError):
    pass


# ------------------------------------------------------------------------- ABI


class Abi:
    """Encodes calls from the compiled ABI (the argument order and types) and decodes views."""

    def __init__(self, abi: list):
        self.fns = {}
        for e in abi:
            if e.get("type") == "function":
                self.fns[e["name"]] = e

    @staticmethod
    def type_str(inp) -> str:
        t = inp["type"]
        if t.startswith("tuple"):
            return "(" + ",".join(Abi.type_str(c) for c in inp["components"]) + ")" + t[5:]
        return t

    def signature(self, name: str) -> str:
        e = self.fns[name]
        return f"{name}({','.join(self.type_str(i) for i in e['inputs'])})"

    def encode(self, name: str, args: dict) -> bytes:
        e = self.fns[name]
        types, values = [], []
        for inp in e["inputs"]:
            n = inp["name"].strip("_")
            if n in args:
                v = args[n]
            else:
                for spec, alts in ALIASES.items():
                    if n in alts and spec in args:
                        v = args[spec]
                        break
                else:
                    raise KeyError(f"{name}: no value for ABI input {inp['name']!r} in {sorted(args)}")
            types.append(self.type_str(inp))
            values.append(_abi_value(v))
        return chain.calldata(self.signature(name), types, values)

    def encode_pos(self, name: str, *values) -> bytes:
        e = self.fns[name]
        types = [self.type_str(i) for i in e["inputs"]]
        return chain.calldata(self.signature(name), types, [_abi_value(v) for v in values])

    def out_types(self, name: str) -> list[str]:
        return [self.type_str(o) for o in self.fns[name]["outputs"]]

    def out_names(self, name: str):
        return self.fns[name]["outputs"]


def _abi_value(v):
    if isinstance(v, Terms):
        return v.as_abi()
    if isinstance(v, (tuple, list)):
        return [_abi_value(x) for x in v]
    return v


# How escrow_core packs a job's word and a milestone's word: field -> (offset, bits). The
# per-step checks read these words from storage; full checks read get_job, which unpacks them.
JOB_FIELDS = {"milestone_count": (0, 8), "funded_count": (8, 8), "open_count": (16, 8), "nonce": (24, 32),
              "flags": (56, 8), "start": (64, 40)}  # fmt: skip
JOB_FLAGS = {"client_rated": 1, "freelancer_rated": 2, "settled": 4, "cancelled": 8, "paid": 16}
MILESTONE_FIELDS = {"status": (0, 8), "review_end": (8, 40), "ruling_end": (48, 40), "disputer": (88, 8),
                    "ruling_bps": (96, 16)}  # fmt: skip


def _unpack(word: int, fields: dict) -> dict:
    return {name: (word >> offset) & ((1 << bits) - 1) for name, (offset, bits) in fields.items()}


def _named(outputs, values):
    """ABI outputs to nested dicts by component name (a single tuple output is unwrapped)."""
    if len(outputs) == 1 and outputs[0]["type"] == "tuple":
        return _named(outputs[0]["components"], values[0])
    d = {}
    for o, v in zip(outputs, values, strict=True):
        if o["type"] == "tuple":
            v = _named(o["components"], v)
        elif o["type"] == "tuple[]":
            v = [_named(o["components"], x) for x in v]
        d[o["name"] or str(len(d))] = v
    return d


# ------------------------------------------------------------------------- world


class World:
    """Everything deployed once per process; sequences run in snapshots of it."""

    def __init__(self, escrow_path=ESCROW_PATH, reputation_path=REPUTATION_PATH, agreements_path=AGREEMENTS_PATH):
        boa.env.timestamp = T_START
        self.now0 = T_START
        self.names: dict[str, str] = {}
        self.keys: dict[str, bytes] = {}
        for n in EOAS + KEYS_ONLY:
            self.names[n] = addr_of(n)
            self.keys[self.names[n]] = key_of(n)
        for n in EOAS:
            boa.env.set_balance(self.names[n], 10**30)
        owner = self.names["owner"]
        self.owner = owner
        self.c = {}  # label -> boa contract
        for label, (path, _) in TOKENS.items():
            args = (TOKEN_NAMES[label], "T", 6) if label == "std" else ()
            self.c[label] = chain.deploy(path, *args, sender=owner)
        self.c["atk"] = chain.deploy(TOKEN_MOCKS / "attacker_wallet_mock.vy", sender=owner)
        self.c["atk2"] = chain.deploy(TOKEN_MOCKS / "attacker_wallet_mock.vy", sender=owner)
        self.c["smart"] = chain.deploy(WALLET_MOCKS / "smart_wallet_mock.vy", self.names["k_smart"], sender=owner)
        msig_owners = sorted(self.names[k] for k in ("k_m1", "k_m2", "k_m3"))
        self.c["msig"] = chain.deploy(WALLET_MOCKS / "multisig_wallet_mock.vy", msig_owners, 2, sender=owner)
        self.c["burn"] = chain.deploy(WALLET_MOCKS / "gas_burner_mock.vy", self.names["k_burn"], False, sender=owner)
        self.c["burnv"] = chain.deploy(WALLET_MOCKS / "gas_burner_mock.vy", self.names["k_burn"], True, sender=owner)
        for label in list(TOKENS) + list(WALLETS):
            self.names[label] = self.c[label].address.lower()
        self.names["eth"] = R.ETH
        # the atk2 wallet refuses ETH for good
        self.c["atk2"].set_mode(1, R.ZERO, b"", sender=owner)
        # reputation first, with the escrow's future address as its writer (reputation at
        # nonce n, the agreements module the escrow delegates to at n + 1, the escrow at n + 2)
        n = chain.nonce_of(owner)
        self.predicted_escrow = chain.create_address(owner, n + 2)
        rep_abi = _abi_json(reputation_path)
        ctor = next((e for e in rep_abi if e.get("type") == "constructor"), {"inputs": []})
        rep_args = [_ctor_value(i, self.predicted_escrow) for i in ctor["inputs"]]
        with boa.env.prank(owner):
            self.rep = chain.deployer_for(str(reputation_path)).deploy(*rep_args)
            self.agreements = chain.deployer_for(str(agreements_path)).deploy(self.rep.address)
            self.escrow = chain.deployer_for(str(escrow_path)).deploy(
                self.rep.address, FEE_BPS, self.names["fees"], self.agreements.address
            )
        assert chain.nonce_of(owner) == n + 3
        assert self.escrow.address.lower() == self.predicted_escrow, "escrow not at the predicted CREATE address"
        self.names["escrow"] = self.escrow.address.lower()
        self.names["rep"] = self.rep.address.lower()
        # the escrow runs settle and the amendments from EscrowAgreements (delegatecall): one ABI
        self.eabi = Abi(_abi_json(agreements_path) + _abi_json(escrow_path))
        self.rabi = Abi(rep_abi)
        self.chain_id = boa.env.evm.patch.chain_id
        self.addr_label = {v: k for k, v in self.names.items()}
        # funds: every client holds every token and approved the escrow (c2: a small allowance)
        for label in TOKENS:
            tok = self.c[label]
            for cl in CLIENTS + ("s",):
                tok.mint(self.names[cl], BIG, sender=owner)
                allowance = 10**9 if cl == "c2" else R.UINT256_MAX
                self.token_call(label, cl, "approve(address,uint256)", ["address", "uint256"],
                                [self.names["escrow"], allowance])  # fmt: skip
        # storage slots of the public getters the harness reads every step (the same values as
        # the getters; full checks read the getters themselves)
        self.slot_balance = {label: _find_slot(_layout(path), "balanceOf") for label, (path, _) in TOKENS.items()}
        esc_layout = _layout(escrow_path)
        self.slot_credits = _find_slot(esc_layout, "credits")
        self.slot_fees = _find_slot(esc_layout, "fees_accrued")
        # terms_hash_of: job id => bytes32; _consents_used: freelancer => salt >> 8 => bit words
        self.slot_terms_hash = _find_slot(esc_layout, "terms_hash_of")
        self.slot_consents = _find_slot(esc_layout, "_consents_used")
        # _jobs: job id => job word; _milestones: job id => index => milestone word (JOB_FIELDS,
        # MILESTONE_FIELDS say how they are packed); get_job is their getter
        self.slot_jobs = _find_slot(esc_layout, "_jobs")
        self.slot_milestones = _find_slot(esc_layout, "_milestones")
        atk_layout = _layout(TOKEN_MOCKS / "attacker_wallet_mock.vy")
        re_layout = _layout(TOKEN_MOCKS / "reentrant_token_mock.vy")
        self.slot_hooks = {
            "atk": (_find_slot(atk_layout, "hook_calls"), _find_slot(atk_layout, "hook_succeeded")),
            "reent": (_find_slot(re_layout, "hook_calls"), _find_slot(re_layout, "hook_succeeded")),
        }
        self.base_model = self._build_model()

    # -- chain helpers

    def token_call(self, label: str, who: str, sig: str, types, values):
        data = chain.calldata(sig, types, values)
        tok = self.names[label]
        if who in WALLETS:
            r = chain.send(self.names[who], self.execute_data(tok, data), self.names["op"])
        else:
            r = chain.send(tok, data, self.names[who])
        assert r.ok, (label, who, sig, r)

    @staticmethod
    def execute_data(target: str, data: bytes, value: int = 0) -> bytes:
        return chain.calldata("execute(address,bytes)", ["address", "bytes"], [target, data])

    def _build_model(self) -> Model:
        n = self.names
        m = Model(chain_id=self.chain_id, escrow=n["escrow"], reputation=n["rep"], owner=self.owner,
                  rep_owner=self.owner, fee_bps=FEE_BPS, fee_recipient=n["fees"], now=T_START)  # fmt: skip
        for e in EOAS:
            m.add_account(n[e], Account("eoa", key=self.keys[n[e]]))
            m.eth[n[e]] = 10**30
        m.add_account(n["escrow"], Account("contract"))
        m.add_account(n["rep"], Account("contract"))
        m.add_account(n["atk"], Account("attacker"))
        m.add_account(n["atk2"], Account("attacker", mode=1))
        m.add_account(n["smart"], Account("smart", owner=n["k_smart"]))
        owners = tuple(sorted(n[k] for k in ("k_m1", "k_m2", "k_m3")))
        m.add_account(n["msig"], Account("multisig", owners=owners, threshold=2))
        m.add_account(n["burn"], Account("burner", owner=n["k_burn"]))
        m.add_account(n["burnv"], Account("burner", owner=n["k_burn"], burn_on_validate=True))
        for label, (_, kind) in TOKENS.items():
            tok = Token(n[label], kind, TOKEN_NAMES[label])
            for cl in CLIENTS + ("s",):
                tok.balances[n[cl]] = BIG
                tok.allowances[(n[cl], n["escrow"])] = 10**9 if cl == "c2" else R.UINT256_MAX
            m.add_token(tok)
        return m

    def fresh_model(self) -> Model:
        return copy.deepcopy(self.base_model)


def v2_available() -> bool:
    """Whether contracts/Escrow.vy is the v2 escrow (by its ABI: the amendments).

    Missing files mean another version (v1): the v2 suites skip. A v2 escrow that does not
    compile is an error, not a skip: tools/mutate.py runs this suite on copies of contracts/ and
    checks that a copy that does not compile fails it (its canary); a skip would pass. A v2
    escrow without this design's views (`terms_hash_of`, `consent_used`) is not skipped either:
    the suites then fail on the missing functions."""
    if not (ESCROW_PATH.exists() and AGREEMENTS_PATH.exists()):
        return False
    names = {e.get("name") for e in _abi_json(ESCROW_PATH)}
    names |= {e.get("name") for e in _abi_json(AGREEMENTS_PATH)}
    return {"accept_with_deduction", "extend_deadline", "add_milestones"} <= names


def _abi_json(path) -> list:
    """The compiled ABI (function and event signatures) of a contract."""
    from vyper.compiler.output import build_abi_output

    return build_abi_output(chain.deployer_for(str(path)).compiler_data)


def _layout(path) -> dict:
    from vyper.compiler.output import build_layout_output

    if Path(path).parent.name in ("mocks", "tokens"):  # deployed by chain.deploy, from its cache
        return chain.built(str(path))["layout"]
    return build_layout_output(chain.deployer_for(str(path)).compiler_data)["storage_layout"]


def _find_slot(layout: dict, name: str) -> int:
    """The slot of public variable `name` anywhere in a storage layout (modules nest)."""
    for k, v in layout.items():
        if k == name and isinstance(v, dict) and "slot" in v:
            return v["slot"]
        if isinstance(v, dict) and "slot" not in v:
            try:
                return _find_slot(v, name)
            except KeyError:
                pass
    raise KeyError(name)


@functools.lru_cache(maxsize=1 << 16)
def map_slot(base: int, *keys) -> int:
    """A Vyper HashMap entry: keccak(slot ‖ key), nested for each key (cached: the checks after
    every step read the same entries again and again)."""
    slot = base
    for k in keys:
        key = bytes.fromhex(k[2:]).rjust(32, b"\x00") if isinstance(k, str) else int(k).to_bytes(32, "big")
        slot = int.from_bytes(keccak(slot.to_bytes(32, "big") + key), "big")
    return slot


def _ctor_value(inp, escrow):
    t = inp["type"]
    if t == "address[]" or t.startswith("address["):
        return [escrow]
    if t == "address":
        return escrow
    raise NotImplementedError(f"reputation constructor input {inp}")


# ------------------------------------------------------------------------- running one step


@dataclass
class Stats:
    sequences: int = 0
    calls: int = 0
    ok: Counter = field(default_factory=Counter)
    reverts: Counter = field(default_factory=Counter)
    hooks: Counter = field(default_factory=Counter)
    max_payout_gas: Counter = field(default_factory=Counter)

    def merge(self, o: Stats):
        self.sequences += o.sequences
        self.calls += o.calls
        self.ok.update(o.ok)
        self.reverts.update(o.reverts)
        self.hooks.update(o.hooks)
        for k, v in o.max_payout_gas.items():
            self.max_payout_gas[k] = max(self.max_payout_gas[k], v)


# gas: a payout call may cost at most this much beyond its caps (asserted on every call that paid)
PAYOUT_BASE_GAS = 700_000
CAP = {"eth": 50_000, "token": 100_000, "reputation": 250_000}


class ChainHooks:
    """Answers the model's two gas-dependent questions from the MOCKS' own counters (never the
    escrow's state): did a hooked payout go through, and did the re-entered call succeed."""

    def __init__(self, before: dict, after: dict):
        self.before, self.after = before, after
        self.used = Counter()

    def _answer(self, addr):
        d = self.after[addr][0] - self.before[addr][0] - self.used[addr]
        if d <= 0:
            return False, None
        self.used[addr] += 1
        return True, bool(self.after[addr][1])

    def eth_hook(self, wallet, depth):
        return self._answer(wallet)

    def token_hook(self, token, depth):
        return self._answer(token)


class Runner:
    def __init__(self, world: World, model: Model, stats: Stats, check_every: int = 1):
        self.w = world
        self.m = model
        self.stats = stats
        self.log: list = []
        self.check_every = check_every
        self.full_reputation = False
        self.full_reputation_pending = False
        self.consents_seen: set = set()  # (freelancer, salt) of every terms a creation presented

    # -- encoding

    def encode(self, call: Call) -> tuple[str, bytes, str]:
        abi = self.w.rabi if call.target == "reputation" else self.w.eabi
        to = self.w.names["rep" if call.target == "reputation" else "escrow"]
        data = abi.encode(call.fn, call.args)
        if call.via:
            return call.via, World.execute_data(to, data), call.sender
        return to, data, call.sender

    # -- hook facts from the mocks

    def _hook_counters(self):
        w = self.w
        out = {}
        for label, (s_calls, s_ok) in w.slot_hooks.items():
            a = w.names[label]
            out[a] = (boa.env.get_storage(a, s_calls), boa.env.get_storage(a, s_ok))
        return out

    # -- one call

    def call(self, call: Call, expect_ok: bool | None = None):
        """Runs `call` on the chain and the model, compares; returns the model's outcome."""
        to, data, sender = self.encode(call)
        if call.via and len(data) > 4_096 + 100:
            self.stats.hooks["skipped: calldata above the wallet's execute bound"] += 1
            return None
        self.stats.calls += 1
        self.log.append(call)
        hooked = self._hooks_armed()
        before = self._hook_counters() if hooked else None
        boa.env.timestamp = self.m.now
        res = chain.send(to, data, sender, value=call.value)
        if hooked:
            self.m.hooks = ChainHooks(before, self._hook_counters())
        else:
            self.m.hooks = R.DefaultHooks()
        out = self.m.execute(call)
        self.m.hooks = R.DefaultHooks()
        for fn, kept, would in self.m.nested_log:
            what = "kept" if kept else ("undone, model: would succeed" if would is True else f"undone, model: {would}")
            self.stats.hooks[f"re-entered {fn}: {what}"] += 1
        self.m.nested_log.clear()
        name = ("rep." if call.target == "reputation" else "") + call.fn
        if self.m.mismatches:
            msgs, self.m.mismatches = self.m.mismatches, []
            raise Mismatch(f"{call!r}: {msgs}")
        if res.ok != out.ok:
            raise Mismatch(f"{call!r}: chain {res!r}, model {out!r}")
        if out.ok:
            self.stats.ok[name] += 1
            self._check_return(call, res, out)
            self._check_gas(call, res, out)
        else:
            self.stats.reverts[out.reason if out.reason != R.ANY else f"{name}: {res.reason}"] += 1
            if out.reason != R.ANY and res.reason != out.reason and res.reason not in out.alternatives:
                raise Mismatch(f"{call!r}: chain reverted {res.reason!r}, model {out.reason!r}")
        if expect_ok is not None and out.ok != expect_ok:
            raise Mismatch(f"{call!r}: expected ok={expect_ok}, got {out!r}")
        self.compare(call, out)
        return out

    def _hooks_armed(self) -> bool:
        m = self.m
        atk = m.accounts[self.w.names["atk"]]
        tok = m.tokens[self.w.names["reent"]]
        return atk.mode == 2 or tok.hook_target is not None

    def _check_return(self, call, res, out):
        if call.target != "escrow":
            return
        outs = self.w.eabi.fns[call.fn]["outputs"]
        if outs and call.fn in ("create_job", "create_job_with_permit"):
            raw = res.decode(["bytes"])[0] if call.via else res.output
            (got,) = chain.decode(["uint256"], raw)
            if got != out.ret:
                raise Mismatch(f"{call!r}: returned {got}, model {out.ret}")

    def _check_gas(self, call, res, out):
        if not out.payouts:
            return
        bound = PAYOUT_BASE_GAS + CAP["reputation"]
        job = self.m.jobs.get(call.args.get("job_id")) if call.target == "escrow" else None
        if job is not None:
            bound += 25_000 * len(job.terms.milestones)  # words a settle or cancel writes
        for token, _, _, _ in out.payouts:
            bound += CAP["eth"] if token == R.ETH else CAP["token"]
        self.stats.max_payout_gas[call.fn] = max(self.stats.max_payout_gas[call.fn], res.gas_used)
        hooked = self._hooks_armed() or any(
            self.m.accounts.get(to, Account("eoa")).kind in ("burner", "attacker") for _, to, _, _ in out.payouts
        )
        if hooked:
            bound += 2 * CAP["token"]  # a re-entered call runs inside the payout's own cap
        if res.gas_used > bound:
            raise Mismatch(f"{call!r}: used {res.gas_used} gas, bound {bound}")

    # -- comparisons

    def compare(self, call: Call, out: Outcome, full: bool = False):
        w, m = self.w, self.m
        n = w.names
        # the invariant: for every token the escrow holds exactly what the MODEL says is owed
        for label in list(TOKENS) + ["eth"]:
            t = n[label]
            got = self.balance(label, n["escrow"])
            held = m.held(t)
            if got != held:
                raise Mismatch(f"after {call!r}: escrow holds {got} of {label}, model says owed {held}")
            mine = m.ethbal(n["escrow"]) if label == "eth" else m.tokens[t].bal(n["escrow"])
            if mine != held:
                raise Mismatch(f"model inconsistent: {label} escrow balance {mine} != owed {held}")
        if out.ok and call.fn.startswith("create_job") or full:
            jc = chain.view(n["escrow"], chain.calldata("job_count()", [], []), ["uint256"])[0]
            if jc != m.job_count:
                raise Mismatch(f"after {call!r}: job_count {jc}, model {m.job_count}")
        tokens = set()
        jobs = set()
        if call.target == "escrow":
            if "job_id" in call.args and call.args["job_id"] in m.jobs:
                jobs.add(call.args["job_id"])
            if out.ok and call.fn.startswith("create_job"):
                jobs.add(out.ret)
            for j in jobs:
                tokens.add(m.jobs[j].terms.token)
            if "token" in call.args:
                tokens.add(R.norm(call.args["token"]))
        for token, _, _, _ in out.payouts:
            tokens.add(token)
        periodic = full or self.stats.calls % self.check_every == 0
        if periodic:
            tokens = {n[label] for label in list(TOKENS) + ["eth"]}
        if full:
            jobs = set(m.jobs)
        if periodic:
            actors = [n[a] for a in EOAS + tuple(WALLETS)]
        else:
            actors = {call.sender, call.via, m.fee_recipient, n["sink"]} - {None, ""}
            for j in jobs:
                jt = m.jobs[j].terms
                actors |= {jt.client, jt.freelancer, jt.arbiter}
            for k in ("to", "new_recipient"):
                if k in call.args:
                    actors.add(R.norm(call.args[k]))
            actors = sorted(actors)
        for t in tokens:
            label = w.addr_label[t] if t != R.ETH else "eth"
            for a in actors:
                got = self.balance(label, a)
                mine = m.ethbal(a) if t == R.ETH else m.tokens[t].bal(a)
                if got != mine:
                    raise Mismatch(f"after {call!r}: {w.addr_label[a]} holds {got} of {label}, model {mine}")
                c = self.credit(t, a)
                if c != m.credit(t, a):
                    raise Mismatch(
                        f"after {call!r}: credit of {w.addr_label[a]} in {label} {c}, model {m.credit(t, a)}"
                    )
            fa = self.fees(t, getter=full)
            if fa != m.fees_accrued.get(t, 0):
                raise Mismatch(f"after {call!r}: fees_accrued[{label}] {fa}, model {m.fees_accrued.get(t, 0)}")
        self.full_reputation_pending = full
        for j in jobs:
            self.compare_job(call, j, getter=full)
        creating = call.target == "escrow" and call.fn.startswith("create_job")
        if creating and isinstance(call.args.get("terms"), Terms):
            t = call.args["terms"]
            self.consents_seen.add((t.freelancer, t.salt))
            edge = "a word-edge salt" if t.salt & 255 in (0, 255) else "a salt"
            what = "created" if out.ok else ("consent used" if out.reason == "escrow: consent used" else "other revert")
            self.stats.hooks[f"consent: creation with {edge}: {what}"] += 1
            self.compare_consent(call, t.freelancer, t.salt, neighbours=True)
        if full:
            for fl, salt in sorted(self.consents_seen | {(j.terms.freelancer, j.terms.salt) for j in m.jobs.values()}):
                self.compare_consent(call, fl, salt)
            for jid in (0, m.job_count + 1, 2**256 - 1):
                self.compare_terms_hash(call, jid, getter=True)
        ended = out.ok and any(e[0] in ("JobEnded", "JobRated") for e in out.events)
        if full or ended or (out.ok and call.target == "reputation"):
            self.full_reputation = full
            self.compare_reputation(call)
        if full:
            self.compare_settings(call)

    def balance(self, label, who, getter=False):
        if label == "eth":
            return boa.env.get_balance(who)
        tok = self.w.names[label]
        if getter:
            return chain.view(tok, chain.calldata("balanceOf(address)", ["address"], [who]), ["uint256"])[0]
        return boa.env.get_storage(tok, map_slot(self.w.slot_balance[label], who))

    def credit(self, token, who, getter=False):
        """credits[token][account] (the spec's order)."""
        e = self.w.names["escrow"]
        if getter:
            return chain.view(e, self.w.eabi.encode_pos("credits", token, who), ["uint256"])[0]
        return boa.env.get_storage(e, map_slot(self.w.slot_credits, token, who))

    def fees(self, token, getter=False):
        e = self.w.names["escrow"]
        if getter:
            return chain.view(e, self.w.eabi.encode_pos("fees_accrued", token), ["uint256"])[0]
        return boa.env.get_storage(e, map_slot(self.w.slot_fees, token))

    def terms_hash(self, jid, getter=False) -> bytes:
        """terms_hash_of(job id): the view, or its storage word."""
        e = self.w.names["escrow"]
        if getter:
            return chain.view(e, self.w.eabi.encode_pos("terms_hash_of", jid), ["bytes32"])[0]
        return boa.env.get_storage(e, map_slot(self.w.slot_terms_hash, jid)).to_bytes(32, "big")

    def compare_terms_hash(self, call, jid, getter=False):
        got = self.terms_hash(jid, getter)
        want = self.m.terms_hash_of(jid)
        if got != want:
            raise Mismatch(f"after {call!r}: terms_hash_of({jid}) = 0x{got.hex()}, model 0x{want.hex()}")

    def compare_consent(self, call, freelancer, salt, neighbours=False):
        """consent_used(freelancer, salt) (the view) and the bit word holding it (storage); with
        neighbours, also the words either side (every bit of the salts around it), and in a full
        check the view of the salts either side too."""
        w, m = self.w, self.m
        e = w.names["escrow"]
        salts = {salt}
        if neighbours and self.full_reputation_pending:
            salts |= {x for x in (salt - 1, salt + 1, salt ^ 1, salt ^ 256) if 0 <= x < 2**256}
        for x in sorted(salts):
            got = chain.view(e, w.eabi.encode_pos("consent_used", freelancer, x), ["bool"])[0]
            if got != m.consent_used(freelancer, x):
                raise Mismatch(f"after {call!r}: consent_used({w.addr_label.get(freelancer, freelancer)}, {x:#x}) "
                               f"{got}, model {m.consent_used(freelancer, x)}")  # fmt: skip
        words = {salt >> 8}
        if neighbours:
            words |= {x for x in ((salt >> 8) - 1, (salt >> 8) + 1) if 0 <= x < 2**248}
        for word in sorted(words):
            got = boa.env.get_storage(e, map_slot(w.slot_consents, freelancer, word))
            if got != m.consent_word(freelancer, word):
                raise Mismatch(f"after {call!r}: consent word [{w.addr_label.get(freelancer, freelancer)}][{word:#x}]"
                               f" {got:#x}, model {m.consent_word(freelancer, word):#x}")  # fmt: skip

    def job_state(self, jid, getter=False) -> dict:
        """get_job(job id) as a dict: the getter, or the job's and its milestones' storage words
        unpacked by JOB_FIELDS and MILESTONE_FIELDS (the getter's field names)."""
        w = self.w
        e = w.names["escrow"]
        if getter:
            vals = chain.view(e, w.eabi.encode_pos("get_job", jid), w.eabi.out_types("get_job"))
            return _named(w.eabi.out_names("get_job"), vals)
        word = boa.env.get_storage(e, map_slot(w.slot_jobs, jid))
        got = _unpack(word, JOB_FIELDS)
        for flag, bit in JOB_FLAGS.items():
            got[flag] = bool(got["flags"] & bit)
        got["ended"] = got["open_count"] == 0
        words = [boa.env.get_storage(e, map_slot(w.slot_milestones, jid, i)) for i in range(got["milestone_count"])]
        got["milestones"] = [_unpack(x, MILESTONE_FIELDS) for x in words]
        return got

    def compare_job(self, call, jid, getter=True):
        w, m = self.w, self.m
        job = m.jobs[jid]
        got = self.job_state(jid, getter)
        want = {
            "funded": job.funded,
            "funded_count": job.funded,
            "open": job.open,
            "open_count": job.open,
            "nonce": job.nonce,
            "start": job.start,
            "settled": job.settled,
            "cancelled": job.cancelled,
            "client_rated": job.client_rated,
            "freelancer_rated": job.freelancer_rated,
            # the view's `paid` flag: an ended job that paid its freelancer (the spec has no views)
            "paid": (job.end_processed and job.paid > 0) if isinstance(got.get("paid"), bool) else job.paid,
            "ended": job.open == 0,
            "milestone_count": len(job.terms.milestones),
            "terms_hash": job.terms.hash,
        }
        if job.settled and got.get("funded_count") == len(job.terms.milestones) != job.funded:
            # spec-silent (README reading 4): settle may also set funded = len
            self.stats.hooks["spec-silent: settle sets funded = len"] += 1
            want["funded_count"] = len(job.terms.milestones)
        for k, v in want.items():
            if k in got and got[k] != v:
                raise Mismatch(f"after {call!r}: job {jid}.{k} = {got[k]!r}, model {v!r}")
        rebinding = call.fn in ("create_job", "create_job_with_permit", "extend_deadline", "add_milestones")
        self.compare_terms_hash(call, jid, getter=rebinding or self.full_reputation_pending)
        if self.full_reputation_pending:
            h = chain.view(w.names["escrow"], w.eabi.encode_pos("hash_terms", job.terms), ["bytes32"])[0]
            if h != job.terms.hash:
                raise Mismatch(f"hash_terms(job {jid}) {h.hex()} != our EIP-712 hashStruct {job.terms.hash.hex()}")
        ms = got.get("milestones")
        if ms is not None:
            if len(ms) != len(job.milestones):
                raise Mismatch(f"after {call!r}: job {jid} has {len(ms)} milestones, model {len(job.milestones)}")
            for i, (g, mm) in enumerate(zip(ms, job.milestones, strict=True)):
                for k in ("status", "review_end", "ruling_end", "disputer", "ruling_bps"):
                    if k in g and g[k] != getattr(mm, k):
                        raise Mismatch(f"after {call!r}: job {jid} milestone {i}.{k} = {g[k]}, model {getattr(mm, k)}")

    def compare_reputation(self, call):
        """Filled in against the reputation v2 ABI (see REPUTATION_VIEWS)."""
        for check in REPUTATION_VIEWS:
            check(self, call)

    def compare_settings(self, call):
        w, m = self.w, self.m
        e = w.names["escrow"]
        for fn, want, typ in (
            ("platform_fee_bps", m.platform_fee_bps, "uint256"),
            ("paused", m.paused, "bool"),
            ("fee_recipient", m.fee_recipient, "address"),
            ("owner", m.owner, "address"),
        ):
            if fn in w.eabi.fns:
                got = chain.view(e, chain.calldata(f"{fn}()", [], []), [typ])[0]
                if isinstance(got, str):
                    got = got.lower()
                if got != want:
                    raise Mismatch(f"after {call!r}: {fn} {got!r}, model {want!r}")

    # -- environment actions: applied to the chain and the model alike

    def env(self, action: str, **kw):
        w, m = self.w, self.m
        n = w.names
        self.log.append(("env", action, kw))
        owner = w.owner
        if action == "time":
            m.now = kw["to"]
            boa.env.timestamp = m.now
        elif action == "block":
            w.c["blk"].set_blocked(kw["who"], kw["on"], sender=owner)
            (m.tokens[n["blk"]].blocked.add if kw["on"] else m.tokens[n["blk"]].blocked.discard)(kw["who"])
        elif action == "reent_block":
            w.c["reent"].set_blocked(kw["who"], kw["on"], sender=owner)
            m.tokens[n["reent"]].blocked = {kw["who"]} if kw["on"] else set()
        elif action == "failing":
            w.c["false"].set_failing(kw["on"], sender=owner)
            m.tokens[n["false"]].failing = kw["on"]
        elif action == "token_paused":
            w.c["paus"].set_paused(kw["on"], sender=owner)
            m.tokens[n["paus"]].paused = kw["on"]
        elif action == "arm":
            # the reentrant token calls back on its next transfer out of `sender` (the escrow:
            # a payout; a client: the pull of a create, fund or add_milestones)
            call: Call | None = kw["call"]
            tok = m.tokens[n["reent"]]
            hook_sender = kw.get("sender", n["escrow"])
            if call is None:
                w.c["reent"].arm(n["escrow"], R.ZERO, b"", sender=owner)
                tok.hook_sender, tok.hook_target, tok.hook_call = n["escrow"], None, None
                return
            target = kw["target"]
            data = b"\x00" if target == n["burn"] else self.encode(call)[1]
            w.c["reent"].arm(hook_sender, target, data, sender=owner)
            tok.hook_sender, tok.hook_target = hook_sender, target
            tok.hook_call = None if target == n["burn"] else call
        elif action == "forget_consent":
            # white-box, named tests only (never generated): clears a used consent's bit on the
            # chain and in the model, to force a state no sequence of calls reaches (two jobs
            # with one (freelancer, salt)); the binding must keep such jobs apart anyway
            fl, salt = R.norm(kw["freelancer"]), kw["salt"]
            slot = map_slot(w.slot_consents, fl, salt >> 8)
            word = boa.env.get_storage(n["escrow"], slot) & ~(1 << (salt & 255))
            boa.env.set_storage(n["escrow"], slot, word)
            m.consent_words[(fl, salt >> 8)] = m.consent_word(fl, salt >> 8) & ~(1 << (salt & 255))
        elif action == "atk_mode":
            call = kw.get("call")
            data = w.eabi.encode(call.fn, call.args) if call else b""
            w.c["atk"].set_mode(kw["mode"], n["escrow"] if call else R.ZERO, data, sender=owner)
            acct = m.accounts[n["atk"]]
            acct.mode, acct.hook_call = kw["mode"], call
        else:
            raise ValueError(action)


def _rep_stats(runner: Runner, call):
    w, m = runner.w, runner.m
    n = w.names
    rep = n["rep"]
    accounts = [n[a] for a in EOAS + tuple(WALLETS)]
    tokens = [n[t] for t in list(TOKENS) + ["eth"]]
    if not runner.full_reputation:
        job = m.jobs.get(call.args.get("job_id")) if call.target == "escrow" else None
        if job is None:
            return
        accounts = [job.terms.client, job.terms.freelancer]
        tokens = [job.terms.token]
    for a in accounts:
        got = chain.view(rep, w.rabi.encode_pos("stats", a), w.rabi.out_types("stats"))[0]
        jobs = m.rep_jobs.get(a, [0, 0])
        disp = m.rep_disputes.get(a, [0, 0, 0])
        rat = m.rep_ratings.get(a, [0, 0])
        want = (jobs[0], jobs[1], disp[0], disp[1], disp[2], rat[0], rat[1])
        if tuple(got) != want:
            raise Mismatch(f"after {call!r}: reputation stats of {w.addr_label[a]} {tuple(got)}, model {want}")
        cp = chain.view(rep, w.rabi.encode_pos("counterparties", a), ["uint256"])[0]
        if cp != len(m.rep_counterparties.get(a, [])):
            raise Mismatch(f"after {call!r}: counterparties({w.addr_label[a]}) {cp}, model "
                           f"{len(m.rep_counterparties.get(a, []))}")  # fmt: skip
        for t in tokens:
            if (a, t) not in m.rep_volume and runner.full_reputation:
                continue
            got = chain.view(rep, w.rabi.encode_pos("volume", a, t), w.rabi.out_types("volume"))[0]
            want = tuple(m.rep_volume.get((a, t), [0, 0]))
            if tuple(got) != want:
                raise Mismatch(f"after {call!r}: volume({w.addr_label[a]}, {w.addr_label.get(t, t)}) {tuple(got)}, "
                               f"model {want}")  # fmt: skip
    for (a, b), cnt in m.rep_together.items():
        if a not in accounts:
            continue
        got = chain.view(rep, w.rabi.encode_pos("jobs_together", a, b), ["uint256"])[0]
        if got != cnt:
            raise Mismatch(f"after {call!r}: jobs_together({w.addr_label[a]}, {w.addr_label[b]}) {got}, model {cnt}")


def _rep_writers(runner: Runner, call):
    w, m = runner.w, runner.m
    if not runner.full_reputation and call.target != "reputation":
        return
    n = w.names
    for label in ("escrow", "atk2", "burnv", "std"):
        a = n[label]
        got = chain.view(n["rep"], w.rabi.encode_pos("is_escrow", a), ["bool"])[0]
        if got != (a in m.writers):
            raise Mismatch(f"after {call!r}: is_escrow({label}) {got}, model {a in m.writers}")
        got = chain.view(n["rep"], w.rabi.encode_pos("pending_escrow_change", a), ["bool", "uint256"])
        pend = m.pending_changes.get(a)
        want = (pend[0], pend[1]) if pend else (False, 0)
        if tuple(got) != want:
            raise Mismatch(f"after {call!r}: pending_escrow_change({label}) {tuple(got)}, model {want}")


REPUTATION_VIEWS: list = [_rep_stats, _rep_writers]


# ------------------------------------------------------------------------- generator


DURATIONS = (1, 60, 3_600, DAY, 3 * DAY, 10 * DAY, 30 * DAY, 365 * DAY, 10 * 365 * DAY)
WINDOWS = (1, 3_600, DAY, 3 * DAY, 7 * DAY, 365 * DAY)
HOSTILE_INDICES = (255, 256, 2**255, 2**256 - 1)
# salts at the consent bitmap's word boundaries (bit salt & 255 of word salt >> 8)
EDGE_SALTS = (0, 1, 254, 255, 256, 257, 511, 512, 2**255 - 1, 2**255, 2**256 - 257, 2**256 - 256, 2**256 - 2,
              2**256 - 1)  # fmt: skip


class Generator:
    """Random calls aimed with the model's view of the jobs, with hostile arguments mixed in."""

    def __init__(self, runner: Runner, rng: random.Random):
        self.r = runner
        self.w = runner.w
        self.rng = rng
        self.old_terms: list[tuple[int, Terms]] = []  # terms an amendment replaced, for replay attempts
        self.salts: dict[str, list[int]] = {}  # freelancer -> salts its terms were presented with
        self.sigs: list[bytes] = []  # signatures seen, for replays on other jobs

    @property
    def m(self) -> Model:
        return self.r.m

    def a(self, label):
        return self.w.names[label]

    # -- who sends: EOAs directly, wallets through execute from the operator

    def as_call(self, fn, who_label, args, value=0, target="escrow") -> Call:
        addr = self.a(who_label)
        if who_label in WALLETS:
            return Call(fn, self.a("op"), args, value=value, via=addr, target=target)
        return Call(fn, addr, args, value=value, target=target)

    def label_of(self, addr):
        return self.w.addr_label.get(addr, "s")

    def can_act(self, label):
        return label in EOAS or (label in WALLETS and WALLETS[label][1])

    # -- signatures

    def sign(self, signer: str, digest: bytes, hostile: bool = True) -> bytes:
        rng = self.rng
        m = self.m
        acct = m.accounts.get(signer)
        mode = "good"
        if hostile and rng.random() < 0.12:
            mode = rng.choice(("wrong", "high_s", "bad_v", "short", "long", "empty", "random", "replay", "huge"))
        keys = self.signer_keys(signer)
        if mode == "wrong" or not keys:
            keys = [key_of(rng.choice(("c1", "f1", "a1", "s")))]
        sigs = [eip712.sign(k, digest) for k in keys]
        if acct is not None and acct.kind == "multisig":
            if hostile and rng.random() < 0.1:
                sigs = sigs[::-1]  # unsorted owners: refused
            sig = b"".join(sigs)
        else:
            sig = sigs[0]
        if mode == "high_s":
            sig = eip712.high_s(sig[:65]) + sig[65:]
        elif mode == "bad_v":
            sig = sig[:64] + bytes([sig[64] - 27]) + sig[65:]
        elif mode == "short":
            sig = sig[:-1]
        elif mode == "long":
            sig = sig + b"\x00"
        elif mode == "empty":
            sig = b""
        elif mode == "random":
            sig = rng.randbytes(65)
        elif mode == "huge":
            sig = sig + bytes(rng.choice((1_024 - len(sig), 1_025 - len(sig))))  # the ABI bound is 1,024
        elif mode == "replay" and self.sigs:
            sig = rng.choice(self.sigs)
        self.sigs.append(sig)
        if len(self.sigs) > 20:
            self.sigs.pop(0)
        return sig

    def signer_keys(self, signer) -> list[bytes]:
        acct = self.m.accounts.get(signer)
        if acct is None:
            return []
        if acct.kind == "eoa":
            return [acct.key]
        if acct.kind in ("smart", "burner"):
            return [self.w.keys[acct.owner]]
        if acct.kind == "multisig":
            owners = sorted(self.rng.sample(list(acct.owners), acct.threshold), key=lambda a: int(a, 16))
            return [self.w.keys[o] for o in owners]
        return []

    def digest(self, struct_hash):
        return eip712.digest(self.m.domain, struct_hash)

    # -- numbers

    def amount(self) -> int:
        rng = self.rng
        x = rng.random()
        if x < 0.5:
            return rng.choice((1, 2, 3, 99, 100, 101, 9_999, 10_000, 10_001))
        if x < 0.85:
            return rng.randint(1, 10**9)
        if x < 0.95:
            return rng.choice((2**96 - 1, 2**96 - 2, 2**95))
        return rng.choice((0, 2**96, 2**256 - 1))

    def bps(self, cap=R.BPS) -> int:
        rng = self.rng
        x = rng.random()
        if x < 0.4:
            return rng.choice((0, 1, 4_999, 5_000, 5_001, 9_999, cap))
        if x < 0.95:
            return rng.randint(0, cap)
        return rng.choice((cap + 1, 2**256 - 1))

    def index(self, job) -> int:
        rng = self.rng
        n = len(job.terms.milestones)
        x = rng.random()
        if x < 0.85:
            return rng.randrange(n)
        if x < 0.9:
            return n
        others = [j for j in self.m.jobs if j != job.id]
        if others and x < 0.95:
            return (rng.choice(others) << 8) | rng.randrange(4)
        return rng.choice(HOSTILE_INDICES)

    # -- terms

    def new_terms(self) -> tuple[Terms, str]:
        rng, m = self.rng, self.m
        client = rng.choice(CLIENTS)
        token_label = rng.choice(list(TOKENS) + ["eth", "eth", "std"])
        # the smart wallet cannot call (no execute): only tokens whose payouts never fail pay it
        fl_choices = [f for f in FREELANCERS if f != client and (f != "smart" or token_label in ("std", "noret"))]
        freelancer = rng.choice(fl_choices) if rng.random() < 0.97 else rng.choice(("burnv", "atk"))
        arbiter = rng.choice([a for a in ARBITERS if a not in (client, freelancer)])
        k = rng.choice((1, 1, 2, 2, 3, 4))
        ms = tuple((self.amount() if rng.random() < 0.1 else rng.randint(1, 10**6), rng.choice(DURATIONS[:7]))
                   for _ in range(k))  # fmt: skip
        t = Terms(
            client=self.a(client),
            freelancer=self.a(freelancer),
            token=self.a(token_label),
            arbiter=self.a(arbiter),
            arbiter_fee_bps=rng.choice((0, 1, 250, 999, 1_000)) if rng.random() < 0.9 else rng.randint(0, 1_000),
            platform_fee_bps=m.platform_fee_bps,
            review_period=rng.choice(WINDOWS[:5]),
            ruling_window=rng.choice(WINDOWS[:5]),
            metadata_hash=rng.randbytes(32),
            salt=self.salt_for(self.a(freelancer)),
            offer_expiry=self.offer_expiry(),
            milestones=ms,
        )
        return self.mutate_terms(t), client

    def offer_expiry(self) -> int:
        """Mostly soon; sometimes far ahead, so that terms presented again later (after their job
        ended, say) still reach the consent check."""
        rng, m = self.rng, self.m
        if rng.random() < 0.7:
            return m.now + rng.choice((0, 1, DAY, 30 * DAY))
        return rng.choice((m.now + 365 * DAY, 2**64, 2**256 - 1))

    def salt_for(self, freelancer: str) -> int:
        """A fresh salt, one at a word boundary of the consent bitmap, one this freelancer's terms
        already had (a used consent when they made a job), or one next to such a salt."""
        rng = self.rng
        mine = self.salts.get(freelancer, [])
        x = rng.random()
        if x < 0.12 and mine:
            return rng.choice(mine)
        if x < 0.2 and mine:
            s = rng.choice(mine)
            s = rng.choice((s + 1, s - 1, s ^ 1, s ^ 256, s + 256, s - 256, s ^ 255))
            return s % 2**256
        if x < 0.32:
            return rng.choice(EDGE_SALTS)
        if x < 0.35:
            others = [s for f, ss in self.salts.items() if f != freelancer for s in ss]
            if others:
                return rng.choice(others)  # another freelancer's salt: a different consent
        return rng.getrandbits(64)

    def mutate_terms(self, t: Terms) -> Terms:
        rng = self.rng
        if rng.random() > 0.15:
            return t
        n = self.w.names
        choice = rng.randrange(14)
        if choice == 0:
            return t.replace(freelancer=R.ZERO)
        if choice == 1:
            return t.replace(freelancer=t.client)
        if choice == 2:
            return t.replace(arbiter=rng.choice((R.ZERO, t.client, t.freelancer)))
        if choice == 3:
            return t.replace(token=n["s"])
        if choice == 4:
            return t.replace(arbiter_fee_bps=rng.choice((1_001, 2**256 - 1)))
        if choice == 5:
            return t.replace(platform_fee_bps=rng.choice((0, 500, 501)))
        if choice == 6:
            return t.replace(review_period=rng.choice((0, 365 * DAY, 365 * DAY + 1)))
        if choice == 7:
            return t.replace(ruling_window=rng.choice((0, 365 * DAY, 365 * DAY + 1)))
        if choice == 8:
            return t.replace(milestones=())
        if choice == 9:
            ms = list(t.milestones)
            i = rng.randrange(len(ms))
            ms[i] = (rng.choice((0, 2**96 - 1, 2**256 - 1)), ms[i][1])
            return t.replace(milestones=tuple(ms))
        if choice == 10:
            ms = list(t.milestones)
            i = rng.randrange(len(ms))
            ms[i] = (ms[i][0], rng.choice((0, R.MAX_HORIZON, R.MAX_HORIZON + 1)))
            return t.replace(milestones=tuple(ms))
        if choice == 11:
            return t.replace(offer_expiry=self.m.now - 1)
        if choice == 12:
            return t.replace(milestones=tuple((1, DAY) for _ in range(rng.choice((50, 51)))))
        return t.replace(client=n["s"])

    # -- the steps

    def step(self):
        rng = self.rng
        m = self.m
        jobs = list(m.jobs.values())
        live = [j for j in jobs if j.open > 0]
        x = rng.random()
        if not jobs or x < 0.16:
            return self.create()
        if x < 0.22:
            return self.time_jump()
        if x < 0.27:
            return self.env_action()
        if x < 0.32:
            return self.admin()
        if x < 0.35:
            return self.money()
        job = rng.choice(live) if live and rng.random() < 0.9 else rng.choice(jobs)
        return self.job_call(job)

    def reused_terms(self) -> tuple[Terms, str]:
        """Terms whose (freelancer, salt) consent a job already used: a job's current terms
        (often an ended job's), terms an amendment replaced, the terms an amendment of a job
        would produce, or the job's terms with other details (a later offer expiry, other
        metadata, another schedule). Every one of them must be refused: `escrow: consent used`
        (or an earlier check: an expired offer, ...)."""
        rng, m = self.rng, self.m
        jobs = list(m.jobs.values())
        ended = [j for j in jobs if j.open == 0]
        if ended and rng.random() < 0.5:
            # an ended job's, preferably one whose offer has not expired (it reaches the consent check)
            fresh = [j for j in ended if j.terms.offer_expiry >= m.now]
            ended = fresh if fresh and rng.random() < 0.8 else ended
            jobs = ended
        j = rng.choice(jobs)
        t = j.terms
        x = rng.random()
        if x < 0.3:
            return t, "an ended job's terms" if j.open == 0 else "a running job's terms"
        if x < 0.45 and self.old_terms:
            return rng.choice(self.old_terms)[1], "terms an amendment replaced"
        if x < 0.6:
            ms = list(t.milestones)
            if rng.random() < 0.5:
                i = rng.randrange(len(ms))
                ms[i] = (ms[i][0], ms[i][1] + rng.choice((1, DAY)))
            else:
                ms.append((rng.randint(1, 10**6), rng.choice(DURATIONS[:7])))
            return t.replace(milestones=tuple(ms)), "the terms an amendment would make"
        if x < 0.8:
            later = min(max(t.offer_expiry, m.now) + rng.choice((0, DAY)), R.UINT256_MAX)
            return t.replace(offer_expiry=later), "a job's terms, later expiry"
        return t.replace(metadata_hash=rng.randbytes(32), offer_expiry=m.now + DAY), "a job's terms, other metadata"

    def create(self):
        rng, m = self.rng, self.m
        reused = None
        if rng.random() < 0.15 and m.jobs:
            t, reused = self.reused_terms()
            client = self.label_of(t.client)
        else:
            t, client = self.new_terms()
        self.salts.setdefault(t.freelancer, []).append(t.salt)
        if len(self.salts[t.freelancer]) > 30:
            self.salts[t.freelancer].pop(0)
        if not self.can_act(client):
            client = "c1"
        fund = rng.randint(0, len(t.milestones)) if rng.random() < 0.95 else len(t.milestones) + 1
        consent = self.sign(t.freelancer, self.digest(t.hash))
        amount = sum(a for a, _ in t.milestones[:fund]) if fund <= len(t.milestones) else 0
        value = 0
        if t.token == R.ETH:
            value = amount if rng.random() < 0.92 else max(0, amount + rng.choice((-1, 1)))
        elif rng.random() < 0.03:
            value = 1
        value = min(value, 10**27)
        sender = client
        if rng.random() < 0.04:
            sender = rng.choice(("s", "f1"))
        permit = (t.token in m.tokens and sender in EOAS and rng.random() < 0.3) or (
            t.token == R.ETH and rng.random() < 0.03
        )
        if permit:
            out = self.create_with_permit(t, consent, fund, sender, value)
        else:
            out = self.r.call(self.as_call("create_job", sender, {"terms": t, "consent": consent, "fund_count": fund},
                                           value=value))  # fmt: skip
        if reused and out is not None:
            self.r.stats.hooks[f"consent: {reused} presented again: {out.reason if not out.ok else 'created'}"] += 1
        return out

    def create_with_permit(self, t, consent, fund, sender, value):
        rng, m = self.rng, self.m
        owner = self.a(sender)
        tok = m.tokens.get(t.token)
        pv = rng.choice((0, 10**6, R.UINT256_MAX, min(R.UINT256_MAX, sum(a for a, _ in t.milestones))))
        deadline = m.now + rng.choice((-1, 0, DAY))
        nonce = tok.nonces.get(owner, 0) if tok else 0
        if tok and rng.random() < 0.1:
            nonce += 1  # a permit for the wrong nonce: ignored
        if tok is not None:
            d = eip712.permit_digest(tok.name, m.chain_id, tok.address, owner, m.escrow, pv, nonce, deadline)
            k = self.w.keys.get(owner, key_of("s"))
            v, r, s = eip712.sign_vrs(k, d)
        else:
            v, r, s = 27, b"\x01" * 32, b"\x02" * 32
        if rng.random() < 0.05:
            s = (eip712.SECP256K1_N - int.from_bytes(s, "big")).to_bytes(32, "big")
            v = 55 - v
        args = {"terms": t, "consent": consent, "fund_count": fund, "permit_value": pv, "permit_deadline": deadline,
                "v": v, "r": r, "s": s}  # fmt: skip
        return self.r.call(self.as_call("create_job_with_permit", sender, args, value=value))

    def time_jump(self):
        rng, m = self.rng, self.m
        marks = []
        for j in m.jobs.values():
            for i, ms in enumerate(j.milestones):
                if ms.status in R.LIVE:
                    marks.append(j.start + j.terms.milestones[i][1])
                if ms.status == R.SUBMITTED:
                    marks.append(ms.review_end)
                if ms.status == R.DISPUTED:
                    marks.append(ms.ruling_end)
        for _, eff in m.pending_changes.values():
            marks.append(eff)
        marks = [x + rng.choice((-1, 0, 1)) for x in marks]
        marks = [x for x in marks if x > m.now]
        if marks and rng.random() < 0.85:
            to = rng.choice(marks)
        else:
            to = m.now + rng.choice((1, 3_600, DAY, 7 * DAY))
        self.r.env("time", to=to)

    def env_action(self):
        rng = self.rng
        n = self.w.names
        x = rng.randrange(7)
        who = n[rng.choice(("f1", "f2", "c1", "msig", "burn", "a1", "fees"))]
        if x == 0:
            self.r.env("block", who=who, on=rng.random() < 0.6)
        elif x == 1:
            self.r.env("failing", on=rng.random() < 0.5)
        elif x == 2:
            self.r.env("token_paused", on=rng.random() < 0.5)
        elif x == 3:
            self.r.env("reent_block", who=who, on=rng.random() < 0.5)
        elif x in (4, 5):
            self.arm_reentrant()
        else:
            mode = rng.choice((0, 1, 2, 2))
            call = None
            if mode == 2:
                call = self.nested_call()
                call.sender, call.via = n["atk"], None
            self.r.env("atk_mode", mode=mode, call=call)

    def nested_call(self) -> Call:
        """A call for a hook to make: any entry point, aimed at a current job (the caller sets
        who makes it); its calldata fits the mocks' Bytes[2048] (wrapped in execute)."""
        for _ in range(5):
            call = self._nested_call()
            if len(self.w.eabi.encode(call.fn, call.args)) <= 2_048 - 200:
                return call
        return Call("collect_fees", "", {"token": self.a("reent")})

    def _nested_call(self) -> Call:
        saved_log = len(self.r.log)
        call = self.job_call(self.rng.choice(list(self.m.jobs.values())), dry=True) if self.m.jobs else None
        del self.r.log[saved_log:]
        if call is None or self.rng.random() < 0.15:
            fn = self.rng.choice(("withdraw", "collect_fees", "create_job"))
            tok = self.a(self.rng.choice(list(TOKENS) + ["eth"]))
            if fn == "withdraw":
                call = Call("withdraw", "", {"token": tok, "to": self.a("sink")})
            elif fn == "collect_fees":
                call = Call("collect_fees", "", {"token": tok})
            else:
                t, _ = self.new_terms()
                call = Call("create_job", "", {"terms": t, "consent": b"", "fund_count": 0})
        call.value = 0
        return call

    def arm_reentrant(self):
        rng = self.rng
        n = self.w.names
        x = rng.random()
        if x < 0.15:
            self.r.env("arm", call=None)
        elif x < 0.3:
            self.r.env("arm", call=Call("noop", "", {}), target=n["burn"])
        elif x < 0.5:
            call = self.nested_call()
            call.sender, call.via = n["reent"], n["atk"]
            self.r.env("arm", call=call, target=n["atk"])
        elif x < 0.75:
            # re-entry from the pull of a client's next deposit: all the gas it wants
            call = self.nested_call()
            call.sender, call.via = n["reent"], n["atk"]
            self.r.env("arm", call=call, target=n["atk"], sender=n[rng.choice(("atk", "c1", "msig"))])
        else:
            call = self.nested_call()
            call.sender, call.via = n["reent"], None
            self.r.env("arm", call=call, target=n["escrow"])

    def admin(self):
        rng, m = self.rng, self.m
        owner_label = self.label_of(m.owner)
        who = owner_label if rng.random() < 0.8 else "s"
        if not self.can_act(who):
            who = "s"
        x = rng.randrange(10)
        if m.paused and rng.random() < 0.5:
            x = 5
        elif m.pending_owner != R.ZERO and rng.random() < 0.6:
            x = 6
        elif m.pending_changes and rng.random() < 0.6:
            x = 7
        if x < 3:
            bps = rng.randint(0, 500) if rng.random() < 0.9 else rng.choice((501, 2**256 - 1))
            return self.r.call(self.as_call("set_platform_fee", who, {"new_bps": bps}))
        if x == 3:
            rec = self.a(rng.choice(("fees", "fees", "atk", "atk2", "burn", "s2"))) if rng.random() < 0.95 else R.ZERO
            return self.r.call(self.as_call("set_fee_recipient", who, {"new_recipient": rec}))
        if x == 4:
            return self.r.call(self.as_call("pause", who, {}))
        if x == 5:
            return self.r.call(self.as_call("unpause", who, {}))
        if x == 6:
            if m.pending_owner == R.ZERO or rng.random() < 0.3:
                new = self.a(rng.choice(("owner", "s2")))
                return self.r.call(self.as_call("transfer_ownership", who, {"new_owner": new}))
            pend = self.label_of(m.pending_owner) if m.pending_owner != R.ZERO else "s"
            return self.r.call(self.as_call("accept_ownership", pend if rng.random() < 0.8 else "s", {}))
        # reputation: writer changes for addresses other than this escrow (see README)
        rep_owner = self.label_of(m.rep_owner)
        subject = self.a(rng.choice(("atk2", "burnv", "std")))
        y = rng.randrange(3)
        if m.pending_changes and rng.random() < 0.7:
            subject = rng.choice(list(m.pending_changes))
            y = rng.choice((1, 2))
        if y == 0:
            allowed = subject not in m.writers if rng.random() < 0.9 else rng.random() < 0.5
            if subject in m.pending_changes or allowed == (subject in m.writers):
                return None  # spec-silent (README reading 11): a second or a no-op announcement
            who = rep_owner if rng.random() < 0.85 else "s"
            args = {"escrow": subject, "allowed": allowed}
            return self.r.call(self.as_call("announce_escrow", who, args, target="reputation"))
        if y == 1:
            return self.r.call(self.as_call("apply_escrow_change", "s", {"escrow": subject}, target="reputation"))
        who = rep_owner if rng.random() < 0.85 else "s"
        return self.r.call(self.as_call("cancel_escrow_change", who, {"escrow": subject}, target="reputation"))

    def money(self):
        rng, m = self.rng, self.m
        credits = [(t, a) for (t, a), v in m.credits.items() if v > 0]
        if credits and rng.random() < 0.7:
            t, a = rng.choice(credits)
            who = self.label_of(a)
            if not self.can_act(who):
                who = "s"
            to = a if rng.random() < 0.5 else self.a(rng.choice(("sink", "s2", "atk2")))
            if rng.random() < 0.05:
                to = R.ZERO
            return self.r.call(self.as_call("withdraw", who, {"token": t, "to": to}))
        if rng.random() < 0.2:
            return self.r.call(self.as_call("withdraw", "s", {"token": self.a("std"), "to": self.a("s")}))
        toks = [t for t, v in m.fees_accrued.items() if v > 0]
        t = rng.choice(toks) if toks and rng.random() < 0.8 else self.a(rng.choice(list(TOKENS) + ["eth"]))
        return self.r.call(self.as_call("collect_fees", "s", {"token": t}))

    def job_terms(self, job) -> Terms:
        rng = self.rng
        x = rng.random()
        if x < 0.9:
            return job.terms
        if x < 0.94 and self.old_terms:
            return rng.choice(self.old_terms)[1]
        if x < 0.97 and len(self.m.jobs) > 1:
            return rng.choice([j for j in self.m.jobs.values() if j.id != job.id]).terms
        return job.terms.replace(salt=job.terms.salt ^ 1)

    def job_id(self, job) -> int:
        rng = self.rng
        if rng.random() < 0.95:
            return job.id
        return rng.choice((0, self.m.job_count + 1, 2**256 - 1, job.id + 1))

    def party_label(self, job, role: str) -> str:
        t = job.terms
        lab = self.label_of({"client": t.client, "freelancer": t.freelancer, "arbiter": t.arbiter}[role])
        return lab

    def sender_for(self, job, role: str) -> str:
        rng = self.rng
        if rng.random() < 0.9:
            lab = role if role == "s" else self.party_label(job, rng.choice(role.split("|")))
        else:
            lab = rng.choice(("s", "c1", "f1", "a1", "atk"))
        return lab if self.can_act(lab) else "s"

    ANY_FN = (
        "fund", "submit", "approve", "release", "reclaim", "dispute", "resolve", "apply_default_ruling", "settle",
        "cancel_unfunded", "increment_nonce", "rate", "extend_deadline", "add_milestones", "accept_with_deduction",
    )  # fmt: skip

    def pick(self, job):
        """A function and a milestone index: mostly what the milestone's state invites, else anything."""
        rng = self.rng
        if rng.random() < 0.3 or job.open == 0:
            fn = rng.choice(("rate", "rate") if job.open == 0 and rng.random() < 0.6 else self.ANY_FN)
            return fn, self.index(job)
        live = [i for i, ms in enumerate(job.milestones) if ms.status in R.LIVE]
        i = rng.choice(live)
        st = job.milestones[i].status
        if st == R.SUBMITTED:
            fn = rng.choice(("approve", "approve", "dispute", "dispute", "release", "accept_with_deduction", "settle"))
        elif st == R.DISPUTED:
            fn = rng.choice(("resolve", "resolve", "apply_default_ruling", "accept_with_deduction", "settle"))
        elif i < job.funded:
            fn = rng.choice(("submit", "submit", "submit", "reclaim", "extend_deadline", "increment_nonce", "settle"))
        else:
            fn = rng.choice(("fund", "fund", "cancel_unfunded", "add_milestones", "extend_deadline"))
        return fn, (i if rng.random() < 0.9 else self.index(job))

    def job_call(self, job, dry: bool = False):
        rng, m = self.rng, self.m
        t = self.job_terms(job)
        jid = self.job_id(job)
        fn, idx = self.pick(job)
        args = {"job_id": jid, "terms": t}
        value = 0
        if fn == "fund":
            left = len(job.terms.milestones) - job.funded
            count = rng.randint(1, max(1, left)) if rng.random() < 0.9 else rng.choice((0, left + 1))
            amount = sum(a for a, _ in job.terms.milestones[job.funded : job.funded + count])
            if job.terms.token == R.ETH:
                value = amount if rng.random() < 0.92 else amount + 1
            args["count"] = count
            who = self.sender_for(job, "client")
        elif fn == "submit":
            args.update(milestone=idx, deliverable_hash=rng.randbytes(32))
            who = self.sender_for(job, "freelancer")
        elif fn in ("approve",):
            args["milestone"] = idx
            who = self.sender_for(job, "client")
        elif fn in ("release", "reclaim"):
            args["milestone"] = idx
            who = self.sender_for(job, "s")
        elif fn in ("dispute", "apply_default_ruling"):
            args["milestone"] = idx
            who = self.sender_for(job, "client|freelancer")
        elif fn == "resolve":
            args.update(milestone=idx, freelancer_bps=self.bps())
            who = self.sender_for(job, "arbiter")
        elif fn == "settle":
            bps = self.bps()
            expiry = m.now + rng.choice((-1, 0, 0, DAY))
            nonce = job.nonce if rng.random() < 0.9 else max(0, job.nonce - 1)
            d = self.digest(eip712.settlement_hash(job.id, bps, nonce, expiry))
            args.update(freelancer_bps=bps, expiry=expiry, client_signature=self.sign(job.terms.client, d),
                        freelancer_signature=self.sign(job.terms.freelancer, d))  # fmt: skip
            who = rng.choice(("s", self.sender_for(job, "client|freelancer")))
        elif fn in ("cancel_unfunded",):
            who = self.sender_for(job, "client") if rng.random() < 0.5 else "s"
        elif fn == "increment_nonce":
            who = self.sender_for(job, "client|freelancer")
        elif fn == "rate":
            args.update(score=rng.choice((1, 3, 5, 0, 6)) if rng.random() < 0.9 else 2**256 - 1,
                        comment_hash=rng.randbytes(32))  # fmt: skip
            who = self.sender_for(job, "client|freelancer")
        elif fn == "extend_deadline":
            cur = job.terms.milestones[idx][1] if idx < len(job.terms.milestones) else DAY
            new = cur + rng.choice((1, DAY, 30 * DAY)) if rng.random() < 0.85 else rng.choice((cur, R.MAX_HORIZON + 1))
            new = min(new, R.MAX_HORIZON) if rng.random() < 0.9 else new
            expiry = m.now + rng.choice((-1, 0, DAY))
            who = self.sender_for(job, "client|freelancer")
            signer = job.terms.freelancer if self.a(who) == job.terms.client else job.terms.client
            d = self.digest(eip712.extend_hash(job.id, idx, new, job.nonce, expiry))
            args.update(milestone=idx, new_duration=new, expiry=expiry, signature=self.sign(signer, d))
        elif fn == "add_milestones":
            k = rng.choice((1, 1, 2, 3)) if rng.random() < 0.95 else rng.choice((0, 50))
            new = tuple((rng.randint(1, 10**6) if rng.random() < 0.9 else self.amount(), rng.choice(DURATIONS[:8]))
                        for _ in range(k))  # fmt: skip
            total_len = len(job.terms.milestones) + k
            fc = rng.randint(0, total_len - job.funded) if rng.random() < 0.9 else total_len - job.funded + 1
            expiry = m.now + rng.choice((-1, 0, DAY))
            d = self.digest(eip712.add_hash(job.id, new, fc, job.nonce, expiry))
            args.update(milestones=new, fund_count=fc, expiry=expiry, signature=self.sign(job.terms.freelancer, d))
            sched = job.terms.milestones + new
            amount = sum(a for a, _ in sched[job.funded : job.funded + fc])
            if job.terms.token == R.ETH:
                value = min(amount, 10**27) if rng.random() < 0.92 else 1
            who = self.sender_for(job, "client")
        else:  # accept_with_deduction
            bps = self.bps()
            expiry = m.now + rng.choice((-1, 0, DAY))
            who = self.sender_for(job, "client|freelancer")
            signer = job.terms.freelancer if self.a(who) == job.terms.client else job.terms.client
            d = self.digest(eip712.deduction_hash(job.id, idx, bps, job.nonce, expiry))
            args.update(milestone=idx, freelancer_bps=bps, expiry=expiry, signature=self.sign(signer, d))
        call = self.as_call(fn, who, args, value=value)
        if dry:
            return call
        before_terms = job.terms
        out = self.r.call(call)
        if job.terms is not before_terms:
            self.old_terms.append((job.id, before_terms))
        return out

    def tour(self):
        """The owner powers and the reputation writer changes, each once, as a prologue (so that
        every entry point has a success in any campaign of a hundred sequences or more)."""
        n, r = self.w.names, self.r
        rep = {"target": "reputation"}
        r.call(self.as_call("announce_escrow", "owner", {"escrow": n["atk2"], "allowed": True}, **rep), True)
        r.call(self.as_call("apply_escrow_change", "s", {"escrow": n["atk2"]}, **rep), False)  # too early
        r.env("time", to=self.m.now + R.ANNOUNCE_DELAY)
        r.call(self.as_call("apply_escrow_change", "s", {"escrow": n["atk2"]}, **rep), True)
        r.call(self.as_call("announce_escrow", "owner", {"escrow": n["burnv"], "allowed": True}, **rep), True)
        r.call(self.as_call("cancel_escrow_change", "owner", {"escrow": n["burnv"]}, **rep), True)
        r.call(self.as_call("transfer_ownership", "owner", {"new_owner": n["s2"]}), True)
        r.call(self.as_call("accept_ownership", "s2", {}), True)
        r.call(self.as_call("transfer_ownership", "s2", {"new_owner": n["owner"]}), True)
        r.call(self.as_call("accept_ownership", "owner", {}), True)
        r.call(self.as_call("pause", "owner", {}), True)
        r.call(self.as_call("unpause", "owner", {}), True)

    # -- liveness drain

    def drain(self, active: str):
        """Only strangers and one party (`active`: client or freelancer) act; time advances;
        every job must end, every fee become collectable, every credit withdrawable, and the
        escrow must end holding nothing."""
        r, m, n = self.r, self.m, self.w.names
        # the environment stops misbehaving (it is no party); wallets stop re-entering
        r.env("arm", call=None)
        r.env("atk_mode", mode=0)
        r.env("failing", on=False)
        r.env("token_paused", on=False)
        for who in list(m.tokens[n["blk"]].blocked):
            r.env("block", who=who, on=False)
        r.env("reent_block", who=n["sink"], on=False)
        for _ in range(400):
            pending = [j for j in m.jobs.values() if j.open > 0]
            if not pending:
                break
            progressed = False
            soonest = None
            for j in pending:
                t = j.terms
                party = self.label_of(t.client if active == "client" else t.freelancer)
                if not self.can_act(party):
                    party = self.label_of(t.client)
                for i, ms in enumerate(j.milestones):
                    if ms.status not in R.LIVE:
                        continue
                    args = {"job_id": j.id, "terms": t, "milestone": i}
                    if ms.status == R.SUBMITTED:
                        due, call = ms.review_end, self.as_call("release", "s", args)
                    elif ms.status == R.DISPUTED:
                        due, call = ms.ruling_end, self.as_call("apply_default_ruling", party, args)
                    elif i < j.funded:
                        due, call = j.start + t.milestones[i][1] + 1, self.as_call("reclaim", "s", args)
                    else:
                        due = j.start + t.milestones[j.funded][1] + 1
                        call = self.as_call("cancel_unfunded", "s", {"job_id": j.id, "terms": t})
                    if due <= m.now:
                        r.call(call, expect_ok=True)
                        progressed = True
                        break
                    soonest = due if soonest is None else min(soonest, due)
            if not progressed:
                if soonest is None:
                    raise Mismatch("drain: live milestones but nothing can close them")
                r.env("time", to=soonest)
        else:
            raise Mismatch("drain: jobs did not end")
        # every job has ended: its terms, presented again with a fresh consent, make no job
        # (`escrow: consent used`, or `offer expired` first when the offer has run out)
        ended = sorted(m.jobs.values(), key=lambda j: (j.terms.offer_expiry < m.now, j.id))[:2]
        for j in ended:
            t = j.terms
            who = self.label_of(t.client)
            consent = self.sign(t.freelancer, self.digest(t.hash), hostile=False)
            out = r.call(self.as_call("create_job", who if self.can_act(who) else "s",
                                      {"terms": t, "consent": consent, "fund_count": 0}), expect_ok=False)  # fmt: skip
            if out is not None:
                r.stats.hooks[f"consent: an ended job's terms presented again (drain): {out.reason}"] += 1
        for t, v in list(m.fees_accrued.items()):
            if v > 0:
                r.call(self.as_call("collect_fees", "s", {"token": t}), expect_ok=True)
        for (t, a), v in list(m.credits.items()):
            if v > 0:
                who = self.label_of(a)
                if not self.can_act(who):
                    raise Mismatch(f"drain: {who} has a credit it cannot withdraw (test setup)")
                r.call(self.as_call("withdraw", who, {"token": t, "to": n["sink"]}), expect_ok=True)
        for label in list(TOKENS) + ["eth"]:
            if r.balance(label, n["escrow"]) != 0:
                raise Mismatch(f"drain: escrow still holds {label}")
        r.compare(Call("drain", "", {}), Outcome(ok=True), full=True)


# ------------------------------------------------------------------------- a sequence


@dataclass
class Failure:
    seed: int
    message: str
    log: list


def run_sequence(world: World, seed: int, steps: int, stats: Stats | None = None, check_every: int = 5):
    stats = stats if stats is not None else Stats()
    rng = random.Random(seed)
    with boa.env.anchor():
        model = world.fresh_model()
        runner = Runner(world, model, stats, check_every=check_every)
        gen = Generator(runner, rng)
        try:
            if seed % 100 == 0:
                gen.tour()
            for _ in range(steps):
                gen.step()
            gen.drain(rng.choice(("client", "freelancer")))
        except (Mismatch, R.ModelMismatch) as e:
            return Failure(seed, str(e), list(runner.log))
        except Exception as e:  # noqa: BLE001 - a harness error is a failing sequence too, with its seed
            import traceback

            return Failure(seed, f"harness error {e!r}\n{traceback.format_exc(limit=4)}", list(runner.log))
    stats.sequences += 1
    return None


def replay(world: World, log: list) -> str | None:
    """Re-runs a recorded call list; the first mismatch, or None."""
    stats = Stats()
    with boa.env.anchor():
        runner = Runner(world, world.fresh_model(), stats)
        try:
            for item in log:
                if isinstance(item, tuple) and item[0] == "env":
                    runner.env(item[1], **item[2])
                elif isinstance(item, Call):
                    runner.call(copy.deepcopy(item))
        except (Mismatch, R.ModelMismatch, KeyError, ValueError, NotImplementedError) as e:
            return str(e)
    return None


def minimize(world: World, log: list, budget: int = 200) -> list:
    """Greedy delta-debugging: drop steps while the replay still fails."""
    cur = list(log)
    tries = 0
    chunk = max(1, len(cur) // 2)
    while chunk >= 1 and tries < budget:
        i = 0
        changed = False
        while i < len(cur) and tries < budget:
            cand = cur[:i] + cur[i + chunk :]
            tries += 1
            if cand and replay(world, cand) is not None:
                cur = cand
                changed = True
            else:
                i += chunk
        if not changed:
            chunk //= 2
    return cur


def describe(world: World, log: list) -> str:
    lines = []
    for item in log:
        if isinstance(item, tuple):
            kw = {k: (world.addr_label.get(v, v) if isinstance(v, str) else v) for k, v in item[2].items()}
            lines.append(f"  env {item[1]} {kw}")
        else:
            s = repr(item)
            for a, lab in world.addr_label.items():
                if isinstance(a, str) and len(a) == 42:
                    s = s.replace(a[:8], lab)
            lines.append("  " + s)
    return "\n".join(lines)


def encode_raw(types, values) -> bytes:
    return encode(types, values)
