# pragma version ~=0.4.3
"""
@title platform_fee
@notice The platform's fee: a rate in basis points (at most 5%) that the
        owner sets for *future* jobs, the address that receives it, and the
        fees accrued per token until anyone collects them to that address.
@dev Each job copies the rate when it is created; changing it never
     touches a running job. Accrued fees are the platform's, not a job's:
     collecting them cannot move any party's escrowed funds.
"""

from snekmate.auth import ownable

from . import payouts

uses: ownable
uses: payouts


# @dev The highest platform fee the owner may set: 5%.
MAX_PLATFORM_FEE_BPS: constant(uint256) = 500


# @dev The fee new jobs take from the freelancer's payouts, in basis points.
platform_fee_bps: public(uint256)


# @dev The address that receives collected fees.
fee_recipient: public(address)


# @dev Fees accrued and not yet collected: token => amount.
fees_accrued: public(HashMap[address, uint256])


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


@deploy
def __init__(fee_bps: uint256, recipient: address):
    """
    @dev Sets the initial fee and recipient.
    @param fee_bps The platform fee in basis points (at most 500).
    @param recipient The address that receives collected fees.
    """
    self._set_platform_fee(fee_bps)
    self._set_fee_recipient(recipient)


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
@nonreentrant
def collect_fees(token: address):
    """
    @notice Sends the fees accrued in `token` to the fee recipient.
    @dev Anyone may call it; the fees only ever go to `fee_recipient`
         (credited to it if the transfer fails).
    @param token The token, or the zero address for native ETH.
    """
    amount: uint256 = self.fees_accrued[token]
    assert amount > 0, "platform_fee: nothing to collect"
    self.fees_accrued[token] = 0
    recipient: address = self.fee_recipient
    log FeesCollected(token=token, recipient=recipient, amount=amount)
    payouts._push(0, token, recipient, amount)


@internal
def _set_platform_fee(new_bps: uint256):
    assert new_bps <= MAX_PLATFORM_FEE_BPS, "platform_fee: fee above cap"
    log PlatformFeeChanged(previous_bps=self.platform_fee_bps, new_bps=new_bps)
    self.platform_fee_bps = new_bps


@internal
def _set_fee_recipient(new_recipient: address):
    assert new_recipient != empty(address), "platform_fee: zero recipient"
    log FeeRecipientChanged(previous_recipient=self.fee_recipient, new_recipient=new_recipient)
    self.fee_recipient = new_recipient
