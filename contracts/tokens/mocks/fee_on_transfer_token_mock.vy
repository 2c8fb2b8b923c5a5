# pragma version ~=0.4.3
"""
@title Fee-on-transfer token
@notice Burns 1% of every transfer, so the receiver gets less than was sent.
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

NAME: constant(String[25]) = "Fee-on-transfer token"
SYMBOL: constant(String[5]) = "FOT"


@deploy
def __init__():
    """
    @notice Deploys the mock; the deployer is owner and minter.
    """
    ownable.__init__()
    erc20.__init__(NAME, SYMBOL, 6, NAME, "1")


@external
def transfer(to: address, amount: uint256) -> bool:
    """
    @notice Transfers `amount` less a 1% burn.
    """
    self._move(msg.sender, to, amount)
    return True


@external
def transferFrom(owner: address, to: address, amount: uint256) -> bool:
    """
    @notice Transfers `amount` less a 1% burn, spending the allowance.
    """
    erc20._spend_allowance(owner, msg.sender, amount)
    self._move(owner, to, amount)
    return True


@internal
def _move(owner: address, to: address, amount: uint256):
    burned: uint256 = amount // 100
    erc20._transfer(owner, to, amount - burned)
    erc20._burn(owner, burned)
