# pragma version ~=0.4.3
"""
@title Smart wallet mock
@notice A minimal contract account for tests: EIP-1271 signatures are valid when the
        owner key signed the hash. Not for production use.
"""


# @dev bytes4(keccak256("isValidSignature(bytes32,bytes)")), returned for a valid signature.
MAGIC_VALUE: constant(bytes4) = 0x1626ba7e
INVALID: constant(bytes4) = 0xffffffff


owner: public(address)


@deploy
def __init__(owner_: address):
    """
    @param owner_ The key whose signatures this wallet accepts.
    """
    self.owner = owner_


@external
@view
def isValidSignature(hash: bytes32, signature: Bytes[65]) -> bytes4:
    """
    @notice EIP-1271: whether `signature` over `hash` was made by the owner key.
    @param hash The signed digest (for EIP-191 messages, the prefixed hash).
    @param signature 65 bytes r ‖ s ‖ v.
    @return MAGIC_VALUE when valid, 0xffffffff otherwise.
    """
    if len(signature) != 65:
        return INVALID
    r: uint256 = convert(slice(signature, 0, 32), uint256)
    s: uint256 = convert(slice(signature, 32, 32), uint256)
    v: uint256 = convert(slice(signature, 64, 1), uint256)
    if ecrecover(hash, v, r, s) == self.owner and self.owner != empty(address):
        return MAGIC_VALUE
    return INVALID
