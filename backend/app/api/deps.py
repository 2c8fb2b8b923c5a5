"""Dependencies routes declare in their signatures; authentication failures are raised here."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from backend.app.core.config import Settings
from backend.app.core.deployments import DeploymentError, load_deployment
from backend.app.core.networks import network_named
from backend.app.core.tokens import TokenList, listed_tokens
from backend.app.models.user import User
from backend.app.services import auth
from backend.app.services.chain import ChainGateway, connect_chain
from backend.app.services.errors import ChainUnavailable, NotAllowed, NotSignedIn

SESSION_COOKIE = auth.SESSION_COOKIE


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


def _lazy_chain(request: Request) -> Callable[[], ChainGateway]:
    """The chain gateway on demand: for routes that need the chain only on some paths (ChainUnavailable then)."""
    return lambda: _chain(request)


def _tokens(request: Request) -> TokenList:
    """The tokens money may be named in: the connected chain's (checked against it at connect), else those the
    configuration lists for the network (a deployment's own token only when its deployments file is readable)."""
    gateway = chain_or_error(request)
    if not isinstance(gateway, ChainUnavailable):
        return gateway.tokens
    settings: Settings = request.app.state.settings
    try:
        deployment = load_deployment(settings.deployments_file, settings.chain_id)
    except DeploymentError:
        deployment = None
    return listed_tokens(network_named(settings.network), deployment)


SessionDep = Annotated[Session, Depends(_session)]
SettingsDep = Annotated[Settings, Depends(_settings)]
ChainDep = Annotated[ChainGateway, Depends(_chain)]
LazyChainDep = Annotated[Callable[[], ChainGateway], Depends(_lazy_chain)]
TokensDep = Annotated[TokenList, Depends(_tokens)]


def _sign_in_policy(request: Request, settings: SettingsDep) -> auth.SignInPolicy:
    """Domain, URI and chain a sign-in message must name (settings first, the request as fallback)."""
    chain_id = settings.siwe_chain_id
    if chain_id is None:
        chain_id = _chain(request).chain_id
    return auth.SignInPolicy(
        domain=settings.siwe_domain or request.url.netloc,
        uri=settings.siwe_uri or str(request.base_url).rstrip("/"),
        chain_id=chain_id,
        nonce_ttl=timedelta(seconds=settings.nonce_ttl_seconds),
        session_ttl=timedelta(seconds=settings.session_ttl_seconds),
    )


SignInPolicyDep = Annotated[auth.SignInPolicy, Depends(_sign_in_policy)]


def optional_user(request: Request, session: SessionDep) -> User | None:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    return auth.user_for_token(session, token=token)


def signed_in_address(request: Request, connection: Connection) -> str | None:
    """The signed-in caller's address, or None, for a route that reads through a bare connection."""
    if not request.cookies.get(SESSION_COOKIE):
        return None
    with Session(bind=connection) as session:
        user = optional_user(request, session)
        return None if user is None else user.address


def _current_user(user: Annotated[User | None, Depends(optional_user)]) -> User:
    if user is None:
        raise NotSignedIn("sign in with your wallet first (POST /api/auth/nonce, then /api/auth/verify)")
    return user


OptionalUser = Annotated[User | None, Depends(optional_user)]
CurrentUser = Annotated[User, Depends(_current_user)]


def _moderator(user: CurrentUser, settings: SettingsDep) -> User:
    if not settings.is_moderator(user.address):
        raise NotAllowed("only moderators may do this")
    return user


Moderator = Annotated[User, Depends(_moderator)]
