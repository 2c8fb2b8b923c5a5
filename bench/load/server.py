"""The system under load: a fresh migrated database and the API in several uvicorn processes, on loopback."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from backend.app.core.migrate import upgrade
from launcher.stack import ROOT, free_port, tool_env
from tests.support.databases import postgres_database

HOST = "127.0.0.1"  # loopback only: the generator never targets another machine
CHAIN_ID = 31337
# Settings that switch request rate limits off for the run (ignored by builds that have none).
NO_RATE_LIMITS = {"JIEDAN_RATE_LIMIT_ENABLED": "false"}


@contextmanager
def fresh_database(kind: str, folder: Path) -> Iterator[str]:
    """A migrated, empty database: a SQLite file in `folder`, or a new PostgreSQL database dropped afterwards."""
    if kind == "sqlite":
        url = f"sqlite:///{folder / 'load.db'}"
        upgrade(url)
        yield url
        return
    with postgres_database(prefix="jiedan_load") as url:
        upgrade(url)
        yield url


@dataclass
class RunningApi:
    base_url: str
    process: subprocess.Popen[bytes]
    log_path: Path
    files_dir: Path

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


def api_env(*, database_url: str, files_dir: Path, port: int, extra: dict[str, str] | None = None) -> dict[str, str]:
    """Settings for an API that needs no chain: sign-in names a fixed chain id and this host."""
    env = {
        "JIEDAN_DATABASE_URL": database_url,
        "JIEDAN_FILES_DIR": str(files_dir),
        "JIEDAN_SIWE_CHAIN_ID": str(CHAIN_ID),
        "JIEDAN_SIWE_DOMAIN": f"{HOST}:{port}",
        "JIEDAN_SIWE_URI": f"http://{HOST}:{port}",
        "JIEDAN_RPC_URL": f"http://{HOST}:9",  # nothing listens: the chain is unavailable at once, never waited for
        "JIEDAN_DEPLOYMENTS_FILE": str(files_dir.parent / "no-deployments.json"),
        **NO_RATE_LIMITS,
        **(extra or {}),
    }
    return tool_env(env)


@contextmanager
def running_api(
    *, database_url: str, folder: Path, processes: int, extra_env: dict[str, str] | None = None
) -> Iterator[RunningApi]:
    """`processes` uvicorn workers sharing one loopback port; stopped (and waited for) on exit."""
    port = free_port()
    files_dir = folder / "files"
    log_path = folder / f"api-{port}.log"
    command = [
        sys.executable, "-m", "uvicorn", "--factory", "backend.app.main:create_app",
        "--host", HOST, "--port", str(port), "--workers", str(processes), "--log-level", "warning",
        "--timeout-keep-alive", "30",
    ]  # fmt: skip
    env = api_env(database_url=database_url, files_dir=files_dir, port=port, extra=extra_env)
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    api = RunningApi(base_url=f"http://{HOST}:{port}", process=process, log_path=log_path, files_dir=files_dir)
    try:
        wait_ready(api)
        yield api
    finally:
        stop(process)


def wait_ready(api: RunningApi, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if api.process.poll() is not None:
            raise RuntimeError(f"the API exited with {api.process.returncode}:\n{api.log_text()[-2000:]}")
        try:
            if httpx.get(f"{api.base_url}/api/search/jobs", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the API did not answer within {timeout} s:\n{api.log_text()[-2000:]}")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
