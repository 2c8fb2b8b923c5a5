"""Amendment shapes: extending a deadline (延期), adding milestones, accepting with a deduction (扣款验收).

One party signs an amendment at the job's nonce (EIP-712, `…/amendments/payload` gives the payload); the other
agrees by sending it (`POST /api/tx/extend-deadline`, `add-milestones`, `accept-with-deduction`). For added
milestones the freelancer signs and the client sends (and funds).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from backend.app.schemas.examples import CHAIN_JOB_ID, CLIENT, DURATIONS, FREELANCER, SETTLEMENT_EXPIRY
from backend.app.schemas.tx import Address, Duration, MilestoneTerms, SenderRequest, Signature

AmendmentKind = Literal["extend_deadline", "add_milestones", "deduction"]
# The fields each kind names; the others stay empty.
KIND_FIELDS: dict[str, tuple[str, ...]] = {
    "extend_deadline": ("milestone", "new_duration"),
    "add_milestones": ("milestones", "fund_count"),
    "deduction": ("milestone", "freelancer_bps"),
}

EXTEND_SIGNATURE = (
    "0x72dcfdd8284f26942adc3ec22028361eeba47916f4e9efb95d926d9496f695b2"
    "25329d0872f00e5f5e6b04d5a7263216ea8f92e85524a5373446628032192ade1b"
)
ADD_SIGNATURE = (
    "0xe433ed12088a645d8f02d8328c59c1286e305654603e4c896779a7e5496f2a13"
    "5cfdda3f887bf1e8bdf33f07452ce4d5129db4b4fe733ead3f61954be20147901c"
)
DEDUCTION_SIGNATURE = (
    "0xbac9edf06a9af422959445bceebf249a0c0f33e2df936d61c229aaeb118e6b63"
    "6d5d2f10e6b58209816343f0657470ee35e370f2014f220281a461e368ec7cae1c"
)
# Li Wei asks for a week more on milestone 2 and signs it; Chen Jie agrees by sending it (job 1 at nonce 1)
EXAMPLE_EXTENSION = {"kind": "extend_deadline", "milestone": 1, "new_duration": DURATIONS[1] + 7 * 86_400}
EXAMPLE_ADDITION = {
    "kind": "add_milestones",
    "milestones": [{"amount": "250000000", "duration": DURATIONS[1] + 14 * 86_400}],
    "fund_count": 1,
}
EXAMPLE_DEDUCTION = {"kind": "deduction", "milestone": 1, "freelancer_bps": 8000}
_EMPTY = {"milestone": None, "new_duration": None, "freelancer_bps": None, "milestones": None, "fund_count": None}


class AmendmentTerms(BaseModel):
    """What an amendment changes: `extend_deadline` (milestone, new_duration), `add_milestones` (milestones,
    fund_count: how many unfunded milestones the client funds when it sends it, in order) or `deduction`
    (milestone, freelancer_bps: the freelancer's share of it)."""

    kind: AmendmentKind
    milestone: int | None = Field(default=None, ge=0, lt=50)
    new_duration: Duration | None = Field(default=None, description="The new deadline, in seconds from the start.")
    freelancer_bps: int | None = Field(default=None, ge=0, le=10_000)
    milestones: list[MilestoneTerms] | None = Field(default=None, min_length=1, max_length=50)
    fund_count: int | None = Field(default=None, ge=0, le=50)

    model_config = ConfigDict(
        json_schema_extra={"examples": [{**_EMPTY, **EXAMPLE_EXTENSION}, {**_EMPTY, **EXAMPLE_DEDUCTION}]},
        extra="forbid",
    )

    @model_validator(mode="after")
    def _fields_of_its_kind(self) -> AmendmentTerms:
        wanted = KIND_FIELDS[self.kind]
        missing = [name for name in wanted if getattr(self, name) is None]
        extra = [name for name in _EMPTY if name not in wanted and getattr(self, name) is not None]
        if missing or extra:
            raise ValueError(f"{self.kind} takes {', '.join(wanted)} (missing: {missing}, not taken: {extra})")
        return self

    def change(self) -> AmendmentTerms:
        """Only what the amendment changes (the kind and its fields)."""
        return AmendmentTerms.model_validate(self.model_dump(include={"kind", *KIND_FIELDS[self.kind]}))


class AmendmentIn(AmendmentTerms):
    """An amendment a party is about to sign: what it changes and who signs."""

    signer: Address

    model_config = ConfigDict(
        json_schema_extra={"examples": [{**_EMPTY, **EXAMPLE_EXTENSION, "signer": FREELANCER}]}, extra="forbid"
    )


class AmendmentSignatureIn(AmendmentIn):
    """A party's signature of the payload `…/amendments/payload` gave (its expiry as there)."""

    expiry: int = Field(ge=0, description="Unix time, as in the payload signed.")
    signature: Signature

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    **_EMPTY,
                    **EXAMPLE_EXTENSION,
                    "signer": FREELANCER,
                    "expiry": SETTLEMENT_EXPIRY,
                    "signature": EXTEND_SIGNATURE,
                }
            ]
        },
        extra="forbid",
    )


class AmendmentOut(AmendmentTerms):
    """A pending amendment: signed by `signer` at the job's current nonce, until `expiry`; `sender` agrees to it by
    sending it (`funding`: what the client pays then, for added milestones)."""

    signer: str
    role: str
    sender: str = Field(
        description="The party who agrees by sending it: the other one (for added milestones, the client)."
    )
    nonce: int
    expiry: int
    signature: str
    funding: str | None = Field(description="add_milestones: what sending it takes from the client, base units.")
    signed_at: datetime

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    **_EMPTY,
                    **EXAMPLE_EXTENSION,
                    "signer": FREELANCER,
                    "role": "freelancer",
                    "sender": CLIENT,
                    "nonce": 1,
                    "expiry": SETTLEMENT_EXPIRY,
                    "signature": EXTEND_SIGNATURE,
                    "funding": None,
                    "signed_at": "2026-12-10T09:30:00Z",
                },
                {
                    **_EMPTY,
                    **EXAMPLE_ADDITION,
                    "signer": FREELANCER,
                    "role": "freelancer",
                    "sender": CLIENT,
                    "nonce": 1,
                    "expiry": SETTLEMENT_EXPIRY,
                    "signature": ADD_SIGNATURE,
                    "funding": "250000000",
                    "signed_at": "2026-12-10T09:30:00Z",
                },
                {
                    **_EMPTY,
                    **EXAMPLE_DEDUCTION,
                    "signer": CLIENT,
                    "role": "client",
                    "sender": FREELANCER,
                    "nonce": 1,
                    "expiry": SETTLEMENT_EXPIRY,
                    "signature": DEDUCTION_SIGNATURE,
                    "funding": None,
                    "signed_at": "2026-12-10T09:30:00Z",
                },
            ]
        }
    )


class ExtendDeadlineRequest(SenderRequest):
    """Agree to the other party's signed extension: send `extend_deadline` (延期)."""

    milestone: int = Field(ge=0, lt=50)
    new_duration: Duration

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"sender": CLIENT, "job_id": CHAIN_JOB_ID, "milestone": 1, "new_duration": DURATIONS[1] + 7 * 86_400}
            ]
        }
    )

    def change(self) -> AmendmentTerms:
        return AmendmentTerms(kind="extend_deadline", milestone=self.milestone, new_duration=self.new_duration)


class AddMilestonesRequest(SenderRequest):
    """The client agrees to the freelancer's signed milestones: send `add_milestones`, funding `fund_count`."""

    milestones: list[MilestoneTerms] = Field(min_length=1, max_length=50)
    fund_count: int = Field(ge=0, le=50)

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "sender": CLIENT,
                    "job_id": CHAIN_JOB_ID,
                    "milestones": EXAMPLE_ADDITION["milestones"],
                    "fund_count": 1,
                }
            ]
        }
    )

    def change(self) -> AmendmentTerms:
        return AmendmentTerms(kind="add_milestones", milestones=self.milestones, fund_count=self.fund_count)


class DeductionRequest(SenderRequest):
    """Agree to the other party's signed deduction: send `accept_with_deduction` (扣款验收)."""

    milestone: int = Field(ge=0, lt=50)
    freelancer_bps: int = Field(ge=0, le=10_000)

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"sender": FREELANCER, "job_id": CHAIN_JOB_ID, "milestone": 1, "freelancer_bps": 8000}]
        }
    )

    def change(self) -> AmendmentTerms:
        return AmendmentTerms(kind="deduction", milestone=self.milestone, freelancer_bps=self.freelancer_bps)


def message_fields(change: AmendmentTerms) -> dict[str, Any]:
    """The EIP-712 message fields of an amendment besides jobId, nonce and expiry."""
    if change.kind == "extend_deadline":
        return {"milestone": change.milestone, "newDuration": change.new_duration}
    if change.kind == "deduction":
        return {"milestone": change.milestone, "freelancerBps": change.freelancer_bps}
    assert change.milestones is not None
    return {
        "milestones": [{"amount": int(m.amount), "duration": m.duration} for m in change.milestones],
        "fundCount": change.fund_count,
    }
