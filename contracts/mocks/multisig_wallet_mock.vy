# pragma version ~=0.4.3
"""
@title Multi-owner wallet (test mock)
@notice A contract wallet for tests only: EIP-1271 signatures are `threshold` 65-byte
        r ‖ s ‖ v signatures of the hash by distinct owners, in ascending owner order
        (so a valid signature is longer than 65 bytes once the threshold is above one).
        Acts as a job party through `execute` and accepts ETH.
@dev A test mock; never deploy it outside tests.
"""


# @dev bytes4(keccak256("isValidSignature(bytes32,bytes)")), returned for a valid signature.
MAGIC_VALUE: constant(bytes4) = 0x1626ba7e
INVALID: constant(bytes4) = 0xffffffff
MAX_OWNERS: constant(uint256) = 5


owners: public(DynArray[address, MAX_OWNERS])
threshold: public(uint256)


@deploy
def __init__(owners_: DynArray[address, MAX_OWNERS], threshold_: uint256):
    """
    @param owners_ The keys whose signatures count.
    @param threshold_ How many of them must sign (at most the number of owners).
    """
    assert threshold_ <= len(owners_), "multisig: threshold above owners"
    self.owners = owners_
    self.threshold = threshold_


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
    @notice EIP-1271: whether `threshold` distinct owners signed `hash`, in ascending order.
    @param hash The signed digest.
    @param signature threshold × 65 bytes r ‖ s ‖ v.
    @return MAGIC_VALUE when valid, 0xffffffff otherwise.
    """
    t: uint256 = self.threshold
    if t == 0 or len(signature) != 65 * t:
        return INVALID
    last: uint256 = 0
    for i: uint256 in range(MAX_OWNERS):
        if i >= t:
            break
        r: uint256 = extract32(signature, 65 * i, output_type=uint256)
        s: uint256 = extract32(signature, 65 * i + 32, output_type=uint256)
        v: uint256 = convert(slice(signature, 65 * i + 64, 1), uint256)
        signer: address = ecrecover(hash, v, r, s)
        if signer == empty(address) or signer not in self.owners or convert(signer, uint256) <= last:
            return INVALID
        last = convert(signer, uint256)
    return MAGIC_VALUE


@external
@payable
def __default__():
    """
    @notice Accepts ETH.
    """
    pass
