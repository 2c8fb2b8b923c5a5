"""On-chain activity for tests, sent the way the browser does: backend-built, wallet-signed."""

from __future__ import annotations

from eth_utils import keccak
from web3 import Web3
from web3.logs import DISCARD

from backend.app.schemas.tx import CreateJobRequest, TokenApproveRequest, UnsignedTx
from backend.app.services import transactions
from backend.app.services.chain import ChainGateway
from tests.support.chain import send, wallet

UNIT = 10**6


def create_job(gateway: ChainGateway, w3: Web3, amounts: list[int], title: str = "A job") -> int:
    """The demo client hires the demo freelancer and funds every milestone; returns the job id."""
    client = wallet("client")
    send(w3, transactions.token_approve(gateway, TokenApproveRequest(owner=client, amount=str(sum(amounts)))))
    receipt = send(
        w3,
        transactions.create_job(
            gateway,
            CreateJobRequest(
                client=client,
                freelancer=wallet("freelancer"),
                amounts=[str(a) for a in amounts],
                metadata_hash="0x" + keccak(text=title).hex(),
            ),
        ),
    )
    [created] = gateway.escrow.events.JobCreated().process_receipt(receipt, errors=DISCARD)
    job_id: int = created["args"]["job_id"]
    return job_id


def release(gateway: ChainGateway, w3: Web3, job_id: int, milestone: int) -> None:
    """Release straight on the contract (no indexed-state check: the indexer may lag here)."""
    data = gateway.escrow.encode_abi("release_milestone", args=[job_id, milestone])
    send(
        w3,
        UnsignedTx(chain_id=gateway.chain_id, from_=wallet("client"), to=gateway.escrow.address, data=data),
    )
