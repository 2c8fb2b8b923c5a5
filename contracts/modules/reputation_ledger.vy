# pragma version ~=0.4.3
"""
@title reputation_ledger
@notice An on-chain record per address, written only by escrows named at
        deployment (or added later after a delay announced by an event):
        jobs completed as client and as freelancer, paid volume per token,
        distinct counterparties, disputes opened, won and lost, and
        ratings (count and sum).
@dev Soulbound: nothing here is an asset and nothing can be transferred,
     delegated or deleted. Every write logs the escrow that made it.
     The set of writers cannot change in one transaction: the owner
     announces a change, anyone applies it `ESCROW_CHANGE_DELAY` later, so
     readers see a forged writer coming a week ahead.
     A job counts as completed when its freelancer was paid something.
     A ruling above 50% for one side is a win for it and a loss for the
     other; an even split (and the default ruling) is neither.
"""

from snekmate.auth import ownable

uses: ownable


struct Stats:
    jobs_as_client: uint256
    jobs_as_freelancer: uint256
    disputes_opened: uint256
    disputes_won: uint256
    disputes_lost: uint256
    rating_count: uint256
    rating_sum: uint256


struct Volume:
    as_client: uint256
    as_freelancer: uint256


# @dev How long an announced change of the writers waits before it applies.
ESCROW_CHANGE_DELAY: constant(uint256) = 7 * 86_400
# @dev The most writers the constructor takes.
MAX_INITIAL_ESCROWS: constant(uint256) = 4

MASK32: constant(uint256) = 2**32 - 1
MASK128: constant(uint256) = 2**128 - 1
# Stats word: 32 bits each for jobs as client, as freelancer, opened, won,
# lost and rating count; rating sum in the top 64 bits.
S_FREELANCER: constant(uint256) = 32
S_OPENED: constant(uint256) = 64
S_WON: constant(uint256) = 96
S_LOST: constant(uint256) = 128
S_COUNT: constant(uint256) = 160
S_SUM: constant(uint256) = 192


# @dev Whether an escrow may write here.
is_escrow: public(HashMap[address, bool])

# @dev A pending change of the writers: escrow => (allowed << 255 | effective_at), 0 if none.
_pending: HashMap[address, uint256]

# @dev Distinct addresses an account completed a paid job with.
counterparties: public(HashMap[address, uint256])

# @dev Completed jobs between two accounts (in either role), by their ordered pair.
_together: HashMap[address, HashMap[address, uint256]]

_stats: HashMap[address, uint256]
# @dev account => token => as_client | as_freelancer << 128.
_volume: HashMap[address, HashMap[address, uint256]]


# @dev Emitted when an escrow may write (at deployment, or when an announced change applies).
event EscrowRegistered:
    escrow: indexed(address)


# @dev Emitted when an announced change stops an escrow from writing.
event EscrowUnregistered:
    escrow: indexed(address)


# @dev Emitted when the owner announces that `escrow` will be allowed (or
# no longer allowed) to write from `effective_at` on.
event EscrowChangeAnnounced:
    escrow: indexed(address)
    allowed: bool
    effective_at: uint256


# @dev Emitted when the owner withdraws an announced change.
event EscrowChangeCancelled:
    escrow: indexed(address)


# @dev Emitted when an escrow records an ended job for both parties.
event JobRecorded:
    escrow: indexed(address)
    job_id: indexed(uint256)
    client: indexed(address)
    freelancer: address
    token: address
    volume: uint256
    client_disputes_opened: uint256
    freelancer_disputes_opened: uint256
    client_disputes_won: uint256
    freelancer_disputes_won: uint256


# @dev Emitted when an escrow records a rating of `subject` by `rater`.
event RatingRecorded:
    escrow: indexed(address)
    job_id: indexed(uint256)
    subject: indexed(address)
    rater: address
    score: uint256
    comment_hash: bytes32


@deploy
@payable
def __init__(escrows: DynArray[address, MAX_INITIAL_ESCROWS]):
    """
    @dev Names the escrows that may write from the start (their addresses
         may be computed before they are deployed).
    @param escrows The initial writers.
    """
    for escrow: address in escrows:
        assert escrow != empty(address), "reputation: zero escrow"
        assert not self.is_escrow[escrow], "reputation: already registered"
        self.is_escrow[escrow] = True
        log EscrowRegistered(escrow=escrow)


@external
def announce_escrow(escrow: address, allowed: bool):
    """
    @notice Announces that `escrow` may write (`allowed`) or may no longer
            write, from `ESCROW_CHANGE_DELAY` (7 days) on. Only the owner.
    @param escrow The escrow contract.
    @param allowed True to add it as a writer, false to remove it.
    """
    ownable._check_owner()
    assert escrow != empty(address), "reputation: zero escrow"
    assert self.is_escrow[escrow] != allowed, "reputation: no change"
    assert self._pending[escrow] == 0, "reputation: change pending"
    effective_at: uint256 = block.timestamp + ESCROW_CHANGE_DELAY
    self._pending[escrow] = convert(allowed, uint256) << 255 | effective_at
    log EscrowChangeAnnounced(escrow=escrow, allowed=allowed, effective_at=effective_at)


@external
def cancel_escrow_change(escrow: address):
    """
    @notice Withdraws an announced change of the writers. Only the owner.
    @param escrow The escrow whose change is pending.
    """
    ownable._check_owner()
    assert self._pending[escrow] != 0, "reputation: no change pending"
    self._pending[escrow] = 0
    log EscrowChangeCancelled(escrow=escrow)


@external
def apply_escrow_change(escrow: address):
    """
    @notice Applies an announced change of the writers once its delay has
            passed. Anyone may call it.
    @param escrow The escrow whose change is pending.
    """
    pending: uint256 = self._pending[escrow]
    assert pending != 0, "reputation: no change pending"
    assert block.timestamp >= pending & (2**255 - 1), "reputation: change not yet effective"
    self._pending[escrow] = 0
    allowed: bool = pending >> 255 == 1
    self.is_escrow[escrow] = allowed
    if allowed:
        log EscrowRegistered(escrow=escrow)
    else:
        log EscrowUnregistered(escrow=escrow)


@external
@view
def pending_escrow_change(escrow: address) -> (bool, uint256):
    """
    @notice The change announced for `escrow`, if any.
    @param escrow Any address.
    @return Whether it will be allowed to write, and from when (0: nothing pending).
    """
    pending: uint256 = self._pending[escrow]
    return pending >> 255 == 1, pending & (2**255 - 1)


@external
@view
def jobs_together(a: address, b: address) -> uint256:
    """
    @notice Completed (paid) jobs between `a` and `b`, in either role.
    @param a Any address.
    @param b Any address.
    @return The number of jobs.
    """
    if convert(a, uint160) < convert(b, uint160):
        return self._together[a][b]
    return self._together[b][a]


@external
def record_job(
    job_id: uint256,
    client: address,
    freelancer: address,
    token: address,
    volume: uint256,
    client_disputes_opened: uint256,
    freelancer_disputes_opened: uint256,
    client_disputes_won: uint256,
    freelancer_disputes_won: uint256,
):
    """
    @notice Records an ended job for its client and freelancer.
    @dev Only a registered escrow.
    @param job_id The job's id in the calling escrow.
    @param client The job's client.
    @param freelancer The job's freelancer.
    @param token The token the job was paid in (zero address: ETH).
    @param volume What reached the freelancer, net of the platform fee.
    @param client_disputes_opened Disputes the client opened in the job.
    @param freelancer_disputes_opened Disputes the freelancer opened.
    @param client_disputes_won Rulings in the client's favour.
    @param freelancer_disputes_won Rulings in the freelancer's favour.
    """
    assert self.is_escrow[msg.sender], "reputation: caller is not a registered escrow"
    completed: uint256 = 0
    if volume != 0:
        completed = 1
        self._volume[client][token] += volume
        self._volume[freelancer][token] += volume << 128
        self._count_pair(client, freelancer)
    self._stats[client] += (
        completed
        | client_disputes_opened << S_OPENED
        | client_disputes_won << S_WON
        | freelancer_disputes_won << S_LOST
    )
    self._stats[freelancer] += (
        completed << S_FREELANCER
        | freelancer_disputes_opened << S_OPENED
        | freelancer_disputes_won << S_WON
        | client_disputes_won << S_LOST
    )
    log JobRecorded(
        escrow=msg.sender,
        job_id=job_id,
        client=client,
        freelancer=freelancer,
        token=token,
        volume=volume,
        client_disputes_opened=client_disputes_opened,
        freelancer_disputes_opened=freelancer_disputes_opened,
        client_disputes_won=client_disputes_won,
        freelancer_disputes_won=freelancer_disputes_won,
    )


@external
def record_rating(job_id: uint256, rater: address, subject: address, score: uint256, comment_hash: bytes32):
    """
    @notice Records a rating of `subject` by `rater`.
    @dev Only a registered escrow, which enforces one rating per party and job.
    @param job_id The job's id in the calling escrow.
    @param rater The party who rates.
    @param subject The party rated.
    @param score 1 to 5.
    @param comment_hash keccak256 of the comment.
    """
    assert self.is_escrow[msg.sender], "reputation: caller is not a registered escrow"
    assert score >= 1 and score <= 5, "reputation: score out of range"
    self._stats[subject] += 1 << S_COUNT | score << S_SUM
    log RatingRecorded(
        escrow=msg.sender, job_id=job_id, subject=subject, rater=rater, score=score, comment_hash=comment_hash
    )


@external
@view
def stats(account: address) -> Stats:
    """
    @notice The record of `account`.
    @param account Any address.
    @return Jobs completed as client and as freelancer, disputes opened,
            won and lost, and the number and sum of ratings received.
    """
    w: uint256 = self._stats[account]
    return Stats(
        jobs_as_client=w & MASK32,
        jobs_as_freelancer=(w >> S_FREELANCER) & MASK32,
        disputes_opened=(w >> S_OPENED) & MASK32,
        disputes_won=(w >> S_WON) & MASK32,
        disputes_lost=(w >> S_LOST) & MASK32,
        rating_count=(w >> S_COUNT) & MASK32,
        rating_sum=w >> S_SUM,
    )


@external
@view
def volume(account: address, token: address) -> Volume:
    """
    @notice What `account` paid as client and was paid as freelancer in `token`.
    @param account Any address.
    @param token A token, or the zero address for native ETH.
    @return Volume as client and as freelancer (what reached the freelancer, net of fees).
    """
    w: uint256 = self._volume[account][token]
    return Volume(as_client=w & MASK128, as_freelancer=w >> 128)


@internal
def _count_pair(a: address, b: address):
    """
    @dev One more completed job between `a` and `b`; a first one makes
         each a counterparty of the other.
    """
    low: address = a
    high: address = b
    if convert(b, uint160) < convert(a, uint160):
        low = b
        high = a
    together: uint256 = self._together[low][high]
    self._together[low][high] = together + 1
    if together == 0:
        self.counterparties[a] += 1
        self.counterparties[b] += 1
