# pragma version ~=0.4.3
"""
@title Thirsty wallet mock
@notice A contract wallet that acts as a job party through `execute` and
        needs real gas to receive ETH: it books every deposit in storage, as
        wallets with a receive hook do. That is well within the escrow's ETH
        payout cap and far above the 2,300 gas a plain `transfer` forwards.
@dev A test contract; never deploy it outside tests.
"""

# @dev What this wallet has received, in wei.
received: public(uint256)


@external
@payable
def execute(target: address, data: Bytes[4096]) -> Bytes[1024]:
    """
    @notice Calls `target` with `data` and the call's value; bubbles reverts up.
    @param target The contract to call.
    @param data The calldata.
    @return What the call returned.
    """
    return raw_call(target, data, value=msg.value, max_outsize=1024)


@external
@payable
def __default__():
    """
    @notice Receives ETH and books it (a storage write).
    """
    self.received += msg.value
