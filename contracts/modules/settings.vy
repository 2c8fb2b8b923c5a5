# pragma version ~=0.4.3
"""
@title settings
@notice The owner's only powers over the escrow: the platform fee for
        *future* jobs (at most 5%), the address that receives it, and
        pausing the creation of new jobs. Also holds the fees accrued per
        token until anyone collects them to that address.
@dev The fee rate, the pause flag and the job counter share one storage
     word, because creating a job reads all three: one cold read instead
     of three. Each job copies the rate when it is created; changing it
     never touches a running job, and pausing never stops a running job.
     Accrued fees are the platform's, not a job's: collecting them cannot
     move any party's escrowed funds.
"""

from snekmate.auth import ownable

from . import payouts

uses: ownable
uses: payouts


# @dev The highest platform fee the owner may set: 5%.
MAX_PLATFORM_FEE_BPS: constant(uint256) = 500

# Packed word: job_count (bits 0..63) | platform_fee_bps << 64 | paused << 80.
_FEE: constant(uint256) = 64
_PAUSED: constant(uint256) = 80
_MASK16: constant(uint256) = 2**16 - 1
_MASK64: constant(uint256) = 2**64 - 1


# @dev The address that receives collected fees.
fee_recipient: public(address)


# @dev Fees accrued and not yet collected: token => amount.
fees_accrued: public(HashMap[address, uint256])


_word: uint256


# @dev Emitted when the owner changes the fee for future jobs.
event PlatformFeeChanged:
    previous_bps: uint256
    new_bps: uint256


# @dev Emitted when the owner changes the fee recipient.
event FeeRecipientChanged:
    previous_recipient: indexed(address)
    new_recipient: indexed(address)


# @dev Emitted when accrued fees of `token` go to the fee recipient.
event FeesCollected:
    token: indexed(address)
    recipient: indexed(address)
    amount: uint256


# @dev Emitted when the owner pauses the creation of new jobs.
event Paused:
    account: address


# @dev Emitted when the owner allows the creation of new jobs again.
event Unpaused:
    account: address


@deploy
def __init__(fee_bps: uint256, recipient: address):
    """
    @dev Sets the initial fee and recipient; not paused; no jobs yet.
    @param fee_bps The platform fee in basis points (at most 500).
    @param recipient The address that receives collected fees.
    """
    self._set_platform_fee(fee_bps)
    self._set_fee_recipient(recipient)


@external
@view
def platform_fee_bps() -> uint256:
    """
    @notice The fee new jobs take from the freelancer's payouts.
    @return The fee in basis points.
    """
    return (self._word >> _FEE) & _MASK16


@external
@view
def paused() -> bool:
    """
    @notice Whether the creation of new jobs is paused.
    @return True while paused.
    """
    return (self._word >> _PAUSED) & 1 == 1


@external
@view
def job_count() -> uint256:
    """
    @notice The number of jobs created; ids run from 1 to `job_count`.
    @return The number of jobs.
    """
    return self._word & _MASK64


@external
def set_platform_fee(new_bps: uint256):
    """
    @notice Sets the platform fee for jobs created from now on.
    @dev Only the owner. Running jobs keep the rate they were created with.
    @param new_bps The new fee in basis points, at most 500 (5%).
    """
    ownable._check_owner()
    self._set_platform_fee(new_bps)


@external
def set_fee_recipient(new_recipient: address):
    """
    @notice Sets the address that receives collected platform fees.
    @dev Only the owner.
    @param new_recipient The new recipient, not the zero address.
    """
    ownable._check_owner()
    self._set_fee_recipient(new_recipient)


@external
def pause():
    """
    @notice Stops the creation of new jobs. Only the owner. Running jobs
            keep every function: funds can always move between the parties.
    """
    ownable._check_owner()
    word: uint256 = self._word
    assert (word >> _PAUSED) & 1 == 0, "settings: already paused"
    self._word = word | 1 << _PAUSED
    log Paused(account=msg.sender)


@external
def unpause():
    """
    @notice Allows the creation of new jobs again. Only the owner.
    """
    ownable._check_owner()
    word: uint256 = self._word
    assert (word >> _PAUSED) & 1 == 1, "settings: not paused"
    self._word = word ^ 1 << _PAUSED
    log Unpaused(account=msg.sender)


@external
@nonreentrant
def collect_fees(token: address):
    """
    @notice Sends the fees accrued in `token` to the fee recipient.
    @dev Anyone may call it; the fees only ever go to `fee_recipient`
         (credited to it if the transfer fails).
    @param token The token, or the zero address for native ETH.
    """
    amount: uint256 = self.fees_accrued[token]
    assert amount > 0, "settings: no fees to collect"
    self.fees_accrued[token] = 0
    recipient: address = self.fee_recipient
    log FeesCollected(token=token, recipient=recipient, amount=amount)
    payouts._push(0, token, recipient, amount)


@internal
def _new_job() -> (uint256, uint256):
    """
    @dev Refuses while paused; counts a new job. Returns its id and the
         current platform fee.
    """
    word: uint256 = self._word
    assert (word >> _PAUSED) & 1 == 0, "settings: new jobs paused"
    self._word = word + 1
    return (word & _MASK64) + 1, (word >> _FEE) & _MASK16


@internal
def _set_platform_fee(new_bps: uint256):
    assert new_bps <= MAX_PLATFORM_FEE_BPS, "settings: fee above cap"
    word: uint256 = self._word
    log PlatformFeeChanged(previous_bps=(word >> _FEE) & _MASK16, new_bps=new_bps)
    self._word = word & ~(_MASK16 << _FEE) | new_bps << _FEE


@internal
def _set_fee_recipient(new_recipient: address):
    assert new_recipient != empty(address), "settings: zero recipient"
    log FeeRecipientChanged(previous_recipient=self.fee_recipient, new_recipient=new_recipient)
    self.fee_recipient = new_recipient
