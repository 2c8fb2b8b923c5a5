"""An executable reference model of escrow v2, reputation v2 and settings.

Written from docs/escrow-v2.md and shared/PRODUCT.md only (see tests/model/README.md for the
readings of what the spec leaves open), with the gas redesign's binding and consent rules (a
job's current terms hash, rewritten in place by an amendment; a consent used once per
(freelancer, salt) bit; ECDSA tried before EIP-1271) taken from their statement in the
gas-model brief, docs/escrow-v2.md not yet carrying them. It predicts from (sender, function,
arguments, chain time, the declared behaviour of every token and wallet) alone what the
contract must do; it never reads the contract's state or events. The harness (tests/model/harness.py) runs the same
call on the contract and compares.

The model also holds the *environment*: every token's balances, allowances and permit nonces,
the mocks' switches (blocked, failing, paused, armed hooks), ETH balances, and what kind of
account every address is. Those are inputs, set by environment actions that the harness applies
to the chain and to the model alike.

Gas: the spec bounds every external call the escrow makes (ETH 50,000, token transfer 100,000,
EIP-1271 150,000, reputation 250,000). Two recipients make the outcome of a payout depend on
gas in a way the spec does not pin down: a wallet whose ETH `receive` re-enters the escrow, and
the reentrant token's hook. For those payouts only, the model asks a *hook resolver* (two facts:
did the payout go through; did the re-entered call succeed) and then checks everything else
against what it computed: a re-entered call that succeeded must be one the model says succeeds,
with exactly the model's effects; a payout that did not go through must be credited. Every other
step is fully predicted.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

from . import eip712

ZERO = eip712.ZERO
ETH = ZERO
UINT256_MAX = 2**256 - 1
BPS = 10_000
MAX_PLATFORM_FEE = 500
MAX_ARBITER_FEE = 1_000
MAX_TOTAL = 2**96 - 1
DAY = 86_400
MAX_HORIZON = 10 * 365 * DAY
MAX_WINDOW = 365 * DAY
MAX_MILESTONES = 50
MAX_SIG = 1_024
ANNOUNCE_DELAY = 7 * DAY

# Milestone statuses
OPEN, SUBMITTED, DISPUTED, APPROVED, RELEASED, RECLAIMED = 0, 1, 2, 3, 4, 5
RESOLVED, DEFAULTED, SETTLED, CANCELLED, DEDUCTED = 6, 7, 8, 9, 10
LIVE = (OPEN, SUBMITTED, DISPUTED)

# A revert whose reason the spec does not give: any reason (or none) is accepted.
ANY = "<any reason>"
# A revert with no reason string (ABI decoding, a non-payable function given value, ...).
NO_REASON = ""


def fee(x: int, bps: int) -> int:
    """ceil(x * bps / BPS); 0 when either is 0. A non-zero rate never rounds a fee to 0."""
    if x == 0 or bps == 0:
        return 0
    return -(-x * bps // BPS)


def share(x: int, bps: int) -> int:
    """floor(x * bps / BPS): the freelancer side's part of a split."""
    return x * bps // BPS


def norm(a) -> str:
    if isinstance(a, bytes):
        return "0x" + a.hex()
    return str(a).lower()


@dataclass(frozen=True)
class Terms:
    client: str
    freelancer: str
    token: str
    arbiter: str
    arbiter_fee_bps: int
    platform_fee_bps: int
    review_period: int
    ruling_window: int
    metadata_hash: bytes
    salt: int
    offer_expiry: int
    milestones: tuple  # of (amount, duration)

    def __post_init__(self):
        for f in ("client", "freelancer", "token", "arbiter"):
            object.__setattr__(self, f, norm(getattr(self, f)))
        object.__setattr__(self, "milestones", tuple((int(a), int(d)) for a, d in self.milestones))

    @property
    def hash(self) -> bytes:
        h = self.__dict__.get("_hash")
        if h is None:
            h = eip712.terms_hash(self)
            object.__setattr__(self, "_hash", h)
        return h

    def as_abi(self) -> tuple:
        return (
            self.client,
            self.freelancer,
            self.token,
            self.arbiter,
            self.arbiter_fee_bps,
            self.platform_fee_bps,
            self.review_period,
            self.ruling_window,
            self.metadata_hash,
            self.salt,
            self.offer_expiry,
            [list(m) for m in self.milestones],
        )

    def replace(self, **kw) -> Terms:
        d = {f: getattr(self, f) for f in self.__dataclass_fields__}
        d.update(kw)
        return Terms(**d)


@dataclass
class Milestone:
    status: int = OPEN
    review_end: int = 0
    ruling_end: int = 0
    disputer: int = 0  # 1 client, 2 freelancer
    ruling_bps: int = 0


@dataclass
class Job:
    id: int
    terms: Terms
    start: int
    funded: int
    open: int
    nonce: int = 0
    settled: bool = False
    cancelled: bool = False
    client_rated: bool = False
    freelancer_rated: bool = False
    paid: int = 0
    fees: int = 0  # platform fees taken from the freelancer side, held until the job ends
    end_processed: bool = False
    recorded: bool | None = None
    disputes_opened: list = field(default_factory=lambda: [0, 0])  # client, freelancer
    disputes_won: list = field(default_factory=lambda: [0, 0])
    milestones: list = field(default_factory=list)

    def owed(self) -> int:
        """What the escrow still holds for this job: live funded milestones + fees not accrued."""
        held = sum(self.terms.milestones[i][0] for i in range(self.funded) if self.milestones[i].status in LIVE)
        return held + (0 if self.end_processed else self.fees)


class Revert(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class ModelMismatch(AssertionError):
    """The contract did something inside a gas-dependent branch that the model forbids."""


@dataclass
class Outcome:
    ok: bool
    reason: str | None = None  # when not ok: exact reason, ANY, or NO_REASON
    alternatives: tuple = ()  # other acceptable reasons (spec leaves the order open)
    ret: object = None
    payouts: list = field(default_factory=list)  # (token, to, amount, delivered)
    events: list = field(default_factory=list)

    def __repr__(self):
        if self.ok:
            return f"ok(ret={self.ret!r})"
        return f"revert({self.reason!r})"


@dataclass
class Call:
    fn: str
    sender: str
    args: dict
    value: int = 0
    via: str | None = None  # a contract wallet the sender acts through (execute)
    target: str = "escrow"  # "escrow" or "reputation"

    def __repr__(self):
        parts = []
        for k, v in self.args.items():
            if isinstance(v, Terms):
                v = f"Terms(#{v.hash.hex()[:8]}, n={len(v.milestones)})"
            elif isinstance(v, bytes):
                v = "0x" + v.hex()[:16] + ("…" if len(v) > 8 else "")
            elif isinstance(v, int) and v > 10**12:
                v = hex(v)
            parts.append(f"{k}={v}")
        who = self.sender[:8] + (f"[via {self.via[:8]}]" if self.via else "")
        val = f", value={self.value}" if self.value else ""
        return f"{self.target}.{self.fn}({', '.join(parts)}{val}) by {who}"


# ------------------------------------------------------------------ environment


@dataclass
class Account:
    """What an address is. kind: eoa, attacker (attacker_wallet_mock), smart (smart_wallet_mock),
    multisig (multisig_wallet_mock), burner (gas_burner_mock), contract (tokens, escrow, ...)."""

    kind: str
    key: bytes | None = None
    owner: str | None = None  # smart / burner 1271 key address
    owners: tuple = ()  # multisig
    threshold: int = 0
    mode: int = 0  # attacker: 0 accept, 1 refuse, 2 call back
    hook_call: Call | None = None  # attacker mode 2: the re-entered call
    burn_on_receive: bool = True
    burn_on_validate: bool = False

    @property
    def has_code(self) -> bool:
        return self.kind != "eoa"


@dataclass
class Token:
    address: str
    kind: str  # standard blocklist false fot noreturn pausable reentrant zero
    name: str
    balances: dict = field(default_factory=dict)
    allowances: dict = field(default_factory=dict)
    nonces: dict = field(default_factory=dict)
    blocked: set = field(default_factory=set)  # blocklist; reentrant keeps at most one
    failing: bool = False
    paused: bool = False
    hook_sender: str | None = None  # reentrant: armed sender
    hook_target: str | None = None
    hook_call: Call | None = None

    def bal(self, a: str) -> int:
        return self.balances.get(a, 0)

    def _move(self, frm: str, to: str, amount: int):
        if to == ZERO:
            raise Revert("erc20: transfer to the zero address")
        if self.bal(frm) < amount:
            raise Revert("erc20: transfer amount exceeds balance")
        self.balances[frm] = self.bal(frm) - amount
        self.balances[to] = self.bal(to) + amount

    def _spend(self, owner: str, spender: str, amount: int):
        cur = self.allowances.get((owner, spender), 0)
        if cur < UINT256_MAX:
            if cur < amount:
                raise Revert("erc20: insufficient allowance")
            self.allowances[(owner, spender)] = cur - amount

    def transfer(self, frm: str, to: str, amount: int) -> tuple[bool, int]:
        """transfer() called by `frm`. Returns (success as the escrow sees it, amount delivered);
        raises Revert when the token reverts (the caller treats that as a failure too)."""
        k = self.kind
        if k == "blocklist" and (frm in self.blocked or to in self.blocked):
            raise Revert("blocklist: blocked")
        if k == "false" and (self.failing or self.bal(frm) < amount):
            return False, 0
        if k == "pausable" and self.paused:
            raise Revert("pausable token: paused")
        if k == "zero" and amount == 0:
            raise Revert("zero: zero amount")
        if k == "reentrant" and to in self.blocked:
            raise Revert("reentrant: blocked")
        if k == "fot":
            burned = amount // 100
            self._move(frm, to, amount - burned)
            if self.bal(frm) < burned:
                raise Revert("erc20: burn amount exceeds balance")
            self.balances[frm] -= burned
            return True, amount - burned
        self._move(frm, to, amount)
        return True, amount

    def transfer_from(self, spender: str, owner: str, to: str, amount: int) -> tuple[bool, int]:
        k = self.kind
        if k == "blocklist" and (owner in self.blocked or to in self.blocked):
            raise Revert("blocklist: blocked")
        if k == "false":
            if self.failing or self.bal(owner) < amount or self.allowances.get((owner, spender), 0) < amount:
                return False, 0
        if k == "pausable" and self.paused:
            raise Revert("pausable token: paused")
        if k == "zero" and amount == 0:
            raise Revert("zero: zero amount")
        self._spend(owner, spender, amount)
        if k == "fot":
            burned = amount // 100
            self._move(owner, to, amount - burned)
            if self.bal(owner) < burned:
                raise Revert("erc20: burn amount exceeds balance")
            self.balances[owner] -= burned
            return True, amount - burned
        self._move(owner, to, amount)
        return True, amount


class DefaultHooks:
    """Resolves gas-dependent branches as if gas were plentiful: the payout goes through and
    the re-entered call does whatever the model says (used for prediction and unit tests)."""

    def eth_hook(self, wallet: str, depth: int):
        return True, None  # delivered; nested outcome: as the model predicts

    def token_hook(self, token: str, depth: int):
        return True, None


# ------------------------------------------------------------------ the model


class Model:
    def __init__(
        self,
        *,
        chain_id: int,
        escrow: str,
        reputation: str,
        owner: str,
        rep_owner: str,
        fee_bps: int,
        fee_recipient: str,
        now: int,
    ):
        self.chain_id = chain_id
        self.escrow = norm(escrow)
        self.reputation = norm(reputation)
        self.domain = eip712.domain_separator(chain_id, self.escrow)
        self.now = now
        # settings
        self.owner = norm(owner)
        self.pending_owner = ZERO
        self.platform_fee_bps = fee_bps
        self.fee_recipient = norm(fee_recipient)
        self.paused = False
        # escrow
        self.job_count = 0
        self.jobs: dict[int, Job] = {}  # each job holds its current terms (terms_hash_of)
        # used consents: (freelancer, salt >> 8) -> a word with bit (salt & 255) per used salt
        self.consent_words: dict[tuple[str, int], int] = {}
        self.credits: dict[tuple[str, str], int] = {}
        self.fees_accrued: dict[str, int] = {}
        # reputation
        self.rep_owner = norm(rep_owner)
        self.writers: set[str] = {self.escrow}
        self.pending_changes: dict[str, tuple[bool, int]] = {}
        self.rep_jobs: dict[str, list] = {}  # account -> [completed as client, as freelancer]
        self.rep_volume: dict[tuple[str, str], list] = {}  # (account, token) -> [as client, as freelancer]
        self.rep_counterparties: dict[str, list] = {}
        self.rep_together: dict[tuple[str, str], int] = {}
        self.rep_disputes: dict[str, list] = {}  # account -> [opened, won, lost]
        self.rep_ratings: dict[str, list] = {}  # account -> [count, sum]
        self.rep_records: list = []
        self.rep_rating_log: list = []
        # environment
        self.accounts: dict[str, Account] = {}
        self.tokens: dict[str, Token] = {}
        self.eth: dict[str, int] = {}
        self.depth = 0
        self.hooks = DefaultHooks()
        self.mismatches: list[str] = []
        self.nested_log: list = []  # (fn, kept by the chain) for every re-entered call

    # ------------------------------------------------------------ environment helpers

    def add_account(self, addr: str, acct: Account):
        self.accounts[norm(addr)] = acct

    def add_token(self, tok: Token):
        tok.address = norm(tok.address)
        self.tokens[tok.address] = tok
        self.accounts[tok.address] = Account("contract")

    def has_code(self, a: str) -> bool:
        acct = self.accounts.get(a)
        return acct is not None and acct.has_code

    def ethbal(self, a: str) -> int:
        return self.eth.get(a, 0)

    def credit(self, token: str, who: str) -> int:
        return self.credits.get((token, who), 0)

    def terms_hash_of(self, job_id: int) -> bytes:
        """The struct hash of a job's current terms; zero for an id that names no job."""
        job = self.jobs.get(job_id)
        return job.terms.hash if job is not None else b"\x00" * 32

    def consent_word(self, freelancer: str, word: int) -> int:
        return self.consent_words.get((norm(freelancer), word), 0)

    def consent_used(self, freelancer: str, salt: int) -> bool:
        return bool(self.consent_word(freelancer, salt >> 8) >> (salt & 255) & 1)

    def _use_consent(self, freelancer: str, salt: int):
        key = (norm(freelancer), salt >> 8)
        self.consent_words[key] = self.consent_words.get(key, 0) | 1 << (salt & 255)

    def held(self, token: str) -> int:
        """What the model says the escrow must hold of `token`."""
        total = sum(j.owed() for j in self.jobs.values() if j.terms.token == token)
        total += sum(v for (t, _), v in self.credits.items() if t == token)
        return total + self.fees_accrued.get(token, 0)

    # ------------------------------------------------------------ signatures

    def sig_valid(self, signer: str, digest: bytes, sig: bytes) -> bool:
        """A 65-byte low-s ECDSA signature (v 27 or 28) recovering to the signer is valid, code or
        not; failing that, a signer with code is asked (EIP-1271); anyone else: invalid."""
        if eip712.eoa_signature_valid(signer, digest, sig):
            return True
        acct = self.accounts.get(signer)
        if acct is None or not acct.has_code:
            return False
        # EIP-1271, as each mock implements isValidSignature
        if acct.kind == "smart":
            if len(sig) != 65:  # Bytes[65] parameter: longer ones do not even decode
                return False
            r, s, v = eip712.split_sig(sig)
            return acct.owner not in (None, ZERO) and eip712.ecrecover(digest, v, r, s) == acct.owner
        if acct.kind == "multisig":
            if acct.threshold == 0 or len(sig) != 65 * acct.threshold:
                return False
            last = -1
            for i in range(acct.threshold):
                r, s, v = eip712.split_sig(sig[65 * i : 65 * i + 65])
                rec = eip712.ecrecover(digest, v, r, s)
                if rec == ZERO or rec not in acct.owners or int(rec, 16) <= last:
                    return False
                last = int(rec, 16)
            return True
        if acct.kind == "burner":
            if acct.burn_on_validate or len(sig) != 65:
                return False
            r, s, v = eip712.split_sig(sig)
            return acct.owner not in (None, ZERO) and eip712.ecrecover(digest, v, r, s) == acct.owner
        return False  # attacker wallet, tokens, escrow: no isValidSignature returning the magic value

    # ------------------------------------------------------------ money movements

    def _pull(self, token: str, client: str, amount: int, value: int):
        """Checks and applies a pull (the caller runs it after every check, before effects)."""
        if token == ETH:
            if value != amount:
                raise Revert("payouts: wrong ETH amount")
            return  # the value arrived with the call (added by execute)
        if value != 0:
            raise Revert("payouts: ETH sent with a token job")
        if amount == 0:
            return
        tok = self.tokens[token]
        if tok.kind == "reentrant" and tok.hook_sender == client and tok.hook_target is not None:
            # the hook runs first, with all the gas (a pull is not capped), then the transfer
            ran, nested_ok = self.hooks.token_hook(tok.address, self.depth)
            call = tok.hook_call
            tok.hook_target = None
            if call is not None:
                self._nested(call, nested_ok if ran else False)
            tok = self.tokens[token]
        saved = (dict(tok.balances), dict(tok.allowances))
        before = tok.bal(self.escrow)
        try:
            ok, _ = tok.transfer_from(self.escrow, client, self.escrow, amount)  # a Revert re-raises
            if not ok:
                raise Revert("payouts: token transfer failed")
            if tok.bal(self.escrow) - before < amount:
                raise Revert("payouts: token delivered less than sent")
        except Revert:
            tok.balances, tok.allowances = saved  # the whole call reverts
            raise

    def _push(self, token: str, to: str, amount: int, out: Outcome, job_id: int):
        if amount == 0:
            return
        delivered = self._try_send(token, to, amount)
        if not delivered:
            self.credits[(token, to)] = self.credit(token, to) + amount
            out.events.append(("Credited", job_id, to, token, amount))
        out.payouts.append((token, to, amount, delivered))

    def _try_send(self, token: str, to: str, amount: int) -> bool:
        if token == ETH:
            acct = self.accounts.get(to)
            if acct is not None and acct.has_code:
                if acct.kind == "attacker":
                    if acct.mode == 1:
                        return False
                    if acct.mode == 2:
                        return self._eth_hooked(to, amount, acct)
                elif acct.kind == "multisig":
                    pass
                else:  # smart wallet (no payable default), gas burner, tokens, escrow
                    return False
            self.eth[self.escrow] = self.ethbal(self.escrow) - amount
            self.eth[to] = self.ethbal(to) + amount
            return True
        tok = self.tokens[token]
        if tok.kind == "reentrant" and tok.hook_sender == self.escrow and tok.hook_target is not None:
            if to in tok.blocked:
                return False  # reverts before the hook runs; stays armed
            return self._token_hooked(tok, to, amount)
        snap = (dict(tok.balances), tok.kind)
        try:
            ok, _ = tok.transfer(self.escrow, to, amount)
        except Revert:
            tok.balances = snap[0]
            return False
        if not ok:
            tok.balances = snap[0]
        return ok

    def _nested(self, call: Call, observed_ok: bool | None):
        """A call re-entering the escrow from a hook. observed_ok None: as the model predicts.

        A re-entered call the chain undid (it reverted, out of gas, a lock) is not run: the model
        has nothing to undo. One that went through runs on this model in place (every entry
        point checks before it changes anything, so a model revert changed nothing) and must be
        one the model says succeeds."""
        if observed_ok is False:
            # what the call would have done without the lock or gas cap that stopped it (a copy)
            hooks, self.hooks = self.hooks, DefaultHooks()
            try:
                ghost = copy.deepcopy(self)
            finally:
                self.hooks = hooks
            ghost.depth += 1
            would = ghost.execute(call)
            self.nested_log.append((call.fn, False, would.ok if would.ok else would.reason))
            return None
        self.nested_log.append((call.fn, observed_ok, None))
        self.depth += 1
        try:
            out = self.execute(call)
        finally:
            self.depth -= 1
        if observed_ok and not out.ok:
            self.mismatches.append(f"re-entered {call!r} succeeded on chain; model says {out!r}")
        return out

    def _eth_hooked(self, wallet: str, amount: int, acct: Account) -> bool:
        delivered, nested_ok = self.hooks.eth_hook(wallet, self.depth)
        if not delivered:
            return False
        self.eth[self.escrow] = self.ethbal(self.escrow) - amount
        self.eth[wallet] = self.ethbal(wallet) + amount
        if acct.hook_call is not None:
            self._nested(acct.hook_call, nested_ok)
        return True

    def _token_hooked(self, tok: Token, to: str, amount: int) -> bool:
        ran, nested_ok = self.hooks.token_hook(tok.address, self.depth)
        if not ran:
            return False  # the whole transfer reverted (out of gas): credited, still armed
        call = tok.hook_call
        tok.hook_target = None
        if call is not None:
            self._nested(call, nested_ok)
        try:
            ok, _ = tok.transfer(self.escrow, to, amount)
        except Revert:
            ok = False
        if not ok:
            self.mismatches.append("reentrant token: the hook ran but the transfer cannot have gone through")
        return ok

    # ------------------------------------------------------------ dispatch

    def execute(self, call: Call) -> Outcome:
        """Runs one call on the model. Checks come before every effect in each entry point, so
        a revert leaves nothing behind; the few that change the environment first undo it."""
        fn = getattr(self, ("rep_" if call.target == "reputation" else "do_") + call.fn)
        if not _abi_ok(call):
            return Outcome(ok=False, reason=NO_REASON)
        snap = None
        if self.depth == 0 and call.fn in PULLERS and call.target == "escrow":
            # effects come before the pull: a pull that reverts undoes them (and whatever a
            # hook re-entered meanwhile); at the top level nothing outside holds our objects
            hooks, self.hooks = self.hooks, None
            snap = copy.deepcopy(self.__dict__)
            self.hooks = hooks
        eth_before = None
        if call.value:
            if self.ethbal(call.sender) < call.value:
                raise ValueError("the harness must fund senders")
            eth_before = dict(self.eth)
            self.eth[call.sender] = self.ethbal(call.sender) - call.value
            self.eth[self.escrow] = self.ethbal(self.escrow) + call.value
        out = Outcome(ok=True)
        try:
            out.ret = fn(call.via or call.sender, call.value, out, **call.args)
        except Revert as e:
            if snap is not None:
                hooks = self.hooks
                self.__dict__.clear()
                self.__dict__.update(snap)
                self.hooks = hooks
            elif eth_before is not None:
                self.eth = eth_before
            return Outcome(ok=False, reason=e.reason, alternatives=getattr(e, "alternatives", ()))
        return out

    # ------------------------------------------------------------ common checks

    def _job(self, job_id: int, terms: Terms) -> Job:
        if job_id == 0 or job_id > self.job_count:
            raise Revert("escrow: no such job")
        if self.jobs[job_id].terms.hash != terms.hash:
            raise Revert("escrow: wrong terms")
        return self.jobs[job_id]

    @staticmethod
    def _running(job: Job):
        if job.open == 0:
            raise Revert("escrow: job ended")

    @staticmethod
    def _index(job: Job, milestone: int):
        if milestone >= len(job.terms.milestones):
            raise Revert("escrow: no such milestone")

    @staticmethod
    def _party(job: Job, sender: str):
        if sender not in (job.terms.client, job.terms.freelancer):
            raise Revert("escrow: not a party")

    def _deadline(self, job: Job, i: int) -> int:
        return job.start + job.terms.milestones[i][1]

    def _digest(self, struct_hash: bytes) -> bytes:
        return eip712.digest(self.domain, struct_hash)

    def _other_party(self, job: Job, sender: str) -> str:
        return job.terms.freelancer if sender == job.terms.client else job.terms.client

    # ------------------------------------------------------------ closing and ending

    def _close(self, job: Job, i: int, status: int):
        job.milestones[i].status = status
        job.open -= 1

    def _freelancer_side(self, job: Job, gross: int, pays: list):
        f = fee(gross, job.terms.platform_fee_bps)
        job.fees += f
        job.paid += gross - f
        pays.append((job.terms.freelancer, gross - f))
        return f

    def _payout(self, job: Job, pays: list, out: Outcome):
        for to, amount in pays:
            self._push(job.terms.token, to, amount, out, job.id)
        self._maybe_end(job, out)

    def _maybe_end(self, job: Job, out: Outcome):
        if job.open != 0 or job.end_processed:
            return
        job.end_processed = True
        t = job.terms
        self.fees_accrued[t.token] = self.fees_accrued.get(t.token, 0) + job.fees
        recorded = self.escrow in self.writers
        if recorded:
            self._record_job(job)
        job.recorded = recorded
        out.events.append(("JobEnded", job.id, t.client, t.freelancer, job.paid, recorded))

    def _record_job(self, job: Job):
        t = job.terms
        c, f = t.client, t.freelancer
        self.rep_records.append(
            (self.escrow, job.id, c, f, t.token, job.paid, tuple(job.disputes_opened), tuple(job.disputes_won))
        )
        dc = self.rep_disputes.setdefault(c, [0, 0, 0])
        df = self.rep_disputes.setdefault(f, [0, 0, 0])
        dc[0] += job.disputes_opened[0]
        df[0] += job.disputes_opened[1]
        dc[1] += job.disputes_won[0]
        df[1] += job.disputes_won[1]
        dc[2] += job.disputes_won[1]
        df[2] += job.disputes_won[0]
        if job.paid == 0:
            return
        self.rep_jobs.setdefault(c, [0, 0])[0] += 1
        self.rep_jobs.setdefault(f, [0, 0])[1] += 1
        self.rep_volume.setdefault((c, t.token), [0, 0])[0] += job.paid
        self.rep_volume.setdefault((f, t.token), [0, 0])[1] += job.paid
        for a, b in ((c, f), (f, c)):
            cps = self.rep_counterparties.setdefault(a, [])
            if b not in cps:
                cps.append(b)
            self.rep_together[(a, b)] = self.rep_together.get((a, b), 0) + 1

    # ------------------------------------------------------------ creation

    def _check_terms(self, sender: str, terms: Terms, consent: bytes, fund_count: int):
        if self.paused:
            raise Revert("settings: new jobs paused")
        if sender != terms.client:
            raise Revert("escrow: not client")
        if len(terms.milestones) == 0:
            raise Revert("escrow: no milestones")
        if terms.freelancer == ZERO:
            raise Revert("escrow: freelancer is zero")
        if terms.client == terms.freelancer:
            raise Revert("escrow: client is freelancer")
        if terms.arbiter in (ZERO, terms.client, terms.freelancer):
            raise Revert("escrow: arbiter is a party")
        if terms.token != ETH and not self.has_code(terms.token):
            raise Revert("escrow: token is not a contract")
        if terms.arbiter_fee_bps > MAX_ARBITER_FEE:
            raise Revert("escrow: arbiter fee above cap")
        if terms.platform_fee_bps != self.platform_fee_bps:
            raise Revert("escrow: platform fee changed")
        if not 1 <= terms.review_period <= MAX_WINDOW:
            raise Revert("escrow: bad review period")
        if not 1 <= terms.ruling_window <= MAX_WINDOW:
            raise Revert("escrow: bad ruling window")
        if fund_count > len(terms.milestones):
            raise Revert("escrow: bad fund count")
        self._check_schedule(terms.milestones, 0)
        if self.now > terms.offer_expiry:
            raise Revert("escrow: offer expired")
        if self.consent_used(terms.freelancer, terms.salt):
            raise Revert("escrow: consent used")
        if not self.sig_valid(terms.freelancer, self._digest(terms.hash), consent):
            raise Revert("escrow: bad consent")

    @staticmethod
    def _check_schedule(milestones, total: int):
        for amount, duration in milestones:
            if amount == 0:
                raise Revert("escrow: zero milestone")
            if not 1 <= duration <= MAX_HORIZON:
                raise Revert("escrow: bad duration")
            total += amount
            if total > MAX_TOTAL:
                raise Revert("escrow: total too large")
        return total

    def _create(self, sender, value, out, terms: Terms, consent: bytes, fund_count: int):
        self._check_terms(sender, terms, consent, fund_count)
        amount = sum(a for a, _ in terms.milestones[:fund_count])
        self.job_count += 1
        jid = self.job_count
        job = Job(
            id=jid,
            terms=terms,
            start=self.now,
            funded=fund_count,
            open=len(terms.milestones),
            milestones=[Milestone() for _ in terms.milestones],
        )
        self.jobs[jid] = job
        self._use_consent(terms.freelancer, terms.salt)
        out.events.append(("JobCreated", jid))
        self._pull(terms.token, sender, amount, value)  # every effect before any token moves
        return jid

    def do_create_job(self, sender, value, out, terms, consent, fund_count):
        return self._create(sender, value, out, terms, consent, fund_count)

    def do_create_job_with_permit(
        self, sender, value, out, terms, consent, fund_count, permit_value, permit_deadline, v, r, s
    ):
        if terms.token == ETH:
            raise Revert("escrow: permit needs a token")
        tok = self.tokens.get(terms.token)
        undo = None
        if tok is not None:  # an EIP-2612 permit whose failure is ignored
            nonce = tok.nonces.get(sender, 0)
            d = eip712.permit_digest(
                tok.name, self.chain_id, tok.address, sender, self.escrow, permit_value, nonce, permit_deadline
            )
            rr, ss = int.from_bytes(r, "big"), int.from_bytes(s, "big")
            if self.now <= permit_deadline and ss <= eip712.HALF_N and eip712.ecrecover(d, v, rr, ss) == sender != ZERO:
                key = (sender, self.escrow)
                undo = (nonce, tok.allowances.get(key))
                tok.nonces[sender] = nonce + 1
                tok.allowances[key] = permit_value
        try:
            return self._create(sender, value, out, terms, consent, fund_count)
        except Revert:
            if undo is not None:
                tok.nonces[sender] = undo[0]
                if undo[1] is None:
                    tok.allowances.pop((sender, self.escrow), None)
                else:
                    tok.allowances[(sender, self.escrow)] = undo[1]
            raise

    # ------------------------------------------------------------ funding and delivery

    def do_fund(self, sender, value, out, job_id, terms, count):
        job = self._job(job_id, terms)
        if sender != terms.client:
            raise Revert("escrow: not client")
        self._running(job)
        if count == 0 or job.funded + count > len(terms.milestones):
            raise Revert("escrow: bad fund count")
        amount = sum(a for a, _ in terms.milestones[job.funded : job.funded + count])
        job.funded += count
        job.nonce += 1
        out.events.append(("JobFunded", job_id))
        self._pull(terms.token, sender, amount, value)

    def do_submit(self, sender, value, out, job_id, terms, milestone, deliverable_hash):
        job = self._job(job_id, terms)
        if sender != terms.freelancer:
            raise Revert("escrow: not freelancer")
        self._running(job)
        self._index(job, milestone)
        if milestone >= job.funded:
            raise Revert("escrow: milestone not funded")
        m = job.milestones[milestone]
        if m.status != OPEN:
            raise Revert("escrow: milestone not open")
        if self.now > self._deadline(job, milestone):
            raise Revert("escrow: deadline passed")
        m.status = SUBMITTED
        m.review_end = self.now + terms.review_period
        job.nonce += 1
        out.events.append(("MilestoneSubmitted", job_id, milestone))

    def _pay_whole_to_freelancer(self, job, milestone, status, out):
        amount = job.terms.milestones[milestone][0]
        self._close(job, milestone, status)
        job.nonce += 1
        pays = []
        self._freelancer_side(job, amount, pays)
        self._payout(job, pays, out)

    def do_approve(self, sender, value, out, job_id, terms, milestone):
        job = self._job(job_id, terms)
        if sender != terms.client:
            raise Revert("escrow: not client")
        self._running(job)
        self._index(job, milestone)
        if job.milestones[milestone].status != SUBMITTED:
            raise Revert("escrow: not submitted")
        out.events.append(("MilestoneApproved", job_id, milestone))
        self._pay_whole_to_freelancer(job, milestone, APPROVED, out)

    def do_release(self, sender, value, out, job_id, terms, milestone):
        job = self._job(job_id, terms)
        self._running(job)
        self._index(job, milestone)
        m = job.milestones[milestone]
        if m.status != SUBMITTED:
            raise Revert("escrow: not submitted")
        if self.now < m.review_end:
            raise Revert("escrow: review period running")
        out.events.append(("MilestoneReleased", job_id, milestone))
        self._pay_whole_to_freelancer(job, milestone, RELEASED, out)

    def do_reclaim(self, sender, value, out, job_id, terms, milestone):
        job = self._job(job_id, terms)
        self._running(job)
        self._index(job, milestone)
        if milestone >= job.funded:
            raise Revert("escrow: milestone not funded")
        if job.milestones[milestone].status != OPEN:
            raise Revert("escrow: milestone not open")
        if self.now <= self._deadline(job, milestone):
            raise Revert("escrow: deadline not passed")
        self._close(job, milestone, RECLAIMED)
        job.nonce += 1
        out.events.append(("MilestoneReclaimed", job_id, milestone))
        self._payout(job, [(terms.client, terms.milestones[milestone][0])], out)

    # ------------------------------------------------------------ disputes

    def do_dispute(self, sender, value, out, job_id, terms, milestone):
        job = self._job(job_id, terms)
        self._party(job, sender)
        self._running(job)
        self._index(job, milestone)
        m = job.milestones[milestone]
        if m.status != SUBMITTED:
            raise Revert("escrow: not submitted")
        if self.now >= m.review_end:
            raise Revert("escrow: review period over")
        m.status = DISPUTED
        m.ruling_end = self.now + terms.ruling_window
        m.disputer = 1 if sender == terms.client else 2
        job.disputes_opened[m.disputer - 1] += 1
        job.nonce += 1
        out.events.append(("DisputeOpened", job_id, milestone))

    def do_resolve(self, sender, value, out, job_id, terms, milestone, freelancer_bps):
        job = self._job(job_id, terms)
        if sender != terms.arbiter:
            raise Revert("escrow: not arbiter")
        self._running(job)
        self._index(job, milestone)
        m = job.milestones[milestone]
        if m.status != DISPUTED:
            raise Revert("escrow: not disputed")
        if self.now >= m.ruling_end:
            raise Revert("escrow: ruling window over")
        if freelancer_bps > BPS:
            raise Revert("escrow: split above 100%")
        amount = terms.milestones[milestone][0]
        arb = fee(amount, terms.arbiter_fee_bps)
        rest = amount - arb
        gross = share(rest, freelancer_bps)
        self._close(job, milestone, RESOLVED)
        m.ruling_bps = freelancer_bps
        if freelancer_bps > 5_000:
            job.disputes_won[1] += 1
        elif freelancer_bps < 5_000:
            job.disputes_won[0] += 1
        job.nonce += 1
        pays = []
        self._freelancer_side(job, gross, pays)
        pays.append((terms.client, rest - gross))
        pays.append((terms.arbiter, arb))
        out.events.append(("DisputeResolved", job_id, milestone))
        self._payout(job, pays, out)

    def do_apply_default_ruling(self, sender, value, out, job_id, terms, milestone):
        job = self._job(job_id, terms)
        self._party(job, sender)
        self._running(job)
        self._index(job, milestone)
        m = job.milestones[milestone]
        if m.status != DISPUTED:
            raise Revert("escrow: not disputed")
        if self.now < m.ruling_end:
            raise Revert("escrow: ruling window running")
        amount = terms.milestones[milestone][0]
        gross = share(amount, 5_000)
        self._close(job, milestone, DEFAULTED)
        m.ruling_bps = 5_000  # README reading 7: the split the milestone closed with
        job.nonce += 1
        pays = []
        self._freelancer_side(job, gross, pays)
        pays.append((terms.client, amount - gross))
        out.events.append(("DefaultRulingApplied", job_id, milestone))
        self._payout(job, pays, out)

    # ------------------------------------------------------------ settlement, cancel, nonce, rate

    def do_settle(
        self, sender, value, out, job_id, terms, freelancer_bps, expiry, client_signature, freelancer_signature
    ):
        job = self._job(job_id, terms)
        self._running(job)
        if freelancer_bps > BPS:
            raise Revert("escrow: split above 100%")
        if self.now > expiry:
            raise Revert("escrow: settlement expired")
        d = self._digest(eip712.settlement_hash(job_id, freelancer_bps, job.nonce, expiry))
        if not self.sig_valid(terms.client, d, client_signature):
            raise Revert("escrow: bad client signature")
        if not self.sig_valid(terms.freelancer, d, freelancer_signature):
            raise Revert("escrow: bad freelancer signature")
        remaining = 0
        for i, m in enumerate(job.milestones):
            if m.status in LIVE:
                if i < job.funded:
                    remaining += terms.milestones[i][0]
                    m.status = SETTLED
                else:
                    m.status = CANCELLED
        job.open = 0
        job.settled = True
        job.nonce += 1
        gross = share(remaining, freelancer_bps)
        pays = []
        self._freelancer_side(job, gross, pays)
        pays.append((terms.client, remaining - gross))
        out.events.append(("JobSettled", job_id))
        self._payout(job, pays, out)

    def do_cancel_unfunded(self, sender, value, out, job_id, terms):
        job = self._job(job_id, terms)
        self._running(job)
        n = len(terms.milestones)
        if job.funded == n:
            raise Revert("escrow: nothing to cancel")
        if sender != terms.client and not self.now > self._deadline(job, job.funded):
            raise Revert("escrow: not client")
        for i in range(job.funded, n):
            job.milestones[i].status = CANCELLED
        job.open -= n - job.funded
        job.funded = n
        job.cancelled = True
        job.nonce += 1
        out.events.append(("MilestonesCancelled", job_id))
        self._maybe_end(job, out)

    def do_increment_nonce(self, sender, value, out, job_id, terms):
        job = self._job(job_id, terms)
        self._party(job, sender)
        self._running(job)
        job.nonce += 1
        out.events.append(("NonceIncremented", job_id))

    def do_rate(self, sender, value, out, job_id, terms, score, comment_hash):
        job = self._job(job_id, terms)
        self._party(job, sender)
        if job.open != 0:
            raise Revert("escrow: job not ended")
        if job.paid == 0:
            raise Revert("escrow: freelancer not paid")
        is_client = sender == terms.client
        if job.client_rated if is_client else job.freelancer_rated:
            raise Revert("escrow: already rated")
        if not 1 <= score <= 5:
            raise Revert("escrow: score out of range")
        if self.escrow not in self.writers:
            raise Revert(ANY)  # reading: the reputation contract refuses and the rating reverts
        if is_client:
            job.client_rated = True
        else:
            job.freelancer_rated = True
        subject = terms.freelancer if is_client else terms.client
        r = self.rep_ratings.setdefault(subject, [0, 0])
        r[0] += 1
        r[1] += score
        self.rep_rating_log.append((job_id, sender, subject, score, comment_hash))
        out.events.append(("JobRated", job_id))

    # ------------------------------------------------------------ amendments

    @staticmethod
    def _rebind(job: Job, new_terms: Terms):
        """The amended terms become the job's (its old ones are refused from now on). The binding
        is per job: nothing is checked against, or changed for, any other job's terms."""
        job.terms = new_terms

    def do_extend_deadline(self, sender, value, out, job_id, terms, milestone, new_duration, expiry, signature):
        job = self._job(job_id, terms)
        self._party(job, sender)
        self._running(job)
        self._index(job, milestone)
        if job.milestones[milestone].status != OPEN:
            raise Revert("escrow: milestone not open")
        if new_duration <= terms.milestones[milestone][1]:
            raise Revert("escrow: deadline not later")
        if new_duration > MAX_HORIZON:
            raise Revert("escrow: bad duration")
        if self.now > expiry:
            raise Revert("escrow: amendment expired")
        d = self._digest(eip712.extend_hash(job_id, milestone, new_duration, job.nonce, expiry))
        if not self.sig_valid(self._other_party(job, sender), d, signature):
            raise Revert("escrow: bad signature")
        ms = list(terms.milestones)
        ms[milestone] = (ms[milestone][0], new_duration)
        new_terms = terms.replace(milestones=tuple(ms))
        self._rebind(job, new_terms)
        job.nonce += 1
        out.events.append(("DeadlineExtended", job_id, milestone))

    def do_add_milestones(self, sender, value, out, job_id, terms, milestones, fund_count, expiry, signature):
        job = self._job(job_id, terms)
        if sender != terms.client:
            raise Revert("escrow: not client")
        self._running(job)
        new = tuple((int(a), int(d)) for a, d in milestones)
        n = len(terms.milestones)
        if len(new) == 0:
            raise Revert("escrow: no milestones")
        if n + len(new) > MAX_MILESTONES:
            raise Revert("escrow: too many milestones")
        if job.funded + fund_count > n + len(new):
            raise Revert("escrow: bad fund count")
        self._check_schedule(new, sum(a for a, _ in terms.milestones))
        if self.now > expiry:
            raise Revert("escrow: amendment expired")
        d = self._digest(eip712.add_hash(job_id, new, fund_count, job.nonce, expiry))
        if not self.sig_valid(terms.freelancer, d, signature):
            raise Revert("escrow: bad signature")
        schedule = terms.milestones + new
        amount = sum(a for a, _ in schedule[job.funded : job.funded + fund_count])
        new_terms = terms.replace(milestones=schedule)
        self._rebind(job, new_terms)
        job.milestones.extend(Milestone() for _ in new)
        job.open += len(new)
        job.funded += fund_count
        job.nonce += 1
        out.events.append(("MilestonesAdded", job_id))
        self._pull(terms.token, sender, amount, value)

    def do_accept_with_deduction(self, sender, value, out, job_id, terms, milestone, freelancer_bps, expiry, signature):
        job = self._job(job_id, terms)
        self._party(job, sender)
        self._running(job)
        self._index(job, milestone)
        if job.milestones[milestone].status not in (SUBMITTED, DISPUTED):
            raise Revert("escrow: not submitted")
        if freelancer_bps > BPS:
            raise Revert("escrow: split above 100%")
        if self.now > expiry:
            raise Revert("escrow: amendment expired")
        d = self._digest(eip712.deduction_hash(job_id, milestone, freelancer_bps, job.nonce, expiry))
        if not self.sig_valid(self._other_party(job, sender), d, signature):
            raise Revert("escrow: bad signature")
        amount = terms.milestones[milestone][0]
        gross = share(amount, freelancer_bps)
        self._close(job, milestone, DEDUCTED)
        job.milestones[milestone].ruling_bps = freelancer_bps
        job.nonce += 1
        pays = []
        self._freelancer_side(job, gross, pays)
        pays.append((terms.client, amount - gross))
        out.events.append(("MilestoneDeducted", job_id, milestone))
        self._payout(job, pays, out)

    # ------------------------------------------------------------ credits and fees

    def do_withdraw(self, sender, value, out, token, to):
        token, to = norm(token), norm(to)
        amount = self.credit(token, sender)
        reasons = []
        if to == ZERO:
            reasons.append("payouts: zero recipient")
        if amount == 0:
            reasons.append("payouts: nothing to withdraw")
        if reasons:
            e = Revert(reasons[0])
            e.alternatives = tuple(reasons[1:])
            raise e
        if token != ETH and token not in self.tokens:
            raise Revert(ANY)
        self.credits[(token, sender)] = 0
        if not self._try_send(token, to, amount):
            self.credits[(token, sender)] = amount
            raise Revert("payouts: withdrawal failed")
        out.payouts.append((token, to, amount, True))
        out.events.append(("Withdrawn", sender, token, to, amount))

    def do_collect_fees(self, sender, value, out, token):
        token = norm(token)
        amount = self.fees_accrued.get(token, 0)
        if amount == 0:
            raise Revert("settings: no fees to collect")
        self.fees_accrued[token] = 0
        out.events.append(("FeesCollected", token, self.fee_recipient, amount))
        self._push(token, self.fee_recipient, amount, out, 0)

    # ------------------------------------------------------------ owner

    def _only_owner(self, sender):
        if sender != self.owner:
            raise Revert("ownable: caller is not the owner")

    def do_set_platform_fee(self, sender, value, out, new_bps):
        self._only_owner(sender)
        if new_bps > MAX_PLATFORM_FEE:
            raise Revert("settings: fee above cap")
        self.platform_fee_bps = new_bps

    def do_set_fee_recipient(self, sender, value, out, new_recipient):
        self._only_owner(sender)
        new_recipient = norm(new_recipient)
        if new_recipient == ZERO:
            raise Revert("settings: zero recipient")
        self.fee_recipient = new_recipient

    def do_pause(self, sender, value, out):
        self._only_owner(sender)
        if self.paused:
            raise Revert("settings: already paused")
        self.paused = True

    def do_unpause(self, sender, value, out):
        self._only_owner(sender)
        if not self.paused:
            raise Revert("settings: not paused")
        self.paused = False

    def do_transfer_ownership(self, sender, value, out, new_owner):
        self._only_owner(sender)
        self.pending_owner = norm(new_owner)

    def do_accept_ownership(self, sender, value, out):
        if sender != self.pending_owner:
            raise Revert("ownable_2step: caller is not the new owner")
        self.owner = sender
        self.pending_owner = ZERO

    # ------------------------------------------------------------ reputation v2 (owner powers)

    def rep_announce_escrow(self, sender, value, out, escrow, allowed):
        if sender != self.rep_owner:
            raise Revert(ANY)
        self.pending_changes[norm(escrow)] = (bool(allowed), self.now + ANNOUNCE_DELAY)

    def rep_apply_escrow_change(self, sender, value, out, escrow):
        escrow = norm(escrow)
        pend = self.pending_changes.get(escrow)
        if pend is None or self.now < pend[1]:
            raise Revert(ANY)
        del self.pending_changes[escrow]
        if pend[0]:
            self.writers.add(escrow)
        else:
            self.writers.discard(escrow)

    def rep_cancel_escrow_change(self, sender, value, out, escrow):
        if sender != self.rep_owner:
            raise Revert(ANY)
        escrow = norm(escrow)
        if escrow not in self.pending_changes:
            raise Revert(ANY)
        del self.pending_changes[escrow]


PAYABLE = {"create_job", "create_job_with_permit", "fund", "add_milestones"}
PULLERS = PAYABLE


def _abi_ok(call: Call) -> bool:
    """What the contract's ABI decoder refuses before any check runs (a revert with no reason):
    value sent to a non-payable function, a schedule above 50 milestones, a signature above
    1,024 bytes."""
    if call.value and (call.target != "escrow" or call.fn not in PAYABLE):
        return False
    for k, v in call.args.items():
        if isinstance(v, Terms) and len(v.milestones) > MAX_MILESTONES:
            return False
        if k == "milestones" and len(v) > MAX_MILESTONES:
            return False
        if isinstance(v, bytes) and k in ("consent", "signature", "client_signature", "freelancer_signature"):
            if len(v) > MAX_SIG:
                return False
    return True
