"""A wallet's live position in the payment token."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from backend.app.api.deps import ChainDep
from backend.app.api.problem_responses import PROBLEM_RESPONSES
from backend.app.schemas.tx import Address
from backend.app.schemas.wallet import TokenPosition
from backend.app.services import wallets

router = APIRouter(responses=PROBLEM_RESPONSES, prefix="/api/wallets", tags=["wallets"])


@router.get("/{owner}/token", response_model=TokenPosition)
def token_position(
    owner: Annotated[Address, Path(description="The wallet's address")], chain: ChainDep
) -> TokenPosition:
    """Balance of the payment token and the escrow's allowance, read live from the chain."""
    return wallets.token_position(chain, owner=owner)
