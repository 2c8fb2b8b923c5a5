"""Dependencies routes declare in their signatures."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from backend.app.core.config import Settings
from backend.app.services.chain import ChainGateway, connect_chain
from backend.app.services.errors import ChainUnavailable


def _session(request: Request) -> Iterator[Session]:
    with request.app.state.sessions() as session:
        yield session


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def chain_or_error(request: Request) -> ChainGateway | ChainUnavailable:
    """The chain gateway, connected on first use (the deployment may appear after start-up)."""
    state = request.app.state
    if state.chain is None:
        try:
            state.chain = connect_chain(state.settings)
        except ChainUnavailable as error:
            return error
    gateway: ChainGateway = state.chain
    return gateway


def _chain(request: Request) -> ChainGateway:
    gateway = chain_or_error(request)
    if isinstance(gateway, ChainUnavailable):
        raise gateway
    return gateway


SessionDep = Annotated[Session, Depends(_session)]
SettingsDep = Annotated[Settings, Depends(_settings)]
ChainDep = Annotated[ChainGateway, Depends(_chain)]
