"""A wallet's live position in a listed token."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from backend.app.api.deps import ChainDep
from backend.app.api.problem_responses import PROBLEM_RESPONSES
from backend.app.schemas.tx import Address
from backend.app.schemas.wallet import TokenPosition
from backend.app.services import tokens, wallets

router = APIRouter(responses=PROBLEM_RESPONSES, prefix="/api/wallets", tags=["wallets"])


@router.get("/{owner}/token", response_model=TokenPosition)
def token_position(
    owner: Annotated[Address, Path(description="The wallet's address")],
    chain: ChainDep,
    token: Annotated[
        Address | None,
        Query(description="A listed token (the zero address: the native currency); unset: the first listed."),
    ] = None,
) -> TokenPosition:
    """Balance of a listed token and the escrow's allowance, read live from the chain; 422 for a token the
    network does not list."""
    return wallets.token_position(chain, owner=owner, token=tokens.accepted(chain, token).address if token else None)
