# pragma version ~=0.4.3
"""
@title Pausable token
@notice Every transfer reverts while the owner has paused the token.
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

NAME: constant(String[25]) = "Pausable token"
SYMBOL: constant(String[5]) = "PAUSE"


@deploy
def __init__():
    """
    @notice Deploys the mock; the deployer is owner and minter.
    """
    ownable.__init__()
    erc20.__init__(NAME, SYMBOL, 6, NAME, "1")


# @dev While true, transfers revert.
paused: public(bool)


@external
def set_paused(paused_: bool):
    """
    @notice Pauses or unpauses all transfers.
    """
    ownable._check_owner()
    self.paused = paused_


@external
def transfer(to: address, amount: uint256) -> bool:
    """
    @notice Transfers `amount` unless paused.
    """
    assert not self.paused, "pausable token: paused"
    erc20._transfer(msg.sender, to, amount)
    return True


@external
def transferFrom(owner: address, to: address, amount: uint256) -> bool:
    """
    @notice Transfers `amount` by allowance unless paused.
    """
    assert not self.paused, "pausable token: paused"
    erc20._spend_allowance(owner, msg.sender, amount)
    erc20._transfer(owner, to, amount)
    return True
