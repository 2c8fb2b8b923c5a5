"""JSON-RPC to the node: batched requests, retries with exponential backoff, and clear errors.

The indexer talks JSON-RPC directly (one keep-alive HTTP connection, batch requests for block
headers) instead of through web3.py's request formatters: the round trips and the formatting are
where an indexer against a local node spends its time. web3.py still serves `check_chain`.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

log = logging.getLogger("indexer.rpc")


MAX_RETRY_AFTER = 60.0  # seconds: a provider asking for a longer pause is retried after this long


def retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """The pause an HTTP `Retry-After` header asks for, in seconds (RFC 9110: delay-seconds or an HTTP-date),
    at most MAX_RETRY_AFTER; None when there is no header or it does not parse."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    if value.isdigit():
        return min(float(value), MAX_RETRY_AFTER)
    try:
        at = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return min(max((at - (now or datetime.now(UTC))).total_seconds(), 0.0), MAX_RETRY_AFTER)


class RpcUnavailable(RuntimeError):
    """The node did not answer after every retry (connection refused, timeouts, HTTP 5xx and 429; a
    `Retry-After` the answer carries sets the pause before the next try, when it is longer)."""


class RpcError(RuntimeError):
    """The node answered with a JSON-RPC error (e.g. a log range it refuses)."""

    def __init__(self, method: str, error: dict[str, Any]) -> None:
        self.code = error.get("code")
        self.rpc_message = str(error.get("message", error))
        super().__init__(f"{method}: {self.rpc_message} (code {self.code})")


class RpcTimeout(RpcUnavailable):
    """The node did not answer within the timeout (every retry)."""


class Rpc:
    """A JSON-RPC client with retries: `call` one method, `batch` many in one HTTP request."""

    def __init__(self, url: str, *, timeout: float = 10, retries: int = 5, backoff: float = 0.25) -> None:
        self.url = url
        self.retries = retries
        self.backoff = backoff
        self._client = httpx.Client(timeout=timeout)
        self._id = 0

    def close(self) -> None:
        self._client.close()

    def _post(self, payload: Any, what: str, retries: int | None = None, retry_timeouts: bool = True) -> Any:
        retries = self.retries if retries is None else retries
        delay = self.backoff
        for attempt in range(retries + 1):
            asked: float | None = None  # the pause a 429 or 503 asked for (Retry-After)
            try:
                # streamed: httpx's Response sits in reference cycles and would keep a read body (megabytes of
                # logs) until the next full garbage collection; chunks read here are freed as soon as parsed
                with self._client.stream("POST", self.url, json=payload) as response:
                    if response.status_code >= 500 or response.status_code == 429:
                        asked = retry_after(response.headers.get("Retry-After"))
                        raise httpx.HTTPStatusError(
                            f"HTTP {response.status_code}", request=response.request, response=response
                        )
                    response.raise_for_status()
                    body = b"".join(response.iter_bytes())
                return json.loads(body)
            except (httpx.TransportError, httpx.HTTPStatusError, ValueError) as error:
                if attempt == retries or (isinstance(error, httpx.TimeoutException) and not retry_timeouts):
                    kind = RpcTimeout if isinstance(error, httpx.TimeoutException) else RpcUnavailable
                    raise kind(
                        f"RPC {self.url} is unreachable: {what} failed {retries + 1} times, last with "
                        f"{type(error).__name__}: {error or 'no detail'}"
                    ) from error
                pause = delay if asked is None else max(delay, asked)
                log.warning("RPC %s: %s failed (%s); retry in %.2f s", self.url, what, error, pause)
                time.sleep(pause)
                delay = min(delay * 2, 10)
        raise AssertionError("unreachable")

    def call(
        self, method: str, params: Sequence[Any] = (), retries: int | None = None, retry_timeouts: bool = True
    ) -> Any:
        """The result of one call; `retry_timeouts=False` raises RpcTimeout at once (the caller adapts)."""
        self._id += 1
        payload = {"jsonrpc": "2.0", "id": self._id, "method": method, "params": list(params)}
        reply = self._post(payload, method, retries, retry_timeouts)
        if not isinstance(reply, dict):
            raise RpcError(method, {"message": f"unexpected reply {reply!r}"})
        if "error" in reply:
            raise RpcError(method, reply["error"])
        return reply.get("result")

    def batch(self, calls: Sequence[tuple[str, Sequence[Any]]], chunk: int = 500) -> list[Any]:
        """The results of `calls`, in order; one HTTP request per `chunk` calls."""
        results: list[Any] = []
        for start in range(0, len(calls), chunk):
            part = calls[start : start + chunk]
            first = self._id + 1
            self._id += len(part)
            payload = [
                {"jsonrpc": "2.0", "id": first + offset, "method": method, "params": list(params)}
                for offset, (method, params) in enumerate(part)
            ]
            replies = self._post(payload, f"batch of {len(part)} {part[0][0]}")
            if not isinstance(replies, list):  # some nodes answer a refused batch with one error object
                raise RpcError(part[0][0], replies.get("error", {"message": str(replies)}))
            by_id = {reply.get("id"): reply for reply in replies}
            for offset, (method, _params) in enumerate(part):
                reply = by_id.get(first + offset)
                if reply is None:
                    raise RpcError(method, {"message": "missing from the batch reply"})
                if "error" in reply:
                    raise RpcError(method, reply["error"])
                results.append(reply.get("result"))
        return results

    # The few methods the indexer needs, with their results as plain Python values.

    def block_number(self) -> int:
        return int(self.call("eth_blockNumber"), 16)

    def headers(self, numbers: Sequence[int]) -> dict[int, dict[str, Any] | None]:
        """Block headers (hash, parentHash, timestamp) by number; None for a block the node does not have."""
        results = self.batch([("eth_getBlockByNumber", [hex(number), False]) for number in numbers])
        return dict(zip(numbers, results, strict=True))
