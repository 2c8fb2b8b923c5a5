"""The one dependency every page takes: the request, the database session, the settings, the chain and
the signed-in viewer, and how a page answers (a rendered template, or the not-found page).

    @router.get("/escrow", response_class=HTMLResponse)
    def escrow_jobs(page: PageDep) -> HTMLResponse:
        return page.render("jobs.html", jobs=...)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from backend.app.api.deps import ChainDep, OptionalUser, SessionDep, SettingsDep
from backend.app.core.config import Settings
from backend.app.core.tokens import NATIVE
from backend.app.services import notifications, profiles, tokens
from backend.app.services.chain import ChainGateway
from backend.app.services.errors import NotFound
from backend.app.web.templating import templates


@dataclass(frozen=True)
class Page:
    """What a page request carries. `viewer` is the signed-in address (None: signed out)."""

    request: Request
    session: Session
    settings: Settings
    chain: ChainGateway
    viewer: str | None

    def render(self, template: str, *, status_code: int = 200, **context: Any) -> HTMLResponse:
        """The template with the chain's globals, the header's account and `context`."""
        full = {**self._chain_globals(), "me": self._header_account(), **context}
        return templates.TemplateResponse(self.request, template, full, status_code=status_code)

    def not_found(self, detail: str) -> HTMLResponse:
        return self.render("not_found.html", status_code=404, detail=detail)

    def token_symbol(self, token: str | None) -> str:
        """A token's symbol ("" for none)."""
        return tokens.describe(self.chain, token).symbol if token else ""

    def money_of(self, token: str) -> dict[str, object]:
        """The page's money context for `token` (a listing's, a job's): what `data-token*` on the body and the
        amount labels say, instead of the network's first listed token."""
        info = tokens.describe(self.chain, token)
        return {
            "token": token,
            "token_symbol": info.symbol,
            "token_decimals": info.decimals,
            "token_native": token == NATIVE,
        }

    def _chain_globals(self) -> dict[str, object]:
        chain = self.chain
        return {
            "chain_id": chain.chain_id,
            "escrow": chain.escrow.address,
            **self.money_of(chain.default_token.address),
            "listed_tokens": chain.tokens.tokens,
            "job_created_topic": chain.job_created_topic,
            # {{ money(amount, token) }} → "12.5 jUSD": any token's decimals and symbol (the first listed by default)
            "money": lambda amount, token=None: tokens.describe(chain, token or chain.default_token.address).amount(
                amount or 0
            ),
        }

    def _header_account(self) -> dict[str, Any] | None:
        """The signed-in account as the header shows it (None: signed out)."""
        if self.viewer is None:
            return None
        try:
            name = profiles.get_profile(self.session, address=self.viewer).display_name
        except NotFound:
            name = None
        return {
            "address": self.viewer,
            "name": name,
            "is_moderator": self.settings.is_moderator(self.viewer),
            "unread": notifications.unread_count(self.session, address=self.viewer),
        }


def _page(request: Request, session: SessionDep, settings: SettingsDep, chain: ChainDep, user: OptionalUser) -> Page:
    return Page(request, session, settings, chain, None if user is None else user.address)


PageDep = Annotated[Page, Depends(_page)]
