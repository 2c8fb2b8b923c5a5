"""The tokens jobs pay in on the served network (config/tokens.toml, checked against the chain)."""

from __future__ import annotations

from fastapi import APIRouter

from backend.app.api.deps import ChainDep
from backend.app.api.problem_responses import PROBLEM_RESPONSES
from backend.app.schemas.wallet import ListedToken

router = APIRouter(responses=PROBLEM_RESPONSES, prefix="/api/tokens", tags=["wallets"])


@router.get("", response_model=list[ListedToken])
def listed_tokens(chain: ChainDep) -> list[ListedToken]:
    """Every token a listing, proposal, offer or job may name, the first the default, the native currency last."""
    return [ListedToken.of(token) for token in chain.tokens.tokens]
