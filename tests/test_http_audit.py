"""The official GraphQL-over-HTTP audit (`graphql-http`'s `serverAudits`) against a real server.

Starts uvicorn in a subprocess on a free port with a migrated SQLite database,
then runs `tests/http_audit/audit.mjs`, which exits non-zero unless every audit
is `ok`: errors, warnings and notices all fail this test (API.md "Transport").
Needs Node and the audit's packages (`make pytest` installs them with `npm ci`;
this test does too when they are missing).
"""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from app.db.migrate import upgrade
from tests.conftest import TEST_SECRET
from tests.node import ensure_npm_packages

ROOT = Path(__file__).resolve().parents[1]
AUDIT_DIR = ROOT / "tests" / "http_audit"
STARTUP_DEADLINE_SECONDS = 60  # a bound on waiting for start-up, not an assertion on speed
AUDIT_DEADLINE_SECONDS = 300


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_until_healthy(server: subprocess.Popen[bytes], base_url: str, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_DEADLINE_SECONDS
    while time.monotonic() < deadline:
        assert server.poll() is None, f"server exited early:\n{log.read_text()}"
        try:
            if httpx.get(f"{base_url}/health").status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    pytest.fail(f"server did not answer /health:\n{log.read_text()}")


@pytest.fixture
def server_url(tmp_path: Path) -> Iterator[str]:
    """The base URL of `app.main:create_app` served by uvicorn in a subprocess."""
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'audit.db'}"
    upgrade(database_url)
    port = free_port()
    python_path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    env = {
        **os.environ,
        "PYTHONPATH": python_path,
        "DATABASE_URL": database_url,
        "JWT_SECRET": TEST_SECRET,
        "ENVIRONMENT": "test",
    }
    command = [sys.executable, "-m", "uvicorn", "app.main:create_app", "--factory"]
    command += ["--host", "127.0.0.1", "--port", str(port)]
    log = tmp_path / "server.log"
    with log.open("wb") as output:
        server = subprocess.Popen(  # noqa: S603 (a fixed command)
            command,
            cwd=tmp_path,  # no `.env` or `./var/` of the developer's
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        base_url = f"http://127.0.0.1:{port}"
        wait_until_healthy(server, base_url, log)
        yield base_url
    finally:
        server.terminate()
        try:
            server.wait(timeout=STARTUP_DEADLINE_SECONDS)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def test_graphql_http_audit_passes_without_warnings(server_url: str) -> None:
    ensure_npm_packages(AUDIT_DIR, "graphql-http")
    command = ["node", str(AUDIT_DIR / "audit.mjs"), f"{server_url}/graphql"]
    audit = subprocess.run(  # noqa: S603 (a fixed command)
        command,
        capture_output=True,
        text=True,
        timeout=AUDIT_DEADLINE_SECONDS,
        check=False,
    )
    report = audit.stdout + audit.stderr
    assert audit.returncode == 0, report
    statuses = [line.split()[0] for line in audit.stdout.splitlines() if line[:1].isupper()]
    assert statuses, report
    assert set(statuses) == {"OK"}, report
    summary = audit.stdout.strip().splitlines()[-1]
    assert summary.endswith(f"{len(statuses)} ok, 0 notice, 0 warn, 0 error"), report
