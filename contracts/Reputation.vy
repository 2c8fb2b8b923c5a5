# pragma version ~=0.4.3
"""
@title Jiedan reputation
@notice The soulbound record of every address's jobs, paid volume,
        counterparties, disputes and ratings, written only by the escrows
        named at deployment (or added after a delay announced by an event).
@dev Composes snekmate's two-step ownership with the `reputation_ledger`
     module. `renounce_ownership` is not exported: without an owner no new
     escrow could ever be announced.
"""

from snekmate.auth import ownable
from snekmate.auth import ownable_2step

from .interfaces import IReputation
from .modules import reputation_ledger

implements: IReputation

initializes: ownable
initializes: ownable_2step[ownable := ownable]
initializes: reputation_ledger[ownable := ownable]

exports: (
    ownable_2step.owner,
    ownable_2step.pending_owner,
    ownable_2step.transfer_ownership,
    ownable_2step.accept_ownership,
    reputation_ledger.is_escrow,
    reputation_ledger.announce_escrow,
    reputation_ledger.cancel_escrow_change,
    reputation_ledger.apply_escrow_change,
    reputation_ledger.pending_escrow_change,
    reputation_ledger.counterparties,
    reputation_ledger.jobs_together,
    reputation_ledger.record_job,
    reputation_ledger.record_rating,
    reputation_ledger.stats,
    reputation_ledger.volume,
)


@deploy
def __init__(escrows: DynArray[address, 4]):
    """
    @notice Deploys the reputation contract; the deployer becomes its owner.
    @param escrows The escrows that may write from the start (an escrow's
           address can be computed before it is deployed).
    """
    ownable.__init__()
    ownable_2step.__init__()
    reputation_ledger.__init__(escrows)
