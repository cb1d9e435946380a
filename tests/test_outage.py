"""API.md "Errors": an outage is `SERVICE_UNAVAILABLE` with `retryAfter`, and a mutation's
outcome is never ambiguous (acknowledged: committed; an error: nothing written).

The zero-loss test runs a private PostgreSQL cluster (initdb into a temporary directory,
on a free port) so that it can stop it under 16 concurrent writers and start it again;
it needs no TEST_POSTGRES_URL and fails loudly when the PostgreSQL binaries are missing.
"""

import asyncio
import contextlib
import glob
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import exc, func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.db.database import Database
from app.db.engine import create_engine, create_sessionmaker
from app.db.migrate import upgrade
from app.db.models import projects, tasks
from app.errors import ServiceUnavailable
from tests.conftest import TEST_SECRET, make_settings
from tests.helpers import PASSWORD, SIGNUP
from tests.servers import free_port, serve, uvicorn_command

WRITERS = 16
WRITES_BEFORE_STOP_SECONDS = 1.5
STOPPED_SECONDS = 4.0
WRITES_AFTER_START_SECONDS = 2.0
RECOVERY_SECONDS = 10.0
CREATE = "mutation($t: String!) { createTask(input: {title: $t}) { id title } }"


def postgres_bin(name: str) -> str:
    """A PostgreSQL server binary (`initdb`, `pg_ctl`); the test fails without it."""
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}")) or [shutil.which(name) or ""]
    if not found[-1]:
        pytest.fail(f"PostgreSQL's {name} is not installed (/usr/lib/postgresql/*/bin)")
    return found[-1]


def as_postgres(*command: str) -> list[str]:
    """`command` run as the `postgres` OS user when the tests run as root (initdb refuses root)."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else list(command)


@dataclass
class Cluster:
    """A private PostgreSQL cluster: `url` for SQLAlchemy, `stop()` and `start()`."""

    directory: Path
    port: int
    log: Path = field(init=False)

    def __post_init__(self) -> None:
        self.log = self.directory / "server.log"

    @property
    def url(self) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/postgres"

    def pg_ctl(self, *arguments: str) -> None:
        """Run `pg_ctl` on the cluster (waiting for it), e.g. `pg_ctl("stop", "-m", "fast")`."""
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off"
        data = str(self.directory / "data")
        command = [postgres_bin("pg_ctl"), "-D", data, "-l", str(self.log), "-o", options, "-w"]
        subprocess.run(as_postgres(*command, *arguments), check=True, capture_output=True)  # noqa: S603

    def start(self) -> None:
        self.pg_ctl("start")

    def stop(self) -> None:
        self.pg_ctl("stop", "-m", "fast")


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    directory = Path(tempfile.mkdtemp(prefix="tasktracker-pg-"))  # /tmp: postgres can reach it
    if os.geteuid() == 0:
        shutil.chown(directory, "postgres", "postgres")
    initdb = as_postgres(
        postgres_bin("initdb"), "-D", str(directory / "data"), "-A", "trust", "-U", "postgres"
    )
    subprocess.run([*initdb, "--no-sync", "-E", "UTF8"], check=True, capture_output=True)  # noqa: S603
    cluster = Cluster(directory, free_port())
    cluster.start()
    try:
        upgrade(cluster.url)
        yield cluster
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            cluster.pg_ctl("stop", "-m", "immediate")
        shutil.rmtree(directory, ignore_errors=True)


@dataclass
class Outcomes:
    """What each write's client was told: acknowledged titles, errored titles and codes."""

    acknowledged: list[str] = field(default_factory=list)
    errored: list[str] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    statuses: set[int] = field(default_factory=set)


async def write(client: httpx.AsyncClient, token: str, title: str, outcomes: Outcomes) -> bool:
    """Create a task titled `title`; record the answer; True when it was acknowledged."""
    response = await client.post(
        "/graphql",
        json={"query": CREATE, "variables": {"t": title}},
        headers={"authorization": f"Bearer {token}", "accept": "application/json"},
    )
    outcomes.statuses.add(response.status_code)
    body = response.json()
    if body.get("data") and body["data"].get("createTask"):
        assert "errors" not in body, body
        outcomes.acknowledged.append(title)
        return True
    outcomes.errored.append(title)
    outcomes.errors.extend(body["errors"])
    return False


async def writer(
    client: httpx.AsyncClient, token: str, number: int, stop: asyncio.Event, outcomes: Outcomes
) -> None:
    for n in range(1_000_000):
        if stop.is_set():
            return
        if not await write(client, token, f"writer {number} task {n}", outcomes):
            await asyncio.sleep(0.1)  # a client backing off (shorter than retryAfter: a test)


async def test_stopping_postgres_under_writers_loses_no_acknowledged_write(
    cluster: Cluster, tmp_path: Path
) -> None:
    """Across a stop of a few seconds: every acknowledged write exists, every errored one
    does not, every error is SERVICE_UNAVAILABLE with retryAfter, and the server recovers
    by itself."""
    env = {"DATABASE_URL": cluster.url, "JWT_SECRET": TEST_SECRET, "ENVIRONMENT": "test"}
    outcomes = Outcomes()
    with serve(uvicorn_command, env=env, cwd=tmp_path) as url:
        limits = httpx.Limits(max_connections=WRITERS * 2)
        async with httpx.AsyncClient(base_url=url, timeout=30.0, limits=limits) as client:
            user = {"email": "writer@example.com", "password": PASSWORD, "name": "Writer"}
            signup = (
                await client.post("/graphql", json={"query": SIGNUP, "variables": {"input": user}})
            ).json()
            token = signup["data"]["signup"]["accessToken"]
            stop = asyncio.Event()
            writers = [
                asyncio.create_task(writer(client, token, number, stop, outcomes))
                for number in range(WRITERS)
            ]
            await asyncio.sleep(WRITES_BEFORE_STOP_SECONDS)
            acknowledged_before = len(outcomes.acknowledged)
            await asyncio.to_thread(cluster.stop)
            await asyncio.sleep(STOPPED_SECONDS)
            errored_while_stopped = len(outcomes.errored)
            await asyncio.to_thread(cluster.start)
            await asyncio.sleep(WRITES_AFTER_START_SECONDS)
            stop.set()
            await asyncio.gather(*writers)

            deadline = time.monotonic() + RECOVERY_SECONDS
            while not await write(client, token, "after recovery", outcomes):
                assert time.monotonic() < deadline, "the server did not recover"
                await asyncio.sleep(0.2)

    engine = create_engine(cluster.url)
    async with engine.connect() as connection:
        stored = list(await connection.scalars(select(tasks.c.title)))
    await engine.dispose()

    assert acknowledged_before > 0
    assert errored_while_stopped > 0
    assert len(outcomes.acknowledged) > acknowledged_before + 1  # writes resumed
    assert sorted(stored) == sorted(outcomes.acknowledged)  # none lost, none half-written
    assert not set(stored) & set(outcomes.errored)
    assert {error["extensions"]["code"] for error in outcomes.errors} == {"SERVICE_UNAVAILABLE"}
    assert all(error["extensions"]["retryAfter"] >= 1 for error in outcomes.errors)
    assert outcomes.statuses == {200, 503}


# PostgreSQL's connection-level failures, one request at a time.


@pytest.fixture
async def cluster_engine(cluster: Cluster) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(cluster.url)
    yield engine
    await engine.dispose()


@pytest.fixture
async def context(cluster: Cluster, cluster_engine: AsyncEngine) -> AsyncIterator[Database]:
    settings = make_settings(cluster.url)
    ctx = Database(
        create_sessionmaker(cluster_engine), statement_timeout_ms=settings.statement_timeout_ms
    )
    yield ctx
    await ctx.close()


async def terminate(engine: AsyncEngine, pid: int) -> None:
    """End a backend from another connection, as a restart or a network cut would."""
    async with engine.connect() as other:
        assert await other.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})


async def projects_named(engine: AsyncEngine, name: str) -> int:
    async with engine.connect() as connection:
        statement = select(func.count()).where(projects.c.name == name)
        return int(await connection.scalar(statement) or 0)


async def test_a_connection_lost_mid_request_is_service_unavailable_then_recovers(
    context: Database, cluster_engine: AsyncEngine
) -> None:
    pid = await context.read_scalar(text("SELECT pg_backend_pid()"))
    await terminate(cluster_engine, pid)
    with pytest.raises(ServiceUnavailable):
        await context.read(text("SELECT 1"))
    assert await context.read_scalar(text("SELECT 1")) == 1  # a new connection


async def test_a_commit_lost_before_it_happened_is_an_error_and_writes_nothing(
    context: Database, cluster_engine: AsyncEngine
) -> None:
    async def write_then_lose_the_connection() -> None:
        async with context.transaction() as connection:
            await connection.execute(insert(projects).values(name="lost", is_personal=False))
            pid = await connection.scalar(text("SELECT pg_backend_pid()"))
            await terminate(cluster_engine, pid)

    with pytest.raises(ServiceUnavailable):
        await write_then_lose_the_connection()
    assert await projects_named(cluster_engine, "lost") == 0


async def test_a_commit_that_happened_but_lost_its_answer_is_acknowledged(
    context: Database, cluster_engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """COMMIT went through but its answer never came: `pg_xact_status()` says committed."""
    commit = AsyncSession.commit

    async def commit_then_lose_the_answer(session: AsyncSession) -> None:
        await commit(session)
        raise exc.OperationalError(
            "COMMIT", {}, ConnectionResetError(), connection_invalidated=True
        )

    monkeypatch.setattr(AsyncSession, "commit", commit_then_lose_the_answer)
    async with context.transaction() as connection:
        await connection.execute(insert(projects).values(name="kept", is_personal=False))
    assert await projects_named(cluster_engine, "kept") == 1
