# pragma version ~=0.4.3
"""
@title Attacker wallet (test mock)
@notice A contract wallet that acts as a job party through `execute`, and
        either refuses ETH or re-enters a target when it receives ETH.
@dev A deliberately misbehaving test contract; never deploy it outside tests.
"""

# @dev What happens on receiving ETH: 0 accept, 1 revert, 2 call back.
mode: public(uint256)
hook_target: public(address)
hook_data: public(Bytes[2048])
hook_calls: public(uint256)
hook_succeeded: public(bool)


@deploy
def __init__():
    """
    @notice Deploys an accepting wallet.
    """
    pass


@external
def set_mode(mode_: uint256, target: address, data: Bytes[2048]):
    """
    @notice Sets how the wallet receives ETH (0 accept, 1 revert, 2 call `target` with `data`).
    """
    self.mode = mode_
    self.hook_target = target
    self.hook_data = data


@external
@payable
def execute(target: address, data: Bytes[4096]) -> Bytes[1024]:
    """
    @notice Calls `target` with `data` and the call's value; bubbles reverts up.
    """
    return raw_call(target, data, value=msg.value, max_outsize=1024)


@external
@payable
def __default__():
    """
    @notice Receives ETH according to `mode`.
    """
    if self.mode == 1:
        raise "attacker: refusing ETH"
    if self.mode == 2:
        self.hook_calls += 1
        self.hook_succeeded = raw_call(self.hook_target, self.hook_data, revert_on_failure=False)
