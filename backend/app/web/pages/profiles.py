"""Profiles: a freelancer's or client's public page (skills, proven skills, record) and the form to edit
one's own."""

from __future__ import annotations

from eth_utils import is_address, to_checksum_address
from fastapi import APIRouter
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from backend.app.services import profiles, tokens
from backend.app.services.errors import NotFound
from backend.app.services.units import format_units
from backend.app.web.page import PageDep

router = APIRouter(include_in_schema=False)


@router.get("/profiles/{address}", response_class=HTMLResponse)
def profile_page(address: str, page: PageDep) -> Response:
    try:
        profile = profiles.profile_out(page.session, profiles.get_profile(page.session, address=address))
    except NotFound as missing:
        if page.viewer is not None and is_address(address) and to_checksum_address(address) == page.viewer:
            return RedirectResponse("/me/profile", status_code=303)  # no profile yet: write one
        return page.not_found(missing.detail)
    proven = {s.tag: s.jobs for s in profile.proven_skills}
    skills = [{"tag": tag, "proven": proven.get(tag, 0)} for tag in profile.skills]
    skills += [{"tag": tag, "proven": jobs} for tag, jobs in proven.items() if tag not in profile.skills]
    return page.render(
        "profile.html",
        profile=profile,
        skills=skills,
        is_self=page.viewer == profile.address,
        can_report=page.viewer is not None and page.viewer != profile.address,
        rate_label=page.token_symbol(profile.rate_token),
        earned=profile.record.earned,
        spent=profile.record.spent,
    )


@router.get("/me/profile", response_class=HTMLResponse)
def edit_profile(page: PageDep) -> HTMLResponse:
    profile = None
    if page.viewer is not None:
        try:
            profile = profiles.profile_out(page.session, profiles.get_profile(page.session, address=page.viewer))
        except NotFound:
            profile = None  # the form creates it
    rate = ""
    if profile is not None and profile.hourly_rate is not None:
        token = profile.rate_token or page.chain.default_token.address
        rate = format_units(int(profile.hourly_rate), tokens.describe(page.chain, token).decimals).replace(",", "")
    return page.render("profile_form.html", profile=profile, rate_text=rate)
