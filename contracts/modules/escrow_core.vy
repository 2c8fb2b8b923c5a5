# pragma version ~=0.4.3
"""
@title escrow_core
@notice Jobs paid in milestones: create and fund, submit, approve or
        release after the review period, reclaim after a missed deadline,
        dispute and resolve (or apply the default ruling), settle by two
        signatures, and rate once the job has ended.
@dev Gas design: a job is three storage words (client, freelancer and
     token, with small fields and a 160-bit commitment to its terms packed
     beside them). The milestone schedule is *not* stored: `JobCreated`
     carries it, and functions that need a milestone's amount or deadline
     take the job's `Terms` and check them against the commitment. A
     milestone gets its own word only when it is first acted on (submit,
     reclaim, or its closing by settle or cancel_unfunded); that word then
     holds everything later steps need, so approve, release, dispute and
     default ruling take no terms.
     Lifecycle of a milestone: OPEN -> SUBMITTED -> (APPROVED | RELEASED |
     DISPUTED -> (RESOLVED | DEFAULTED)), or OPEN -> RECLAIMED; a settlement
     closes every milestone still open, submitted or disputed (SETTLED if
     funded, CANCELLED if not), and `cancel_unfunded` the unfunded ones
     (CANCELLED). A job ends when every milestone is closed, or when it is
     settled. Every function that takes a milestone index refuses one
     outside the job ("escrow: no such milestone").
"""

from ethereum.ercs import IERC20

from ..interfaces import IReputation
from . import payouts
from . import settings

uses: payouts
uses: settings


# --- constants ---------------------------------------------------------------

# @dev The most milestones a job may have.
MAX_MILESTONES: constant(uint256) = 50
# @dev 100% in basis points.
BPS: constant(uint256) = 10_000
# @dev The highest arbiter fee a job may name: 10% of a disputed milestone.
MAX_ARBITER_FEE_BPS: constant(uint256) = 1_000
# @dev Review periods and ruling windows are between 1 second and 365 days.
MAX_PERIOD: constant(uint256) = 365 * 86_400
# @dev A deadline is at most ten years after creation.
MAX_HORIZON: constant(uint256) = 10 * 365 * 86_400
# @dev A job's total must fit in 96 bits (7.9e28 units).
MAX_TOTAL: constant(uint256) = 2**96 - 1
# @dev Gas reserved for the reputation call when a job ends.
REPUTATION_GAS: constant(uint256) = 200_000
# @dev EIP-712 domain: name "Jiedan Escrow", version "1", this chain and contract.
# (snekmate's eip712_domain_separator would add ~700 bytes of code and
# immutables; the escrow is within 200 bytes of the 24,576-byte limit.)
DOMAIN_TYPEHASH: constant(bytes32) = keccak256(
    "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
)
DOMAIN_NAME_HASH: constant(bytes32) = keccak256("Jiedan Escrow")
DOMAIN_VERSION_HASH: constant(bytes32) = keccak256("1")
# @dev EIP-712 type hash of a settlement.
SETTLEMENT_TYPEHASH: constant(bytes32) = keccak256("Settlement(uint256 jobId,uint256 freelancerBps,uint256 nonce)")

# @dev The highest `s` of a non-malleable ECDSA signature (secp256k1 n / 2).
MAX_S: constant(uint256) = 57_896_044_618_658_097_711_785_492_504_343_953_926_418_782_139_537_452_191_302_581_570_759_080_747_168
MASK8: constant(uint256) = 2**8 - 1
MASK16: constant(uint256) = 2**16 - 1
MASK32: constant(uint256) = 2**32 - 1
MASK40: constant(uint256) = 2**40 - 1
MASK64: constant(uint256) = 2**64 - 1
MASK96: constant(uint256) = 2**96 - 1
MASK160: constant(uint256) = 2**160 - 1

# Word A: client | arbiter_fee_bps << 160 | count << 176 | funded << 184 | open << 192 | nonce << 200 | flags << 232
A_ARB_FEE: constant(uint256) = 160
A_COUNT: constant(uint256) = 176
A_FUNDED: constant(uint256) = 184
A_OPEN: constant(uint256) = 192
A_NONCE: constant(uint256) = 200
A_FLAGS: constant(uint256) = 232
FLAG_CLIENT_RATED: constant(uint256) = 1
FLAG_FREELANCER_RATED: constant(uint256) = 2
FLAG_SETTLED: constant(uint256) = 4
FLAG_CANCELLED: constant(uint256) = 8
# Word B: freelancer | terms hash (high 96 of 160 bits) << 160
# Word C: token | terms hash (low 64 of 160 bits) << 160 | ruling_window << 224
C_HASH: constant(uint256) = 160
C_RULING: constant(uint256) = 224
# Milestone word: status | amount << 8 | platform_fee_bps << 104 | review_end << 120
#                 | ruling_end << 160 | disputer << 200 | ruling_bps << 208
M_AMOUNT: constant(uint256) = 8
M_FEE: constant(uint256) = 104
M_REVIEW_END: constant(uint256) = 120
M_RULING_END: constant(uint256) = 160
M_DISPUTER: constant(uint256) = 200
M_RULING_BPS: constant(uint256) = 208

# Milestone states (the low byte of a milestone word).
OPEN: constant(uint256) = 0
SUBMITTED: constant(uint256) = 1
DISPUTED: constant(uint256) = 2
APPROVED: constant(uint256) = 3
RELEASED: constant(uint256) = 4
RECLAIMED: constant(uint256) = 5
RESOLVED: constant(uint256) = 6
DEFAULTED: constant(uint256) = 7
SETTLED: constant(uint256) = 8
CANCELLED: constant(uint256) = 9
# Who opened a dispute.
BY_CLIENT: constant(uint256) = 1
BY_FREELANCER: constant(uint256) = 2


# --- structs -----------------------------------------------------------------

struct Milestone:
    amount: uint256
    deadline: uint256


# @dev A job's terms as created; `JobCreated` carries every field.
struct Terms:
    arbiter: address
    arbiter_fee_bps: uint256
    platform_fee_bps: uint256
    review_period: uint256
    ruling_window: uint256
    milestones: DynArray[Milestone, MAX_MILESTONES]


struct MilestoneView:
    status: uint256
    amount: uint256
    platform_fee_bps: uint256
    review_end: uint256
    ruling_end: uint256
    disputer: uint256
    ruling_bps: uint256


struct JobView:
    client: address
    freelancer: address
    token: address
    arbiter_fee_bps: uint256
    ruling_window: uint256
    milestone_count: uint256
    funded_count: uint256
    open_count: uint256
    nonce: uint256
    settled: bool
    cancelled: bool
    ended: bool
    client_rated: bool
    freelancer_rated: bool
    terms_hash: bytes20
    milestones: DynArray[MilestoneView, MAX_MILESTONES]


# --- storage -----------------------------------------------------------------

# @dev The reputation contract every ended job and rating is written to.
reputation: public(immutable(IReputation))

_word_a: HashMap[uint256, uint256]
_word_b: HashMap[uint256, uint256]
_word_c: HashMap[uint256, uint256]
# @dev Milestone words by job id, then index; zero until first acted on.
_milestones: HashMap[uint256, HashMap[uint256, uint256]]


# --- events ------------------------------------------------------------------

# @dev Emitted when a client creates a job: every term, the whole schedule,
# and the initial funding (milestones [0, funded_count), `funded_amount` in total).
event JobCreated:
    job_id: indexed(uint256)
    client: indexed(address)
    freelancer: indexed(address)
    token: address
    arbiter: address
    arbiter_fee_bps: uint256
    platform_fee_bps: uint256
    review_period: uint256
    ruling_window: uint256
    metadata_hash: bytes32
    milestones: DynArray[Milestone, MAX_MILESTONES]
    funded_count: uint256
    funded_amount: uint256


# @dev Emitted when the client funds more milestones after creation:
# milestones [first_milestone, funded_count) are now funded.
event JobFunded:
    job_id: indexed(uint256)
    funder: indexed(address)
    amount: uint256
    first_milestone: uint256
    funded_count: uint256


# @dev Emitted when the freelancer submits a milestone; review runs until `review_end`.
event MilestoneSubmitted:
    job_id: indexed(uint256)
    milestone: indexed(uint256)
    freelancer: indexed(address)
    deliverable_hash: bytes32
    amount: uint256
    review_end: uint256


# @dev Emitted when the client approves a submitted milestone: `amount` is
# paid to the freelancer, `platform_fee` accrues to the platform.
event MilestoneApproved:
    job_id: indexed(uint256)
    milestone: indexed(uint256)
    freelancer: indexed(address)
    amount: uint256
    platform_fee: uint256


# @dev Emitted when anyone (`by`) releases a submitted milestone after its
# review period: `amount` is paid to the freelancer, `platform_fee` accrues.
event MilestoneReleased:
    job_id: indexed(uint256)
    milestone: indexed(uint256)
    freelancer: indexed(address)
    amount: uint256
    platform_fee: uint256
    by: address


# @dev Emitted when an unsubmitted milestone past its deadline goes back to the client.
event MilestoneReclaimed:
    job_id: indexed(uint256)
    milestone: indexed(uint256)
    client: indexed(address)
    amount: uint256
    by: address


# @dev Emitted when the client or the freelancer disputes a submitted milestone.
event DisputeOpened:
    job_id: indexed(uint256)
    milestone: indexed(uint256)
    by: indexed(address)
    ruling_end: uint256


# @dev Emitted when the arbiter rules: the amounts each party and the arbiter receive.
event DisputeResolved:
    job_id: indexed(uint256)
    milestone: indexed(uint256)
    arbiter: indexed(address)
    freelancer_bps: uint256
    to_freelancer: uint256
    to_client: uint256
    arbiter_fee: uint256
    platform_fee: uint256


# @dev Emitted when a party applies the even split after the ruling window.
event DefaultRulingApplied:
    job_id: indexed(uint256)
    milestone: indexed(uint256)
    by: indexed(address)
    to_freelancer: uint256
    to_client: uint256
    platform_fee: uint256


# @dev Emitted when both parties' signed split ends the job.
event JobSettled:
    job_id: indexed(uint256)
    nonce: uint256
    freelancer_bps: uint256
    to_freelancer: uint256
    to_client: uint256
    platform_fee: uint256


# @dev Emitted when the client cancels the unfunded milestones [first, first + count).
event MilestonesCancelled:
    job_id: indexed(uint256)
    first_milestone: uint256
    count: uint256


# @dev Emitted when a party invalidates settlement signatures for the current nonce.
event NonceIncremented:
    job_id: indexed(uint256)
    by: indexed(address)
    nonce: uint256


# @dev Emitted when a job's last milestone closes (or it is settled):
# `volume` was paid to the freelancer before fees; `recorded` says whether
# the reputation contract accepted the record.
event JobEnded:
    job_id: indexed(uint256)
    client: indexed(address)
    freelancer: indexed(address)
    volume: uint256
    recorded: bool


# @dev Emitted when a party rates the other after the job ended.
event JobRated:
    job_id: indexed(uint256)
    rater: indexed(address)
    subject: indexed(address)
    score: uint256
    comment_hash: bytes32


# --- constructor -------------------------------------------------------------

@deploy
def __init__(reputation_: IReputation):
    """
    @dev Binds the escrow to its reputation contract.
    @param reputation_ The reputation contract (its owner registers this escrow).
    """
    reputation = reputation_


# --- jobs --------------------------------------------------------------------

@external
@payable
@nonreentrant
def create_job(
    freelancer: address, token: address, terms: Terms, metadata_hash: bytes32, fund_count: uint256
) -> uint256:
    """
    @notice Creates a job with the caller as client and funds its first
            `fund_count` milestones, by ERC-20 allowance or with the call's ETH.
    @dev `terms.platform_fee_bps` must equal the current `platform_fee_bps`,
         so the client agrees to the fee it pays. Reverts while paused.
    @param freelancer The address paid for the milestones.
    @param token The ERC-20 paid in, or the zero address for native ETH.
    @param terms Arbiter, arbiter fee (<= 10%), platform fee, review period,
           ruling window and milestones (amount > 0, future deadline each).
    @param metadata_hash keccak256 of the listing's canonical JSON.
    @param fund_count How many milestones, from the first, to fund now.
    @return The new job's id.
    """
    return self._create(freelancer, token, terms, metadata_hash, fund_count, msg.value)


@external
@payable
@nonreentrant
def create_job_with_permit(
    freelancer: address,
    token: address,
    terms: Terms,
    metadata_hash: bytes32,
    fund_count: uint256,
    permit_value: uint256,
    permit_deadline: uint256,
    v: uint8,
    r: bytes32,
    s: bytes32,
) -> uint256:
    """
    @notice Like `create_job`, with the funding allowance granted in the
            same call by an EIP-2612 permit the client signed.
    @dev A permit that fails (e.g. already used by a front-runner) is
         ignored: funding then needs the allowance to be in place anyway.
    @param freelancer The address paid for the milestones.
    @param token The ERC-20 paid in (it must implement EIP-2612).
    @param terms The job's terms, as for `create_job`.
    @param metadata_hash keccak256 of the listing's canonical JSON.
    @param fund_count How many milestones, from the first, to fund now.
    @param permit_value The allowance the permit grants this escrow.
    @param permit_deadline The permit's deadline.
    @param v The permit signature's v.
    @param r The permit signature's r.
    @param s The permit signature's s.
    @return The new job's id.
    """
    assert token != payouts.ETH, "escrow: permit needs a token"
    permitted: bool = raw_call(
        token,
        abi_encode(
            msg.sender,
            self,
            permit_value,
            permit_deadline,
            v,
            r,
            s,
            method_id=method_id("permit(address,address,uint256,uint256,uint8,bytes32,bytes32)"),
        ),
        revert_on_failure=False,
    )
    return self._create(freelancer, token, terms, metadata_hash, fund_count, msg.value)


@external
@payable
@nonreentrant
def fund(job_id: uint256, count: uint256, terms: Terms):
    """
    @notice The client funds the next `count` milestones of a job.
    @dev Milestones are funded in order; a milestone can be submitted only
         once funded. ETH jobs take the call's value, which must match.
    @param job_id The job.
    @param count How many more milestones to fund (>= 1).
    @param terms The job's terms as created (checked against its commitment).
    """
    a: uint256 = self._job(job_id)
    assert msg.sender == self._addr(a), "escrow: not client"
    self._require_running(a)
    assert (a >> A_FLAGS) & FLAG_CANCELLED == 0, "escrow: unfunded milestones cancelled"
    first: uint256 = (a >> A_FUNDED) & MASK8
    n: uint256 = (a >> A_COUNT) & MASK8
    assert count > 0 and first + count <= n, "escrow: bad fund count"
    token: address = self._check_terms(job_id, terms)
    amount: uint256 = 0
    for i: uint256 in range(first, first + count, bound=MAX_MILESTONES):
        amount += terms.milestones[i].amount
    a = self._with(a, A_FUNDED, MASK8, first + count)
    self._word_a[job_id] = self._bump_nonce(a)
    log JobFunded(job_id=job_id, funder=msg.sender, amount=amount, first_milestone=first, funded_count=first + count)
    payouts._pull(token, msg.sender, amount, msg.value)


@external
def submit(job_id: uint256, milestone: uint256, deliverable_hash: bytes32, terms: Terms):
    """
    @notice The freelancer submits a funded milestone with the hash of the
            deliverable; the review period starts.
    @dev Allowed until the milestone's deadline, inclusive.
    @param job_id The job.
    @param milestone The milestone's index, from 0.
    @param deliverable_hash keccak256 of the deliverable.
    @param terms The job's terms as created (checked against its commitment).
    """
    a: uint256 = self._job(job_id)
    assert msg.sender == self._addr(self._word_b[job_id]), "escrow: not freelancer"
    self._require_running(a)
    assert milestone < (a >> A_COUNT) & MASK8, "escrow: no such milestone"
    assert milestone < (a >> A_FUNDED) & MASK8, "escrow: milestone not funded"
    assert self._milestones[job_id][milestone] & MASK8 == OPEN, "escrow: milestone not open"
    self._check_terms(job_id, terms)
    m: Milestone = terms.milestones[milestone]
    assert block.timestamp <= m.deadline, "escrow: deadline passed"
    review_end: uint256 = block.timestamp + terms.review_period
    self._milestones[job_id][milestone] = (
        SUBMITTED
        | m.amount << M_AMOUNT
        | terms.platform_fee_bps << M_FEE
        | review_end << M_REVIEW_END
    )
    log MilestoneSubmitted(
        job_id=job_id,
        milestone=milestone,
        freelancer=msg.sender,
        deliverable_hash=deliverable_hash,
        amount=m.amount,
        review_end=review_end,
    )


@external
@nonreentrant
def approve(job_id: uint256, milestone: uint256):
    """
    @notice The client approves a submitted milestone: it is paid to the
            freelancer, less the platform fee fixed at creation.
    @param job_id The job.
    @param milestone The milestone's index, from 0.
    """
    a: uint256 = self._job(job_id)
    assert msg.sender == self._addr(a), "escrow: not client"
    self._pay_milestone(job_id, milestone, a, APPROVED)


@external
@nonreentrant
def release(job_id: uint256, milestone: uint256):
    """
    @notice Anyone pays a submitted milestone the client left unanswered
            until its review period ended.
    @dev Allowed from `review_end` on, inclusive.
    @param job_id The job.
    @param milestone The milestone's index, from 0.
    """
    a: uint256 = self._job(job_id)
    self._pay_milestone(job_id, milestone, a, RELEASED)


@external
@nonreentrant
def reclaim(job_id: uint256, milestone: uint256, terms: Terms):
    """
    @notice Returns a funded milestone the freelancer did not submit by
            its deadline to the client.
    @dev Anyone may trigger it (the money only goes to the client), so a
         silent client cannot leave funds stuck. Allowed from deadline + 1.
    @param job_id The job.
    @param milestone The milestone's index, from 0.
    @param terms The job's terms as created (checked against its commitment).
    """
    a: uint256 = self._job(job_id)
    self._require_running(a)
    assert milestone < (a >> A_COUNT) & MASK8, "escrow: no such milestone"
    assert milestone < (a >> A_FUNDED) & MASK8, "escrow: milestone not funded"
    assert self._milestones[job_id][milestone] & MASK8 == OPEN, "escrow: milestone not open"
    token: address = self._check_terms(job_id, terms)
    m: Milestone = terms.milestones[milestone]
    assert block.timestamp > m.deadline, "escrow: deadline not passed"
    client: address = self._addr(a)
    self._milestones[job_id][milestone] = RECLAIMED | m.amount << M_AMOUNT
    a = self._close(job_id, a, 1)
    log MilestoneReclaimed(job_id=job_id, milestone=milestone, client=client, amount=m.amount, by=msg.sender)
    payouts._push(job_id, token, client, m.amount)
    self._after_close(job_id, a, 0)


@external
def dispute(job_id: uint256, milestone: uint256):
    """
    @notice The client or the freelancer disputes a submitted milestone
            during its review period: its funds freeze until the arbiter
            rules or the ruling window ends.
    @param job_id The job.
    @param milestone The milestone's index, from 0.
    """
    a: uint256 = self._job(job_id)
    disputer: uint256 = BY_CLIENT
    if msg.sender != self._addr(a):
        assert msg.sender == self._addr(self._word_b[job_id]), "escrow: not a party"
        disputer = BY_FREELANCER
    self._require_running(a)
    assert milestone < (a >> A_COUNT) & MASK8, "escrow: no such milestone"
    w: uint256 = self._milestones[job_id][milestone]
    assert w & MASK8 == SUBMITTED, "escrow: not submitted"
    assert block.timestamp < (w >> M_REVIEW_END) & MASK40, "escrow: review period over"
    ruling_end: uint256 = block.timestamp + (self._word_c[job_id] >> C_RULING)
    self._milestones[job_id][milestone] = (w ^ SUBMITTED) | DISPUTED | ruling_end << M_RULING_END | disputer << M_DISPUTER
    log DisputeOpened(job_id=job_id, milestone=milestone, by=msg.sender, ruling_end=ruling_end)


@external
@nonreentrant
def resolve(job_id: uint256, milestone: uint256, freelancer_bps: uint256, terms: Terms):
    """
    @notice The arbiter rules on a disputed milestone before its ruling
            window ends: the arbiter fee fixed at creation is paid, and the
            rest is split, `freelancer_bps` to the freelancer (less the
            platform fee) and the remainder to the client.
    @param job_id The job.
    @param milestone The milestone's index, from 0.
    @param freelancer_bps The freelancer's share of the rest, 0..10000.
    @param terms The job's terms as created (checked against its commitment).
    """
    a: uint256 = self._job(job_id)
    token: address = self._check_terms(job_id, terms)
    assert msg.sender == terms.arbiter, "escrow: not arbiter"
    assert freelancer_bps <= BPS, "escrow: split above 100%"
    self._require_running(a)
    assert milestone < (a >> A_COUNT) & MASK8, "escrow: no such milestone"
    w: uint256 = self._milestones[job_id][milestone]
    assert w & MASK8 == DISPUTED, "escrow: not disputed"
    assert block.timestamp < (w >> M_RULING_END) & MASK40, "escrow: ruling window over"
    amount: uint256 = (w >> M_AMOUNT) & MASK96
    arbiter_fee: uint256 = amount * ((a >> A_ARB_FEE) & MASK16) // BPS
    rest: uint256 = amount - arbiter_fee
    gross: uint256 = rest * freelancer_bps // BPS
    fee: uint256 = gross * ((w >> M_FEE) & MASK16) // BPS
    self._milestones[job_id][milestone] = (w ^ DISPUTED) | RESOLVED | freelancer_bps << M_RULING_BPS
    a = self._close(job_id, a, 1)
    if fee != 0:
        settings.fees_accrued[token] += fee
    log DisputeResolved(
        job_id=job_id,
        milestone=milestone,
        arbiter=msg.sender,
        freelancer_bps=freelancer_bps,
        to_freelancer=gross - fee,
        to_client=rest - gross,
        arbiter_fee=arbiter_fee,
        platform_fee=fee,
    )
    payouts._push(job_id, token, self._addr(self._word_b[job_id]), gross - fee)
    payouts._push(job_id, token, self._addr(a), rest - gross)
    payouts._push(job_id, token, msg.sender, arbiter_fee)
    self._after_close(job_id, a, 0)


@external
@nonreentrant
def apply_default_ruling(job_id: uint256, milestone: uint256):
    """
    @notice After the ruling window of a disputed milestone ends without
            a ruling, either party applies the default: an even split,
            no arbiter fee (the freelancer's half less the platform fee).
    @dev Allowed from `ruling_end` on, inclusive. An odd unit goes to the client.
    @param job_id The job.
    @param milestone The milestone's index, from 0.
    """
    a: uint256 = self._job(job_id)
    client: address = self._addr(a)
    freelancer: address = self._addr(self._word_b[job_id])
    assert msg.sender == client or msg.sender == freelancer, "escrow: not a party"
    self._require_running(a)
    assert milestone < (a >> A_COUNT) & MASK8, "escrow: no such milestone"
    w: uint256 = self._milestones[job_id][milestone]
    assert w & MASK8 == DISPUTED, "escrow: not disputed"
    assert block.timestamp >= (w >> M_RULING_END) & MASK40, "escrow: ruling window running"
    amount: uint256 = (w >> M_AMOUNT) & MASK96
    gross: uint256 = amount * 5_000 // BPS
    fee: uint256 = gross * ((w >> M_FEE) & MASK16) // BPS
    token: address = self._addr(self._word_c[job_id])
    self._milestones[job_id][milestone] = (w ^ DISPUTED) | DEFAULTED | 5_000 << M_RULING_BPS
    a = self._close(job_id, a, 1)
    if fee != 0:
        settings.fees_accrued[token] += fee
    log DefaultRulingApplied(
        job_id=job_id, milestone=milestone, by=msg.sender, to_freelancer=gross - fee, to_client=amount - gross, platform_fee=fee
    )
    payouts._push(job_id, token, freelancer, gross - fee)
    payouts._push(job_id, token, client, amount - gross)
    self._after_close(job_id, a, 0)


@external
@nonreentrant
def settle(
    job_id: uint256,
    freelancer_bps: uint256,
    terms: Terms,
    client_signature: Bytes[65],
    freelancer_signature: Bytes[65],
):
    """
    @notice Ends a job early with the split both parties signed (EIP-712
            `Settlement(jobId, freelancerBps, nonce)`): of all funded money
            still in the job, `freelancer_bps` goes to the freelancer (less
            the platform fee) and the rest to the client; unfunded
            milestones are cancelled. Anyone may submit the signatures.
    @dev The nonce is the job's current one; it increases whenever money
         enters or leaves the job and with `increment_nonce`, so a
         signature is good for one state of the job only. Signatures are
         65 bytes (r, s, v) from EOAs, with a low `s`. Each milestone it
         closes keeps its word with the status SETTLED (funded) or
         CANCELLED (unfunded), so none can be acted on again.
    @param job_id The job.
    @param freelancer_bps The freelancer's share, 0..10000.
    @param terms The job's terms as created (checked against its commitment).
    @param client_signature The client's signature of the settlement.
    @param freelancer_signature The freelancer's signature of the settlement.
    """
    a: uint256 = self._job(job_id)
    self._require_running(a)
    assert freelancer_bps <= BPS, "escrow: split above 100%"
    token: address = self._check_terms(job_id, terms)
    client: address = self._addr(a)
    freelancer: address = self._addr(self._word_b[job_id])
    nonce: uint256 = (a >> A_NONCE) & MASK32
    digest: bytes32 = self._settlement_digest(job_id, freelancer_bps, nonce)
    assert self._signer(digest, client_signature) == client, "escrow: bad client signature"
    assert self._signer(digest, freelancer_signature) == freelancer, "escrow: bad freelancer signature"
    remaining: uint256 = 0
    funded: uint256 = (a >> A_FUNDED) & MASK8
    for i: uint256 in range((a >> A_COUNT) & MASK8, bound=MAX_MILESTONES):
        w: uint256 = self._milestones[job_id][i]
        if w & MASK8 <= DISPUTED:
            if i < funded:
                remaining += terms.milestones[i].amount
                self._milestones[job_id][i] = (w & ~MASK8) | SETTLED
            else:
                self._milestones[job_id][i] = CANCELLED
    gross: uint256 = remaining * freelancer_bps // BPS
    fee: uint256 = gross * terms.platform_fee_bps // BPS
    a = self._close(job_id, a, (a >> A_OPEN) & MASK8)
    a = a | FLAG_SETTLED << A_FLAGS
    self._word_a[job_id] = a
    if fee != 0:
        settings.fees_accrued[token] += fee
    log JobSettled(
        job_id=job_id,
        nonce=nonce,
        freelancer_bps=freelancer_bps,
        to_freelancer=gross - fee,
        to_client=remaining - gross,
        platform_fee=fee,
    )
    payouts._push(job_id, token, freelancer, gross - fee)
    payouts._push(job_id, token, client, remaining - gross)
    self._after_close(job_id, a, gross)


@external
@nonreentrant
def cancel_unfunded(job_id: uint256):
    """
    @notice The client cancels every milestone not funded yet; the job
            then ends when its funded milestones are closed.
    @dev Writes each cancelled milestone's word (status CANCELLED).
    @param job_id The job.
    """
    a: uint256 = self._job(job_id)
    assert msg.sender == self._addr(a), "escrow: not client"
    self._require_running(a)
    assert (a >> A_FLAGS) & FLAG_CANCELLED == 0, "escrow: unfunded milestones cancelled"
    funded: uint256 = (a >> A_FUNDED) & MASK8
    count: uint256 = ((a >> A_COUNT) & MASK8) - funded
    assert count > 0, "escrow: nothing to cancel"
    for i: uint256 in range(funded, funded + count, bound=MAX_MILESTONES):
        self._milestones[job_id][i] = CANCELLED
    a = self._close(job_id, a, count) | FLAG_CANCELLED << A_FLAGS
    self._word_a[job_id] = a
    log MilestonesCancelled(job_id=job_id, first_milestone=funded, count=count)
    self._after_close(job_id, a, 0)


@external
def increment_nonce(job_id: uint256):
    """
    @notice The client or the freelancer invalidates every settlement
            signature made for the job's current nonce.
    @param job_id The job.
    """
    a: uint256 = self._job(job_id)
    assert msg.sender == self._addr(a) or msg.sender == self._addr(self._word_b[job_id]), "escrow: not a party"
    self._require_running(a)
    a = self._bump_nonce(a)
    self._word_a[job_id] = a
    log NonceIncremented(job_id=job_id, by=msg.sender, nonce=(a >> A_NONCE) & MASK32)


@external
def rate(job_id: uint256, score: uint256, comment_hash: bytes32):
    """
    @notice After the job ended, the client rates the freelancer or the
            freelancer rates the client, once each: 1 to 5 and a comment hash.
    @param job_id The job.
    @param score 1 (worst) to 5 (best).
    @param comment_hash keccak256 of the comment (kept off-chain).
    """
    a: uint256 = self._job(job_id)
    client: address = self._addr(a)
    freelancer: address = self._addr(self._word_b[job_id])
    subject: address = client
    flag_bit: uint256 = FLAG_FREELANCER_RATED
    if msg.sender == client:
        subject = freelancer
        flag_bit = FLAG_CLIENT_RATED
    else:
        assert msg.sender == freelancer, "escrow: not a party"
    assert (a >> A_OPEN) & MASK8 == 0, "escrow: job not ended"
    assert (a >> A_FLAGS) & flag_bit == 0, "escrow: already rated"
    assert score >= 1 and score <= 5, "escrow: score out of range"
    self._word_a[job_id] = a | flag_bit << A_FLAGS
    log JobRated(job_id=job_id, rater=msg.sender, subject=subject, score=score, comment_hash=comment_hash)
    extcall reputation.record_rating(job_id, msg.sender, subject, score, comment_hash)


# --- views -------------------------------------------------------------------

@external
@view
def get_job(job_id: uint256) -> JobView:
    """
    @notice A job with the state of all its milestones, in one call.
    @dev The schedule's amounts and deadlines are not in storage (see the
         contract's @dev): a milestone's `amount` is known here once it was
         submitted or reclaimed, and 0 before. `JobCreated` has them all.
         A milestone's status: 0 open, 1 submitted, 2 disputed, 3 approved,
         4 released, 5 reclaimed, 6 resolved, 7 default ruling, 8 settled,
         9 cancelled.
    @param job_id The job.
    @return The job's parties, packed state and every milestone's state.
    """
    a: uint256 = self._job(job_id)
    b: uint256 = self._word_b[job_id]
    c: uint256 = self._word_c[job_id]
    n: uint256 = (a >> A_COUNT) & MASK8
    flags: uint256 = (a >> A_FLAGS) & MASK8
    milestones: DynArray[MilestoneView, MAX_MILESTONES] = []
    for i: uint256 in range(n, bound=MAX_MILESTONES):
        w: uint256 = self._milestones[job_id][i]
        milestones.append(
            MilestoneView(
                status=w & MASK8,
                amount=(w >> M_AMOUNT) & MASK96,
                platform_fee_bps=(w >> M_FEE) & MASK16,
                review_end=(w >> M_REVIEW_END) & MASK40,
                ruling_end=(w >> M_RULING_END) & MASK40,
                disputer=(w >> M_DISPUTER) & MASK8,
                ruling_bps=(w >> M_RULING_BPS) & MASK16,
            )
        )
    return JobView(
        client=self._addr(a),
        freelancer=self._addr(b),
        token=self._addr(c),
        arbiter_fee_bps=(a >> A_ARB_FEE) & MASK16,
        ruling_window=c >> C_RULING,
        milestone_count=n,
        funded_count=(a >> A_FUNDED) & MASK8,
        open_count=(a >> A_OPEN) & MASK8,
        nonce=(a >> A_NONCE) & MASK32,
        settled=flags & FLAG_SETTLED != 0,
        cancelled=flags & FLAG_CANCELLED != 0,
        ended=(a >> A_OPEN) & MASK8 == 0,
        client_rated=flags & FLAG_CLIENT_RATED != 0,
        freelancer_rated=flags & FLAG_FREELANCER_RATED != 0,
        terms_hash=convert(convert((b >> C_HASH) << 64 | (c >> C_HASH) & MASK64, uint160), bytes20),
        milestones=milestones,
    )


@external
@view
def settlement_digest(job_id: uint256, freelancer_bps: uint256, nonce: uint256) -> bytes32:
    """
    @notice The EIP-712 digest the parties sign to settle a job.
    @param job_id The job.
    @param freelancer_bps The freelancer's share, 0..10000.
    @param nonce The job's current nonce (see `get_job`).
    @return The digest to sign.
    """
    return self._settlement_digest(job_id, freelancer_bps, nonce)


@external
@view
def domain_separator() -> bytes32:
    """
    @notice The EIP-712 domain separator of settlements: name "Jiedan
            Escrow", version "1", the current chain id and this contract.
    @return The domain separator.
    """
    return self._domain_separator()


# --- internal ----------------------------------------------------------------

@internal
def _create(
    freelancer: address, token: address, terms: Terms, metadata_hash: bytes32, fund_count: uint256, sent: uint256
) -> uint256:
    job_id: uint256 = 0
    fee_bps: uint256 = 0
    job_id, fee_bps = settings._new_job()
    n: uint256 = len(terms.milestones)
    assert n > 0, "escrow: no milestones"
    assert freelancer != empty(address), "escrow: freelancer is zero"
    assert freelancer != msg.sender, "escrow: client is freelancer"
    arbiter: address = terms.arbiter
    assert arbiter != empty(address) and arbiter != msg.sender and arbiter != freelancer, "escrow: arbiter is a party"
    assert token == payouts.ETH or token.is_contract, "escrow: token is not a contract"
    assert terms.arbiter_fee_bps <= MAX_ARBITER_FEE_BPS, "escrow: arbiter fee above cap"
    assert terms.platform_fee_bps == fee_bps, "escrow: platform fee changed"
    assert terms.review_period != 0 and terms.review_period <= MAX_PERIOD, "escrow: bad review period"
    assert terms.ruling_window != 0 and terms.ruling_window <= MAX_PERIOD, "escrow: bad ruling window"
    assert fund_count <= n, "escrow: bad fund count"
    total: uint256 = 0
    funding: uint256 = 0
    latest: uint256 = block.timestamp + MAX_HORIZON
    i: uint256 = 0
    for m: Milestone in terms.milestones:
        assert m.amount != 0, "escrow: zero milestone"
        assert m.deadline > block.timestamp, "escrow: deadline passed"
        assert m.deadline <= latest, "escrow: deadline too far"
        total += m.amount
        if i < fund_count:
            funding += m.amount
        i += 1
    assert total <= MAX_TOTAL, "escrow: total too large"
    h: uint256 = convert(self._hash_terms(terms), uint256)
    self._word_a[job_id] = (
        convert(msg.sender, uint256)
        | terms.arbiter_fee_bps << A_ARB_FEE
        | n << A_COUNT
        | fund_count << A_FUNDED
        | n << A_OPEN
    )
    self._word_b[job_id] = convert(freelancer, uint256) | (h >> 64) << C_HASH
    self._word_c[job_id] = convert(token, uint256) | (h & MASK64) << C_HASH | terms.ruling_window << C_RULING
    log JobCreated(
        job_id=job_id,
        client=msg.sender,
        freelancer=freelancer,
        token=token,
        arbiter=arbiter,
        arbiter_fee_bps=terms.arbiter_fee_bps,
        platform_fee_bps=terms.platform_fee_bps,
        review_period=terms.review_period,
        ruling_window=terms.ruling_window,
        metadata_hash=metadata_hash,
        milestones=terms.milestones,
        funded_count=fund_count,
        funded_amount=funding,
    )
    payouts._pull(token, msg.sender, funding, sent)
    return job_id


@internal
@view
def _job(job_id: uint256) -> uint256:
    """
    @dev Word A of an existing job (one revert site for every function).
    """
    a: uint256 = self._word_a[job_id]
    assert a != 0, "escrow: no such job"
    return a


@internal
@pure
def _require_running(a: uint256):
    assert (a >> A_OPEN) & MASK8 != 0, "escrow: job ended"


@internal
def _pay_milestone(job_id: uint256, milestone: uint256, a: uint256, outcome: uint256):
    """
    @dev Approve or release: checks the milestone, closes it and pays the
         freelancer less the platform fee.
    """
    self._require_running(a)
    assert milestone < (a >> A_COUNT) & MASK8, "escrow: no such milestone"
    w: uint256 = self._milestones[job_id][milestone]
    assert w & MASK8 == SUBMITTED, "escrow: not submitted"
    if outcome == RELEASED:
        assert block.timestamp >= (w >> M_REVIEW_END) & MASK40, "escrow: review period running"
    amount: uint256 = (w >> M_AMOUNT) & MASK96
    fee: uint256 = amount * ((w >> M_FEE) & MASK16) // BPS
    token: address = self._addr(self._word_c[job_id])
    freelancer: address = self._addr(self._word_b[job_id])
    self._milestones[job_id][milestone] = (w ^ SUBMITTED) | outcome
    new_a: uint256 = self._close(job_id, a, 1)
    if outcome == APPROVED:
        log MilestoneApproved(job_id=job_id, milestone=milestone, freelancer=freelancer, amount=amount - fee, platform_fee=fee)
    else:
        log MilestoneReleased(
            job_id=job_id, milestone=milestone, freelancer=freelancer, amount=amount - fee, platform_fee=fee, by=msg.sender
        )
    payouts._push(job_id, token, freelancer, amount - fee)
    self._after_close(job_id, new_a, 0)


@internal
def _close(job_id: uint256, a: uint256, count: uint256) -> uint256:
    """
    @dev Marks `count` milestones closed and bumps the nonce; stores and
         returns word A.
    """
    open_count: uint256 = (a >> A_OPEN) & MASK8
    new_a: uint256 = self._bump_nonce(self._with(a, A_OPEN, MASK8, open_count - count))
    self._word_a[job_id] = new_a
    return new_a


@internal
def _after_close(job_id: uint256, a: uint256, settled_volume: uint256):
    """
    @dev After a close's payouts: if the job has ended, tallies its volume
         and disputes from the milestone words and records them in the
         reputation contract, and makes the platform fees of its approved
         and released milestones collectable (they stay in the escrow until
         then, which keeps approve and release one storage write cheaper). A reputation failure never blocks the payout
         that ended the job; `JobEnded.recorded` says whether it was kept.
    """
    if (a >> A_OPEN) & MASK8 != 0:
        return
    n: uint256 = (a >> A_COUNT) & MASK8
    arbiter_fee_bps: uint256 = (a >> A_ARB_FEE) & MASK16
    volume: uint256 = settled_volume
    fees: uint256 = 0
    opened: uint256[3] = [0, 0, 0]
    won: uint256[3] = [0, 0, 0]
    for i: uint256 in range(n, bound=MAX_MILESTONES):
        w: uint256 = self._milestones[job_id][i]
        status: uint256 = w & MASK8
        amount: uint256 = (w >> M_AMOUNT) & MASK96
        disputer: uint256 = (w >> M_DISPUTER) & MASK8
        if disputer != 0:
            opened[disputer] += 1
        if status == APPROVED or status == RELEASED:
            volume += amount
            fees += amount * ((w >> M_FEE) & MASK16) // BPS
        elif status == RESOLVED or status == DEFAULTED:
            ruling_bps: uint256 = (w >> M_RULING_BPS) & MASK16
            if status == RESOLVED:
                amount -= amount * arbiter_fee_bps // BPS
            volume += amount * ruling_bps // BPS
            if ruling_bps > 5_000:
                won[BY_FREELANCER] += 1
            elif ruling_bps < 5_000:
                won[BY_CLIENT] += 1
    client: address = self._addr(a)
    freelancer: address = self._addr(self._word_b[job_id])
    token: address = self._addr(self._word_c[job_id])
    if fees != 0:
        settings.fees_accrued[token] += fees
    assert msg.gas > REPUTATION_GAS * 64 // 63 + 10_000, "escrow: not enough gas to record reputation"
    recorded: bool = raw_call(
        reputation.address,
        abi_encode(
            job_id,
            client,
            freelancer,
            token,
            volume,
            opened[BY_CLIENT],
            opened[BY_FREELANCER],
            won[BY_CLIENT],
            won[BY_FREELANCER],
            method_id=method_id("record_job(uint256,address,address,address,uint256,uint256,uint256,uint256,uint256)"),
        ),
        gas=REPUTATION_GAS,
        revert_on_failure=False,
    )
    log JobEnded(job_id=job_id, client=client, freelancer=freelancer, volume=volume, recorded=recorded)


@internal
def _check_terms(job_id: uint256, terms: Terms) -> address:
    """
    @dev Reverts unless `terms` hash to the job's commitment; returns the token.
    """
    h: uint256 = convert(self._hash_terms(terms), uint256)
    c: uint256 = self._word_c[job_id]
    assert (self._word_b[job_id] >> C_HASH) == h >> 64 and (c >> C_HASH) & MASK64 == h & MASK64, "escrow: wrong terms"
    return self._addr(c)


@internal
@view
def _domain_separator() -> bytes32:
    return keccak256(abi_encode(DOMAIN_TYPEHASH, DOMAIN_NAME_HASH, DOMAIN_VERSION_HASH, chain.id, self))


@internal
@view
def _settlement_digest(job_id: uint256, freelancer_bps: uint256, nonce: uint256) -> bytes32:
    struct_hash: bytes32 = keccak256(abi_encode(SETTLEMENT_TYPEHASH, job_id, freelancer_bps, nonce))
    return keccak256(concat(x"1901", self._domain_separator(), struct_hash))


@internal
@pure
def _signer(digest: bytes32, signature: Bytes[65]) -> address:
    """
    @dev The EOA that signed `digest`, or the zero address for a malformed
         or malleable (high `s`) signature.
    """
    if len(signature) != 65:
        return empty(address)
    r: uint256 = extract32(signature, 0, output_type=uint256)
    s: uint256 = extract32(signature, 32, output_type=uint256)
    v: uint256 = convert(slice(signature, 64, 1), uint256)
    if s > MAX_S:
        return empty(address)
    return ecrecover(digest, v, r, s)


@internal
@pure
def _hash_terms(terms: Terms) -> bytes20:
    return convert(convert(convert(keccak256(abi_encode(terms)), uint256) >> 96, uint160), bytes20)


@internal
@pure
def _addr(word: uint256) -> address:
    return convert(convert(word & MASK160, uint160), address)


@internal
@pure
def _with(word: uint256, offset: uint256, mask: uint256, field: uint256) -> uint256:
    return word & ~(mask << offset) | field << offset


@internal
@pure
def _bump_nonce(a: uint256) -> uint256:
    return self._with(a, A_NONCE, MASK32, ((a >> A_NONCE) + 1) & MASK32)
