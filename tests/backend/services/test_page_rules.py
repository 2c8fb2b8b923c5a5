"""The rules the pages show, as functions: amounts typed in forms, which buttons a listing's viewer gets,
how the owner may answer a proposal, how a listing is named to someone who may not see it."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backend.app.schemas.job_post import JobPostOut
from backend.app.schemas.proposal import ProposalOut
from backend.app.services import display_names, post_actions
from backend.app.services.units import format_units, parse_units

CLIENT = "0x" + "c1" * 20
FREELANCER = "0x" + "f1" * 20
OTHER = "0x" + "0e" * 20
T = datetime(2027, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "decimals", "units"),
    [
        ("12.5", 6, 12_500_000),
        (" 3 ", 6, 3_000_000),
        ("0.000001", 6, 1),
        ("1e3", 2, 100_000),
        ("7", 0, 7),
        ("", 6, None),
    ],
)
def test_parse_units__decimal_text_becomes_base_units(text, decimals, units):
    assert parse_units(text, decimals) == units


@pytest.mark.parametrize("text", ["-1", "0.0000001", "twelve", "NaN", "Infinity", "1,5"])
def test_parse_units__anything_but_a_representable_amount_is_refused_with_words(text):
    with pytest.raises(ValueError, match="is not an amount"):
        parse_units(text, 6)


@given(st.integers(min_value=0, max_value=10**30), st.integers(min_value=0, max_value=18))
def test_parse_units__reads_back_what_format_units_shows__and_agrees_with_decimal_arithmetic(amount, decimals):
    shown = format_units(amount, decimals).replace(",", "")
    assert parse_units(shown, decimals) == amount
    assert Decimal(shown) * 10**decimals == amount  # the shown text is the amount, by plain decimal arithmetic


def _post(status: str, *, chain=None) -> JobPostOut:
    return JobPostOut.model_validate(
        {
            "id": 7, "client": CLIENT, "status": status, "title": "Logo", "description": "", "description_html": "",
            "category": "design", "skills": [], "budget": "3", "token": OTHER, "deadline": None, "milestones": [],
            "canonical_json": "{}", "metadata_hash": "0x" + "00" * 32, "chain": chain, "hash_mismatch": False,
            "created_at": T, "updated_at": T, "published_at": None,
        }
    )  # fmt: skip


def _proposal(status: str, *, consent: bool = False) -> ProposalOut:
    proposal = ProposalOut.model_construct(id=3, job_post_id=7, freelancer=FREELANCER, status=status)
    object.__setattr__(proposal, "consent_terms", object() if consent else None)
    return proposal


def test_listing_actions__the_owner_edits_publishes_and_closes__only_while_the_listing_is_open():
    draft = post_actions.listing_actions(_post("draft"), viewer=CLIENT, own_proposal=None)
    assert (draft.is_owner, draft.can_edit, draft.can_publish, draft.can_close) == (True, True, True, True)
    published = post_actions.listing_actions(_post("published"), viewer=CLIENT, own_proposal=None)
    assert (published.can_edit, published.can_publish, published.can_close) == (True, False, True)
    for status in ("hired", "closed"):
        ended = post_actions.listing_actions(_post(status), viewer=CLIENT, own_proposal=None)
        assert not (ended.can_edit or ended.can_publish or ended.can_close)
    assert not (published.can_propose or published.can_message_client or published.can_report)


def test_listing_actions__a_freelancer_proposes_once_to_a_published_listing__a_visitor_is_asked_to_sign_in():
    fresh = post_actions.listing_actions(_post("published"), viewer=FREELANCER, own_proposal=None)
    assert (fresh.can_propose, fresh.can_message_client, fresh.can_report, fresh.is_owner) == (True, True, True, False)
    sent = post_actions.listing_actions(_post("published"), viewer=FREELANCER, own_proposal=_proposal("submitted"))
    assert not sent.can_propose and sent.needs_consent
    consented = post_actions.listing_actions(
        _post("published"), viewer=FREELANCER, own_proposal=_proposal("shortlisted", consent=True)
    )
    assert not consented.needs_consent
    hired = post_actions.listing_actions(_post("hired"), viewer=FREELANCER, own_proposal=None)
    assert not (hired.can_propose or hired.can_message_client) and hired.can_report
    visitor = post_actions.listing_actions(_post("published"), viewer=None, own_proposal=None)
    assert visitor.sign_in_to_propose and not (visitor.can_propose or visitor.can_report)
    assert not post_actions.listing_actions(_post("closed"), viewer=None, own_proposal=None).sign_in_to_propose


@pytest.mark.parametrize(
    ("post_status", "proposal_status", "hired_job", "label", "shortlist", "decline"),
    [
        ("published", "submitted", False, "Accept and fund", True, True),
        ("published", "shortlisted", False, "Accept and fund", False, True),
        ("hired", "accepted", False, "Create and fund the escrow", False, False),  # an abandoned hire
        ("hired", "accepted", True, None, False, False),  # its escrow job exists
        ("hired", "declined", False, None, False, False),
        ("closed", "submitted", False, None, True, True),
    ],
)
def test_proposal_actions__accept_while_open__create_the_escrow_of_an_abandoned_hire(
    post_status, proposal_status, hired_job, label, shortlist, decline
):
    post = _post(post_status)
    if hired_job:
        post = post.model_copy(update={"chain": object()})
    actions = post_actions.proposal_actions(post, _proposal(proposal_status))
    assert (actions.accept_label, actions.can_shortlist, actions.can_decline) == (label, shortlist, decline)


def test_listing_name__a_title_in_quotes__a_listing_the_reader_may_not_see_by_its_number():
    assert display_names.listing({7: "Logo"}, 7) == "“Logo”"
    assert display_names.listing({7: "Logo"}, 8) == "job post 8"
