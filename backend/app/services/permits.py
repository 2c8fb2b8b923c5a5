"""EIP-2612 permits: the client signs the escrow's allowance instead of sending an approve transaction, and
`create_job_with_permit` spends the signature in the same call that creates and funds the job.

The token's EIP-712 domain is read from the token (EIP-5267 `eip712Domain()`, else `name()` + `version()`)
and held against its own `DOMAIN_SEPARATOR()` before anyone is asked to sign: a domain guessed wrong
would give a signature the token refuses, and the escrow would then fall back to an allowance that is
not there.
"""

from __future__ import annotations

from typing import Any

from backend.app.core.escrow_terms import EIP712_DOMAIN_FIELDS, Terms, eip712_domain_separator
from backend.app.core.tokens import Token
from backend.app.services import signatures
from backend.app.services.chain import ChainGateway
from backend.app.services.errors import ChainUnavailable, Conflict

_PERMIT_FIELDS = [
    {"name": "owner", "type": "address"},
    {"name": "spender", "type": "address"},
    {"name": "value", "type": "uint256"},
    {"name": "nonce", "type": "uint256"},
    {"name": "deadline", "type": "uint256"},
]
_ABI = [
    {
        "name": "eip712Domain",
        "type": "function",
        "stateMutability": "view",
        "inputs": [],
        "outputs": [
            {"name": "fields", "type": "bytes1"},
            {"name": "name", "type": "string"},
            {"name": "version", "type": "string"},
            {"name": "chainId", "type": "uint256"},
            {"name": "verifyingContract", "type": "address"},
            {"name": "salt", "type": "bytes32"},
            {"name": "extensions", "type": "uint256[]"},
        ],
    },
    *[
        {"name": name, "type": "function", "stateMutability": "view", "inputs": inputs, "outputs": [{"type": kind}]}
        for name, inputs, kind in (
            ("name", [], "string"),
            ("version", [], "string"),
            ("DOMAIN_SEPARATOR", [], "bytes32"),
            ("nonces", [{"name": "owner", "type": "address"}], "uint256"),
        )
    ],
]


def token_domain(chain: ChainGateway, token: Token) -> dict[str, Any]:
    """The token's EIP-712 domain, confirmed by its DOMAIN_SEPARATOR(); a 409 when it cannot be (approve then)."""
    contract = chain.w3.eth.contract(address=token.address, abi=_ABI)
    try:
        separator = bytes(contract.functions.DOMAIN_SEPARATOR().call())
    except Exception as error:  # connection refused, or no such function
        raise ChainUnavailable(f"cannot read {token.symbol}'s permit domain: {error}") from error
    try:
        _, name, version, *_ = contract.functions.eip712Domain().call()
    except Exception:  # noqa: BLE001 - no EIP-5267: the pre-5267 name() and version() (USDC's way)
        try:
            name, version = contract.functions.name().call(), contract.functions.version().call()
        except Exception as error:  # noqa: BLE001
            raise Conflict(f"{token.symbol} names no EIP-712 domain: approve the allowance instead") from error
    domain = {"name": name, "version": version, "chainId": chain.chain_id, "verifyingContract": token.address}
    if eip712_domain_separator(name, version, chain.chain_id, token.address) != separator:
        raise Conflict(f"{token.symbol}'s permit domain is not the standard one: approve the allowance instead")
    return domain


def permit_typed_data(chain: ChainGateway, *, token: Token, owner: str, value: int, deadline: int) -> dict[str, Any]:
    """What the owner signs (`eth_signTypedData_v4`) to let the escrow take `value` until `deadline`, at the
    owner's current permit nonce (integers as decimal strings, as wallets take them)."""
    domain = token_domain(chain, token)
    contract = chain.w3.eth.contract(address=token.address, abi=_ABI)
    try:
        nonce = contract.functions.nonces(owner).call()
    except Exception as error:  # connection refused, timeout
        raise ChainUnavailable(f"cannot read {owner}'s permit nonce: {error}") from error
    message = {
        "owner": owner,
        "spender": chain.escrow.address,
        "value": str(value),
        "nonce": str(nonce),
        "deadline": str(deadline),
    }
    return {
        "types": {"EIP712Domain": EIP712_DOMAIN_FIELDS, "Permit": _PERMIT_FIELDS},
        "primaryType": "Permit",
        "domain": domain,
        "message": message,
    }


def permit_token(chain: ChainGateway, terms: Terms) -> Token | None:
    """The job's token when it is listed as taking permits, else None (an allowance is needed)."""
    token = chain.tokens.find(terms.token)
    return token if token is not None and token.permit and not token.native else None


def require_permit_signature(
    chain: ChainGateway, *, token: Token, terms: Terms, value: int, deadline: int, signature: str
) -> tuple[int, bytes, bytes]:
    """The (v, r, s) of the client's permit of `token` (the job's, `permit_token`), once it is the client's
    (422 otherwise)."""
    payload = permit_typed_data(chain, token=token, owner=terms.client, value=value, deadline=deadline)
    signatures.require_signer(chain, payload=payload, signer=terms.client, signature=signature, what="permit")
    raw = bytes.fromhex(signature.removeprefix("0x"))
    if len(raw) != 65:
        raise Conflict("a permit takes a 65-byte signature (an EOA's): approve the allowance instead")
    v = raw[64] if raw[64] >= 27 else raw[64] + 27
    return v, raw[:32], raw[32:64]
