# pragma version ~=0.4.3
"""
@title Reentrant token
@notice Like an ERC-777 hook: on the next transfer out of a sender, calls back into a target with prepared calldata before moving the tokens, and records whether the call went through.
@dev A deliberately misbehaving test token; never deploy it outside tests.
"""

from snekmate.auth import ownable
from snekmate.tokens import erc20

initializes: ownable
initializes: erc20[ownable := ownable]

# @dev Everything of the snekmate ERC-20 but `transfer` and `transferFrom`,
# which this mock redefines.
exports: (
    erc20.totalSupply,
    erc20.balanceOf,
    erc20.allowance,
    erc20.approve,
    erc20.name,
    erc20.symbol,
    erc20.decimals,
    erc20.mint,
    erc20.permit,
    erc20.nonces,
    erc20.DOMAIN_SEPARATOR,
    ownable.owner,
)

NAME: constant(String[25]) = "Reentrant token"
SYMBOL: constant(String[5]) = "REENT"


@deploy
def __init__():
    """
    @notice Deploys the mock; the deployer is owner and minter.
    """
    ownable.__init__()
    erc20.__init__(NAME, SYMBOL, 6, NAME, "1")


# @dev The contract the hook calls, the calldata, and the sender whose next
# transfer triggers it (one shot).
hook_target: public(address)
hook_data: public(Bytes[2048])
hook_sender: public(address)
# @dev A recipient whose transfers revert (to make a payout fail on purpose).
blocked: public(address)
# @dev How many times the hook ran, and whether its last call succeeded.
hook_calls: public(uint256)
hook_succeeded: public(bool)


@external
def arm(sender: address, target: address, data: Bytes[2048]):
    """
    @notice Arms the hook for `sender`'s next transfer.
    """
    self.hook_sender = sender
    self.hook_target = target
    self.hook_data = data


@external
def set_blocked(account: address, blocked_: bool):
    """
    @notice Makes transfers to `account` revert (or work again).
    """
    if blocked_:
        self.blocked = account
    else:
        self.blocked = empty(address)


@external
def transfer(to: address, amount: uint256) -> bool:
    """
    @notice Runs the armed hook, then transfers `amount`.
    """
    assert to != self.blocked, "reentrant: blocked"
    self._hook(msg.sender)
    erc20._transfer(msg.sender, to, amount)
    return True


@external
def transferFrom(owner: address, to: address, amount: uint256) -> bool:
    """
    @notice Runs the armed hook, then transfers `amount` by allowance.
    """
    self._hook(owner)
    erc20._spend_allowance(owner, msg.sender, amount)
    erc20._transfer(owner, to, amount)
    return True


@internal
def _hook(sender: address):
    if sender != self.hook_sender or self.hook_target == empty(address):
        return
    target: address = self.hook_target
    self.hook_target = empty(address)
    self.hook_calls += 1
    self.hook_succeeded = raw_call(target, self.hook_data, revert_on_failure=False)
