# pragma version ~=0.4.3
"""
@title Jiedan milestone escrow
@notice Holds a client's payment for a job in milestones and pays the
        freelancer milestone by milestone. Nobody but the job's parties can
        move its funds: there is no owner and no withdrawal by an operator.
@dev Walking skeleton: create-and-fund in one call, and release of a
     milestone by the client. Submission, review periods, disputes,
     settlement and reputation arrive with the contracts issue; events are
     the indexer's input and change like a database schema.
"""

from ethereum.ercs import IERC20


# @dev The largest milestone plan a job may have.
MAX_MILESTONES: constant(uint256) = 50


flag MilestoneState:
    RELEASED


struct Job:
    client: address
    freelancer: address
    token: address
    metadata_hash: bytes32
    milestone_count: uint256
    funded: uint256
    paid: uint256


struct MilestoneView:
    amount: uint256
    released: bool


struct JobView:
    client: address
    freelancer: address
    token: address
    metadata_hash: bytes32
    funded: uint256
    paid: uint256
    milestones: DynArray[MilestoneView, MAX_MILESTONES]


# @dev The number of jobs created; job ids run from 1 to `job_count`.
job_count: public(uint256)

_jobs: HashMap[uint256, Job]
_milestone_amounts: HashMap[uint256, HashMap[uint256, uint256]]
_milestone_states: HashMap[uint256, HashMap[uint256, MilestoneState]]


# @dev Emitted when a client creates a job; `amounts` is the milestone plan.
event JobCreated:
    job_id: indexed(uint256)
    client: indexed(address)
    freelancer: indexed(address)
    token: address
    metadata_hash: bytes32
    amounts: DynArray[uint256, MAX_MILESTONES]


# @dev Emitted when tokens enter the escrow for a job.
event JobFunded:
    job_id: indexed(uint256)
    funder: indexed(address)
    amount: uint256


# @dev Emitted when the client releases a milestone and it is paid.
event MilestoneReleased:
    job_id: indexed(uint256)
    milestone: indexed(uint256)
    recipient: indexed(address)
    amount: uint256


@external
@nonreentrant
def create_job(
    freelancer: address,
    token: IERC20,
    amounts: DynArray[uint256, MAX_MILESTONES],
    metadata_hash: bytes32,
) -> uint256:
    """
    @notice Creates a job with the caller as client and funds every milestone
            from the caller's ERC-20 allowance to this contract.
    @param freelancer The address that is paid when milestones are released.
    @param token The ERC-20 token the job is paid in.
    @param amounts The amount of each milestone, in token units (each > 0).
    @param metadata_hash keccak256 of the listing's canonical JSON.
    @return The new job's id.
    """
    # Conditions
    assert freelancer != empty(address), "escrow: freelancer is zero"
    assert freelancer != msg.sender, "escrow: client is freelancer"
    assert token.address.is_contract, "escrow: token is not a contract"
    assert len(amounts) > 0, "escrow: no milestones"
    total: uint256 = 0
    for amount: uint256 in amounts:
        assert amount > 0, "escrow: zero milestone"
        total += amount

    # Effects
    job_id: uint256 = self.job_count + 1
    self.job_count = job_id
    self._jobs[job_id] = Job(
        client=msg.sender,
        freelancer=freelancer,
        token=token.address,
        metadata_hash=metadata_hash,
        milestone_count=len(amounts),
        funded=total,
        paid=0,
    )
    index: uint256 = 0
    for amount: uint256 in amounts:
        self._milestone_amounts[job_id][index] = amount
        index += 1
    log JobCreated(
        job_id=job_id,
        client=msg.sender,
        freelancer=freelancer,
        token=token.address,
        metadata_hash=metadata_hash,
        amounts=amounts,
    )
    log JobFunded(job_id=job_id, funder=msg.sender, amount=total)

    # Interactions
    self._pull(token, msg.sender, total)
    return job_id


@external
@nonreentrant
def release_milestone(job_id: uint256, milestone: uint256):
    """
    @notice The client releases a milestone: its amount is paid to the freelancer.
    @param job_id The job.
    @param milestone The milestone's index in the plan, from 0.
    """
    job: Job = self._jobs[job_id]
    # Conditions
    assert job.client != empty(address), "escrow: no such job"
    assert msg.sender == job.client, "escrow: not client"
    assert milestone < job.milestone_count, "escrow: no such milestone"
    assert not MilestoneState.RELEASED in self._milestone_states[job_id][milestone], "escrow: milestone already released"

    # Effects
    amount: uint256 = self._milestone_amounts[job_id][milestone]
    self._milestone_states[job_id][milestone] = MilestoneState.RELEASED
    self._jobs[job_id].paid = job.paid + amount
    log MilestoneReleased(job_id=job_id, milestone=milestone, recipient=job.freelancer, amount=amount)

    # Interactions
    assert extcall IERC20(job.token).transfer(job.freelancer, amount, default_return_value=True), "escrow: token transfer failed"


@external
@view
def get_job(job_id: uint256) -> JobView:
    """
    @notice A job with its milestones, in one call.
    @param job_id The job.
    @return The job's parties, token, metadata hash, money figures and milestones.
    """
    job: Job = self._jobs[job_id]
    assert job.client != empty(address), "escrow: no such job"
    milestones: DynArray[MilestoneView, MAX_MILESTONES] = []
    for index: uint256 in range(job.milestone_count, bound=MAX_MILESTONES):
        milestones.append(
            MilestoneView(
                amount=self._milestone_amounts[job_id][index],
                released=MilestoneState.RELEASED in self._milestone_states[job_id][index],
            )
        )
    return JobView(
        client=job.client,
        freelancer=job.freelancer,
        token=job.token,
        metadata_hash=job.metadata_hash,
        funded=job.funded,
        paid=job.paid,
        milestones=milestones,
    )


@internal
def _pull(token: IERC20, source: address, amount: uint256):
    """
    @dev Takes `amount` of `token` from `source` and refuses tokens that
         deliver less than asked (fee-on-transfer).
    """
    before: uint256 = staticcall token.balanceOf(self)
    assert extcall token.transferFrom(source, self, amount, default_return_value=True), "escrow: token transfer failed"
    assert staticcall token.balanceOf(self) - before == amount, "escrow: token delivered less than sent"
