# pragma version ~=0.4.3
"""
@title Gas-burning token
@notice Like a token whose transfer runs a recipient hook that never
        returns: a transfer to a marked recipient burns every unit of gas
        it is given (and then runs out), as a hostile token or a hostile
        ERC-777-style hook would.
@dev A deliberately misbehaving test token; never deploy it outside tests.
"""

from snekmate.auth import ownable
from snekmate.tokens import erc20

initializes: ownable
initializes: erc20[ownable := ownable]

# @dev Everything of the snekmate ERC-20 but `transfer`, which this mock redefines.
exports: (
    erc20.totalSupply,
    erc20.balanceOf,
    erc20.allowance,
    erc20.approve,
    erc20.transferFrom,
    erc20.name,
    erc20.symbol,
    erc20.decimals,
    erc20.mint,
    erc20.permit,
    erc20.nonces,
    erc20.DOMAIN_SEPARATOR,
    ownable.owner,
)

NAME: constant(String[25]) = "Gas-burning token"
SYMBOL: constant(String[5]) = "BURN"


@deploy
def __init__():
    """
    @notice Deploys the mock; the deployer is owner and minter.
    """
    ownable.__init__()
    erc20.__init__(NAME, SYMBOL, 6, NAME, "1")


# @dev Recipients whose incoming transfers burn all gas.
burning: public(HashMap[address, bool])


@external
def set_burning(account: address, burning_: bool):
    """
    @notice Makes transfers to `account` burn all their gas (or work again).
    """
    ownable._check_owner()
    self.burning[account] = burning_


@external
def transfer(to: address, amount: uint256) -> bool:
    """
    @notice Transfers `amount`, unless `to` is marked: then burns all gas.
    """
    if self.burning[to]:
        x: uint256 = amount
        for i: uint256 in range(10**9):
            x = convert(keccak256(convert(x, bytes32)), uint256)
    erc20._transfer(msg.sender, to, amount)
    return True
