"""A fault-injecting HTTP proxy in front of a real Anvil: refused log ranges, log answers over a result
cap, HTTP 503s, rate limits (429 with Retry-After), dropped connections and slow answers, so that the
indexer's retries and adaptive ranges meet the faults public RPC providers impose."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx


@dataclass
class Faults:
    max_log_range: int | None = None  # eth_getLogs spanning more blocks gets a JSON-RPC error
    slow_log_range: int | None = None  # eth_getLogs spanning more blocks answers after `delay` seconds
    delay: float = 0.0
    max_log_results: int | None = None  # eth_getLogs answers with more logs get a JSON-RPC error instead
    fail_every: int = 0  # every n-th request: HTTP 503 (odd) or a dropped connection (even)
    rate_limit_every: int = 0  # every n-th request: HTTP 429 with `Retry-After: retry_after`
    retry_after: str = "1"
    down: bool = False  # every request: connection dropped


class FaultyRpc:
    def __init__(self, upstream: str, faults: Faults | None = None) -> None:
        self.upstream = upstream
        self.faults = faults or Faults()
        self.requests = 0
        self.refused = 0
        self.failed = 0
        self.rate_limited: list[float] = []  # when each 429 was sent (time.monotonic)
        self.arrivals: list[float] = []  # when each request arrived (time.monotonic)
        self._count = threading.Lock()
        self._client = httpx.Client(timeout=30)
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args: object) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802 - the http.server API
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                status, payload = proxy.handle(body)
                if status is None:  # drop the connection without an answer
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                self.send_response(status)
                if status == 429:
                    self.send_header("Retry-After", proxy.faults.retry_after)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> FaultyRpc:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._client.close()

    def handle(self, body: bytes) -> tuple[int | None, bytes]:
        faults = self.faults
        with self._count:
            self.requests += 1
            number = self.requests
            self.arrivals.append(time.monotonic())
        if faults.rate_limit_every and number % faults.rate_limit_every == 0:
            self.rate_limited.append(time.monotonic())
            return 429, b'{"error": "too many requests"}'
        if faults.down:
            self.failed += 1
            return None, b""
        if faults.fail_every and number % faults.fail_every == 0:
            self.failed += 1
            if (number // faults.fail_every) % 2:
                return 503, b'{"error": "overloaded"}'
            return None, b""
        request = json.loads(body)
        if isinstance(request, dict) and request.get("method") == "eth_getLogs":
            span = int(request["params"][0]["toBlock"], 16) - int(request["params"][0]["fromBlock"], 16) + 1
            if faults.max_log_range is not None and span > faults.max_log_range:
                self.refused += 1
                error = {"code": -32005, "message": f"query exceeds max block range {faults.max_log_range}"}
                return 200, json.dumps({"jsonrpc": "2.0", "id": request["id"], "error": error}).encode()
            if faults.slow_log_range is not None and span > faults.slow_log_range:
                self.refused += 1
                time.sleep(faults.delay)
        reply = self._client.post(self.upstream, content=body, headers={"Content-Type": "application/json"})
        if isinstance(request, dict) and request.get("method") == "eth_getLogs" and faults.max_log_results is not None:
            logs = reply.json().get("result") or []
            if len(logs) > faults.max_log_results:  # the words Infura and Alchemy use
                self.refused += 1
                error = {"code": -32005, "message": f"query returned more than {faults.max_log_results} results"}
                return 200, json.dumps({"jsonrpc": "2.0", "id": request["id"], "error": error}).encode()
        return reply.status_code, reply.content
