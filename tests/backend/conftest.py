from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from eth_account import Account
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from backend.app.core.config import Settings
from backend.app.main import create_app
from backend.app.services.chain import ChainGateway, connect_chain
from tests.conftest import BUILD_MANIFEST
from tests.support.chain import LocalChain, wallet
from tests.support.factories import published_post
from tests.support.siwe import DOMAIN, URI, key_of, sign_in

MODERATOR_KEY = "0x" + "4d" * 32  # a throwaway key named as moderator in the test settings


@pytest.fixture
def settings(local_chain: LocalChain, database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=database_url,
        rpc_url=local_chain.rpc_url,
        deployments_file=local_chain.deployments_file,
        build_manifest=BUILD_MANIFEST,
        poll_interval=0.1,
        siwe_domain=DOMAIN,
        siwe_uri=URI,
        files_dir=tmp_path / "files",
        max_upload_bytes=64 * 1024,
        moderators=[Account.from_key(MODERATOR_KEY).address],
        default_arbiter=wallet("arbiter"),
    )


@pytest.fixture
def app(settings: Settings) -> Iterator[FastAPI]:
    application = create_app(settings)
    yield application
    application.state.point_reads.dispose()
    application.state.engine.dispose()


@pytest.fixture
def api(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as client:
        yield client


@pytest.fixture
def db(app: FastAPI) -> Iterator[Session]:
    """A session on the test database, for arranging rows the indexer would write."""
    with app.state.sessions() as session:
        yield session


@pytest.fixture
def gateway(settings: Settings) -> ChainGateway:
    return connect_chain(settings)


@pytest.fixture
def client_as(app: FastAPI) -> Iterator[Callable[[str], TestClient]]:
    """`client_as("client")`: a TestClient signed in with that demo wallet (or 'stranger', 'moderator')."""
    opened: list[TestClient] = []
    strangers: dict[str, str] = {}

    def make(role: str) -> TestClient:
        client = TestClient(app)
        client.__enter__()
        opened.append(client)
        if role == "moderator":
            key = MODERATOR_KEY
        elif role.startswith("stranger"):
            key = strangers.setdefault(role, "0x" + Account.create().key.hex().removeprefix("0x"))
        else:
            key = key_of(role)
        sign_in(client, key)
        return client

    yield make
    for client in opened:
        client.__exit__(None, None, None)


@pytest.fixture
def thread(client_as: Callable[[str], TestClient]) -> tuple[TestClient, TestClient, dict]:
    """A published job, and the freelancer's thread with its client: (client, freelancer, thread)."""
    client, freelancer = client_as("client"), client_as("freelancer")
    post = published_post(client)
    response = freelancer.post(f"/api/job-posts/{post['id']}/threads", json={})
    assert response.status_code == 200, response.text
    return client, freelancer, response.json()
