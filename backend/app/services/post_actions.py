"""What a viewer may do on a listing's page: the owner edits, publishes, closes and answers proposals; a
signed-in freelancer proposes, messages the client and reports; a visitor is asked to sign in. The page
shows exactly these buttons; the API enforces the same rules again on every call.
"""

from __future__ import annotations

from dataclasses import dataclass

from backend.app.schemas.job_post import JobPostOut
from backend.app.schemas.proposal import ProposalOut
from backend.app.services import job_posts, proposals


@dataclass(frozen=True)
class ListingActions:
    """The listing's buttons for one viewer."""

    is_owner: bool
    can_edit: bool
    can_publish: bool
    can_close: bool
    can_propose: bool
    can_message_client: bool
    can_report: bool
    sign_in_to_propose: bool
    needs_consent: bool  # the viewer's own open proposal has no signed consent to its terms yet


def listing_actions(post: JobPostOut, *, viewer: str | None, own_proposal: ProposalOut | None) -> ListingActions:
    is_owner = viewer == post.client
    editable = post.status in job_posts.EDITABLE
    published = post.status == "published"
    other = viewer is not None and not is_owner
    return ListingActions(
        is_owner=is_owner,
        can_edit=is_owner and editable,
        can_publish=is_owner and post.status == "draft",
        can_close=is_owner and editable,
        can_propose=other and published and own_proposal is None,
        can_message_client=other and published,
        can_report=other,
        sign_in_to_propose=viewer is None and published,
        needs_consent=own_proposal is not None
        and own_proposal.status in proposals.OPEN
        and own_proposal.consent_terms is None,
    )


@dataclass(frozen=True)
class ProposalActions:
    """The owner's buttons on one proposal received for the listing."""

    proposal: ProposalOut
    can_shortlist: bool
    can_decline: bool
    accept_label: str | None  # None: no accept button


def proposal_actions(post: JobPostOut, proposal: ProposalOut) -> ProposalActions:
    """Accepting hires and funds in one go while the listing is open; an accepted proposal whose escrow job
    was never created (the hire was abandoned) offers to create it."""
    accept_label = None
    if post.status == "published" and proposal.status in proposals.OPEN:
        accept_label = "Accept and fund"
    elif proposal.status == "accepted" and post.chain is None:
        accept_label = "Create and fund the escrow"
    return ProposalActions(
        proposal=proposal,
        can_shortlist=proposal.status == "submitted",
        can_decline=proposal.status in proposals.OPEN,
        accept_label=accept_label,
    )
