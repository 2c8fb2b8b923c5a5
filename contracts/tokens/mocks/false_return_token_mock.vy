# pragma version ~=0.4.3
"""
@title False-returning token
@notice Returns false instead of reverting when a transfer fails, and fails every transfer while the owner says so.
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

NAME: constant(String[25]) = "False-returning token"
SYMBOL: constant(String[5]) = "FALSE"


@deploy
def __init__():
    """
    @notice Deploys the mock; the deployer is owner and minter.
    """
    ownable.__init__()
    erc20.__init__(NAME, SYMBOL, 6, NAME, "1")


# @dev While true, every transfer returns false and moves nothing.
failing: public(bool)


@external
def set_failing(failing_: bool):
    """
    @notice Makes every transfer fail (return false) or work again.
    """
    ownable._check_owner()
    self.failing = failing_


@external
def transfer(to: address, amount: uint256) -> bool:
    """
    @notice Transfers `amount`, or returns false.
    """
    if self.failing or erc20.balanceOf[msg.sender] < amount:
        return False
    erc20._transfer(msg.sender, to, amount)
    return True


@external
def transferFrom(owner: address, to: address, amount: uint256) -> bool:
    """
    @notice Transfers `amount` by allowance, or returns false.
    """
    if self.failing or erc20.balanceOf[owner] < amount or erc20.allowance[owner][msg.sender] < amount:
        return False
    erc20._spend_allowance(owner, msg.sender, amount)
    erc20._transfer(owner, to, amount)
    return True
