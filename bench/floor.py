"""The floor: what the database work of a query costs without the server around it.

`measure` replays the statement sequence the server sends for one request
(recorded by `bench.capture`) straight through asyncpg, from separate
processes (one per server worker, each with a pool as large as a worker's),
with the same concurrency and duration as the wrk run. One "request" is:
acquire a pooled connection, BEGIN, the statements one after another (as the
server runs them: one session per request), ROLLBACK, release.

This module imports only asyncpg, so the spawned processes start quickly.
"""

import asyncio
import math
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from typing import Any

import asyncpg  # type: ignore[import-untyped]

Statement = tuple[str, tuple[Any, ...]]

# The server's engine uses SQLAlchemy's default QueuePool: 5 connections plus 10 overflow.
SERVER_POOL_LIMIT = 15


@dataclass(frozen=True)
class FloorResult:
    requests: int
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float


def percentile(sorted_values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile of already sorted values (0 when there are none)."""
    if not sorted_values:
        return 0.0
    rank = max(1, math.ceil(fraction * len(sorted_values)))
    return sorted_values[rank - 1]


async def _no_reset(_connection: asyncpg.Connection) -> None:
    """Like SQLAlchemy's pool after a closed session: nothing is sent on release."""


async def _replay(
    dsn: str,
    statements: Sequence[Statement],
    concurrency: int,
    pool_size: int,
    start_at: float,
    duration: float,
) -> tuple[list[float], float]:
    """Latencies of the requests started in the window, and the window's length (shorter
    than `duration` when this process got ready after the shared start)."""
    pool = await asyncpg.create_pool(dsn, min_size=pool_size, max_size=pool_size, reset=_no_reset)
    # Shared deadlines on the wall clock, converted to this process's monotonic clock.
    now = time.monotonic()
    end = now + (start_at - time.time()) + duration
    start = max(now, end - duration)
    latencies: list[float] = []

    async def one() -> None:
        async with pool.acquire() as connection:
            transaction = connection.transaction()
            await transaction.start()
            try:
                for sql, parameters in statements:
                    await connection.fetch(sql, *parameters)
            finally:
                await transaction.rollback()

    async def worker() -> None:
        while (began := time.monotonic()) < end:
            await one()  # before `start`: warm-up (connections, prepared statements)
            if began >= start:
                latencies.append(time.monotonic() - began)

    try:
        await asyncio.gather(*(worker() for _ in range(concurrency)))
    finally:
        await pool.close()
    return latencies, end - start


def _child(
    dsn: str,
    statements: Sequence[Statement],
    concurrency: int,
    pool_size: int,
    start_at: float,
    duration: float,
) -> tuple[list[float], float]:
    return asyncio.run(_replay(dsn, statements, concurrency, pool_size, start_at, duration))


def measure(
    dsn: str,
    statements: Sequence[Statement],
    *,
    processes: int,
    connections: int,
    duration: float,
    warmup: float = 1.5,
) -> FloorResult:
    """Replay `statements` as one request from `connections` concurrent clients spread over
    `processes` processes (each with a pool as large as a server worker's) for `duration` s."""
    start_at = time.time() + warmup
    shares = [connections // processes + (i < connections % processes) for i in range(processes)]
    with ProcessPoolExecutor(processes, mp_context=get_context("spawn")) as executor:
        futures = [
            executor.submit(
                _child,
                dsn,
                list(statements),
                share,
                min(share, SERVER_POOL_LIMIT),
                start_at,
                duration,
            )
            for share in shares
            if share
        ]
        results = [future.result() for future in futures]
    latencies = sorted(value for values, _ in results for value in values)
    return FloorResult(
        requests=len(latencies),
        rps=sum(len(values) / window for values, window in results if window > 0),
        p50_ms=percentile(latencies, 0.50) * 1000,
        p95_ms=percentile(latencies, 0.95) * 1000,
        p99_ms=percentile(latencies, 0.99) * 1000,
    )


async def _statement_timings(
    dsn: str, statements: Sequence[Statement], repeat: int
) -> list[tuple[float, float]]:
    connection = await asyncpg.connect(dsn)
    timings = []
    try:
        for sql, parameters in statements:
            prepared = await connection.prepare(sql)
            runs = []
            for _ in range(repeat):
                began = time.perf_counter()
                await prepared.fetch(*parameters)
                runs.append((time.perf_counter() - began) * 1000)
            first, later = sorted(runs[:5]), sorted(runs[5:])
            timings.append((first[len(first) // 2], later[len(later) // 2]))
    finally:
        await connection.close()
    return timings


def statement_timings(
    dsn: str, statements: Sequence[Statement], *, repeat: int = 15
) -> list[tuple[float, float]]:
    """Median milliseconds of each statement, run alone on one connection as a prepared
    statement: over its first 5 executions, and over the later ones. PostgreSQL plans
    the first 5 with the parameter values (custom plans), then may switch to one
    generic plan; a large difference between the two shows that switch going wrong."""
    return asyncio.run(_statement_timings(dsn, statements, repeat))
