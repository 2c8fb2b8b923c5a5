"""Throughput with `wrk` (the standard HTTP load generator, C + epoll), when it is on PATH.

The async-httpx loop in `bench/api/__main__.py` tops out near 1,100 req/s even against FastAPI's
hello-world on one core, so it cannot show whether an endpoint reaches 1,500 req/s. `wrk` drives the
same random paths (written into a Lua script that cycles through them) with the same number of
connections and reports requests/s; a non-2xx response fails the run, as it does with httpx.
Install it with `tools/bootstrap.sh --bench` (Debian package `wrk`).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

PATHS_IN_SCRIPT = 2_000


def available() -> str | None:
    """The wrk executable, or None (then the bench falls back to httpx)."""
    return shutil.which("wrk")


def _lua_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def script(paths: list[str], cookie: str | None) -> str:
    """A wrk Lua script sending `paths` round-robin (each thread starts at its own offset)."""
    lines = ["local paths = {", *(f"  {_lua_string(p)}," for p in paths), "}"]
    lines += ["local i = 0", "function setup(thread) thread:set('offset', math.random(#paths)) end"]
    lines += ["function init(args) i = tonumber(offset) or 0 end"]
    if cookie is not None:
        lines.append(f'wrk.headers["Cookie"] = {_lua_string(cookie)}')
    lines += [
        "function request()",
        "  i = i % #paths + 1",
        "  return wrk.format('GET', paths[i])",
        "end",
    ]
    return "\n".join(lines) + "\n"


def parse(output: str) -> tuple[float, int]:
    """(requests/s, non-2xx/3xx responses + socket errors) from wrk's report."""
    rate = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.MULTILINE)
    if rate is None:
        raise ValueError(f"no Requests/sec in wrk output:\n{output}")
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    failures = (int(bad.group(1)) if bad else 0) + (sum(int(n) for n in socket.groups()) if socket else 0)
    return float(rate.group(1)), failures


def requests_per_second(
    executable: str, base: str, paths: list[str], *, cookie: str | None, connections: int, seconds: float
) -> tuple[float, int]:
    """Run wrk (one thread: the server has one worker) for `seconds` with `connections` open."""
    with tempfile.TemporaryDirectory(prefix="jiedan-wrk-") as folder:
        lua = Path(folder) / "paths.lua"
        lua.write_text(script(paths, cookie))
        command = [executable, "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "-s", str(lua), base]
        done = subprocess.run(command, capture_output=True, text=True, check=True, timeout=seconds + 60)
    return parse(done.stdout)
