# pragma version ~=0.4.3
"""
@title payouts
@notice Moves value in and out of the escrow: pulls a payer's ERC-20 or
        native ETH in, and pushes payouts out without ever blocking. A
        payout the recipient cannot receive (a blocklisting or paused
        token, a reverting contract wallet, a token or hook that needs
        more than the payout's gas cap) is credited to the recipient, who
        withdraws it later, to any address.
@dev The token `empty(address)` stands for native ETH. Pulling refuses
     tokens that deliver less than asked (fee-on-transfer) and tokens that
     return `false`; pushing treats a revert, a `false` return or a
     malformed return value as a failed payout and credits it.
"""

from ethereum.ercs import IERC20


# @dev The token address that stands for native ETH.
ETH: constant(address) = empty(address)


# @dev Gas forwarded with a native ETH payout: enough for a contract
# wallet's receive hook, too little to grief the caller.
ETH_PAYOUT_GAS: constant(uint256) = 50_000


# @dev Gas forwarded to a token's `transfer` in a payout: enough for any
# ordinary ERC-20 (and a modest recipient hook), a bound on what a token or
# a recipient's hook can make a payout cost its caller.
TOKEN_PAYOUT_GAS: constant(uint256) = 100_000


# @dev What the caller must still have beyond a payout's cap, so that the
# cap is really forwarded (EIP-150 keeps 1/64 back) and the call's own
# costs (cold account, value transfer, a new account) are covered.
PAYOUT_GAS_MARGIN: constant(uint256) = 40_000


# @dev Credited and not yet withdrawn payouts: token => account => amount.
credits: public(HashMap[address, HashMap[address, uint256]])


# @dev Emitted when a payout could not be delivered and was credited to
# `account` instead (job 0: a platform fee collection).
event Credited:
    job_id: indexed(uint256)
    account: indexed(address)
    token: indexed(address)
    amount: uint256


# @dev Emitted when `account` withdraws its credit of `token` to `to`.
event Withdrawn:
    account: indexed(address)
    token: indexed(address)
    to: indexed(address)
    amount: uint256


@deploy
@payable
def __init__():
    """
    @dev Nothing to initialise; declared so the module is `initializes:`-ed.
    """
    pass


@external
@nonreentrant
def withdraw(token: address, to: address):
    """
    @notice Withdraws the caller's whole credit of `token` to `to` (the
            caller's own address, or another one if the caller cannot
            receive the token).
    @param token The token, or the zero address for native ETH.
    @param to The address that receives the credit.
    """
    amount: uint256 = self.credits[token][msg.sender]
    assert amount > 0, "payouts: nothing to withdraw"
    assert to != empty(address), "payouts: zero recipient"
    self.credits[token][msg.sender] = 0
    log Withdrawn(account=msg.sender, token=token, to=to, amount=amount)
    assert self._try_send(token, to, amount), "payouts: withdrawal failed"


@internal
def _pull(token: address, source: address, amount: uint256, sent: uint256):
    """
    @dev Takes `amount` of `token` from `source` (ERC-20 by allowance, or
         the call's ETH, `sent`) and refuses short deliveries. Reverts on failure:
         a payer's failed deposit must not create a job or fund one.
    """
    if token == ETH:
        assert sent == amount, "payouts: wrong ETH amount"
        return
    assert sent == 0, "payouts: ETH sent with a token job"
    if amount == 0:
        return
    before: uint256 = staticcall IERC20(token).balanceOf(self)
    assert extcall IERC20(token).transferFrom(source, self, amount, default_return_value=True), "payouts: token transfer failed"
    assert staticcall IERC20(token).balanceOf(self) == before + amount, "payouts: token delivered less than sent"


@internal
def _push(job_id: uint256, token: address, to: address, amount: uint256):
    """
    @dev Pays `amount` of `token` to `to`; if that fails, credits it. Never
         reverts, so one recipient cannot block another's payout.
    """
    if amount == 0:
        return
    if not self._try_send(token, to, amount):
        self.credits[token][to] += amount
        log Credited(job_id=job_id, account=to, token=token, amount=amount)


@internal
def _try_send(token: address, to: address, amount: uint256) -> bool:
    """
    @dev Sends with a bounded amount of gas and without reverting (but for
         too little gas left to forward the whole cap); returns whether the
         transfer happened.
    """
    success: bool = False
    response: Bytes[32] = b""
    if token == ETH:
        assert msg.gas >= ETH_PAYOUT_GAS + ETH_PAYOUT_GAS // 63 + PAYOUT_GAS_MARGIN, "payouts: not enough gas"
        success = raw_call(to, b"", value=amount, gas=ETH_PAYOUT_GAS, revert_on_failure=False)
        return success
    assert msg.gas >= TOKEN_PAYOUT_GAS + TOKEN_PAYOUT_GAS // 63 + PAYOUT_GAS_MARGIN, "payouts: not enough gas"
    success, response = raw_call(
        token,
        abi_encode(to, amount, method_id=method_id("transfer(address,uint256)")),
        max_outsize=32,
        gas=TOKEN_PAYOUT_GAS,
        revert_on_failure=False,
    )
    if not success:
        return False
    if len(response) == 0:
        return True
    if len(response) != 32:
        return False
    return extract32(response, 0, output_type=uint256) == 1
