"""The chain as the backend sees it: the deployment, the tokens jobs pay in, a web3 client and contract objects."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from eth_utils import event_abi_to_log_topic
from web3 import HTTPProvider, Web3
from web3.contract import Contract

from backend.app.core.config import Settings
from backend.app.core.contracts import load_abi
from backend.app.core.deployments import Deployment, DeploymentError, load_deployment
from backend.app.core.networks import network_named
from backend.app.core.tokens import Token, TokenList, listed_tokens
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
    tokens: TokenList  # checked against the chain at connect
    erc20_abi: list[dict[str, object]] = field(hash=False, compare=False)
    job_created_topic: str
    hiring: HiringDefaults
    signature_ttl: int  # seconds a settlement or amendment signature stays good (its expiry)

    @property
    def chain_id(self) -> int:
        return self.deployment.chain_id

    def token_contract(self, token: Token | str) -> Contract:
        """An ERC-20 contract object for a listed token (not the native currency)."""
        address = token.address if isinstance(token, Token) else token
        return self.w3.eth.contract(address=address, abi=self.erc20_abi)

    @property
    def default_token(self) -> Token:
        """The token forms offer first (config/tokens.toml's first for this network)."""
        return self.tokens.default

    @property
    def token(self) -> Contract:
        """The contract of the first listed ERC-20 (jUSD on a local chain); IndexError when none is listed."""
        return self.token_contract(self.tokens.erc20[0])


def check_tokens(w3: Web3, tokens: TokenList, abi: list[dict[str, object]]) -> None:
    """Each listed ERC-20's symbol and decimals, read from its contract, must be the configured ones."""
    for token in tokens.erc20:
        contract = w3.eth.contract(address=token.address, abi=abi)
        try:
            symbol, decimals = contract.functions.symbol().call(), contract.functions.decimals().call()
        except Exception as error:  # connection refused, no contract at the address
            raise ChainUnavailable(f"cannot read the token {token.label} on {tokens.network}: {error}") from error
        if (symbol, decimals) != (token.symbol, token.decimals):
            raise ChainUnavailable(
                f"config/tokens.toml lists {token.symbol} with {token.decimals} decimals at {token.address} on "
                f"{tokens.network}, but that contract says {symbol!r} with {decimals} decimals"
            )


def connect_chain(settings: Settings) -> ChainGateway:
    """Contracts bound to the deployment; raises ChainUnavailable if it cannot be read."""
    try:
        deployment = load_deployment(settings.deployments_file, settings.chain_id)
        escrow_abi = load_abi(settings.build_manifest, "Escrow")
        token_abi = load_abi(settings.build_manifest, "TestToken")  # ERC-20 + EIP-2612, as every listed token
    except DeploymentError as error:
        raise ChainUnavailable(str(error)) from error
    w3 = Web3(HTTPProvider(settings.rpc_url, request_kwargs={"timeout": 5}))
    tokens = listed_tokens(network_named(settings.network), deployment)
    check_tokens(w3, tokens, token_abi)
    job_created = next(e for e in escrow_abi if e["type"] == "event" and e["name"] == "JobCreated")
    return ChainGateway(
        deployment=deployment,
        w3=w3,
        escrow=w3.eth.contract(address=deployment.get("Escrow").address, abi=escrow_abi),
        tokens=tokens,
        erc20_abi=token_abi,
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
