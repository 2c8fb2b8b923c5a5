"""Start the marketplace's parts as child processes: Anvil, deploy, indexer, API.

Used by `python -m launcher up` (the README's run command) and by the end-to-end tests,
so that both exercise the same start-up path.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
NODE_BIN = ROOT / "node_modules" / ".bin"

# Anvil's well-known development mnemonic ("test test … junk"): public keys for local use only.
DEMO_WALLETS = {
    "owner": (
        "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
        "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
    ),
    "client": (
        "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
        "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
    ),
    "freelancer": (
        "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC",
        "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
    ),
    "arbiter": (
        "0x90F79bf6EB2c4f870365E785982E1f101E93b906",
        "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
    ),
}


ANVIL_ACCOUNTS = 40  # the demo seed's people are Anvil accounts 0..32; tests take unused ones


class StackError(RuntimeError):
    """A part failed to start; the message names it and points at its log."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def tool_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment for children: the venv and node_modules/.bin on PATH."""
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(VENV_BIN), str(NODE_BIN), env.get("PATH", "")])
    env.setdefault("PYTHONUNBUFFERED", "1")
    env.update(extra or {})
    return env


@dataclass
class Stack:
    """The children of one run; `stop()` ends every one of them."""

    log_dir: Path
    children: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def start(self, name: str, argv: list[str], env: Mapping[str, str] | None = None) -> subprocess.Popen[bytes]:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log = (self.log_dir / f"{name}.log").open("wb")
        child = subprocess.Popen(
            argv, cwd=ROOT, env=tool_env(env), stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.children[name] = child
        return child

    def check_alive(self) -> None:
        for name, child in self.children.items():
            if child.poll() is not None:
                raise StackError(f"{name} exited with code {child.returncode}; see {self.log_dir / name}.log")

    def stop(self) -> None:
        """SIGTERM every child's process group, then SIGKILL whatever is left after 5 s."""
        for child in self.children.values():
            if child.poll() is None:
                with _ignore_missing():
                    os.killpg(child.pid, signal.SIGTERM)
        deadline = time.monotonic() + 5
        for child in self.children.values():
            try:
                child.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                with _ignore_missing():
                    os.killpg(child.pid, signal.SIGKILL)
                child.wait()
        self.children.clear()

    def start_anvil(self, port: int, name: str = "anvil", extra_args: tuple[str, ...] = ()) -> str:
        rpc_url = f"http://127.0.0.1:{port}"
        self.start(name, [str(NODE_BIN / "anvil"), "--port", str(port), "--host", "127.0.0.1", *extra_args])
        wait_until(lambda: _rpc_ready(rpc_url), what=f"{name} at {rpc_url}", stack=self)
        return rpc_url

    def start_indexer(self, env: Mapping[str, str]) -> None:
        self.start("indexer", [sys.executable, "-m", "indexer", "run"], env)

    def start_api(self, env: Mapping[str, str], port: int) -> str:
        url = f"http://127.0.0.1:{port}"
        self.start("api", [sys.executable, "-m", "backend", "--port", str(port)], env)
        wait_until(lambda: _http_ready(url + "/health"), what=f"API at {url}", stack=self)
        return url


class _ignore_missing:
    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: object, *_: object) -> bool:
        return kind is ProcessLookupError


def wait_until(ready: object, *, what: str, stack: Stack | None = None, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if stack is not None:
            stack.check_alive()
        if ready():  # type: ignore[operator]
            return
        time.sleep(0.1)
    raise StackError(f"{what} did not come up within {timeout:.0f} s")


def _rpc_ready(rpc_url: str) -> bool:
    try:
        response = httpx.post(rpc_url, json={"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []})
        return response.status_code == 200
    except httpx.HTTPError:
        return False


def _http_ready(url: str) -> bool:
    try:
        return httpx.get(url).status_code in (200, 503)
    except httpx.HTTPError:
        return False


def run_ape(args: list[str], *, rpc_url: str, deployments_file: Path, log: Path) -> None:
    """`ape <args> --network ethereum:local:foundry` against the Anvil at `rpc_url`."""
    env = tool_env({"APE_FOUNDRY_HOST": rpc_url, "JIEDAN_DEPLOYMENTS_FILE": str(deployments_file)})
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as out:
        result = subprocess.run(
            [str(VENV_BIN / "ape"), *args, "--network", "ethereum:local:foundry"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            check=False,
        )
    if result.returncode != 0:
        raise StackError(f"`ape {' '.join(args)}` failed (exit {result.returncode}); see {log}")


def app_env(*, rpc_url: str, database_url: str, deployments_file: Path) -> dict[str, str]:
    """The JIEDAN_* settings the indexer and the API share."""
    return {
        "JIEDAN_RPC_URL": rpc_url,
        "JIEDAN_DATABASE_URL": database_url,
        "JIEDAN_DEPLOYMENTS_FILE": str(deployments_file),
        "JIEDAN_POLL_INTERVAL": "0.2",
        "JIEDAN_DEFAULT_ARBITER": DEMO_WALLETS["arbiter"][0],
        # The demo seeds hundreds of sign-ins, proposals and messages from one machine within a minute;
        # a local marketplace raises those per-client limits (the product's defaults stay for deployments).
        **{name: os.environ.get(name, value) for name, value in DEMO_RATE_LIMITS.items()},
    }


DEMO_RATE_LIMITS = {
    "JIEDAN_RATE_LIMIT_SIGN_IN": "600",
    "JIEDAN_RATE_LIMIT_PROPOSALS": "200",
    "JIEDAN_RATE_LIMIT_MESSAGES": "300",
}


@dataclass(frozen=True)
class Marketplace:
    """Where a started marketplace answers."""

    url: str
    rpc_url: str
    deployments_file: Path
    database_url: str


def _quiet(_label: str) -> AbstractContextManager[object]:
    return nullcontext()


def start_marketplace(
    stack: Stack,
    run_dir: Path,
    *,
    api_port: int,
    chain_port: int = 0,
    demo_jobs: int = 0,
    working: Callable[[str], AbstractContextManager[object]] = _quiet,
    done: Callable[[str], None] = lambda _message: None,
) -> Marketplace:
    """Anvil → deploy → migrated SQLite → indexer → API → demo seeded through the API and the chain → verify.

    `demo_jobs` listings (0: none) are seeded by `launcher.seed` as the demo wallets would, then the
    indexer's projections are checked against a rebuild (`python -m indexer verify`): a difference
    raises StackError. `working(label)` wraps each slow step (e.g. a spinner; when it yields an
    object with `update(text)`, the seed reports its progress there); `done(message)` reports each
    finished one.
    """
    logs = run_dir / "logs"
    deployments = run_dir / "deployments.json"
    database_url = f"sqlite:///{run_dir / 'jiedan.db'}"
    with working("starting Anvil…"):
        rpc_url = stack.start_anvil(chain_port or free_port(), extra_args=("--accounts", str(ANVIL_ACCOUNTS)))
    done(f"chain      {rpc_url} (chain id 31337)")
    with working("compiling and deploying the contracts…"):
        run_ape(["run", "deploy"], rpc_url=rpc_url, deployments_file=deployments, log=logs / "deploy.log")
    done(f"contracts  deployed, addresses in {deployments}")
    from backend.app.core.migrate import upgrade  # imported late: Alembic is not needed to start Anvil

    upgrade(database_url)
    done(f"database   {database_url} migrated")
    env = app_env(rpc_url=rpc_url, database_url=database_url, deployments_file=deployments)
    stack.start_indexer(env)
    with working("starting the API…"):
        url = stack.start_api(env, api_port)
    done(f"indexer and API running; logs in {logs}")
    if demo_jobs:
        from launcher.seed import SeedError, seed_marketplace

        started = time.monotonic()
        with working(f"seeding {demo_jobs} demo listings…") as status:
            try:
                report = seed_marketplace(
                    url=url,
                    rpc_url=rpc_url,
                    deployments_file=deployments,
                    build_file=ROOT / ".build" / "__local__.json",
                    listings=demo_jobs,
                    progress=getattr(status, "update", lambda _text: None),
                )
            except SeedError as error:
                raise StackError(f"seeding the demo failed: {error}") from error
        done(f"demo       seeded through the API and the chain in {time.monotonic() - started:.1f} s:")
        for line in report.lines():
            done(f"             {line}")
    with working("waiting for the indexer to reach the chain's head…"):
        head = wait_for_indexer(url, stack=stack)
    with working("verifying the indexer's projections against a rebuild…"):
        verdict = verify_indexer(env, log=logs / "verify.log")
    done(f"indexer    at block {head}; `python -m indexer verify`: {verdict}")
    return Marketplace(url=url, rpc_url=rpc_url, deployments_file=deployments, database_url=database_url)


def wait_for_indexer(url: str, *, stack: Stack, timeout: float = 60) -> int:
    """Wait until /health says the indexer's checkpoint is at the chain's head; returns that block."""
    reached: dict[str, int] = {}

    def caught_up() -> bool:
        try:
            indexer = httpx.get(url + "/health").json()["indexer"]
        except (httpx.HTTPError, ValueError, KeyError):
            return False
        reached["head"] = indexer.get("head") or 0
        return indexer.get("checkpoint") is not None and indexer["checkpoint"] >= reached["head"] > 0

    wait_until(caught_up, what="the indexer at the chain's head", stack=stack, timeout=timeout)
    return reached["head"]


def verify_indexer(env: Mapping[str, str], *, log: Path) -> str:
    """Run `python -m indexer verify`; its last line when it passes, StackError with its output when not."""
    log.parent.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        [sys.executable, "-m", "indexer", "verify"],
        cwd=ROOT,
        env=tool_env(env),
        capture_output=True,
        text=True,
        check=False,
    )
    output = (result.stdout + result.stderr).strip()
    log.write_text(output + "\n")
    if result.returncode != 0:
        raise StackError(f"`python -m indexer verify` found differences (exit {result.returncode}):\n{output}")
    lines = output.splitlines()
    return lines[-1] if lines else "no differences"
