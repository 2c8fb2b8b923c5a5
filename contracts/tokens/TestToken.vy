# pragma version ~=0.4.3
"""
@title Jiedan test token
@notice A standard ERC-20 with EIP-2612 permit, built from snekmate, for local
        chains and tests. The deployer is the only minter.
"""

from ethereum.ercs import IERC20
from ethereum.ercs import IERC20Detailed

implements: IERC20
implements: IERC20Detailed

from snekmate.auth import ownable
from snekmate.tokens import erc20

initializes: ownable
initializes: erc20[ownable := ownable]

exports: erc20.__interface__


@deploy
def __init__(name_: String[25], symbol_: String[5], decimals_: uint8):
    """
    @notice Deploys the token; the deployer becomes owner and minter.
    @param name_ The token name, also the EIP-712 domain name for permit.
    @param symbol_ The token symbol.
    @param decimals_ The number of decimals.
    """
    ownable.__init__()
    erc20.__init__(name_, symbol_, decimals_, name_, "1")
