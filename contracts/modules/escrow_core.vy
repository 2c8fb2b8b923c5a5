# pragma version ~=0.4.3
"""
@title escrow_core
@notice Jobs paid in milestones, created by the client with the
        freelancer's signed consent to the exact terms: fund, submit,
        approve or release after the review period, reclaim after a missed
        deadline, dispute and resolve (or apply the default ruling), settle
        by two signatures, amend by two signatures (extend a deadline, add
        milestones, accept with a deduction), and rate once the job has
        ended. The rules are in docs/escrow-v2.md.
@dev Binding: nothing about a job's parties, token or schedule is stored.
     Every call presents the job's `Terms`; their 256-bit EIP-712 struct
     hash must equal the job's `terms_hash_of` (collision resistance
     2^128), and every milestone index is checked against the presented
     schedule before any milestone word is read. Milestone words live in
     `_milestones[job_id][index]`, so no index of one job can reach
     another's. A job is one storage word (counts, nonce, flags, start)
     plus its terms hash, which an amendment rewrites in place; a
     milestone gets a word when first acted on. A consent is used once:
     its (freelancer, salt) bit is set when it creates a job (salts are
     the freelancer's unordered nonces, 256 to a storage word).
     Milestone lifecycle: OPEN -> SUBMITTED -> (APPROVED | RELEASED |
     DEDUCTED | SETTLED | DISPUTED -> (RESOLVED | DEFAULTED | DEDUCTED |
     SETTLED)), or OPEN -> (RECLAIMED | SETTLED | CANCELLED). A job ends when
     every milestone is closed; its platform fees then become collectable
     and its record goes to the reputation contract.
"""

from ..interfaces import IReputation
from . import payouts
from . import settings

uses: payouts
uses: settings


# --- constants ---------------------------------------------------------------

# @dev The most milestones a job may have.
MAX_MILESTONES: constant(uint256) = 50
# @dev The longest signature accepted (an EOA's is 65 bytes; a Safe's grows with its owners).
MAX_SIGNATURE: constant(uint256) = 1_024
# @dev 100% in basis points.
BPS: constant(uint256) = 10_000
# @dev The default ruling's share for the freelancer: half.
HALF_BPS: constant(uint256) = 5_000
# @dev The highest arbiter fee a job may name: 10% of a disputed milestone.
MAX_ARBITER_FEE_BPS: constant(uint256) = 1_000
# @dev Review periods and ruling windows are between 1 second and 365 days.
MAX_PERIOD: constant(uint256) = 365 * 86_400
# @dev A milestone's deadline is at most ten years after the job's start.
MAX_HORIZON: constant(uint256) = 10 * 365 * 86_400
# @dev A job's total must fit in 96 bits (7.9e28 units).
MAX_TOTAL: constant(uint256) = 2**96 - 1
# @dev Gas reserved for the reputation call when a job ends.
REPUTATION_GAS: constant(uint256) = 250_000
# @dev Gas an EIP-1271 wallet gets to check a signature.
SIGNATURE_GAS: constant(uint256) = 150_000
# @dev EIP-1271's magic value, as the 32 bytes a wallet returns.
ERC1271_MAGIC: constant(bytes32) = 0x1626ba7e00000000000000000000000000000000000000000000000000000000

# @dev EIP-712 domain: name "Jiedan Escrow", version "2", this chain and contract.
DOMAIN_TYPEHASH: constant(bytes32) = keccak256(
    "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
)
DOMAIN_NAME_HASH: constant(bytes32) = keccak256("Jiedan Escrow")
DOMAIN_VERSION_HASH: constant(bytes32) = keccak256("2")
MILESTONE_TYPEHASH: constant(bytes32) = keccak256("Milestone(uint256 amount,uint256 duration)")
TERMS_TYPEHASH: constant(bytes32) = keccak256(
    "Terms(address client,address freelancer,address token,address arbiter,uint256 arbiterFeeBps,"
    "uint256 platformFeeBps,uint256 reviewPeriod,uint256 rulingWindow,bytes32 metadataHash,uint256 salt,"
    "uint256 offerExpiry,Milestone[] milestones)Milestone(uint256 amount,uint256 duration)"
)
SETTLEMENT_TYPEHASH: constant(bytes32) = keccak256(
    "Settlement(uint256 jobId,uint256 freelancerBps,uint256 nonce,uint256 expiry)"
)
EXTEND_TYPEHASH: constant(bytes32) = keccak256(
    "ExtendDeadline(uint256 jobId,uint256 milestone,uint256 newDuration,uint256 nonce,uint256 expiry)"
)
ADD_TYPEHASH: constant(bytes32) = keccak256(
    "AddMilestones(uint256 jobId,Milestone[] milestones,uint256 fundCount,uint256 nonce,uint256 expiry)"
    "Milestone(uint256 amount,uint256 duration)"
)
DEDUCTION_TYPEHASH: constant(bytes32) = keccak256(
    "Deduction(uint256 jobId,uint256 milestone,uint256 freelancerBps,uint256 nonce,uint256 expiry)"
)

# @dev The highest `s` of a non-malleable ECDSA signature (secp256k1 n / 2).
MAX_S: constant(uint256) = 57_896_044_618_658_097_711_785_492_504_343_953_926_418_782_139_537_452_191_302_581_570_759_080_747_168
MASK8: constant(uint256) = 2**8 - 1
MASK16: constant(uint256) = 2**16 - 1
MASK32: constant(uint256) = 2**32 - 1
MASK40: constant(uint256) = 2**40 - 1

# Job word: count | funded << 8 | open << 16 | nonce << 24 | flags << 56 | start << 64
J_FUNDED: constant(uint256) = 8
J_OPEN: constant(uint256) = 16
J_NONCE: constant(uint256) = 24
J_FLAGS: constant(uint256) = 56
J_START: constant(uint256) = 64
FLAG_CLIENT_RATED: constant(uint256) = 1
FLAG_FREELANCER_RATED: constant(uint256) = 2
FLAG_SETTLED: constant(uint256) = 4
FLAG_CANCELLED: constant(uint256) = 8
FLAG_PAID: constant(uint256) = 16
# Milestone word: status | review_end << 8 | ruling_end << 48 | disputer << 88 | ruling_bps << 96
M_REVIEW_END: constant(uint256) = 8
M_RULING_END: constant(uint256) = 48
M_DISPUTER: constant(uint256) = 88
M_RULING_BPS: constant(uint256) = 96

# Milestone states (the low byte of a milestone word): 0-2 live, 3-10 closed.
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
DEDUCTED: constant(uint256) = 10
# Who opened a dispute.
BY_CLIENT: constant(uint256) = 1
BY_FREELANCER: constant(uint256) = 2


# --- structs -----------------------------------------------------------------

struct Milestone:
    amount: uint256
    duration: uint256


# @dev A job's terms: what the freelancer signs and every call presents.
struct Terms:
    client: address
    freelancer: address
    token: address
    arbiter: address
    arbiter_fee_bps: uint256
    platform_fee_bps: uint256
    review_period: uint256
    ruling_window: uint256
    metadata_hash: bytes32
    salt: uint256
    offer_expiry: uint256
    milestones: DynArray[Milestone, MAX_MILESTONES]


struct MilestoneView:
    status: uint256
    review_end: uint256
    ruling_end: uint256
    disputer: uint256
    ruling_bps: uint256


struct JobView:
    milestone_count: uint256
    funded_count: uint256
    open_count: uint256
    nonce: uint256
    start: uint256
    settled: bool
    cancelled: bool
    ended: bool
    paid: bool
    client_rated: bool
    freelancer_rated: bool
    milestones: DynArray[MilestoneView, MAX_MILESTONES]


# --- storage -----------------------------------------------------------------

# @dev The reputation contract every ended job and rating is written to.
reputation: public(immutable(IReputation))

# @dev Job id => the EIP-712 struct hash of its current terms.
terms_hash_of: public(HashMap[uint256, bytes32])

_jobs: HashMap[uint256, uint256]
# @dev Milestone words: job id => index => word; zero until first acted on.
_milestones: HashMap[uint256, HashMap[uint256, uint256]]
# @dev Used consents: freelancer => salt >> 8 => a bit per salt & 255.
_consents_used: HashMap[address, HashMap[uint256, uint256]]


# --- events ------------------------------------------------------------------

# @dev Emitted when a client creates a job with the freelancer's consent:
# every term, the schedule (deadline = start + duration), the initial
# funding (milestones [0, funded_count), `funded_amount` in total).
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
    salt: uint256
    offer_expiry: uint256
    milestones: DynArray[Milestone, MAX_MILESTONES]
    start: uint256
    funded_count: uint256
    funded_amount: uint256
    terms_hash: bytes32


# @dev Emitted when the client funds more milestones:
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
# paid to the freelancer, `platform_fee` is the platform's.
event MilestoneApproved:
    job_id: indexed(uint256)
    milestone: indexed(uint256)
    freelancer: indexed(address)
    amount: uint256
    platform_fee: uint256


# @dev Emitted when anyone (`by`) releases a submitted milestone after its
# review period: `amount` is paid to the freelancer, `platform_fee` is the platform's.
event MilestoneReleased:
    job_id: indexed(uint256)
    milestone: indexed(uint256)
    freelancer: indexed(address)
    amount: uint256
    platform_fee: uint256
    by: address


# @dev Emitted when a funded milestone not submitted by its deadline goes back to the client.
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


# @dev Emitted when the unfunded milestones [first_milestone, first_milestone + count) are cancelled.
event MilestonesCancelled:
    job_id: indexed(uint256)
    by: indexed(address)
    first_milestone: uint256
    count: uint256


# @dev Emitted when a party invalidates every signature made for the job's current nonce.
event NonceIncremented:
    job_id: indexed(uint256)
    by: indexed(address)
    nonce: uint256


# @dev Emitted when both parties extend an open milestone's deadline.
event DeadlineExtended:
    job_id: indexed(uint256)
    milestone: indexed(uint256)
    by: indexed(address)
    new_duration: uint256
    deadline: uint256
    terms_hash: bytes32


# @dev Emitted when both parties add milestones [first_milestone, ...) to a
# running job; milestones [.., funded_count) are funded, `funded_amount` now.
event MilestonesAdded:
    job_id: indexed(uint256)
    by: indexed(address)
    first_milestone: uint256
    milestones: DynArray[Milestone, MAX_MILESTONES]
    funded_count: uint256
    funded_amount: uint256
    terms_hash: bytes32


# @dev Emitted when a submitted (or disputed) milestone is accepted with the
# deduction both parties signed: `freelancer_bps` of it to the freelancer.
event MilestoneDeducted:
    job_id: indexed(uint256)
    milestone: indexed(uint256)
    by: indexed(address)
    freelancer_bps: uint256
    to_freelancer: uint256
    to_client: uint256
    platform_fee: uint256


# @dev Emitted when a job's last milestone closes: `paid` reached the
# freelancer (net of fees), `platform_fees` became collectable, `recorded`
# says whether the reputation contract accepted the record.
event JobEnded:
    job_id: indexed(uint256)
    client: indexed(address)
    freelancer: indexed(address)
    paid: uint256
    platform_fees: uint256
    recorded: bool


# @dev Emitted when a party rates the other after a paid job ended.
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
    @param reputation_ The reputation contract (which names this escrow as a writer).
    """
    reputation = reputation_


# --- jobs --------------------------------------------------------------------

@external
@payable
@nonreentrant
def create_job(terms: Terms, consent: Bytes[MAX_SIGNATURE], fund_count: uint256) -> uint256:
    """
    @notice Creates a job with the caller as its client, with the
            freelancer's signature of the exact terms, and funds its first
            `fund_count` milestones (ERC-20 allowance or the call's ETH).
    @dev The consent is the freelancer's EIP-712 signature of `terms` (EOA,
         or EIP-1271 for a contract wallet); it creates one job only.
         `terms.platform_fee_bps` must equal the current `platform_fee_bps`.
    @param terms The job's terms; deadlines are durations from creation.
    @param consent The freelancer's signature of the terms.
    @param fund_count How many milestones, from the first, to fund now.
    @return The new job's id.
    """
    return self._create(terms, consent, fund_count, msg.value)


@external
@payable
@nonreentrant
def create_job_with_permit(
    terms: Terms,
    consent: Bytes[MAX_SIGNATURE],
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
    @param terms The job's terms (the token must implement EIP-2612).
    @param consent The freelancer's signature of the terms.
    @param fund_count How many milestones, from the first, to fund now.
    @param permit_value The allowance the permit grants this escrow.
    @param permit_deadline The permit's deadline.
    @param v The permit signature's v.
    @param r The permit signature's r.
    @param s The permit signature's s.
    @return The new job's id.
    """
    assert terms.token != payouts.ETH, "escrow: permit needs a token"
    permitted: bool = raw_call(
        terms.token,
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
    return self._create(terms, consent, fund_count, msg.value)


@external
@payable
@nonreentrant
def fund(job_id: uint256, terms: Terms, count: uint256):
    """
    @notice The client funds the next `count` milestones of a job.
    @dev Milestones are funded in order; a milestone can be submitted only
         once funded. ETH jobs take the call's value, which must match.
    @param job_id The job.
    @param terms The job's current terms.
    @param count How many more milestones to fund (>= 1).
    """
    j: uint256 = self._check(job_id, self._hash_terms(terms))
    assert msg.sender == terms.client, "escrow: not client"
    self._require_running(j)
    first: uint256 = (j >> J_FUNDED) & MASK8
    assert count > 0 and count <= len(terms.milestones) - first, "escrow: bad fund count"
    amount: uint256 = 0
    for i: uint256 in range(first, first + count, bound=MAX_MILESTONES):
        amount += terms.milestones[i].amount
    self._jobs[job_id] = self._bump(self._with(j, J_FUNDED, first + count))
    log JobFunded(job_id=job_id, funder=msg.sender, amount=amount, first_milestone=first, funded_count=first + count)
    payouts._pull(terms.token, msg.sender, amount, msg.value)


@external
@nonreentrant
def submit(job_id: uint256, terms: Terms, milestone: uint256, deliverable_hash: bytes32):
    """
    @notice The freelancer submits a funded milestone with the hash of the
            deliverable; the review period starts, and every settlement or
            amendment signed before is void.
    @dev Allowed until the milestone's deadline, inclusive.
    @param job_id The job.
    @param terms The job's current terms.
    @param milestone The milestone's index, from 0.
    @param deliverable_hash keccak256 of the deliverable.
    """
    j: uint256 = self._check(job_id, self._hash_terms(terms))
    assert msg.sender == terms.freelancer, "escrow: not freelancer"
    self._require_running(j)
    self._require_index(len(terms.milestones), milestone)
    assert milestone < (j >> J_FUNDED) & MASK8, "escrow: milestone not funded"
    assert self._milestones[job_id][milestone] & MASK8 == OPEN, "escrow: milestone not open"
    assert block.timestamp <= self._deadline(j, terms.milestones[milestone].duration), "escrow: deadline passed"
    review_end: uint256 = block.timestamp + terms.review_period
    self._milestones[job_id][milestone] = SUBMITTED | review_end << M_REVIEW_END
    self._jobs[job_id] = self._bump(j)
    log MilestoneSubmitted(
        job_id=job_id,
        milestone=milestone,
        freelancer=msg.sender,
        deliverable_hash=deliverable_hash,
        amount=terms.milestones[milestone].amount,
        review_end=review_end,
    )


@external
@nonreentrant
def approve(job_id: uint256, terms: Terms, milestone: uint256):
    """
    @notice The client approves a submitted milestone: it is paid to the
            freelancer, less the platform fee fixed at creation.
    @param job_id The job.
    @param terms The job's current terms.
    @param milestone The milestone's index, from 0.
    """
    j: uint256 = self._check(job_id, self._hash_terms(terms))
    assert msg.sender == terms.client, "escrow: not client"
    self._pay_submitted(job_id, j, terms, milestone, APPROVED)


@external
@nonreentrant
def release(job_id: uint256, terms: Terms, milestone: uint256):
    """
    @notice Anyone pays a submitted milestone the client left unanswered
            until its review period ended.
    @dev Allowed from `review_end` on, inclusive.
    @param job_id The job.
    @param terms The job's current terms.
    @param milestone The milestone's index, from 0.
    """
    j: uint256 = self._check(job_id, self._hash_terms(terms))
    self._pay_submitted(job_id, j, terms, milestone, RELEASED)


@external
@nonreentrant
def reclaim(job_id: uint256, terms: Terms, milestone: uint256):
    """
    @notice Returns a funded milestone the freelancer did not submit by
            its deadline to the client.
    @dev Anyone may trigger it (the money only goes to the client), so a
         silent client cannot leave funds stuck. Allowed from deadline + 1.
    @param job_id The job.
    @param terms The job's current terms.
    @param milestone The milestone's index, from 0.
    """
    j: uint256 = self._check(job_id, self._hash_terms(terms))
    self._require_running(j)
    self._require_index(len(terms.milestones), milestone)
    assert milestone < (j >> J_FUNDED) & MASK8, "escrow: milestone not funded"
    assert self._milestones[job_id][milestone] & MASK8 == OPEN, "escrow: milestone not open"
    assert block.timestamp > self._deadline(j, terms.milestones[milestone].duration), "escrow: deadline not passed"
    amount: uint256 = terms.milestones[milestone].amount
    self._milestones[job_id][milestone] = RECLAIMED
    j = self._close(job_id, j, 1)
    log MilestoneReclaimed(job_id=job_id, milestone=milestone, client=terms.client, amount=amount, by=msg.sender)
    payouts._push(job_id, terms.token, terms.client, amount)
    if self._ended(j):
        self._after_close(job_id, j, terms, 0, 0)


@external
@nonreentrant
def dispute(job_id: uint256, terms: Terms, milestone: uint256):
    """
    @notice The client or the freelancer disputes a submitted milestone
            during its review period: its funds freeze until the arbiter
            rules or the ruling window ends. Signatures made before are void.
    @param job_id The job.
    @param terms The job's current terms.
    @param milestone The milestone's index, from 0.
    """
    j: uint256 = self._check(job_id, self._hash_terms(terms))
    disputer: uint256 = self._party(terms.client, terms.freelancer)
    self._require_running(j)
    self._require_index(len(terms.milestones), milestone)
    w: uint256 = self._milestones[job_id][milestone]
    assert w & MASK8 == SUBMITTED, "escrow: not submitted"
    assert block.timestamp < (w >> M_REVIEW_END) & MASK40, "escrow: review period over"
    ruling_end: uint256 = block.timestamp + terms.ruling_window
    self._milestones[job_id][milestone] = (w ^ SUBMITTED) | DISPUTED | ruling_end << M_RULING_END | disputer << M_DISPUTER
    self._jobs[job_id] = self._bump(j)
    log DisputeOpened(job_id=job_id, milestone=milestone, by=msg.sender, ruling_end=ruling_end)


@external
@nonreentrant
def resolve(job_id: uint256, terms: Terms, milestone: uint256, freelancer_bps: uint256):
    """
    @notice The arbiter rules on a disputed milestone before its ruling
            window ends: the arbiter fee fixed at creation is paid, and the
            rest is split, `freelancer_bps` to the freelancer (less the
            platform fee) and the remainder to the client.
    @param job_id The job.
    @param terms The job's current terms.
    @param milestone The milestone's index, from 0.
    @param freelancer_bps The freelancer's share of the rest, 0..10000.
    """
    j: uint256 = self._check(job_id, self._hash_terms(terms))
    assert msg.sender == terms.arbiter, "escrow: not arbiter"
    self._require_running(j)
    self._require_index(len(terms.milestones), milestone)
    w: uint256 = self._milestones[job_id][milestone]
    assert w & MASK8 == DISPUTED, "escrow: not disputed"
    assert block.timestamp < (w >> M_RULING_END) & MASK40, "escrow: ruling window over"
    assert freelancer_bps <= BPS, "escrow: split above 100%"
    amount: uint256 = terms.milestones[milestone].amount
    arbiter_fee: uint256 = self._fee(amount, terms.arbiter_fee_bps)
    rest: uint256 = amount - arbiter_fee
    gross: uint256 = rest * freelancer_bps // BPS
    fee: uint256 = self._fee(gross, terms.platform_fee_bps)
    self._milestones[job_id][milestone] = (w ^ DISPUTED) | RESOLVED | freelancer_bps << M_RULING_BPS
    j = self._close(job_id, j, 1)
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
    payouts._push(job_id, terms.token, terms.freelancer, gross - fee)
    payouts._push(job_id, terms.token, terms.client, rest - gross)
    payouts._push(job_id, terms.token, msg.sender, arbiter_fee)
    if self._ended(j):
        self._after_close(job_id, j, terms, 0, 0)


@external
@nonreentrant
def apply_default_ruling(job_id: uint256, terms: Terms, milestone: uint256):
    """
    @notice After the ruling window of a disputed milestone ends without
            a ruling, either party applies the default: an even split,
            no arbiter fee (the freelancer's half less the platform fee).
    @dev Allowed from `ruling_end` on, inclusive. An odd unit goes to the client.
    @param job_id The job.
    @param terms The job's current terms.
    @param milestone The milestone's index, from 0.
    """
    j: uint256 = self._check(job_id, self._hash_terms(terms))
    self._party(terms.client, terms.freelancer)
    self._require_running(j)
    self._require_index(len(terms.milestones), milestone)
    w: uint256 = self._milestones[job_id][milestone]
    assert w & MASK8 == DISPUTED, "escrow: not disputed"
    assert block.timestamp >= (w >> M_RULING_END) & MASK40, "escrow: ruling window running"
    amount: uint256 = terms.milestones[milestone].amount
    gross: uint256 = amount * HALF_BPS // BPS
    fee: uint256 = self._fee(gross, terms.platform_fee_bps)
    self._milestones[job_id][milestone] = (w ^ DISPUTED) | DEFAULTED | HALF_BPS << M_RULING_BPS
    j = self._close(job_id, j, 1)
    log DefaultRulingApplied(
        job_id=job_id, milestone=milestone, by=msg.sender, to_freelancer=gross - fee, to_client=amount - gross, platform_fee=fee
    )
    payouts._push(job_id, terms.token, terms.freelancer, gross - fee)
    payouts._push(job_id, terms.token, terms.client, amount - gross)
    if self._ended(j):
        self._after_close(job_id, j, terms, 0, 0)


@external
@nonreentrant
def settle(
    job_id: uint256,
    terms: Terms,
    freelancer_bps: uint256,
    expiry: uint256,
    client_signature: Bytes[MAX_SIGNATURE],
    freelancer_signature: Bytes[MAX_SIGNATURE],
):
    """
    @notice Ends a job early with the split both parties signed (EIP-712
            `Settlement(jobId, freelancerBps, nonce, expiry)`): of all funded
            money still in the job, `freelancer_bps` goes to the freelancer
            (less the platform fee) and the rest to the client; every live
            milestone closes. Anyone may submit the signatures.
    @dev The nonce is the job's current one (see `get_job`); it moves with
         every change of the job, so a signature is good for one state of
         the job only, and until `expiry` (inclusive).
    @param job_id The job.
    @param terms The job's current terms.
    @param freelancer_bps The freelancer's share, 0..10000.
    @param expiry The last timestamp the signatures are good for.
    @param client_signature The client's signature (EOA or EIP-1271).
    @param freelancer_signature The freelancer's signature (EOA or EIP-1271).
    """
    j: uint256 = self._check(job_id, self._hash_terms(terms))
    self._require_running(j)
    assert freelancer_bps <= BPS, "escrow: split above 100%"
    assert block.timestamp <= expiry, "escrow: settlement expired"
    nonce: uint256 = (j >> J_NONCE) & MASK32
    digest: bytes32 = self._digest(keccak256(abi_encode(SETTLEMENT_TYPEHASH, job_id, freelancer_bps, nonce, expiry)))
    assert self._is_valid_signature(terms.client, digest, client_signature), "escrow: bad client signature"
    assert self._is_valid_signature(terms.freelancer, digest, freelancer_signature), "escrow: bad freelancer signature"
    n: uint256 = len(terms.milestones)
    funded: uint256 = (j >> J_FUNDED) & MASK8
    remaining: uint256 = 0
    for i: uint256 in range(n, bound=MAX_MILESTONES):
        w: uint256 = self._milestones[job_id][i]
        if w & MASK8 > DISPUTED:
            continue
        if i < funded:
            remaining += terms.milestones[i].amount
            self._milestones[job_id][i] = (w & ~MASK8) | SETTLED
        else:
            self._milestones[job_id][i] = CANCELLED
    gross: uint256 = remaining * freelancer_bps // BPS
    fee: uint256 = self._fee(gross, terms.platform_fee_bps)
    j = self._close(job_id, j, (j >> J_OPEN) & MASK8) | FLAG_SETTLED << J_FLAGS
    self._jobs[job_id] = j
    log JobSettled(
        job_id=job_id,
        nonce=nonce,
        freelancer_bps=freelancer_bps,
        to_freelancer=gross - fee,
        to_client=remaining - gross,
        platform_fee=fee,
    )
    payouts._push(job_id, terms.token, terms.freelancer, gross - fee)
    payouts._push(job_id, terms.token, terms.client, remaining - gross)
    if self._ended(j):
        self._after_close(job_id, j, terms, gross - fee, fee)


@external
@nonreentrant
def cancel_unfunded(job_id: uint256, terms: Terms):
    """
    @notice Cancels every milestone not funded yet; the job then ends when
            its funded milestones are closed. The client may do it at any
            time; anyone may once the first unfunded milestone's deadline
            has passed (it can no longer be delivered in time).
    @param job_id The job.
    @param terms The job's current terms.
    """
    j: uint256 = self._check(job_id, self._hash_terms(terms))
    self._require_running(j)
    n: uint256 = len(terms.milestones)
    funded: uint256 = (j >> J_FUNDED) & MASK8
    assert funded < n, "escrow: nothing to cancel"
    if msg.sender != terms.client:
        assert block.timestamp > self._deadline(j, terms.milestones[funded].duration), "escrow: not client"
    for i: uint256 in range(funded, n, bound=MAX_MILESTONES):
        self._milestones[job_id][i] = CANCELLED
    j = self._close(job_id, self._with(j, J_FUNDED, n), n - funded) | FLAG_CANCELLED << J_FLAGS
    self._jobs[job_id] = j
    log MilestonesCancelled(job_id=job_id, by=msg.sender, first_milestone=funded, count=n - funded)
    if self._ended(j):
        self._after_close(job_id, j, terms, 0, 0)


@external
@nonreentrant
def increment_nonce(job_id: uint256, terms: Terms):
    """
    @notice The client or the freelancer voids every settlement and
            amendment signature made for the job's current nonce.
    @param job_id The job.
    @param terms The job's current terms.
    """
    j: uint256 = self._check(job_id, self._hash_terms(terms))
    self._party(terms.client, terms.freelancer)
    self._require_running(j)
    j = self._bump(j)
    self._jobs[job_id] = j
    log NonceIncremented(job_id=job_id, by=msg.sender, nonce=(j >> J_NONCE) & MASK32)


@external
@nonreentrant
def rate(job_id: uint256, terms: Terms, score: uint256, comment_hash: bytes32):
    """
    @notice After a job that paid its freelancer something ended, the
            client rates the freelancer or the freelancer rates the client,
            once each: 1 to 5 and a comment hash.
    @param job_id The job.
    @param terms The job's current terms.
    @param score 1 (worst) to 5 (best).
    @param comment_hash keccak256 of the comment (kept off-chain).
    """
    j: uint256 = self._check(job_id, self._hash_terms(terms))
    by_client: bool = self._party(terms.client, terms.freelancer) == BY_CLIENT
    subject: address = terms.client
    flag_bit: uint256 = FLAG_FREELANCER_RATED
    if by_client:
        subject = terms.freelancer
        flag_bit = FLAG_CLIENT_RATED
    assert self._ended(j), "escrow: job not ended"
    assert (j >> J_FLAGS) & FLAG_PAID != 0, "escrow: freelancer not paid"
    assert (j >> J_FLAGS) & flag_bit == 0, "escrow: already rated"
    assert score >= 1 and score <= 5, "escrow: score out of range"
    self._jobs[job_id] = j | flag_bit << J_FLAGS
    log JobRated(job_id=job_id, rater=msg.sender, subject=subject, score=score, comment_hash=comment_hash)
    extcall reputation.record_rating(job_id, msg.sender, subject, score, comment_hash)


# --- amendments (the caller is one party, the signature the other's) ---------

@external
@nonreentrant
def extend_deadline(
    job_id: uint256, terms: Terms, milestone: uint256, new_duration: uint256, expiry: uint256, signature: Bytes[MAX_SIGNATURE]
):
    """
    @notice Both parties extend an open milestone's deadline (延期): the
            caller and the other party, who signed EIP-712
            `ExtendDeadline(jobId, milestone, newDuration, nonce, expiry)`.
    @dev Replaces the job's terms: the old terms are refused from now on.
    @param job_id The job.
    @param terms The job's current terms.
    @param milestone The milestone's index, from 0 (open: not submitted, not closed).
    @param new_duration The new deadline, in seconds from the job's start; later than the current one.
    @param expiry The last timestamp the signature is good for.
    @param signature The other party's signature (EOA or EIP-1271).
    """
    j: uint256 = self._check(job_id, self._hash_terms(terms))
    other: address = self._other_party(terms.client, terms.freelancer)
    self._require_running(j)
    self._require_index(len(terms.milestones), milestone)
    assert self._milestones[job_id][milestone] & MASK8 == OPEN, "escrow: milestone not open"
    assert new_duration > terms.milestones[milestone].duration, "escrow: deadline not later"
    assert new_duration <= MAX_HORIZON, "escrow: bad duration"
    assert block.timestamp <= expiry, "escrow: amendment expired"
    digest: bytes32 = self._digest(
        keccak256(abi_encode(EXTEND_TYPEHASH, job_id, milestone, new_duration, (j >> J_NONCE) & MASK32, expiry))
    )
    assert self._is_valid_signature(other, digest, signature), "escrow: bad signature"
    amended: Terms = terms
    amended.milestones[milestone].duration = new_duration
    h: bytes32 = self._replace_terms(job_id, amended)
    self._jobs[job_id] = self._bump(j)
    log DeadlineExtended(
        job_id=job_id,
        milestone=milestone,
        by=msg.sender,
        new_duration=new_duration,
        deadline=((j >> J_START) & MASK40) + new_duration,
        terms_hash=h,
    )


@external
@payable
@nonreentrant
def add_milestones(
    job_id: uint256,
    terms: Terms,
    milestones: DynArray[Milestone, MAX_MILESTONES],
    fund_count: uint256,
    expiry: uint256,
    signature: Bytes[MAX_SIGNATURE],
):
    """
    @notice The client adds milestones to a running job with the
            freelancer's EIP-712 signature of `AddMilestones(jobId,
            milestones, fundCount, nonce, expiry)`, and funds the next
            `fund_count` milestones (in order) in the same call.
    @dev Durations count from the job's start. Replaces the job's terms.
    @param job_id The job.
    @param terms The job's current terms.
    @param milestones The new milestones (amount > 0, duration from the job's start).
    @param fund_count How many milestones to fund now, from the first unfunded one.
    @param expiry The last timestamp the signature is good for.
    @param signature The freelancer's signature (EOA or EIP-1271).
    """
    j: uint256 = self._check(job_id, self._hash_terms(terms))
    assert msg.sender == terms.client, "escrow: not client"
    self._require_running(j)
    k: uint256 = len(milestones)
    n: uint256 = len(terms.milestones)
    assert k > 0, "escrow: no milestones"
    assert n + k <= MAX_MILESTONES, "escrow: too many milestones"
    first: uint256 = (j >> J_FUNDED) & MASK8
    assert fund_count <= n + k - first, "escrow: bad fund count"
    total: uint256 = 0
    for m: Milestone in terms.milestones:
        total += m.amount
    amended: Terms = terms
    for m: Milestone in milestones:
        self._check_milestone(m, total)
        total += m.amount
        amended.milestones.append(m)
    assert block.timestamp <= expiry, "escrow: amendment expired"
    digest: bytes32 = self._digest(
        keccak256(
            abi_encode(
                ADD_TYPEHASH, job_id, self._hash_milestones(milestones), fund_count, (j >> J_NONCE) & MASK32, expiry)
        )
    )
    assert self._is_valid_signature(terms.freelancer, digest, signature), "escrow: bad signature"
    funding: uint256 = 0
    for i: uint256 in range(first, first + fund_count, bound=MAX_MILESTONES):
        funding += amended.milestones[i].amount
    h: bytes32 = self._replace_terms(job_id, amended)
    j = self._with(self._with(j, J_FUNDED, first + fund_count), 0, n + k)
    j = self._with(j, J_OPEN, ((j >> J_OPEN) & MASK8) + k)
    self._jobs[job_id] = self._bump(j)
    log MilestonesAdded(
        job_id=job_id,
        by=msg.sender,
        first_milestone=n,
        milestones=milestones,
        funded_count=first + fund_count,
        funded_amount=funding,
        terms_hash=h,
    )
    payouts._pull(terms.token, msg.sender, funding, msg.value)


@external
@nonreentrant
def accept_with_deduction(
    job_id: uint256, terms: Terms, milestone: uint256, freelancer_bps: uint256, expiry: uint256, signature: Bytes[MAX_SIGNATURE]
):
    """
    @notice Both parties close a submitted (or disputed) milestone with a
            deduction (扣款验收), no arbiter: `freelancer_bps` of it to the
            freelancer (less the platform fee), the rest back to the client.
            The caller is one party; the other signed EIP-712
            `Deduction(jobId, milestone, freelancerBps, nonce, expiry)`.
    @param job_id The job.
    @param terms The job's current terms.
    @param milestone The milestone's index, from 0.
    @param freelancer_bps The freelancer's share, 0..10000.
    @param expiry The last timestamp the signature is good for.
    @param signature The other party's signature (EOA or EIP-1271).
    """
    j: uint256 = self._check(job_id, self._hash_terms(terms))
    other: address = self._other_party(terms.client, terms.freelancer)
    self._require_running(j)
    self._require_index(len(terms.milestones), milestone)
    w: uint256 = self._milestones[job_id][milestone]
    assert w & MASK8 == SUBMITTED or w & MASK8 == DISPUTED, "escrow: not submitted"
    assert freelancer_bps <= BPS, "escrow: split above 100%"
    assert block.timestamp <= expiry, "escrow: amendment expired"
    digest: bytes32 = self._digest(
        keccak256(abi_encode(DEDUCTION_TYPEHASH, job_id, milestone, freelancer_bps, (j >> J_NONCE) & MASK32, expiry))
    )
    assert self._is_valid_signature(other, digest, signature), "escrow: bad signature"
    amount: uint256 = terms.milestones[milestone].amount
    gross: uint256 = amount * freelancer_bps // BPS
    fee: uint256 = self._fee(gross, terms.platform_fee_bps)
    self._milestones[job_id][milestone] = (w & ~MASK8) | DEDUCTED | freelancer_bps << M_RULING_BPS
    j = self._close(job_id, j, 1)
    log MilestoneDeducted(
        job_id=job_id,
        milestone=milestone,
        by=msg.sender,
        freelancer_bps=freelancer_bps,
        to_freelancer=gross - fee,
        to_client=amount - gross,
        platform_fee=fee,
    )
    payouts._push(job_id, terms.token, terms.freelancer, gross - fee)
    payouts._push(job_id, terms.token, terms.client, amount - gross)
    if self._ended(j):
        self._after_close(job_id, j, terms, 0, 0)


# --- views -------------------------------------------------------------------

@external
@view
def get_job(job_id: uint256) -> JobView:
    """
    @notice A job's counts, nonce, start, flags and every milestone's state.
    @dev The terms themselves are not stored: `JobCreated` and the
         amendment events carry them, and `terms_hash_of(job_id)` is the
         hash of the current ones (compare with `hash_terms(terms)`).
    @param job_id The job.
    @return The job's packed state and every milestone's state.
    """
    j: uint256 = self._jobs[job_id]
    assert j != 0, "escrow: no such job"
    milestones: DynArray[MilestoneView, MAX_MILESTONES] = []
    for i: uint256 in range(j & MASK8, bound=MAX_MILESTONES):
        w: uint256 = self._milestones[job_id][i]
        milestones.append(
            MilestoneView(
                status=w & MASK8,
                review_end=(w >> M_REVIEW_END) & MASK40,
                ruling_end=(w >> M_RULING_END) & MASK40,
                disputer=(w >> M_DISPUTER) & MASK8,
                ruling_bps=(w >> M_RULING_BPS) & MASK16,
            )
        )
    flags: uint256 = (j >> J_FLAGS) & MASK8
    return JobView(
        milestone_count=j & MASK8,
        funded_count=(j >> J_FUNDED) & MASK8,
        open_count=(j >> J_OPEN) & MASK8,
        nonce=(j >> J_NONCE) & MASK32,
        start=(j >> J_START) & MASK40,
        settled=flags & FLAG_SETTLED != 0,
        cancelled=flags & FLAG_CANCELLED != 0,
        ended=self._ended(j),
        paid=flags & FLAG_PAID != 0,
        client_rated=flags & FLAG_CLIENT_RATED != 0,
        freelancer_rated=flags & FLAG_FREELANCER_RATED != 0,
        milestones=milestones,
    )


@external
@view
def hash_terms(terms: Terms) -> bytes32:
    """
    @notice The EIP-712 struct hash of `terms`: what binds them to a job
            (`terms_hash_of`), and what the freelancer's consent signs
            (with the domain separator).
    @param terms Any terms.
    @return hashStruct(Terms).
    """
    return self._hash_terms(terms)


@external
@view
def consent_used(freelancer: address, salt: uint256) -> bool:
    """
    @notice Whether the freelancer's consent with this salt has created a
            job (each consent creates one job at most).
    @dev Salts are the freelancer's unordered nonces: consents whose salts
         share `salt >> 8` share one storage word, so a freelancer's
         consents cost least when their salts count up from one.
    @param freelancer The freelancer who signed.
    @param salt The salt of the signed terms.
    @return True once a job was created with it.
    """
    word: uint256 = 0
    bit: uint256 = 0
    word, bit = self._consent_bit(salt)
    return self._consents_used[freelancer][word] & bit != 0


@external
@view
def domain_separator() -> bytes32:
    """
    @notice The EIP-712 domain separator of consents, settlements and
            amendments: name "Jiedan Escrow", version "2", the current chain
            id and this contract.
    @return The domain separator.
    """
    return self._domain_separator()


# --- internal ----------------------------------------------------------------

@internal
def _create(terms: Terms, consent: Bytes[MAX_SIGNATURE], fund_count: uint256, sent: uint256) -> uint256:
    job_id: uint256 = 0
    fee_bps: uint256 = 0
    job_id, fee_bps = settings._new_job()
    assert msg.sender == terms.client, "escrow: not client"
    n: uint256 = len(terms.milestones)
    assert n > 0, "escrow: no milestones"
    assert terms.freelancer != empty(address), "escrow: freelancer is zero"
    assert terms.freelancer != msg.sender, "escrow: client is freelancer"
    arbiter: address = terms.arbiter
    assert arbiter != empty(address) and arbiter != msg.sender and arbiter != terms.freelancer, "escrow: arbiter is a party"
    assert terms.token == payouts.ETH or terms.token.is_contract, "escrow: token is not a contract"
    assert terms.arbiter_fee_bps <= MAX_ARBITER_FEE_BPS, "escrow: arbiter fee above cap"
    assert terms.platform_fee_bps == fee_bps, "escrow: platform fee changed"
    assert terms.review_period != 0 and terms.review_period <= MAX_PERIOD, "escrow: bad review period"
    assert terms.ruling_window != 0 and terms.ruling_window <= MAX_PERIOD, "escrow: bad ruling window"
    assert fund_count <= n, "escrow: bad fund count"
    total: uint256 = 0
    funding: uint256 = 0
    i: uint256 = 0
    for m: Milestone in terms.milestones:
        self._check_milestone(m, total)
        total += m.amount
        if i < fund_count:
            funding += m.amount
        i += 1
    assert block.timestamp <= terms.offer_expiry, "escrow: offer expired"
    h: bytes32 = self._hash_terms(terms)
    word: uint256 = 0
    bit: uint256 = 0
    word, bit = self._consent_bit(terms.salt)
    used: uint256 = self._consents_used[terms.freelancer][word]
    assert used & bit == 0, "escrow: consent used"
    assert self._is_valid_signature(terms.freelancer, self._digest(h), consent), "escrow: bad consent"
    self._consents_used[terms.freelancer][word] = used | bit
    self.terms_hash_of[job_id] = h
    self._jobs[job_id] = n | fund_count << J_FUNDED | n << J_OPEN | block.timestamp << J_START
    log JobCreated(
        job_id=job_id,
        client=msg.sender,
        freelancer=terms.freelancer,
        token=terms.token,
        arbiter=arbiter,
        arbiter_fee_bps=terms.arbiter_fee_bps,
        platform_fee_bps=terms.platform_fee_bps,
        review_period=terms.review_period,
        ruling_window=terms.ruling_window,
        metadata_hash=terms.metadata_hash,
        salt=terms.salt,
        offer_expiry=terms.offer_expiry,
        milestones=terms.milestones,
        start=block.timestamp,
        funded_count=fund_count,
        funded_amount=funding,
        terms_hash=h,
    )
    payouts._pull(terms.token, msg.sender, funding, sent)
    return job_id


@internal
@pure
def _check_milestone(m: Milestone, total_before: uint256):
    """
    @dev One milestone of a schedule whose earlier milestones total `total_before`.
    """
    assert m.amount != 0, "escrow: zero milestone"
    assert m.duration != 0 and m.duration <= MAX_HORIZON, "escrow: bad duration"
    assert m.amount <= MAX_TOTAL - total_before, "escrow: total too large"


@internal
@pure
def _consent_bit(salt: uint256) -> (uint256, uint256):
    """
    @dev Where a consent's use is kept: the word `salt >> 8` of the
         freelancer's bitmap, and the bit `salt & 255` in it.
    """
    return salt >> 8, 1 << (salt & MASK8)


@internal
@view
def _check(job_id: uint256, terms_hash: bytes32) -> uint256:
    """
    @dev The job's word, once the presented terms (their hash) are shown
         to be its current terms (the common checks of every job function).
    """
    j: uint256 = self._jobs[job_id]
    assert j != 0, "escrow: no such job"
    assert self.terms_hash_of[job_id] == terms_hash, "escrow: wrong terms"
    return j


@internal
@pure
def _ended(j: uint256) -> bool:
    return (j >> J_OPEN) & MASK8 == 0


@internal
@pure
def _require_running(j: uint256):
    assert not self._ended(j), "escrow: job ended"


@internal
@pure
def _require_index(count: uint256, milestone: uint256):
    assert milestone < count, "escrow: no such milestone"


@internal
@view
def _party(client: address, freelancer: address) -> uint256:
    """
    @dev BY_CLIENT or BY_FREELANCER for the caller; reverts for anyone else.
    """
    if msg.sender == client:
        return BY_CLIENT
    assert msg.sender == freelancer, "escrow: not a party"
    return BY_FREELANCER


@internal
@view
def _other_party(client: address, freelancer: address) -> address:
    """
    @dev The party who must have signed what the caller (the other party) sends.
    """
    if self._party(client, freelancer) == BY_CLIENT:
        return freelancer
    return client


@internal
@pure
def _deadline(j: uint256, duration: uint256) -> uint256:
    return ((j >> J_START) & MASK40) + duration


@internal
@pure
def _fee(amount: uint256, bps: uint256) -> uint256:
    """
    @dev `amount * bps / BPS`, rounded up: a non-zero rate never rounds a fee to 0.
    """
    return (amount * bps + BPS - 1) // BPS


@internal
def _pay_submitted(job_id: uint256, j: uint256, terms: Terms, milestone: uint256, outcome: uint256):
    """
    @dev Approve or release: checks the milestone, closes it and pays the
         freelancer less the platform fee.
    """
    self._require_running(j)
    self._require_index(len(terms.milestones), milestone)
    w: uint256 = self._milestones[job_id][milestone]
    assert w & MASK8 == SUBMITTED, "escrow: not submitted"
    if outcome == RELEASED:
        assert block.timestamp >= (w >> M_REVIEW_END) & MASK40, "escrow: review period running"
    amount: uint256 = terms.milestones[milestone].amount
    fee: uint256 = self._fee(amount, terms.platform_fee_bps)
    self._milestones[job_id][milestone] = (w ^ SUBMITTED) | outcome
    new_j: uint256 = self._close(job_id, j, 1)
    if outcome == APPROVED:
        log MilestoneApproved(
            job_id=job_id, milestone=milestone, freelancer=terms.freelancer, amount=amount - fee, platform_fee=fee
        )
    else:
        log MilestoneReleased(
            job_id=job_id,
            milestone=milestone,
            freelancer=terms.freelancer,
            amount=amount - fee,
            platform_fee=fee,
            by=msg.sender,
        )
    payouts._push(job_id, terms.token, terms.freelancer, amount - fee)
    if self._ended(new_j):
        self._after_close(job_id, new_j, terms, 0, 0)


@internal
def _close(job_id: uint256, j: uint256, count: uint256) -> uint256:
    """
    @dev Marks `count` milestones closed and bumps the nonce; stores and
         returns the job word.
    """
    new_j: uint256 = self._bump(self._with(j, J_OPEN, ((j >> J_OPEN) & MASK8) - count))
    self._jobs[job_id] = new_j
    return new_j


@internal
def _after_close(job_id: uint256, j: uint256, terms: Terms, settled_paid: uint256, settled_fee: uint256):
    """
    @dev After the payouts of the close that ended the job: tallies what
         reached the freelancer, the platform fees and the disputes from the
         milestone words, makes the fees collectable, marks a job that paid
         its freelancer, and records it in the reputation contract. A
         reputation failure never blocks the payout that ended the job;
         `JobEnded.recorded` says whether it was kept.
    """
    paid: uint256 = settled_paid
    fees: uint256 = settled_fee
    opened: uint256[3] = [0, 0, 0]
    won: uint256[3] = [0, 0, 0]
    i: uint256 = 0
    for m: Milestone in terms.milestones:
        w: uint256 = self._milestones[job_id][i]
        i += 1
        status: uint256 = w & MASK8
        opened[(w >> M_DISPUTER) & MASK8] += 1
        gross: uint256 = 0
        ruling_bps: uint256 = (w >> M_RULING_BPS) & MASK16
        if status == APPROVED or status == RELEASED:
            gross = m.amount
        elif status == DEFAULTED or status == DEDUCTED:
            gross = m.amount * ruling_bps // BPS
        elif status == RESOLVED:
            gross = (m.amount - self._fee(m.amount, terms.arbiter_fee_bps)) * ruling_bps // BPS
            if ruling_bps > HALF_BPS:
                won[BY_FREELANCER] += 1
            elif ruling_bps < HALF_BPS:
                won[BY_CLIENT] += 1
        else:
            continue
        fee: uint256 = self._fee(gross, terms.platform_fee_bps)
        fees += fee
        paid += gross - fee
    if fees != 0:
        settings.fees_accrued[terms.token] += fees
    if paid != 0:
        self._jobs[job_id] = j | FLAG_PAID << J_FLAGS
    assert msg.gas > REPUTATION_GAS * 64 // 63 + 10_000, "escrow: not enough gas to record reputation"
    recorded: bool = raw_call(
        reputation.address,
        abi_encode(
            job_id,
            terms.client,
            terms.freelancer,
            terms.token,
            paid,
            opened[BY_CLIENT],
            opened[BY_FREELANCER],
            won[BY_CLIENT],
            won[BY_FREELANCER],
            method_id=method_id("record_job(uint256,address,address,address,uint256,uint256,uint256,uint256,uint256)"),
        ),
        gas=REPUTATION_GAS,
        revert_on_failure=False,
    )
    log JobEnded(
        job_id=job_id, client=terms.client, freelancer=terms.freelancer, paid=paid, platform_fees=fees, recorded=recorded
    )


@internal
def _replace_terms(job_id: uint256, new: Terms) -> bytes32:
    """
    @dev Amendments: the new terms become the job's; the old ones are
         refused from now on (the binding is per job, so no other job's
         terms are touched).
    """
    h: bytes32 = self._hash_terms(new)
    self.terms_hash_of[job_id] = h
    return h


@internal
@view
def _is_valid_signature(signer: address, digest: bytes32, signature: Bytes[MAX_SIGNATURE]) -> bool:
    """
    @dev A 65-byte ECDSA signature (r, s, v) with a low `s` and v 27 or 28
         that recovers to the signer; failing that, EIP-1271 for a signer
         with code (at most SIGNATURE_GAS).
    """
    if len(signature) == 65:
        s: uint256 = extract32(signature, 32, output_type=uint256)
        v: uint256 = convert(slice(signature, 64, 1), uint256)
        if s <= MAX_S and (v == 27 or v == 28):
            if ecrecover(digest, v, extract32(signature, 0, output_type=uint256), s) == signer:
                return True
    if signer.is_contract:
        success: bool = False
        response: Bytes[32] = b""
        success, response = raw_call(
            signer,
            abi_encode(digest, signature, method_id=method_id("isValidSignature(bytes32,bytes)")),
            max_outsize=32,
            gas=SIGNATURE_GAS,
            is_static_call=True,
            revert_on_failure=False,
        )
        return success and len(response) == 32 and convert(response, bytes32) == ERC1271_MAGIC
    return False


@internal
@view
def _domain_separator() -> bytes32:
    return keccak256(abi_encode(DOMAIN_TYPEHASH, DOMAIN_NAME_HASH, DOMAIN_VERSION_HASH, chain.id, self))


@internal
@view
def _digest(struct_hash: bytes32) -> bytes32:
    return keccak256(concat(x"1901", self._domain_separator(), struct_hash))


@internal
@pure
def _hash_milestones(milestones: DynArray[Milestone, MAX_MILESTONES]) -> bytes32:
    """
    @dev EIP-712 `encodeData` of a `Milestone[]`: keccak256 of the
         concatenated struct hashes (of an `AddMilestones`' new milestones).
         `_hash_terms` encodes `Terms.milestones` the same way inline:
         calling this from there would copy the schedule into memory a
         second time, which every job function pays for.
    """
    hashes: DynArray[bytes32, MAX_MILESTONES] = []
    for m: Milestone in milestones:
        hashes.append(keccak256(abi_encode(MILESTONE_TYPEHASH, m.amount, m.duration)))
    encoded: Bytes[64 + 32 * MAX_MILESTONES] = abi_encode(hashes)
    return keccak256(slice(encoded, 64, 32 * len(hashes)))


@internal
@pure
def _hash_terms(terms: Terms) -> bytes32:
    """
    @dev EIP-712 `hashStruct(Terms)`; `milestones` encoded as in `_hash_milestones`.
    """
    hashes: DynArray[bytes32, MAX_MILESTONES] = []
    for m: Milestone in terms.milestones:
        hashes.append(keccak256(abi_encode(MILESTONE_TYPEHASH, m.amount, m.duration)))
    encoded: Bytes[64 + 32 * MAX_MILESTONES] = abi_encode(hashes)
    return keccak256(
        abi_encode(
            TERMS_TYPEHASH,
            terms.client,
            terms.freelancer,
            terms.token,
            terms.arbiter,
            terms.arbiter_fee_bps,
            terms.platform_fee_bps,
            terms.review_period,
            terms.ruling_window,
            terms.metadata_hash,
            terms.salt,
            terms.offer_expiry,
            keccak256(slice(encoded, 64, 32 * len(hashes))),
        )
    )


@internal
@pure
def _with(word: uint256, offset: uint256, field: uint256) -> uint256:
    """
    @dev `word` with its 8-bit field at `offset` set to `field`.
    """
    return word & ~(MASK8 << offset) | field << offset


@internal
@pure
def _bump(j: uint256) -> uint256:
    """
    @dev The job word with its nonce one higher (mod 2^32).
    """
    return j & ~(MASK32 << J_NONCE) | ((((j >> J_NONCE) & MASK32) + 1) & MASK32) << J_NONCE
