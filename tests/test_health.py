"""`/health` (liveness) and `/health/db` (readiness: 503 within 2 s when the database is down)."""

import asyncio
import contextlib
import socket
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
from sqlalchemy.engine import make_url

from app.main import create_app
from tests.conftest import POSTGRES_URL, make_settings

DEADLINE_SECONDS = 2.0  # API.md: "503 ... within 2 s when the database does not answer"


@contextlib.asynccontextmanager
async def client_for(database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """An app on `database_url`, its lifespan running, and an in-process client to it."""
    app = create_app(make_settings(database_url))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client


async def assert_unavailable_in_time(client: httpx.AsyncClient) -> None:
    started = time.monotonic()
    response = await client.get("/health/db")
    elapsed = time.monotonic() - started

    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"
    assert response.json()["status"] != "ok"
    assert elapsed < DEADLINE_SECONDS, f"answered after {elapsed:.2f} s"


def closed_port() -> int:
    """A local port nothing listens on (it was free a moment ago)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class BlackHole:
    """A TCP server that accepts connections and never says a word."""

    def __init__(self) -> None:
        self.connections: list[asyncio.StreamWriter] = []
        self.server: asyncio.Server | None = None

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections.append(writer)
        with contextlib.suppress(ConnectionError):
            await reader.read()  # swallow everything until the client goes away
        writer.close()

    async def __aenter__(self) -> "BlackHole":
        self.server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        return self

    @property
    def port(self) -> int:
        assert self.server is not None
        return int(self.server.sockets[0].getsockname()[1])

    async def __aexit__(self, *_: object) -> None:
        assert self.server is not None
        self.server.close()
        for writer in self.connections:
            writer.close()
        await self.server.wait_closed()


async def test_health_is_ok(http: httpx.AsyncClient) -> None:
    response = await http.get("/health")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_health_db_is_ok_when_the_database_answers(http: httpx.AsyncClient) -> None:
    response = await http.get("/health/db")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


async def test_health_db_is_503_when_the_connection_is_refused() -> None:
    async with client_for(
        f"postgresql+asyncpg://postgres@127.0.0.1:{closed_port()}/test"
    ) as client:
        await assert_unavailable_in_time(client)
        # Liveness does not depend on the database.
        assert (await client.get("/health")).json() == {"status": "ok"}


async def test_health_db_is_503_within_2_seconds_when_the_database_never_answers() -> None:
    black_hole = BlackHole()
    async with (
        black_hole,
        client_for(f"postgresql+asyncpg://postgres@127.0.0.1:{black_hole.port}/test") as client,
    ):
        await assert_unavailable_in_time(client)
        await assert_unavailable_in_time(client)  # and again: nothing is left stuck


async def test_health_db_is_503_when_the_sqlite_file_cannot_be_opened(tmp_path: Path) -> None:
    not_a_directory = tmp_path / "a-file"
    not_a_directory.write_text("")
    url = f"sqlite+aiosqlite:///{not_a_directory / 'tasktracker.db'}"

    async with client_for(url) as client:
        await assert_unavailable_in_time(client)
        assert (await client.get("/health")).status_code == 200


class FreezingProxy:
    """A TCP proxy to PostgreSQL that can stop forwarding: a server that hangs mid-session."""

    def __init__(self, host: str, port: int) -> None:
        self.upstream = (host, port)
        self.frozen = False
        self.thaw = asyncio.Event()  # never set: frozen traffic is held until the end
        self.server: asyncio.Server | None = None
        self.tasks: set[asyncio.Task[None]] = set()
        self.writers: list[asyncio.StreamWriter] = []

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError):
            while data := await reader.read(65536):
                if self.frozen:
                    await self.thaw.wait()
                writer.write(data)
                await writer.drain()
        writer.close()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        upstream_reader, upstream_writer = await asyncio.open_connection(*self.upstream)
        self.writers += [writer, upstream_writer]
        for pipe in (self._pipe(reader, upstream_writer), self._pipe(upstream_reader, writer)):
            task = asyncio.create_task(pipe)
            self.tasks.add(task)

    async def start(self) -> int:
        self.server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        return int(self.server.sockets[0].getsockname()[1])

    async def close(self) -> None:
        if self.server is None or not self.server.is_serving():
            return
        self.server.close()
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        for writer in self.writers:
            writer.close()
        await self.server.wait_closed()


if POSTGRES_URL is not None:  # needs a real PostgreSQL to hold a pooled connection to

    async def test_health_db_is_503_within_2_seconds_when_a_pooled_connection_hangs() -> None:
        """The server stops answering after the pool holds a connection to it: the check is
        cancelled mid-query, and the answer must not wait for that connection's clean-up."""
        assert POSTGRES_URL is not None
        real = make_url(POSTGRES_URL)
        proxy = FreezingProxy(real.host or "127.0.0.1", real.port or 5432)
        proxied = real.set(host="127.0.0.1", port=await proxy.start())
        app = create_app(make_settings(proxied.render_as_string(hide_password=False)))
        try:
            async with app.router.lifespan_context(app):
                transport = httpx.ASGITransport(app=app)
                async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
                    assert (await client.get("/health/db")).status_code == 200
                    proxy.frozen = True
                    await assert_unavailable_in_time(client)
                    await assert_unavailable_in_time(client)
                    await proxy.close()  # the database goes away for good: clean-up ends
        finally:
            await proxy.close()
