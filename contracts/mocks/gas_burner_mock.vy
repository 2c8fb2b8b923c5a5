# pragma version ~=0.4.3
"""
@title Gas-burning wallet (test mock)
@notice A contract wallet for tests only: it loops until out of gas whenever it is called
        with anything but `execute` / `isValidSignature` (receiving ETH, a token's hook), and,
        when built so, also in `isValidSignature`. Otherwise EIP-1271 signatures are valid when
        the owner key signed the hash. Acts as a job party through `execute`.
@dev A deliberately misbehaving test mock; never deploy it outside tests.
"""


MAGIC_VALUE: constant(bytes4) = 0x1626ba7e
INVALID: constant(bytes4) = 0xffffffff


owner: public(address)
burn_on_validate: public(bool)
counter: public(uint256)


@deploy
def __init__(owner_: address, burn_on_validate_: bool):
    """
    @param owner_ The key whose signatures this wallet accepts.
    @param burn_on_validate_ Whether `isValidSignature` burns all its gas instead.
    """
    self.owner = owner_
    self.burn_on_validate = burn_on_validate_


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
    @notice EIP-1271: the owner's 65-byte signature, or (burn_on_validate) a loop until out of gas.
    """
    if self.burn_on_validate:
        x: bytes32 = hash
        for i: uint256 in range(100_000_000):
            x = keccak256(x)
        if x == empty(bytes32):
            return MAGIC_VALUE
        return INVALID
    if len(signature) != 65:
        return INVALID
    r: uint256 = extract32(signature, 0, output_type=uint256)
    s: uint256 = extract32(signature, 32, output_type=uint256)
    v: uint256 = convert(slice(signature, 64, 1), uint256)
    if self.owner != empty(address) and ecrecover(hash, v, r, s) == self.owner:
        return MAGIC_VALUE
    return INVALID


@external
@payable
def __default__():
    """
    @notice Loops until out of gas (receiving ETH, a token hook's call, anything else).
    """
    for i: uint256 in range(100_000_000):
        self.counter += 1
