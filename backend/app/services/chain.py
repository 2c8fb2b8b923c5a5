"""The chain as the backend sees it: the deployment, a web3 client and contract objects."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from eth_utils import event_abi_to_log_topic
from web3 import HTTPProvider, Web3
from web3.contract import Contract

from backend.app.core.config import Settings
from backend.app.core.contracts import load_abi
from backend.app.core.deployments import Deployment, DeploymentError, load_deployment
from backend.app.services.errors import ChainUnavailable


@dataclass(frozen=True)
class HiringDefaults:
    """Terms for jobs hired from a proposal or a service order (from the settings)."""

    arbiter: str | None
    arbiter_fee_bps: int
    review_period: int
    ruling_window: int
    milestone_days: int
    offer_ttl: int  # seconds a consent stays good (its offer_expiry)


@dataclass(frozen=True)
class ChainGateway:
    deployment: Deployment
    w3: Web3
    escrow: Contract
    token: Contract
    token_symbol: str
    token_decimals: int
    job_created_topic: str
    hiring: HiringDefaults
    signature_ttl: int  # seconds a settlement or amendment signature stays good (its expiry)

    @property
    def chain_id(self) -> int:
        return self.deployment.chain_id


def connect_chain(settings: Settings) -> ChainGateway:
    """Contracts bound to the deployment; raises ChainUnavailable if it cannot be read."""
    try:
        deployment = load_deployment(settings.deployments_file, settings.chain_id)
        escrow_abi = load_abi(settings.build_manifest, "Escrow")
        token_abi = load_abi(settings.build_manifest, "TestToken")
    except DeploymentError as error:
        raise ChainUnavailable(str(error)) from error
    w3 = Web3(HTTPProvider(settings.rpc_url, request_kwargs={"timeout": 5}))
    token = w3.eth.contract(address=deployment.get("TestToken").address, abi=token_abi)
    try:
        symbol = token.functions.symbol().call()
        decimals = token.functions.decimals().call()
    except Exception as error:  # connection refused, no contract at the address
        raise ChainUnavailable(f"cannot read the payment token at {settings.rpc_url}: {error}") from error
    job_created = next(e for e in escrow_abi if e["type"] == "event" and e["name"] == "JobCreated")
    return ChainGateway(
        deployment=deployment,
        w3=w3,
        escrow=w3.eth.contract(address=deployment.get("Escrow").address, abi=escrow_abi),
        token=token,
        token_symbol=symbol,
        token_decimals=decimals,
        job_created_topic="0x" + event_abi_to_log_topic(job_created).hex(),
        hiring=HiringDefaults(
            arbiter=settings.default_arbiter,
            arbiter_fee_bps=settings.default_arbiter_fee_bps,
            review_period=settings.default_review_period,
            ruling_window=settings.default_ruling_window,
            milestone_days=settings.default_milestone_days,
            offer_ttl=settings.offer_ttl_seconds,
        ),
        signature_ttl=settings.signature_ttl_seconds,
    )


def chain_now(chain: ChainGateway) -> datetime:
    """The chain's time (its latest block), which is what the escrow's deadlines and expiries are measured in."""
    try:
        timestamp = chain.w3.eth.get_block("latest")["timestamp"]
    except Exception as error:  # connection refused, timeout
        raise ChainUnavailable(f"cannot read the chain's time: {error}") from error
    return datetime.fromtimestamp(timestamp, UTC)
