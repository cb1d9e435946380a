"""Real server processes for tests: free ports, start with env overrides, wait, terminate.

    with serve([sys.executable, "-m", "app"], env={}, cwd=tmp_path) as url:
        httpx.get(f"{url}/health")

    with serve(uvicorn_command, env={"DATABASE_URL": url}, cwd=tmp_path) as url: ...

The port is a free one unless given; the child gets it as `PORT` (and `HOST`
is 127.0.0.1), and a command given as a function of the port gets it too.
The child's environment is the test's, minus every TaskTracker setting (so a
developer's DATABASE_URL or JWT_SECRET cannot leak in), plus the overrides.
Output goes to a log file, shown when the server fails to start and grepped at
the end of the run (tests/leaks.py) for every recorded secret, the server's JWT
secret included.
"""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path

import httpx

from app.config import JWT_SECRET_FILE, Settings
from tests.leaks import LEAKS

READY_TIMEOUT_SECONDS = 30.0
STOP_TIMEOUT_SECONDS = 10.0
POLL_INTERVAL_SECONDS = 0.05
# uvicorn shuts down gracefully on SIGTERM, then re-raises the signal it caught.
CLEAN_EXITS = (0, -signal.SIGTERM)
# Rate limits no test reaches (tests sign up and log in a lot from one IP), unless a
# test's overrides set lower ones.
GENEROUS_LIMITS_ENV = {
    "RATE_LIMIT_POINTS_PER_MINUTE": "100000000",
    "AUTH_ATTEMPTS_PER_MINUTE": "1000000",
    "AUTH_ATTEMPTS_PER_IP_PER_MINUTE": "1000000",
}

# A command line, or a function from the port to listen on to the command line.
Command = Sequence[str] | Callable[[int], Sequence[str]]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago (the OS picks it)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def server_env(overrides: Mapping[str, str]) -> dict[str, str]:
    """The current environment without TaskTracker settings, plus generous rate limits
    and `overrides`."""
    settings = set(Settings.model_fields)
    env = {name: value for name, value in os.environ.items() if name.lower() not in settings}
    env["PYTHONUNBUFFERED"] = "1"
    env.update(GENEROUS_LIMITS_ENV)
    env.update(overrides)
    return env


def uvicorn_command(port: int) -> list[str]:
    """The app served by plain uvicorn (no migrations), as a second instance would be."""
    return [
        sys.executable,
        *("-m", "uvicorn", "app.main:create_app", "--factory"),
        *("--host", "127.0.0.1", "--port", str(port)),
        "--no-proxy-headers",  # create_app applies FORWARDED_ALLOW_IPS itself
    ]


def run_to_exit(
    command: Sequence[str], *, env: Mapping[str, str], cwd: Path
) -> "subprocess.CompletedProcess[str]":
    """Run `command` (a server expected to refuse to start) to its exit, with `server_env(env)`;
    its output is captured as text."""
    return subprocess.run(  # noqa: S603  (our own interpreter and module)
        list(command),
        env=server_env(env),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=READY_TIMEOUT_SECONDS * 2,
        check=False,
    )


class ServerProcess:
    """One started server process and its log."""

    def __init__(self, command: Command, *, env: Mapping[str, str], cwd: Path, port: int) -> None:
        self.url = f"http://127.0.0.1:{port}"
        self.log_path = cwd / f"server-{port}.log"
        self.dev_secret_path = cwd / JWT_SECRET_FILE  # the key it made itself, if no JWT_SECRET
        LEAKS.add_log_file(self.log_path)
        LEAKS.record_secret(env.get("JWT_SECRET"))
        arguments = list(command(port) if callable(command) else command)
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(  # noqa: S603  (our own interpreter and module)
                arguments,
                env=server_env({"HOST": "127.0.0.1", "PORT": str(port), **env}),
                cwd=cwd,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_ready(self, timeout: float = READY_TIMEOUT_SECONDS) -> None:
        """Poll `GET /health` until it answers 200; fail if the process dies or time runs out."""
        deadline = time.monotonic() + timeout
        with httpx.Client(base_url=self.url, timeout=1.0) as client:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    msg = f"server exited with {self.process.returncode}:\n{self.log()}"
                    raise AssertionError(msg)
                with contextlib.suppress(httpx.TransportError):
                    if client.get("/health").status_code == 200:
                        return
                time.sleep(POLL_INTERVAL_SECONDS)
        msg = f"server not ready after {timeout} s:\n{self.log()}"
        raise AssertionError(msg)

    def stop(self) -> int:
        """SIGTERM, then SIGKILL if it does not exit in time; returns the exit status."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(STOP_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.dev_secret_path.exists():
            LEAKS.record_secret(self.dev_secret_path.read_text().strip())
        return self.process.returncode


@contextlib.contextmanager
def start_server(
    command: Command, *, env: Mapping[str, str], cwd: Path, port: int | None = None
) -> Iterator[ServerProcess]:
    """Start `command` listening on `port` (default: a free one), wait until it serves
    `/health`, yield it, and always stop it."""
    server = ServerProcess(command, env=env, cwd=cwd, port=port or free_port())
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


@contextlib.contextmanager
def serve(
    command: Command, *, env: Mapping[str, str], cwd: Path, port: int | None = None
) -> Iterator[str]:
    """`start_server`, yielding the base URL; on a normal exit, checks the server shut down
    cleanly."""
    with start_server(command, env=env, cwd=cwd, port=port) as server:
        yield server.url
        status = server.stop()
        assert status in CLEAN_EXITS, f"exit status {status}:\n{server.log()}"
