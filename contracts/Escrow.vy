# pragma version ~=0.4.3
"""
@title Jiedan milestone escrow
@notice Holds a client's payment for a job in milestones and pays the
        freelancer milestone by milestone: jobs created with the
        freelancer's signed consent to the terms, review periods, disputes
        ruled by an arbiter named in the job, two-party settlements and
        amendments, and reputation records (version 2; the rules are in
        docs/escrow-v2.md). Nobody but a job's parties and its arbiter can
        move its funds; the owner can only set the platform fee for future
        jobs (at most 5%), its recipient, and pause the creation of jobs.
@dev Thin: composes snekmate's two-step ownership with the local
     `payouts`, `settings` and `escrow_core` modules. Split by
     responsibility to stay under the 24,576-byte limit: the one-party
     lifecycle is exported here; what both parties sign (settlements and
     amendments) is exported by `EscrowAgreements`, whose code this
     contract runs in its own storage (delegatecall from `__default__`) at
     an address fixed at deployment: nothing can replace it. Both contracts
     initialise the same modules in the same order, so their storage
     layouts are the same (a test compares them). Pausing lives in
     `settings` so that the pause flag, the fee rate and the job counter
     share the one storage word `create_job` reads. `renounce_ownership` is
     not exported: an owner-less escrow left paused could never take new
     jobs again (running jobs are never affected).
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
    ownable_2step.owner,
    ownable_2step.pending_owner,
    ownable_2step.transfer_ownership,
    ownable_2step.accept_ownership,
    payouts.credits,
    payouts.withdraw,
    settings.platform_fee_bps,
    settings.paused,
    settings.job_count,
    settings.fee_recipient,
    settings.fees_accrued,
    settings.set_platform_fee,
    settings.set_fee_recipient,
    settings.pause,
    settings.unpause,
    settings.collect_fees,
    escrow_core.reputation,
    escrow_core.terms_hash_of,
    escrow_core.consent_used,
    escrow_core.create_job,
    escrow_core.create_job_with_permit,
    escrow_core.fund,
    escrow_core.submit,
    escrow_core.approve,
    escrow_core.release,
    escrow_core.reclaim,
    escrow_core.dispute,
    escrow_core.resolve,
    escrow_core.apply_default_ruling,
    escrow_core.cancel_unfunded,
    escrow_core.increment_nonce,
    escrow_core.rate,
    escrow_core.get_job,
    escrow_core.hash_terms,
    escrow_core.domain_separator,
)


# @dev The contract whose code runs the settlements and amendments in this
# escrow's storage; fixed at deployment.
agreements: public(immutable(address))


@deploy
def __init__(reputation_: IReputation, fee_bps: uint256, fee_recipient: address, agreements_: address):
    """
    @notice Deploys the escrow; the deployer becomes its owner.
    @param reputation_ The reputation contract to record jobs and ratings in.
    @param fee_bps The platform fee for new jobs, in basis points (at most 500).
    @param fee_recipient The address that receives collected platform fees.
    @param agreements_ The deployed `EscrowAgreements` (settlements and amendments).
    """
    assert agreements_.is_contract, "escrow: agreements is not a contract"
    ownable.__init__()
    ownable_2step.__init__()
    payouts.__init__()
    settings.__init__(fee_bps, fee_recipient)
    escrow_core.__init__(reputation_)
    agreements = agreements_


@external
@payable
def __default__():
    """
    @notice Runs `settle`, `extend_deadline`, `add_milestones` and
            `accept_with_deduction` (the `EscrowAgreements` ABI) on this
            escrow's jobs. Anything else, plain ETH included, reverts.
    @dev Not `@nonreentrant` itself: the delegated functions take the lock.
    """
    raw_call(agreements, msg.data, is_delegate_call=True)
