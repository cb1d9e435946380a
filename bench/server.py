"""The benchmarked server: `python -m app` started with production settings on a free
port, waited for, stopped; and the checked requests the bench sends it itself."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.cli.seed.generate import DEMO_EMAIL, DEMO_PASSWORD
from bench.common import ROOT
from bench.queries import check_response

JWT_SECRET = "bench-only-jwt-secret-0123456789abcdefgh"  # noqa: S105 - 40 bytes, bench only


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def server_settings(database_url: str) -> dict[str, str]:
    """The environment of the benchmarked server (besides HOST, PORT and WORKERS)."""
    return {
        "DATABASE_URL": database_url,
        "ENVIRONMENT": "production",
        "GRAPHIQL": "false",
        "JWT_SECRET": JWT_SECRET,
        "LOG_LEVEL": "WARNING",
        "ACCESS_TOKEN_TTL_SECONDS": "3600",  # outlives the whole run
        # One user sends every request: a budget wrk cannot exhaust (throughput, not limits).
        "RATE_LIMIT_POINTS_PER_MINUTE": "1000000000",
    }


def post(
    url: str, payload: bytes, token: str | None = None, *, timeout: float = 30
) -> dict[str, Any]:
    headers = {"content-type": "application/json", "accept": "application/json"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, data=payload, headers=headers, method="POST")  # noqa: S310
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
        answer: dict[str, Any] = json.load(response)
        return answer


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


@dataclass
class Server:
    """A running `python -m app`."""

    process: subprocess.Popen[bytes]
    port: int
    workers: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/graphql"

    def worker_pids(self) -> list[int]:
        """The processes that serve requests: the server itself, or its worker children."""
        if self.workers == 1:
            return [self.process.pid]
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        pids = [int(pid) for pid in children.read_text().split()]
        # uvicorn's workers are multiprocessing "spawn" children (not its resource tracker)
        return [pid for pid in pids if b"spawn_main" in _cmdline(pid)]

    def login(self) -> str:
        query = "mutation($input: LoginInput!) { login(input: $input) { accessToken } }"
        variables = {"input": {"email": DEMO_EMAIL, "password": DEMO_PASSWORD}}
        answer = post(self.url, json.dumps({"query": query, "variables": variables}).encode())
        if answer.get("errors"):
            msg = f"login as {DEMO_EMAIL} failed: {answer['errors']}"
            raise RuntimeError(msg)
        token: str = answer["data"]["login"]["accessToken"]
        return token


def drain(server: Server, name: str, body_path: Path, token: str) -> int:
    """One request of query `name`, checked; after a wrk run it queues behind whatever wrk
    left in flight, so the next run starts on an idle server. Returns its task count."""
    answer = post(server.url, body_path.read_bytes(), token, timeout=180)
    return check_response(name, answer)


@contextmanager
def running_server(
    database_url: str, workers: int, *, default_limits: bool = False
) -> Iterator[Server]:
    """Start the real server (migrates, then uvicorn) and wait until `/health/db` answers.

    With `default_limits` the server keeps API.md's rate limits (`python -m bench.abuse`);
    otherwise its cost budget is one no load can spend.
    """
    port = free_port()
    settings = server_settings(database_url)
    if default_limits:
        del settings["RATE_LIMIT_POINTS_PER_MINUTE"]
    env = {
        **os.environ,
        **settings,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "WORKERS": str(workers),
    }
    process = subprocess.Popen([sys.executable, "-m", "app"], cwd=ROOT, env=env)
    server = Server(process, port, workers)
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                msg = f"the server exited with {process.returncode}"
                raise RuntimeError(msg)
            try:
                url = f"http://127.0.0.1:{port}/health/db"
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.status == 200 and len(server.worker_pids()) == workers:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                msg = "the server did not become ready within 60 s"
                raise RuntimeError(msg)
            time.sleep(0.2)
        yield server
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
