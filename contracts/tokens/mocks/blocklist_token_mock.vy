# pragma version ~=0.4.3
"""
@title Blocklisting token
@notice Like USDC: transfers to or from a blocked address revert.
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

NAME: constant(String[25]) = "Blocklisting token"
SYMBOL: constant(String[5]) = "BLOCK"


@deploy
def __init__():
    """
    @notice Deploys the mock; the deployer is owner and minter.
    """
    ownable.__init__()
    erc20.__init__(NAME, SYMBOL, 6, NAME, "1")


# @dev Addresses that can neither send nor receive.
blocked: public(HashMap[address, bool])


@external
def set_blocked(account: address, blocked_: bool):
    """
    @notice Blocks or unblocks `account`.
    """
    ownable._check_owner()
    self.blocked[account] = blocked_


@external
def transfer(to: address, amount: uint256) -> bool:
    """
    @notice Transfers `amount` unless either side is blocked.
    """
    assert not self.blocked[msg.sender] and not self.blocked[to], "blocklist: blocked"
    erc20._transfer(msg.sender, to, amount)
    return True


@external
def transferFrom(owner: address, to: address, amount: uint256) -> bool:
    """
    @notice Transfers `amount` by allowance unless either side is blocked.
    """
    assert not self.blocked[owner] and not self.blocked[to], "blocklist: blocked"
    erc20._spend_allowance(owner, msg.sender, amount)
    erc20._transfer(owner, to, amount)
    return True
