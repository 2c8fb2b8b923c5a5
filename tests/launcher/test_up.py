"""`python -m launcher up` (what `make demo` runs) serves the seeded, verified demo; Ctrl-C leaves nothing running."""

from __future__ import annotations

import re
import signal
import socket
import subprocess
import sys

import httpx

from launcher.stack import ROOT, free_port


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def test_up__serves_the_indexed_demo__and_ctrl_c_stops_every_child(tmp_path):
    api_port = free_port()
    launcher = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "launcher",
            "up",
            "--port",
            str(api_port),
            "--run-dir",
            str(tmp_path / "run"),
            "--demo-jobs",
            "3",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output = []
    try:
        for line in launcher.stdout:
            output.append(line)
            if "Press Ctrl-C" in line:
                break
        text = "".join(output)
        assert "Jiedan is up in" in text, text
        chain_port = int(re.search(r"chain RPC\s+http://127\.0\.0\.1:(\d+)", text).group(1))
        for role in ("client", "freelancer", "arbiter"):
            assert re.search(rf"{role}\s+0x[0-9a-fA-F]{{40}}\s+private key 0x[0-9a-f]{{64}}", text)

        assert re.search(r"indexer verify`: verify: ok", text), text  # `up` waited for the indexer, then verified it

        api = f"http://127.0.0.1:{api_port}"
        posts = {post["title"]: post for post in (httpx.get(f"{api}/api/job-posts/{n}").json() for n in (1, 2, 3))}
        assert set(posts) == {"Logo for a jasmine tea shop", "Vyper escrow audit", "Translate a tea menu into English"}
        assert posts["Logo for a jasmine tea shop"]["status"] == "published"  # the first listing stays open
        hired = [post for post in posts.values() if post["status"] == "hired"]
        jobs = httpx.get(f"{api}/api/jobs").json()
        assert len(hired) == len(jobs) == 2
        for post in hired:  # hired through accept: the escrow job carries the listing's hash
            assert post["chain"] is not None and post["hash_mismatch"] is False
        assert httpx.get(f"http://127.0.0.1:{api_port}/health").json()["ok"] is True
        assert "Jobs in escrow" in httpx.get(f"http://127.0.0.1:{api_port}/escrow").text
    finally:
        launcher.send_signal(signal.SIGINT)
        rest, _ = launcher.communicate(timeout=30)

    assert launcher.returncode == 0
    assert "every child process stopped" in rest
    assert not _port_open(api_port)
    assert not _port_open(chain_port)
