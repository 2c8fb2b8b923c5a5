"""The simulated users: each signs in with its own key, then mixes writes and searches until the deadline.

Every write carries a unique marker (in a title, a cover letter, a message body, a file's bytes), so that
afterwards `verify` can find it in the database: a write answered 2xx must be there exactly once, a refused one
must have left nothing.
"""

from __future__ import annotations

import asyncio
import random
import secrets
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import httpx
from eth_account import Account

from launcher.sign_in import verify_body

TOKEN = "0x" + "00" * 20  # the native currency: the only token the chainless load server lists
REQUEST_TIMEOUT = 60.0


@dataclass
class Write:
    """One write the generator sent: what to look for, and how the API answered."""

    kind: str  # job_post | publish | proposal | message | attachment
    marker: str  # the unique text (or keccak for attachments) the row carries
    outcome: str  # ok (2xx) | refused (4xx/5xx answered) | unknown (no answer: timeout, dropped connection)
    ref: int | None = None  # the id the API returned, when it did


@dataclass
class Tally:
    """Everything the users observed, shared by all of them (one event loop: no locks needed)."""

    latencies: list[float] = field(default_factory=list)
    route_latencies: dict[str, list[float]] = field(default_factory=dict)
    outcomes: Counter[str] = field(default_factory=Counter)  # "201", "409", "ReadTimeout", ...
    by_route: Counter[str] = field(default_factory=Counter)
    writes: list[Write] = field(default_factory=list)
    bodies_5xx: list[str] = field(default_factory=list)
    published: list[tuple[int, str]] = field(default_factory=list)  # (post id, client address)
    retries: int = 0  # writes sent again, with their Idempotency-Key, after a transport error

    @property
    def requests(self) -> int:
        return sum(self.outcomes.values())


class User:
    def __init__(self, client: httpx.AsyncClient, tally: Tally, rng: random.Random) -> None:
        self.client = client
        self.tally = tally
        self.rng = rng
        self.account = Account.from_key(secrets.token_bytes(32))
        self.address = self.account.address
        self.threads: list[int] = []
        self.proposed: set[int] = set()

    async def call(self, route: str, method: str, url: str, **kwargs: object) -> httpx.Response | None:
        """One request; a write carries an Idempotency-Key and is retried once after a transport error.

        A retry answered 409 `idempotency-key-in-flight` (the first attempt still runs) counts as no answer.
        """
        attempts = 1
        if method in ("POST", "PUT") and not url.startswith("/api/auth/"):
            headers = dict(kwargs.get("headers") or {})  # type: ignore[call-overload]
            kwargs["headers"] = {**headers, "Idempotency-Key": secrets.token_hex(16)}
            attempts = 2
        for attempt in range(attempts):
            started = time.perf_counter()
            try:
                response = await self.client.request(method, url, **kwargs)  # type: ignore[arg-type]
            except httpx.HTTPError as error:
                self.tally.outcomes[type(error).__name__] += 1
                self.tally.by_route[route] += 1
                if attempt + 1 < attempts:
                    self.tally.retries += 1
                    continue
                return None
            elapsed = time.perf_counter() - started
            self.tally.latencies.append(elapsed)
            self.tally.route_latencies.setdefault(route, []).append(elapsed)
            self.tally.outcomes[str(response.status_code)] += 1
            self.tally.by_route[route] += 1
            if response.status_code >= 500 and len(self.tally.bodies_5xx) < 20:
                self.tally.bodies_5xx.append(f"{route} {response.status_code} {response.text[:300]}")
            if response.status_code == 409 and "idempotency-key-in-flight" in response.text:
                return None
            return response
        return None

    def record(self, kind: str, marker: str, response: httpx.Response | None) -> dict[str, object] | None:
        if response is None:
            self.tally.writes.append(Write(kind, marker, "unknown"))
            return None
        if response.is_success:
            body = response.json()
            self.tally.writes.append(Write(kind, marker, "ok", body.get("id") if isinstance(body, dict) else None))
            return body  # type: ignore[no-any-return]
        self.tally.writes.append(Write(kind, marker, "refused"))
        return None

    async def sign_in(self) -> bool:
        response = await self.call("auth/nonce", "POST", "/api/auth/nonce")
        if response is None or not response.is_success:
            return False
        body = verify_body(response.json(), self.account.key)
        verified = await self.call("auth/verify", "POST", "/api/auth/verify", json=body)
        return verified is not None and verified.is_success

    # ---- the actions -------------------------------------------------------------------------------------

    async def post_job(self) -> None:
        marker = secrets.token_hex(8)
        amount = str(self.rng.randint(1, 50) * 10**18)
        listing = {
            "title": f"Load job {marker}",
            "description": f"A job posted by the load generator ({marker}).",
            "category": "design",
            "skills": [self.rng.choice(["logo-design", "python", "vyper", "copywriting"])],
            "budget": amount,
            "token": TOKEN,
            "milestones": [{"title": "All of it", "amount": amount}],
        }
        created = self.record(
            "job_post", f"Load job {marker}", await self.call("job-posts", "POST", "/api/job-posts", json=listing)
        )
        if created is None:
            return
        post_id = int(created["id"])  # type: ignore[call-overload]
        published = self.record(
            "publish", str(post_id), await self.call("publish", "POST", f"/api/job-posts/{post_id}/publish")
        )
        if published is not None:
            self.tally.published.append((post_id, self.address))

    def _others_post(self) -> int | None:
        choices = [post for post, client in self.tally.published[-200:] if client != self.address]
        return self.rng.choice(choices) if choices else None

    async def propose(self) -> None:
        post_id = self._others_post()
        if post_id is None:
            return await self.post_job()
        if post_id in self.proposed and self.rng.random() < 0.7:
            post_id = self._others_post() or post_id
        marker = f"Load proposal {secrets.token_hex(8)}"
        amount = str(self.rng.randint(1, 50) * 10**18)
        proposal = {"cover_letter": marker, "milestones": [{"title": "All of it", "amount": amount}]}
        response = await self.call("proposals", "POST", f"/api/job-posts/{post_id}/proposals", json=proposal)
        self.record("proposal", marker, response)  # a second proposal on the same post is refused (409)
        self.proposed.add(post_id)

    async def open_thread(self) -> int | None:
        post_id = self._others_post()
        if post_id is None:
            return None
        response = await self.call("threads", "POST", f"/api/job-posts/{post_id}/threads", json={})
        if response is None or not response.is_success:
            return None
        thread_id = int(response.json()["id"])
        if thread_id not in self.threads:
            self.threads.append(thread_id)
        return thread_id

    async def _thread(self) -> int | None:
        if self.threads and self.rng.random() < 0.8:
            return self.rng.choice(self.threads)
        return await self.open_thread()

    async def message(self) -> None:
        thread_id = await self._thread()
        if thread_id is None:
            return await self.search()
        marker = f"Load message {secrets.token_hex(8)}"
        response = await self.call("messages", "POST", f"/api/threads/{thread_id}/messages", json={"body": marker})
        self.record("message", marker, response)

    async def attach(self, *, refused_type: bool = False) -> None:
        thread_id = await self._thread()
        if thread_id is None:
            return await self.search()
        from Crypto.Hash import keccak

        content = f"Load attachment {secrets.token_hex(16)}\n".encode() * self.rng.randint(1, 200)
        if refused_type:
            content = b"\x00\x01 not a type the API accepts " + secrets.token_bytes(64)
        digest = "0x" + keccak.new(digest_bits=256, data=content).hexdigest()
        response = await self.call(
            "attachments",
            "POST",
            f"/api/threads/{thread_id}/attachments",
            params={"filename": f"{digest[2:10]}.txt"},
            content=content,
            headers={"content-type": "application/octet-stream"},
        )
        self.record("attachment", digest, response)

    async def propose_on_own(self) -> None:
        """A write the API must refuse (403): it must leave nothing behind."""
        own = [post for post, client in self.tally.published[-200:] if client == self.address]
        if not own:
            return await self.attach(refused_type=True)
        marker = f"Load proposal {secrets.token_hex(8)}"
        proposal = {"cover_letter": marker, "milestones": [{"title": "Self", "amount": "1"}]}
        self.record(
            "proposal",
            marker,
            await self.call("proposals", "POST", f"/api/job-posts/{own[-1]}/proposals", json=proposal),
        )

    async def search(self) -> None:
        words = self.rng.choice(["load", "job", "logo", "design", "python vyper", ""])
        await self.call("search", "GET", "/api/search/jobs", params={"q": words, "limit": 10})

    async def read_thread(self) -> None:
        if not self.threads:
            return await self.search()
        await self.call("read-thread", "GET", f"/api/threads/{self.rng.choice(self.threads)}")

    def pick(self) -> Callable[[], Awaitable[None]]:
        actions: list[tuple[Callable[[], Awaitable[None]], int]] = [
            (self.post_job, 12),
            (self.propose, 18),
            (self.message, 22),
            (self.attach, 8),
            (self.search, 25),
            (self.read_thread, 10),
            (self.propose_on_own, 5),
        ]
        return self.rng.choices([a for a, _ in actions], weights=[w for _, w in actions])[0]


async def run_users(
    base_url: str, *, users: int, seconds: float, seed: int, on_tick: Callable[[Tally, float], None] | None = None
) -> tuple[Tally, float]:
    """Sign `users` wallets in, then run them all concurrently for `seconds`; returns the tally and the elapsed time."""
    tally = Tally()
    limits = httpx.Limits(max_connections=users + 10, max_keepalive_connections=users + 10)
    transport = httpx.AsyncHTTPTransport(limits=limits, retries=0)
    clients = [httpx.AsyncClient(base_url=base_url, transport=transport, timeout=REQUEST_TIMEOUT) for _ in range(users)]
    population = [User(client, tally, random.Random(seed * 1_000_003 + i)) for i, client in enumerate(clients)]
    try:
        signed = await asyncio.gather(*(user.sign_in() for user in population))
        active = [user for user, ok in zip(population, signed, strict=True) if ok]
        started = time.monotonic()
        deadline = started + seconds

        async def loop(user: User) -> None:
            while time.monotonic() < deadline:
                await user.pick()()

        runners = asyncio.gather(*(loop(user) for user in active))
        while not runners.done():
            await asyncio.wait([runners], timeout=0.5)
            if on_tick is not None:
                on_tick(tally, time.monotonic() - started)
        await runners
        return tally, time.monotonic() - started
    finally:
        await asyncio.gather(*(client.aclose() for client in clients))
        await transport.aclose()
