# pragma version ~=0.4.3
"""
@title Gas-burning wallet
@notice A contract wallet that acts as a job party through `execute` and,
        while `burning`, burns every unit of gas it is given when it
        receives ETH or is asked to check a signature (EIP-1271).
@dev A deliberately misbehaving test contract; never deploy it outside tests.
"""

# @dev Whether receiving ETH and checking signatures burn all gas.
burning: public(bool)


@deploy
def __init__():
    """
    @notice Deploys a burning wallet.
    """
    self.burning = True


@external
def set_burning(burning_: bool):
    """
    @notice Turns the burning on or off.
    """
    self.burning = burning_


@external
@payable
def execute(target: address, data: Bytes[4096]) -> Bytes[1024]:
    """
    @notice Calls `target` with `data` and the call's value; bubbles reverts up.
    """
    return raw_call(target, data, value=msg.value, max_outsize=1024)


@external
@view
def isValidSignature(hash: bytes32, signature: Bytes[1024]) -> bytes4:
    """
    @notice EIP-1271, burning all gas while `burning`; otherwise never valid.
    """
    if self.burning:
        self._burn()
    return 0xffffffff


@external
@payable
def __default__():
    """
    @notice Receives ETH, burning all gas while `burning`.
    """
    if self.burning:
        self._burn()


@internal
@pure
def _burn():
    x: uint256 = 0
    for i: uint256 in range(10**9):
        x = convert(keccak256(convert(x, bytes32)), uint256)
