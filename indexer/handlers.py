"""One small function per contract event, projecting it into the chain_* tables.

A handler runs only when its event is new to `chain_events` (see `indexer.store`), so
replaying a block range applies no event twice. Handlers run in chain order (block, log index)
and must depend on nothing but the event, its block time and the projection tables: the same
registry rebuilds every projection from `chain_events` (after a reorg, and in `verify`).

Adding an event and its projection table (see indexer/README.md):
1. the model in `backend/app/models/chain.py` (with a `chain_id` column) and an Alembic revision;
2. its table in `PROJECTION_TABLES` below, parents before children (rollback, rebuild and
   verify then cover it; nothing else in the indexer names a table or an event);
3. `@handles("EventName")` (or `"Contract.EventName"` when two contracts share an event name)
   on a function `(projection, event, block_time) -> None` that reads and writes rows through
   `projection.get/insert/update/delete` (see `indexer.projection`), never through SQL;
4. a new contract: its name in `FOLLOWED_CONTRACTS`; the address comes from the deployments file.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import Table

from backend.app.core.escrow_terms import Terms, milestones_from_event
from backend.app.models.chain import (
    ChainContractOwner,
    ChainCredit,
    ChainCreditBalance,
    ChainDispute,
    ChainEscrowFees,
    ChainEscrowSettings,
    ChainFunding,
    ChainJob,
    ChainMilestone,
    ChainRating,
    ChainReputation,
    ChainReputationEscrow,
    ChainReputationJob,
    ChainReputationPair,
    ChainReputationVolume,
    ChainSettlement,
    ChainWithdrawal,
)
from indexer.abi import DecodedEvent
from indexer.projection import Projection, Row

Handler = Callable[[Projection, DecodedEvent, datetime], None]
HANDLERS: dict[str, Handler] = {}

# Contracts of the deployment whose events are indexed (names as in the deployments file and
# the build manifest); those missing from a deployment are skipped.
FOLLOWED_CONTRACTS: tuple[str, ...] = ("Escrow", "Reputation")


def _table(model: type) -> Table:
    return model.__table__  # type: ignore[attr-defined,no-any-return]


JOBS = _table(ChainJob)
MILESTONES = _table(ChainMilestone)
FUNDINGS = _table(ChainFunding)
CREDITS = _table(ChainCredit)
WITHDRAWALS = _table(ChainWithdrawal)
CREDIT_BALANCES = _table(ChainCreditBalance)
DISPUTES = _table(ChainDispute)
SETTLEMENTS = _table(ChainSettlement)
RATINGS = _table(ChainRating)
REPUTATION_JOBS = _table(ChainReputationJob)
REPUTATION = _table(ChainReputation)
REPUTATION_VOLUMES = _table(ChainReputationVolume)
REPUTATION_PAIRS = _table(ChainReputationPair)
REPUTATION_ESCROWS = _table(ChainReputationEscrow)
OWNERS = _table(ChainContractOwner)
ESCROW_SETTINGS = _table(ChainEscrowSettings)
ESCROW_FEES = _table(ChainEscrowFees)

# Every table the handlers write, parents before children. Rollback and rebuild empty them
# (children first) for the chain and replay chain_events; verify compares them row by row.
PROJECTION_TABLES: list[Table] = [
    JOBS,
    MILESTONES,
    FUNDINGS,
    CREDITS,
    WITHDRAWALS,
    CREDIT_BALANCES,
    DISPUTES,
    SETTLEMENTS,
    RATINGS,
    REPUTATION_JOBS,
    REPUTATION,
    REPUTATION_VOLUMES,
    REPUTATION_PAIRS,
    REPUTATION_ESCROWS,
    OWNERS,
    ESCROW_SETTINGS,
    ESCROW_FEES,
]

BPS = 10_000
ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"


def handles(event_name: str) -> Callable[[Handler], Handler]:
    """Register a handler for `EventName` (any followed contract) or `Contract.EventName`."""

    def register(handler: Handler) -> Handler:
        HANDLERS[event_name] = handler
        return handler

    return register


def handler_for(event: DecodedEvent) -> Handler | None:
    return HANDLERS.get(f"{event.contract_name}.{event.name}") or HANDLERS.get(event.name)


def _hex32(value: bytes) -> str:
    return "0x" + value.hex()


def _utc(seconds: int) -> datetime:
    """A contract timestamp (unix seconds) as a UTC datetime."""
    return datetime.fromtimestamp(seconds, UTC)


def _start(job: Row) -> int:
    """The job's start (unix seconds): JobCreated.start, kept as `created_at`."""
    return int(job["created_at"].timestamp())


def _job(projection: Projection, event: DecodedEvent) -> Row:
    return projection.get_one(JOBS, event.args["job_id"])


def _touch(projection: Projection, event: DecodedEvent, **changes: object) -> Row:
    return projection.update(JOBS, event.args["job_id"], updated_block=event.block_number, **changes)


def _close_milestone(
    projection: Projection, event: DecodedEvent, block_time: datetime, state: str, **changes: object
) -> None:
    projection.update(
        MILESTONES,
        event.args["job_id"],
        event.args["milestone"],
        state=state,
        closed_at=block_time,
        closed_tx=event.tx_hash,
        **changes,
    )


def _paid(
    projection: Projection,
    event: DecodedEvent,
    *,
    to_freelancer: int = 0,
    to_client: int = 0,
    arbiter_fee: int = 0,
    platform_fee: int = 0,
    closed: int = 1,
) -> None:
    """Money left the job: add it to the job's figures; `closed` milestones closed (the nonce moves once)."""
    job = _job(projection, event)
    _touch(
        projection,
        event,
        paid_to_freelancer=job["paid_to_freelancer"] + to_freelancer,
        refunded_to_client=job["refunded_to_client"] + to_client,
        arbiter_fees=job["arbiter_fees"] + arbiter_fee,
        platform_fees=job["platform_fees"] + platform_fee,
        open_count=job["open_count"] - closed,
        nonce=job["nonce"] + 1,
    )


def _accrue_fee(projection: Projection, escrow: str, token: str, amount: int) -> None:
    if amount == 0:
        return
    row = projection.get(ESCROW_FEES, escrow, token)
    if row is None:
        projection.insert(ESCROW_FEES, escrow=escrow, token=token, accrued=amount, collected=0)
    else:
        projection.update(ESCROW_FEES, escrow, token, accrued=row["accrued"] + amount)


def _settings(projection: Projection, event: DecodedEvent) -> Row:
    row = projection.get(ESCROW_SETTINGS, event.contract)
    if row is None:
        row = projection.insert(
            ESCROW_SETTINGS,
            escrow=event.contract,
            platform_fee_bps=0,
            fee_recipient=None,
            paused=False,
            updated_block=event.block_number,
        )
    return row


def _reputation(projection: Projection, account: str, escrow: str, block: int) -> Row:
    row = projection.get(REPUTATION, account)
    if row is None:
        row = projection.insert(
            REPUTATION,
            account=account,
            jobs_as_client=0,
            jobs_as_freelancer=0,
            disputes_opened=0,
            disputes_won=0,
            disputes_lost=0,
            rating_count=0,
            rating_sum=0,
            counterparties=0,
            last_escrow=escrow,
            updated_block=block,
        )
    return row


def _new_milestone(
    projection: Projection, job_id: int, index: int, amount: int, duration: int, start: int, state: str
) -> None:
    projection.insert(
        MILESTONES,
        job_id=job_id,
        index=index,
        amount=amount,
        duration=duration,
        deadline=_utc(start + duration),
        state=state,
    )


def _funding(projection: Projection, event: DecodedEvent, block_time: datetime, **row: object) -> None:
    projection.insert(
        FUNDINGS,
        tx_hash=event.tx_hash,
        log_index=event.log_index,
        job_id=event.args["job_id"],
        block_number=event.block_number,
        funded_at=block_time,
        **row,
    )


# --- Escrow: jobs and milestones ----------------------------------------------------------------


@handles("JobCreated")
def job_created(projection: Projection, event: DecodedEvent, block_time: datetime) -> None:
    args = event.args
    terms = Terms.from_event(args)
    funded_count, start = args["funded_count"], args["start"]
    projection.insert(
        JOBS,
        job_id=args["job_id"],
        escrow=event.contract,
        client=terms.client,
        freelancer=terms.freelancer,
        token=terms.token,
        arbiter=terms.arbiter,
        arbiter_fee_bps=terms.arbiter_fee_bps,
        platform_fee_bps=terms.platform_fee_bps,
        review_period=terms.review_period,
        ruling_window=terms.ruling_window,
        metadata_hash=terms.metadata_hash,
        terms_json=terms.dumps(),
        terms_hash=_hex32(args["terms_hash"]),
        milestone_count=len(terms.milestones),
        funded_count=funded_count,
        open_count=len(terms.milestones),
        total=terms.total,
        funded=args["funded_amount"],
        paid_to_freelancer=0,
        refunded_to_client=0,
        arbiter_fees=0,
        platform_fees=0,
        nonce=0,
        status="active",
        settled=False,
        cancelled=False,
        client_rated=False,
        freelancer_rated=False,
        volume=None,
        reputation_recorded=None,
        created_block=event.block_number,
        created_at=_utc(start),
        created_tx=event.tx_hash,
        updated_block=event.block_number,
    )
    for index, m in enumerate(terms.milestones):
        state = "funded" if index < funded_count else "unfunded"
        _new_milestone(projection, args["job_id"], index, m.amount, m.duration, start, state)
    if funded_count:
        _funding(
            projection,
            event,
            block_time,
            funder=terms.client,
            amount=args["funded_amount"],
            first_milestone=0,
            funded_count=funded_count,
        )


@handles("JobFunded")
def job_funded(projection: Projection, event: DecodedEvent, block_time: datetime) -> None:
    args = event.args
    job = _job(projection, event)
    _touch(
        projection,
        event,
        funded=job["funded"] + args["amount"],
        funded_count=args["funded_count"],
        nonce=job["nonce"] + 1,
    )
    for index in range(args["first_milestone"], args["funded_count"]):
        projection.update(MILESTONES, args["job_id"], index, state="funded")
    _funding(
        projection,
        event,
        block_time,
        funder=args["funder"],
        amount=args["amount"],
        first_milestone=args["first_milestone"],
        funded_count=args["funded_count"],
    )


@handles("MilestoneSubmitted")
def milestone_submitted(projection: Projection, event: DecodedEvent, block_time: datetime) -> None:
    """Submitted: the review period runs, and the nonce moves (signatures made before are void)."""
    args = event.args
    projection.update(
        MILESTONES,
        args["job_id"],
        args["milestone"],
        state="submitted",
        deliverable_hash=_hex32(args["deliverable_hash"]),
        submitted_at=block_time,
        review_end=_utc(args["review_end"]),
    )
    _touch(projection, event, nonce=_job(projection, event)["nonce"] + 1)


@handles("MilestoneApproved")
def milestone_approved(projection: Projection, event: DecodedEvent, block_time: datetime) -> None:
    _milestone_paid(projection, event, block_time, "approved")


@handles("MilestoneReleased")
def milestone_released(projection: Projection, event: DecodedEvent, block_time: datetime) -> None:
    _milestone_paid(projection, event, block_time, "released")


def _milestone_paid(projection: Projection, event: DecodedEvent, block_time: datetime, state: str) -> None:
    """Approved or released: `amount` to the freelancer; the platform fee becomes collectable when the job ends."""
    args = event.args
    _close_milestone(
        projection,
        event,
        block_time,
        state,
        to_freelancer=args["amount"],
        to_client=0,
        arbiter_fee=0,
        platform_fee=args["platform_fee"],
    )
    _paid(projection, event, to_freelancer=args["amount"], platform_fee=args["platform_fee"])


@handles("MilestoneReclaimed")
def milestone_reclaimed(projection: Projection, event: DecodedEvent, block_time: datetime) -> None:
    args = event.args
    _close_milestone(
        projection,
        event,
        block_time,
        "reclaimed",
        to_freelancer=0,
        to_client=args["amount"],
        arbiter_fee=0,
        platform_fee=0,
    )
    _paid(projection, event, to_client=args["amount"])


@handles("DisputeOpened")
def dispute_opened(projection: Projection, event: DecodedEvent, block_time: datetime) -> None:
    args = event.args
    job = _job(projection, event)
    projection.update(
        MILESTONES,
        args["job_id"],
        args["milestone"],
        state="disputed",
        disputed_by=args["by"],
        ruling_end=_utc(args["ruling_end"]),
    )
    projection.insert(
        DISPUTES,
        job_id=args["job_id"],
        milestone=args["milestone"],
        opened_by=args["by"],
        opened_by_role="client" if args["by"] == job["client"] else "freelancer",
        opened_at=block_time,
        opened_tx=event.tx_hash,
        ruling_end=_utc(args["ruling_end"]),
    )
    _touch(projection, event, nonce=job["nonce"] + 1)


def _split(
    projection: Projection,
    event: DecodedEvent,
    block_time: datetime,
    outcome: str,
    ruling_bps: int,
    arbiter_fee: int,
    ruled_by: str,
) -> None:
    """A milestone split between the parties (an arbiter's ruling, the default ruling, or a deduction both
    parties signed): the milestone, its dispute if it had one, and the job's figures."""
    args = event.args
    payouts = {
        "to_freelancer": args["to_freelancer"],
        "to_client": args["to_client"],
        "arbiter_fee": arbiter_fee,
        "platform_fee": args["platform_fee"],
    }
    _close_milestone(projection, event, block_time, outcome, ruling_bps=ruling_bps, **payouts)
    dispute = projection.get(DISPUTES, args["job_id"], args["milestone"])
    if dispute is not None:  # only an arbiter's ruling has a winner: a ruling above 50% for one side
        winner = "freelancer" if ruling_bps > BPS // 2 else "client" if ruling_bps < BPS // 2 else None
        projection.update(
            DISPUTES,
            args["job_id"],
            args["milestone"],
            outcome=outcome,
            ruled_by=ruled_by,
            freelancer_bps=ruling_bps,
            winner=winner if outcome == "resolved" else None,
            closed_at=block_time,
            closed_tx=event.tx_hash,
            **payouts,
        )
    _paid(projection, event, **payouts)


@handles("DisputeResolved")
def dispute_resolved(projection: Projection, event: DecodedEvent, block_time: datetime) -> None:
    args = event.args
    _split(projection, event, block_time, "resolved", args["freelancer_bps"], args["arbiter_fee"], args["arbiter"])


@handles("DefaultRulingApplied")
def default_ruling_applied(projection: Projection, event: DecodedEvent, block_time: datetime) -> None:
    _split(projection, event, block_time, "default_ruled", BPS // 2, 0, event.args["by"])


@handles("MilestoneDeducted")
def milestone_deducted(projection: Projection, event: DecodedEvent, block_time: datetime) -> None:
    """A submitted (or disputed) milestone accepted with the deduction both parties signed (扣款验收)."""
    _split(projection, event, block_time, "deducted", event.args["freelancer_bps"], 0, event.args["by"])


@handles("JobSettled")
def job_settled(projection: Projection, event: DecodedEvent, block_time: datetime) -> None:
    """Every open milestone closes: funded ones (incl. submitted and disputed) as settled, the rest cancelled."""
    args = event.args
    job = _job(projection, event)
    for index in range(job["milestone_count"]):
        milestone = projection.get_one(MILESTONES, args["job_id"], index)
        state = milestone["state"]
        if state in ("funded", "submitted", "disputed"):
            projection.update(
                MILESTONES, args["job_id"], index, state="settled", closed_at=block_time, closed_tx=event.tx_hash
            )
            if state == "disputed":
                projection.update(
                    DISPUTES, args["job_id"], index, outcome="settled", closed_at=block_time, closed_tx=event.tx_hash
                )
        elif state == "unfunded":
            projection.update(
                MILESTONES, args["job_id"], index, state="cancelled", closed_at=block_time, closed_tx=event.tx_hash
            )
    projection.insert(
        SETTLEMENTS,
        job_id=args["job_id"],
        nonce=args["nonce"],
        freelancer_bps=args["freelancer_bps"],
        to_freelancer=args["to_freelancer"],
        to_client=args["to_client"],
        platform_fee=args["platform_fee"],
        settled_at=block_time,
        settled_tx=event.tx_hash,
    )
    _paid(
        projection,
        event,
        to_freelancer=args["to_freelancer"],
        to_client=args["to_client"],
        platform_fee=args["platform_fee"],
        closed=job["open_count"],
    )
    _touch(projection, event, settled=True)  # funded_count stays what was funded: unfunded milestones are cancelled


@handles("MilestonesCancelled")
def milestones_cancelled(projection: Projection, event: DecodedEvent, block_time: datetime) -> None:
    """The unfunded rest cancelled (by the client, or by anyone once the first of them is overdue)."""
    args = event.args
    first, count = args["first_milestone"], args["count"]
    for index in range(first, first + count):
        projection.update(
            MILESTONES, args["job_id"], index, state="cancelled", closed_at=block_time, closed_tx=event.tx_hash
        )
    _paid(projection, event, closed=count)
    _touch(projection, event, cancelled=True, funded_count=first + count)


@handles("NonceIncremented")
def nonce_incremented(projection: Projection, event: DecodedEvent, _block_time: datetime) -> None:
    _touch(projection, event, nonce=event.args["nonce"])


@handles("DeadlineExtended")
def deadline_extended(projection: Projection, event: DecodedEvent, _block_time: datetime) -> None:
    """Both parties moved an open milestone's deadline (延期): new terms, a new terms hash, the nonce moves."""
    args = event.args
    job = _job(projection, event)
    terms = Terms.loads(job["terms_json"]).with_duration(args["milestone"], args["new_duration"])
    projection.update(
        MILESTONES,
        args["job_id"],
        args["milestone"],
        duration=args["new_duration"],
        deadline=_utc(args["deadline"]),
    )
    _touch(
        projection,
        event,
        terms_json=terms.dumps(),
        terms_hash=_hex32(args["terms_hash"]),
        nonce=job["nonce"] + 1,
    )


@handles("MilestonesAdded")
def milestones_added(projection: Projection, event: DecodedEvent, block_time: datetime) -> None:
    """Both parties added milestones (durations from the job's start); the client funded milestones up to
    `funded_count`, unfunded earlier ones first. New terms and hash; the nonce moves."""
    args = event.args
    job = _job(projection, event)
    added = milestones_from_event(args["milestones"])
    terms = Terms.loads(job["terms_json"]).with_milestones(added)
    first, funded_count, was_funded = args["first_milestone"], args["funded_count"], job["funded_count"]
    for index in range(was_funded, min(first, funded_count)):
        projection.update(MILESTONES, args["job_id"], index, state="funded")
    for offset, m in enumerate(added):
        index = first + offset
        state = "funded" if index < funded_count else "unfunded"
        _new_milestone(projection, args["job_id"], index, m.amount, m.duration, _start(job), state)
    _touch(
        projection,
        event,
        terms_json=terms.dumps(),
        terms_hash=_hex32(args["terms_hash"]),
        milestone_count=len(terms.milestones),
        open_count=job["open_count"] + len(added),
        funded_count=funded_count,
        total=terms.total,
        funded=job["funded"] + args["funded_amount"],
        nonce=job["nonce"] + 1,
    )
    if args["funded_amount"]:
        _funding(
            projection,
            event,
            block_time,
            funder=args["by"],
            amount=args["funded_amount"],
            first_milestone=was_funded,
            funded_count=funded_count,
        )


@handles("JobEnded")
def job_ended(projection: Projection, event: DecodedEvent, block_time: datetime) -> None:
    """The last milestone closed: the job's platform fees become collectable; `paid` is what reached the
    freelancer net of fees (the volume the reputation contract records)."""
    args = event.args
    job = _job(projection, event)
    _accrue_fee(projection, event.contract, job["token"], args["platform_fees"])
    _touch(
        projection,
        event,
        status="ended",
        volume=args["paid"],
        reputation_recorded=args["recorded"],
        ended_at=block_time,
        ended_tx=event.tx_hash,
    )


@handles("JobRated")
def job_rated(projection: Projection, event: DecodedEvent, block_time: datetime) -> None:
    args = event.args
    job = _job(projection, event)
    projection.insert(
        RATINGS,
        job_id=args["job_id"],
        rater=args["rater"],
        subject=args["subject"],
        score=args["score"],
        comment_hash=_hex32(args["comment_hash"]),
        escrow=event.contract,
        rated_at=block_time,
        rated_tx=event.tx_hash,
    )
    flag = "client_rated" if args["rater"] == job["client"] else "freelancer_rated"
    _touch(projection, event, **{flag: True})


# --- Escrow: payouts ----------------------------------------------------------------------------


def _balance(projection: Projection, account: str, token: str) -> Row:
    row = projection.get(CREDIT_BALANCES, account, token)
    if row is None:
        row = projection.insert(CREDIT_BALANCES, account=account, token=token, credited=0, withdrawn=0)
    return row


@handles("Credited")
def credited(projection: Projection, event: DecodedEvent, block_time: datetime) -> None:
    args = event.args
    projection.insert(
        CREDITS,
        tx_hash=event.tx_hash,
        log_index=event.log_index,
        job_id=args["job_id"],
        account=args["account"],
        token=args["token"],
        amount=args["amount"],
        block_number=event.block_number,
        credited_at=block_time,
    )
    balance = _balance(projection, args["account"], args["token"])
    projection.update(CREDIT_BALANCES, args["account"], args["token"], credited=balance["credited"] + args["amount"])


@handles("Withdrawn")
def withdrawn(projection: Projection, event: DecodedEvent, block_time: datetime) -> None:
    args = event.args
    projection.insert(
        WITHDRAWALS,
        tx_hash=event.tx_hash,
        log_index=event.log_index,
        account=args["account"],
        token=args["token"],
        to=args["to"],
        amount=args["amount"],
        block_number=event.block_number,
        withdrawn_at=block_time,
    )
    balance = _balance(projection, args["account"], args["token"])
    projection.update(CREDIT_BALANCES, args["account"], args["token"], withdrawn=balance["withdrawn"] + args["amount"])


# --- Escrow: settings ---------------------------------------------------------------------------


@handles("Escrow.PlatformFeeChanged")
def platform_fee_changed(projection: Projection, event: DecodedEvent, _block_time: datetime) -> None:
    _settings(projection, event)
    projection.update(
        ESCROW_SETTINGS, event.contract, platform_fee_bps=event.args["new_bps"], updated_block=event.block_number
    )


@handles("Escrow.FeeRecipientChanged")
def fee_recipient_changed(projection: Projection, event: DecodedEvent, _block_time: datetime) -> None:
    _settings(projection, event)
    projection.update(
        ESCROW_SETTINGS, event.contract, fee_recipient=event.args["new_recipient"], updated_block=event.block_number
    )


@handles("Escrow.Paused")
def paused(projection: Projection, event: DecodedEvent, _block_time: datetime) -> None:
    _settings(projection, event)
    projection.update(ESCROW_SETTINGS, event.contract, paused=True, updated_block=event.block_number)


@handles("Escrow.Unpaused")
def unpaused(projection: Projection, event: DecodedEvent, _block_time: datetime) -> None:
    _settings(projection, event)
    projection.update(ESCROW_SETTINGS, event.contract, paused=False, updated_block=event.block_number)


@handles("Escrow.FeesCollected")
def fees_collected(projection: Projection, event: DecodedEvent, _block_time: datetime) -> None:
    args = event.args
    row = projection.get(ESCROW_FEES, event.contract, args["token"])
    if row is None:  # only if fees were accrued by events this projection does not know
        row = projection.insert(ESCROW_FEES, escrow=event.contract, token=args["token"], accrued=0, collected=0)
    projection.update(ESCROW_FEES, event.contract, args["token"], collected=row["collected"] + args["amount"])


# --- both contracts: two-step ownership ---------------------------------------------------------


@handles("OwnershipTransferStarted")
def ownership_transfer_started(projection: Projection, event: DecodedEvent, _block_time: datetime) -> None:
    projection.update(OWNERS, event.contract, pending_owner=event.args["new_owner"], updated_block=event.block_number)


@handles("OwnershipTransferred")
def ownership_transferred(projection: Projection, event: DecodedEvent, _block_time: datetime) -> None:
    projection.insert(
        OWNERS,
        contract=event.contract,
        owner=event.args["new_owner"],
        pending_owner=None,
        updated_block=event.block_number,
    )


# --- Reputation ---------------------------------------------------------------------------------


def _writer(projection: Projection, event: DecodedEvent, **changes: object) -> None:
    """The writer row of `event.args["escrow"]`, created (not registered, nothing pending) on first sight."""
    escrow = event.args["escrow"]
    if projection.get(REPUTATION_ESCROWS, event.contract, escrow) is None:
        projection.insert(
            REPUTATION_ESCROWS,
            reputation=event.contract,
            escrow=escrow,
            registered=False,
            pending_allowed=None,
            pending_effective_at=None,
            updated_block=event.block_number,
        )
    projection.update(REPUTATION_ESCROWS, event.contract, escrow, updated_block=event.block_number, **changes)


@handles("Reputation.EscrowRegistered")
def escrow_registered(projection: Projection, event: DecodedEvent, _block_time: datetime) -> None:
    """A writer named at deployment, or an announced addition applied."""
    _writer(projection, event, registered=True, pending_allowed=None, pending_effective_at=None)


@handles("Reputation.EscrowUnregistered")
def escrow_unregistered(projection: Projection, event: DecodedEvent, _block_time: datetime) -> None:
    _writer(projection, event, registered=False, pending_allowed=None, pending_effective_at=None)


@handles("Reputation.EscrowChangeAnnounced")
def escrow_change_announced(projection: Projection, event: DecodedEvent, _block_time: datetime) -> None:
    """The owner announced a writer change; anyone may apply it from `effective_at` (7 days later)."""
    args = event.args
    _writer(projection, event, pending_allowed=args["allowed"], pending_effective_at=_utc(args["effective_at"]))


@handles("Reputation.EscrowChangeCancelled")
def escrow_change_cancelled(projection: Projection, event: DecodedEvent, _block_time: datetime) -> None:
    _writer(projection, event, pending_allowed=None, pending_effective_at=None)


def _count_pair(projection: Projection, a: str, b: str, escrow: str, block: int) -> None:
    """One more paid job between `a` and `b`; a first one makes each a counterparty of the other."""
    low, high = (a, b) if int(a, 16) < int(b, 16) else (b, a)
    pair = projection.get(REPUTATION_PAIRS, low, high)
    if pair is None:
        projection.insert(REPUTATION_PAIRS, account_a=low, account_b=high, jobs=1)
        for account in (low, high):
            row = _reputation(projection, account, escrow, block)
            projection.update(REPUTATION, account, counterparties=row["counterparties"] + 1)
    else:
        projection.update(REPUTATION_PAIRS, low, high, jobs=pair["jobs"] + 1)


@handles("Reputation.JobRecorded")
def job_recorded(projection: Projection, event: DecodedEvent, block_time: datetime) -> None:
    """The record of truth: both parties' stats and volume, as `record_job` adds them."""
    args = event.args
    escrow, block = args["escrow"], event.block_number
    projection.insert(
        REPUTATION_JOBS,
        escrow=escrow,
        job_id=args["job_id"],
        client=args["client"],
        freelancer=args["freelancer"],
        token=args["token"],
        volume=args["volume"],
        client_disputes_opened=args["client_disputes_opened"],
        freelancer_disputes_opened=args["freelancer_disputes_opened"],
        client_disputes_won=args["client_disputes_won"],
        freelancer_disputes_won=args["freelancer_disputes_won"],
        recorded_at=block_time,
        recorded_tx=event.tx_hash,
    )
    completed = 1 if args["volume"] else 0
    if completed:
        _count_pair(projection, args["client"], args["freelancer"], escrow, block)
    for role, other in (("client", "freelancer"), ("freelancer", "client")):
        account = args[role]
        row = _reputation(projection, account, escrow, block)
        projection.update(
            REPUTATION,
            account,
            **{f"jobs_as_{role}": row[f"jobs_as_{role}"] + completed},
            disputes_opened=row["disputes_opened"] + args[f"{role}_disputes_opened"],
            disputes_won=row["disputes_won"] + args[f"{role}_disputes_won"],
            disputes_lost=row["disputes_lost"] + args[f"{other}_disputes_won"],
            last_escrow=escrow,
            updated_block=block,
        )
        if completed:
            volume = projection.get(REPUTATION_VOLUMES, account, args["token"])
            if volume is None:
                volume = projection.insert(
                    REPUTATION_VOLUMES, account=account, token=args["token"], as_client=0, as_freelancer=0
                )
            column = f"as_{role}"
            projection.update(REPUTATION_VOLUMES, account, args["token"], **{column: volume[column] + args["volume"]})


@handles("Reputation.RatingRecorded")
def rating_recorded(projection: Projection, event: DecodedEvent, _block_time: datetime) -> None:
    args = event.args
    row = _reputation(projection, args["subject"], args["escrow"], event.block_number)
    projection.update(
        REPUTATION,
        args["subject"],
        rating_count=row["rating_count"] + 1,
        rating_sum=row["rating_sum"] + args["score"],
        last_escrow=args["escrow"],
        updated_block=event.block_number,
    )
