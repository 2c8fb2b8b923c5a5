"""Seed a believable marketplace through the real flow: the API for everything off-chain, the chain for money.

Every person is one of Anvil's development accounts. Each signs in with Ethereum (an EIP-4361
message signed with its key, as a browser wallet does), writes its profile, posts and publishes
listings or sends proposals through the JSON API; a proposal carries its freelancer's EIP-712
consent to the escrow terms (escrow v2), signed with its key as the wallet would. Hiring is the
API's accept → the unsigned allowance and create-and-fund transactions, sent from the client's
wallet, so every on-chain job carries its listing's metadata hash. What happens next on the chain
(submit, approve, dispute, rulings, release and reclaim after a time jump, settlements, ratings)
is sent as the parties' own escrow calls, each presenting the job's terms. Nothing is written to
the database here: the indexer projects it all.

Transactions are sent without waiting for each receipt (Anvil mines each one as it arrives;
gas estimation fails loudly on a revert), so ~60 listings seed in seconds.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx
from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_utils import keccak
from web3 import Web3
from web3.contract import Contract
from web3.logs import DISCARD

from backend.app.core.contracts import load_abi
from backend.app.core.deployments import load_deployment
from backend.app.core.escrow_terms import Milestone, Terms, lowest_free_salt, typed_data
from launcher.demo_data import CLIENTS, FREELANCERS, LISTINGS, PROPOSAL_NOTES, Listing
from launcher.sign_in import verify_body

MNEMONIC = "test test test test test test test test test test test junk"  # Anvil's public dev mnemonic
UNIT = 10**6  # jUSD has 6 decimals
DAY = 86_400
CLIENT_MINT = 200_000  # whole jUSD minted to each extra client (the demo client got 1,000,000 at deploy)

# Anvil account indexes: 0 owner, 1 demo client, 2 demo freelancer, 3 arbiter (see launcher.stack.DEMO_WALLETS).
CLIENT_ACCOUNTS = [1, 4, 5, 6, 7, 8, 9]
FREELANCER_ACCOUNTS = [2, *range(10, 10 + len(FREELANCERS) - 1)]
ACCOUNTS_NEEDED = max(FREELANCER_ACCOUNTS) + 1
OWNER, ARBITER = 0, 3

# What happens to listing i (cycled): "open" stays a published listing with proposals; every other
# kind is hired through a proposal and played on the chain. The first three need the chain's clock
# moved past a review period, a ruling window and a deadline.
AFTER_TIME_JUMP = ("released", "reclaimed", "default-ruling")
STORY_CYCLE = (
    "open",
    "paid",
    "released",
    "funded",
    "resolved",
    "in-review",
    "open",
    "dispute",
    "settled",
    "reclaimed",
    "partly-paid",
    "paid",
    "open",
    "default-ruling",
    "in-review",
)
TIME_JUMP = 15 * DAY  # past the review period (3 d), the ruling window (7 d) and the first deadline (14 d)


def kind_of(index: int) -> str:
    return STORY_CYCLE[index % len(STORY_CYCLE)]


def account_key(index: int) -> str:
    """The private key of Anvil's `index`-th development account (public knowledge: local use only)."""
    Account.enable_unaudited_hdwallet_features()
    return Account.from_mnemonic(MNEMONIC, account_path=f"m/44'/60'/0'/0/{index}").key.hex()


@dataclass
class Person:
    """A demo wallet with its own signed-in API session."""

    index: int
    name: str
    key: str
    http: httpx.Client
    address: str = ""
    salts: set[int] = field(default_factory=set)  # the salts the API allotted this person's consents

    def __post_init__(self) -> None:
        self.address = Account.from_key(self.key).address

    def sign_in(self) -> None:
        nonce = self.call("POST", "/api/auth/nonce")
        self.call("POST", "/api/auth/verify", verify_body(nonce, self.key, expires_in=timedelta(minutes=10)))

    def sign_typed(self, payload: dict[str, Any]) -> str:
        """An EIP-712 signature of `payload` with this person's key, as `eth_signTypedData_v4` makes it."""
        signed = Account.sign_message(encode_typed_data(full_message=payload), self.key)
        return "0x" + bytes(signed.signature).hex()

    def call(self, method: str, path: str, body: object | None = None, **kwargs: Any) -> Any:
        response = self.http.request(method, path, json=body, **kwargs)
        if response.status_code >= 400:
            raise SeedError(f"{self.name}: {method} {path} → {response.status_code} {response.text[:300]}")
        return response.json() if response.content else None


class SeedError(RuntimeError):
    """A step of the seed was refused (by the API or the chain); the message says which."""


@dataclass
class Hired:
    """A listing hired on the chain: its job id, parties and the terms the escrow calls repeat."""

    listing: Listing
    kind: str
    client: Person
    freelancer: Person
    job_id: int = 0
    terms: Terms | None = None

    @property
    def abi_terms(self) -> tuple[Any, ...]:
        assert self.terms is not None, "not hired yet"
        return self.terms.as_abi()

    @property
    def amounts(self) -> list[int]:
        return [] if self.terms is None else [m.amount for m in self.terms.milestones]


@dataclass
class SeedReport:
    listings: int = 0
    open_listings: int = 0
    proposals: int = 0
    freelancers: int = 0
    clients: int = 0
    threads: int = 0
    transactions: int = 0
    jobs_by_kind: dict[str, int] = field(default_factory=dict)
    credit_job: int | None = None
    amended: dict[str, int] = field(default_factory=dict)  # amendment kind → the job it was played on

    def lines(self) -> Iterator[str]:
        yield (
            f"{self.listings} listings ({self.open_listings} open), {self.proposals} proposals, "
            f"{self.freelancers} freelancer and {self.clients} client profiles, {self.threads} conversations"
        )
        jobs = ", ".join(f"{count} {kind}" for kind, count in sorted(self.jobs_by_kind.items()))
        yield f"{sum(self.jobs_by_kind.values())} escrow jobs on chain ({jobs}); {self.transactions} transactions"
        if self.credit_job is not None:
            yield f"job {self.credit_job} pays in a blocklisting token: its freelancer has a credit to withdraw"
        if self.amended:
            yield "amended by both parties: " + ", ".join(f"job {job} {kind}" for kind, job in self.amended.items())


class Seeder:
    def __init__(
        self, *, url: str, rpc_url: str, deployments_file: Any, build_file: Any, progress: Callable[[str], None]
    ):
        self.url, self.progress = url, progress
        self.w3 = Web3(Web3.HTTPProvider(rpc_url, request_kwargs={"timeout": 30}))
        deployment = load_deployment(deployments_file)
        self.build_file = build_file
        self.build = json.loads(build_file.read_text())["contractTypes"]
        self.escrow = self._contract("Escrow", deployment.get("Escrow").address)
        self.token = self._contract("TestToken", deployment.get("TestToken").address)
        self.report = SeedReport()
        self._last: tuple[str, str] | None = None  # (sender, hash) of the latest transaction sent
        self._clients: list[httpx.Client] = []
        self.arbiter = self.person(ARBITER, "arbiter")

    def _contract(self, name: str, address: str) -> Contract:
        """A deployed contract with the ABI callable at its address (the escrow's includes EscrowAgreements')."""
        return self.w3.eth.contract(address=Web3.to_checksum_address(address), abi=load_abi(self.build_file, name))

    def person(self, index: int, name: str) -> Person:
        http = httpx.Client(base_url=self.url, timeout=30)
        self._clients.append(http)
        return Person(index=index, name=name, key=account_key(index), http=http)

    def close(self) -> None:
        for http in self._clients:
            http.close()

    # --- the chain ------------------------------------------------------------------------------

    def send(self, sender: str, to: str, data: str) -> str:
        """Send from an unlocked Anvil account; a revert fails the gas estimate, loudly.

        A wallet's own transactions queue by nonce, so they are sent without waiting; before another
        wallet acts, the previous transaction must be mined (its state is what the next one is
        estimated against).
        """
        if self._last is not None and self._last[0] != sender:
            self.mined(self._last[1])
        try:
            tx_hash = self.w3.eth.send_transaction({"from": sender, "to": to, "data": data}).to_0x_hex()
        except Exception as error:  # the node's message names the revert reason
            raise SeedError(f"transaction from {sender} to {to} refused: {error}") from error
        self.report.transactions += 1
        self._last = (sender, tx_hash)
        return tx_hash

    def mined(self, tx_hash: str) -> Any:
        """The receipt, polled without web3's 0.1 s sleep (Anvil mines on arrival); a revert is an error."""
        deadline = time.monotonic() + 30
        while (receipt := self.w3.eth.get_transaction_receipt(tx_hash) if self._has(tx_hash) else None) is None:
            if time.monotonic() > deadline:
                raise SeedError(f"transaction {tx_hash} was not mined within 30 s")
            time.sleep(0.005)
        if receipt["status"] != 1:
            raise SeedError(f"transaction {tx_hash} reverted")
        return receipt

    def _has(self, tx_hash: str) -> bool:
        response = self.w3.provider.make_request("eth_getTransactionReceipt", [tx_hash])  # type: ignore[arg-type]
        return response.get("result") is not None

    def call(self, sender: Person, fn: str, *args: Any) -> str:
        return self.send(sender.address, self.escrow.address, self.escrow.encode_abi(fn, args=list(args)))

    def travel(self, seconds: int) -> None:
        if self._last is not None:
            self.mined(self._last[1])
        self.w3.provider.make_request("evm_increaseTime", [seconds])  # type: ignore[arg-type]
        self.w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]

    # --- the seed -------------------------------------------------------------------------------

    def run(self, listing_count: int) -> SeedReport:
        listings = LISTINGS[:listing_count]
        self.progress("signing in the demo wallets and writing their profiles…")
        clients = [self.person(i, name) for i, name in zip(CLIENT_ACCOUNTS, CLIENTS, strict=True)]
        freelancers = [self.person(i, f.name) for i, f in zip(FREELANCER_ACCOUNTS, FREELANCERS, strict=True)]
        owner = self.person(OWNER, "owner")
        for client in clients[1:]:
            data = self.token.encode_abi("mint", args=[client.address, CLIENT_MINT * UNIT])
            self.send(owner.address, self.token.address, data)
        for client in clients:
            client.sign_in()
            client.call("PUT", "/api/me/profile", {"display_name": client.name, "bio": "", "skills": []})
        for freelancer, profile in zip(freelancers, FREELANCERS, strict=True):
            freelancer.sign_in()
            freelancer.call(
                "PUT",
                "/api/me/profile",
                {
                    "display_name": profile.name,
                    "bio": profile.bio,
                    "skills": list(profile.skills),
                    "hourly_rate": str(profile.hourly_rate * UNIT),
                    "rate_token": self.token.address,
                    "availability": profile.availability,
                    "links": [f"https://example.com/{profile.name.split()[0].lower()}"],
                },
            )
        self.report.clients, self.report.freelancers = len(clients), len(freelancers)

        self.progress(f"posting {len(listings)} listings and their proposals…")
        to_hire: list[tuple[Hired, int]] = []
        for index, listing in enumerate(listings):
            client = clients[index % len(clients)]
            post = self._post(client, listing)
            candidates = _best_matches(listing, freelancers, index)
            proposals = [self._propose(f, post["id"], listing, rank) for rank, f in enumerate(candidates)]
            kind = kind_of(index)
            if kind == "open":
                self.report.open_listings += 1
                if len(proposals) > 1:
                    client.call("POST", f"/api/proposals/{proposals[0]['id']}/shortlist", {})
                    client.call("POST", f"/api/proposals/{proposals[-1]['id']}/decline", {})
            else:
                to_hire.append((Hired(listing, kind, client, candidates[0]), proposals[0]["id"]))
            if index < 6:
                self._converse(client, candidates[0], post["id"], listing, attach=index == 0)
        self.report.listings = len(listings)

        first = [h for h in to_hire if h[0].kind in AFTER_TIME_JUMP]
        later = [h for h in to_hire if h[0].kind not in AFTER_TIME_JUMP]
        if first:
            self.progress(f"hiring {len(first)} jobs that need a time jump…")
            self._hire(first)
            for hired, _ in first:
                self._before_jump(hired)
            self.travel(TIME_JUMP)
            for hired, _ in first:
                self._after_jump(hired)
        self.progress(f"hiring {len(later)} jobs and playing them on the chain…")
        self._hire(later)
        for hired, _ in later:
            self._play(hired)
        for hired, _ in to_hire:
            self.report.jobs_by_kind[hired.kind] = self.report.jobs_by_kind.get(hired.kind, 0) + 1
        if listing_count >= 10:
            self.progress("paying one job in a blocklisting token, leaving a credit…")
            self.report.credit_job = self._credit_job(clients[0], freelancers[0], owner)
        self._amend([hired for hired, _ in later])
        if self._last is not None:
            self.mined(self._last[1])  # everything is on the chain before `up` waits for the indexer
        return self.report

    def _post(self, client: Person, listing: Listing) -> dict[str, Any]:
        budget = sum(amount for _, amount in listing.milestones)
        body = {
            "title": listing.title,
            "description": f"{listing.brief}\n\n**Milestones:** "
            + "; ".join(f"{title} ({amount} jUSD)" for title, amount in listing.milestones),
            "category": listing.category,
            "skills": list(listing.skills),
            "budget": str(budget * UNIT),
            "token": self.token.address,
            "milestones": [{"title": title, "amount": str(amount * UNIT)} for title, amount in listing.milestones],
        }
        post = client.call("POST", "/api/job-posts", body)
        client.call("POST", f"/api/job-posts/{post['id']}/publish", {})
        return post

    def _propose(self, freelancer: Person, post_id: int, listing: Listing, rank: int) -> dict[str, Any]:
        """A proposal with the freelancer's signed consent to the terms the client creates on accepting it."""
        discount = (0, 10, -5, 15)[rank % 4]  # the best match asks the listed price; others bid around it
        milestones = [
            {"title": title, "amount": str(amount * (100 - discount) // 100 * UNIT), "duration": None}
            for title, amount in listing.milestones
        ]
        offered = freelancer.call("POST", f"/api/job-posts/{post_id}/proposals/consent", {"milestones": milestones})
        consent = {"terms": offered["terms"], "signature": freelancer.sign_typed(offered["typed_data"])}
        freelancer.salts.add(int(offered["terms"]["salt"]))
        note = PROPOSAL_NOTES[(post_id + rank) % len(PROPOSAL_NOTES)]
        body = {"cover_letter": f"Hello! I am {freelancer.name}. {note}", "milestones": milestones, "consent": consent}
        self.report.proposals += 1
        return freelancer.call("POST", f"/api/job-posts/{post_id}/proposals", body)

    def _converse(self, client: Person, freelancer: Person, post_id: int, listing: Listing, *, attach: bool) -> None:
        thread = freelancer.call("POST", f"/api/job-posts/{post_id}/threads", {})
        freelancer.call(
            "POST", f"/api/threads/{thread['id']}/messages", {"body": f"Hello! A question about “{listing.title}”."}
        )
        client.call("POST", f"/api/threads/{thread['id']}/messages", {"body": "Of course. The brief is attached."})
        if attach:
            response = client.http.post(
                f"/api/threads/{thread['id']}/attachments",
                params={"filename": "brief.txt"},
                content=f"{listing.title}: {listing.brief}\n".encode(),
                headers={"Content-Type": "application/octet-stream"},
            )
            if response.status_code >= 400:
                raise SeedError(f"attachment refused: {response.status_code} {response.text[:300]}")
        self.report.threads += 1

    def _hire(self, batch: list[tuple[Hired, int]]) -> None:
        """Accept each proposal through the API and send its allowance and create-and-fund from the client."""
        creates = []
        for hired, proposal_id in batch:
            accepted = hired.client.call("POST", f"/api/proposals/{proposal_id}/accept", {})
            hire = accepted["hire"]
            self.send(hired.client.address, hire["approve"]["to"], hire["approve"]["data"])
            creates.append(
                self.send(hired.client.address, hire["create_and_fund"]["to"], hire["create_and_fund"]["data"])
            )
            hired.terms = Terms.from_json(accepted["proposal"]["consent_terms"])
        for (hired, _), tx_hash in zip(batch, creates, strict=True):
            receipt = self.mined(tx_hash)
            [created] = self.escrow.events.JobCreated().process_receipt(receipt, errors=DISCARD)
            hired.job_id = created.args.job_id

    def _deliver(self, hired: Hired, index: int) -> None:
        deliverable = keccak(text=f"{hired.listing.title}: milestone {index + 1} files")
        self.call(hired.freelancer, "submit", hired.job_id, hired.abi_terms, index, deliverable)

    def _pay(self, hired: Hired, index: int) -> None:
        self._deliver(hired, index)
        self.call(hired.client, "approve", hired.job_id, hired.abi_terms, index)

    def _rate(self, hired: Hired, client_score: int, freelancer_score: int) -> None:
        comment = keccak(text="Clear work, on time.")
        self.call(hired.client, "rate", hired.job_id, hired.abi_terms, client_score, comment)
        comment = keccak(text="Clear brief, paid fast.")
        self.call(hired.freelancer, "rate", hired.job_id, hired.abi_terms, freelancer_score, comment)

    def _before_jump(self, hired: Hired) -> None:
        if hired.kind == "released":
            self._deliver(hired, 0)
        elif hired.kind == "default-ruling":
            self._deliver(hired, 0)
            self.call(hired.freelancer, "dispute", hired.job_id, hired.abi_terms, 0)

    def _after_jump(self, hired: Hired) -> None:
        if hired.kind == "released":
            self.call(hired.freelancer, "release", hired.job_id, hired.abi_terms, 0)
        elif hired.kind == "reclaimed":
            self.call(hired.client, "reclaim", hired.job_id, hired.abi_terms, 0)
        elif hired.kind == "default-ruling":
            self.call(hired.client, "apply_default_ruling", hired.job_id, hired.abi_terms, 0)

    def _play(self, hired: Hired) -> None:
        last = len(hired.amounts) - 1
        job = hired.job_id
        if hired.kind == "in-review":
            self._deliver(hired, 0)
        elif hired.kind == "partly-paid":
            self._pay(hired, 0)
            if last:
                self._deliver(hired, 1)
        elif hired.kind == "paid":
            for index in range(last + 1):
                self._pay(hired, index)
            self._rate(hired, 5, 5 if job % 3 else 4)
        elif hired.kind == "dispute":
            self._deliver(hired, 0)
            self.call(hired.client, "dispute", job, hired.abi_terms, 0)
        elif hired.kind == "resolved":
            for index in range(last):
                self._pay(hired, index)
            self._deliver(hired, last)
            self.call(hired.client, "dispute", job, hired.abi_terms, last)
            self.call(self.arbiter, "resolve", job, hired.abi_terms, last, 7_000)
            self._rate(hired, 3, 4)
        elif hired.kind == "settled":
            self._deliver(hired, 0)
            self._settle(hired, 6_000)
            self._rate(hired, 4, 4)

    def _settle(self, hired: Hired, freelancer_bps: int) -> None:
        """Both parties sign the EIP-712 settlement (at the job's nonce, good for a week) with their keys, as their
        wallets would; anyone submits. It runs EscrowAgreements' code at the escrow's address."""
        if self._last is not None:
            self.mined(self._last[1])  # the nonce the parties sign is the one after the submission
        expiry = int(self.w3.eth.get_block("latest")["timestamp"]) + 7 * DAY
        message = {"jobId": hired.job_id, "freelancerBps": freelancer_bps, "nonce": self._nonce(hired.job_id)}
        payload = self._typed("Settlement", {**message, "expiry": expiry})
        client_sig, freelancer_sig = hired.client.sign_typed(payload), hired.freelancer.sign_typed(payload)
        args = (hired.job_id, hired.abi_terms, freelancer_bps, expiry, client_sig, freelancer_sig)
        self.call(hired.client, "settle", *args)

    def _typed(self, primary: str, message: dict[str, Any]) -> dict[str, Any]:
        return typed_data(primary, message, chain_id=self.w3.eth.chain_id, escrow=self.escrow.address)

    def _nonce(self, job_id: int) -> int:
        view = self.escrow.functions.get_job(job_id).call()
        names = [o["name"] for o in self.escrow.get_function_by_name("get_job").abi["outputs"][0]["components"]]
        return int(view[names.index("nonce")])

    # --- amendments: one party signs through the API, the other agrees by sending it ----------------------

    def _amend(self, hired: list[Hired]) -> None:
        """One of each amendment, through the API as the job page plays them: a funded job's deadline extended
        (延期, the freelancer asks), a partly paid job given one more milestone (the freelancer signs, the client
        adds and funds it), a job in review accepted with a deduction (扣款验收, the client proposes 80%)."""
        first = {
            kind: next((h for h in hired if h.kind == kind), None) for kind in ("funded", "partly-paid", "in-review")
        }
        if not any(first.values()):
            return
        self.progress("amending three jobs: 延期, one milestone more, 扣款验收…")
        self._wait_for_indexer()  # the API reads the jobs' nonces from the indexer's projection
        if (job := first["funded"]) is not None:
            later = job.terms.milestones[0].duration + 7 * DAY
            change = {"kind": "extend_deadline", "milestone": 0, "new_duration": later}
            self._agree(job, job.freelancer, job.client, change, "extend-deadline")
            self.report.amended["extended"] = job.job_id
        if (job := first["partly-paid"]) is not None:
            view = self.escrow.functions.get_job(job.job_id).call()
            now = int(self.w3.eth.get_block("latest")["timestamp"])
            milestone = {"amount": str(80 * UNIT), "duration": now - view[4] + 21 * DAY}  # view[4]: the start
            fund_count = len(job.amounts) + 1 - view[1]  # view[1]: funded so far; the client funds the rest
            change = {"kind": "add_milestones", "milestones": [milestone], "fund_count": fund_count}
            amount = str(80 * UNIT + sum(job.amounts[view[1] :]))
            data = self.token.encode_abi("approve", args=[self.escrow.address, int(amount)])
            self.send(job.client.address, self.token.address, data)
            self._agree(job, job.freelancer, job.client, change, "add-milestones")
            self.report.amended["with a milestone more"] = job.job_id
        if (job := first["in-review"]) is not None:
            change = {"kind": "deduction", "milestone": 0, "freelancer_bps": 8_000}
            self._agree(job, job.client, job.freelancer, change, "accept-with-deduction")
            self.report.amended["accepted with a deduction"] = job.job_id

    def _agree(self, job: Hired, signer: Person, sender: Person, change: dict[str, Any], route: str) -> None:
        proposed = {**change, "signer": signer.address}
        payload = signer.call("POST", f"/api/jobs/{job.job_id}/amendments/payload", proposed)
        signed = {**proposed, "expiry": int(payload["message"]["expiry"]), "signature": signer.sign_typed(payload)}
        signer.call("POST", f"/api/jobs/{job.job_id}/amendments", signed)
        request = {key: value for key, value in change.items() if key != "kind"}
        tx = sender.call("POST", f"/api/tx/{route}", {**request, "sender": sender.address, "job_id": job.job_id})
        self.send(sender.address, tx["to"], tx["data"])

    def _wait_for_indexer(self) -> None:
        if self._last is not None:
            self.mined(self._last[1])
        block = self.w3.eth.block_number
        deadline = time.monotonic() + 60
        while True:
            indexer = httpx.get(f"{self.url}/health", timeout=10).json().get("indexer") or {}
            if (indexer.get("checkpoint") or -1) >= block:
                return
            if time.monotonic() > deadline:
                raise SeedError(f"the indexer did not reach block {block} within 60 s")
            time.sleep(0.1)

    def _credit_job(self, client: Person, freelancer: Person, owner: Person) -> int:
        """A job paid in a USDC-like token that blocks the freelancer at payout: the escrow credits the payment."""
        mock = self.build["blocklist_token_mock"]
        bytecode = mock["deploymentBytecode"]["bytecode"]
        tx_hash = self.w3.eth.send_transaction({"from": owner.address, "data": bytecode})
        token = self.w3.eth.contract(
            address=self.w3.eth.wait_for_transaction_receipt(tx_hash)["contractAddress"], abi=mock["abi"]
        )
        amount = 250 * UNIT
        now = int(self.w3.eth.get_block("latest")["timestamp"])
        used = self.escrow.functions.consent_used
        salt = lowest_free_salt(lambda s: used(freelancer.address, s).call(), freelancer.salts)  # not a proposal's
        terms = Terms(
            client=client.address,
            freelancer=freelancer.address,
            token=token.address,
            arbiter=self.arbiter.address,
            arbiter_fee_bps=200,
            platform_fee_bps=self.escrow.functions.platform_fee_bps().call(),
            review_period=3 * DAY,
            ruling_window=7 * DAY,
            metadata_hash=keccak(text="Label artwork, paid in bUSD"),
            salt=salt,
            offer_expiry=now + 30 * DAY,
            milestones=(Milestone(amount, 14 * DAY),),
        )
        consent = freelancer.sign_typed(
            terms.consent_typed_data(chain_id=self.w3.eth.chain_id, escrow=self.escrow.address)
        )
        self.send(owner.address, token.address, token.encode_abi("mint", args=[client.address, amount]))
        self.send(client.address, token.address, token.encode_abi("approve", args=[self.escrow.address, amount]))
        data = self.escrow.encode_abi("create_job", args=[terms.as_abi(), bytes.fromhex(consent[2:]), 1])
        receipt = self.mined(self.send(client.address, self.escrow.address, data))
        [created] = self.escrow.events.JobCreated().process_receipt(receipt, errors=DISCARD)
        hired = Hired(LISTINGS[0], "credit", client, freelancer, job_id=created.args.job_id, terms=terms)
        self._deliver(hired, 0)
        self.send(owner.address, token.address, token.encode_abi("set_blocked", args=[freelancer.address, True]))
        self.call(client, "approve", hired.job_id, hired.abi_terms, 0)  # the push fails: the escrow credits it
        self.send(owner.address, token.address, token.encode_abi("set_blocked", args=[freelancer.address, False]))
        return hired.job_id


def _best_matches(listing: Listing, freelancers: list[Person], index: int) -> list[Person]:
    """Up to three freelancers whose skills overlap the listing's most (ties broken by a rotation)."""
    wanted = set(listing.skills)
    scored = sorted(
        range(len(freelancers)),
        key=lambda i: (-len(wanted & set(FREELANCERS[i].skills)), (i - index) % len(freelancers)),
    )
    return [freelancers[i] for i in scored[:3]]


def seed_marketplace(
    *, url: str, rpc_url: str, deployments_file: Any, build_file: Any, listings: int, progress: Callable[[str], None]
) -> SeedReport:
    """Seed `listings` listings (≤ 60) with their people, proposals, conversations and on-chain stories."""
    seeder = Seeder(
        url=url, rpc_url=rpc_url, deployments_file=deployments_file, build_file=build_file, progress=progress
    )
    try:
        return seeder.run(min(listings, len(LISTINGS)))
    finally:
        seeder.close()
