# pragma version ~=0.4.3
"""
@title Jiedan escrow agreements
@notice What both parties of a job sign, run in the escrow's storage:
        settling a job early with a split (EIP-712 `Settlement`), extending
        a milestone's deadline (`ExtendDeadline`), adding milestones
        (`AddMilestones`) and accepting a milestone with a deduction
        (`Deduction`). Call these functions on the escrow's address.
@dev Deployed once, then named by the `Escrow` constructor, which
     delegatecalls here from its `__default__`. Initialises the same
     modules in the same order as `Escrow`, so the storage layouts match
     (tested). Called directly, it has no jobs and holds no funds: every
     function reverts with `escrow: no such job`.
"""

from snekmate.auth import ownable
from snekmate.auth import ownable_2step

from .interfaces import IReputation
from .modules import payouts
from .modules import settings
from .modules import escrow_core

initializes: ownable
initializes: ownable_2step[ownable := ownable]
initializes: payouts
initializes: settings[ownable := ownable, payouts := payouts]
initializes: escrow_core[payouts := payouts, settings := settings]

exports: (
    escrow_core.settle,
    escrow_core.extend_deadline,
    escrow_core.add_milestones,
    escrow_core.accept_with_deduction,
)


@deploy
def __init__(reputation_: IReputation):
    """
    @notice Deploys the agreements code for escrows that record in `reputation_`.
    @param reputation_ The reputation contract of the escrow that will run this code.
    """
    ownable.__init__()
    ownable_2step.__init__()
    payouts.__init__()
    settings.__init__(0, msg.sender)
    escrow_core.__init__(reputation_)
