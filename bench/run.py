"""`python -m bench` (`make bench`): load-test the real server on PostgreSQL with wrk.

1. Creates the database (BENCH_DATABASE_URL, default `tasktracker_bench` on the
   local PostgreSQL) if it is missing and migrates it.
2. Seeds it with `app.seed` at bench scale unless it already holds that data.
3. Picks ids the demo user can see and records the SQL the application sends for
   each query (`bench.capture`), for the floor.
4. For each worker count: starts `python -m app` (production settings) on a free
   port, logs in as the demo user, warms up, and runs wrk (bench/graphql.lua)
   for each query and connection count; then the floor (`bench.floor`) for each.
5. Prints the table and writes it to bench/results/latest.md.
"""

import asyncio
import os
import time
from collections.abc import Sequence

from pydantic import SecretStr

from app.cli.seed.generate import DEMO_EMAIL, DEMO_PASSWORD
from app.config import Settings
from app.db.migrate import upgrade
from bench.cli import parse_args
from bench.common import RESULTS_DIR, ROOT, log
from bench.database import (
    asyncpg_dsn,
    ensure_database,
    ensure_seeded,
    pick_variables,
    postgres_version,
)
from bench.floor import measure, statement_timings
from bench.report import Row, code_version, report
from bench.server import JWT_SECRET, drain, running_server
from bench.wrk import body_file, require_wrk, run_wrk


def main(argv: Sequence[str] | None = None) -> None:
    options = parse_args(argv)
    require_wrk()
    started = time.monotonic()
    load_before = os.getloadavg()[0]
    if load_before > 1.0:
        log(f"warning: the machine is busy (load average {load_before:.1f}); numbers will suffer")
    url = options.database_url
    dsn = asyncpg_dsn(url)
    asyncio.run(ensure_database(url))
    upgrade(url)
    seeded = asyncio.run(ensure_seeded(url, reseed=options.reseed))
    log(seeded)
    variables = asyncio.run(pick_variables(url))
    bodies = {name: body_file(name, variables[name]) for name in options.queries}

    from bench.capture import capture, describe  # imports the app; only needed here

    settings = Settings(  # what the server gets from server_settings(), without a .env
        _env_file=None,  # type: ignore[call-arg]
        database_url=url,
        environment="production",
        graphiql=False,
        jwt_secret=SecretStr(JWT_SECRET),
        log_level="WARNING",
        access_token_ttl_seconds=3600,
    )
    statements = capture(
        settings,
        {name: path.read_bytes() for name, path in bodies.items()},
        email=DEMO_EMAIL,
        password=DEMO_PASSWORD,
    )
    timings = {name: statement_timings(dsn, sequence) for name, sequence in statements.items()}
    for name, sequence in statements.items():
        (RESULTS_DIR / f"statements-{name}.sql").write_text(describe(sequence) + "\n")
        steps = ", ".join(f"{first:.1f}/{later:.1f}" for first, later in timings[name])
        log(f"({name}) {len(sequence)} statements, ms alone (first 5 / later runs): {steps}")

    rows: list[Row] = []
    codes: dict[int, str] = {}  # the tree may change under a long run: stamp each start
    for workers in options.workers:
        worker_rows = []
        codes[workers] = code_version()
        with running_server(url, workers) as server:
            token = server.login()

            for name in options.queries:
                tasks = drain(server, name, bodies[name], token)
                log(f"workers={workers} ({name}) answers {tasks} tasks; warming up")
                run_wrk(
                    server.url,
                    bodies[name],
                    token,
                    connections=min(options.connections),
                    duration=options.warmup,
                    threads=options.threads,
                )
                drain(server, name, bodies[name], token)
            for name in options.queries:
                for connections in options.connections:
                    result = run_wrk(
                        server.url,
                        bodies[name],
                        token,
                        connections=connections,
                        duration=options.duration,
                        threads=options.threads,
                    )
                    log(
                        f"server  ({name}) workers={workers} c={connections}: "
                        f"{result.rps:,.0f} req/s, p50 {result.p50_ms:.1f} ms, "
                        f"p99 {result.p99_ms:.1f} ms, errors {result.errors}"
                    )
                    worker_rows.append(Row(name, workers, connections, result))
                    drain(server, name, bodies[name], token)
        if options.floor:
            for row in worker_rows:
                row.floor = measure(
                    dsn,
                    statements[row.query],
                    processes=workers,
                    connections=row.connections,
                    duration=options.duration,
                )
                log(
                    f"floor   ({row.query}) workers={workers} c={row.connections}: "
                    f"{row.floor.rps:,.0f} req/s, p99 {row.floor.p99_ms:.1f} ms"
                )
        rows.extend(worker_rows)

    if len(set(codes.values())) == 1:
        code = next(iter(codes.values()))
    else:  # app/ changed between server starts: the rows are not comparable
        code = "; ".join(f"{workers} worker(s): {stamp}" for workers, stamp in codes.items())
        log(f"warning: app/ changed during the run ({code})")
    notes = [
        f"code: {code}",
        f"PostgreSQL {asyncio.run(postgres_version(url))} on the same machine",
        f"data: {seeded}",
        f"total bench time: {time.monotonic() - started:.0f} s; 1-minute load average before "
        f"the run: {load_before:.1f} (other work on the machine lowers every number)",
    ]
    text_report = report(options, rows, notes, timings)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    (RESULTS_DIR / "latest.md").write_text(text_report)
    print()
    print(text_report)
    log(f"written to {(RESULTS_DIR / 'latest.md').relative_to(ROOT)}")


if __name__ == "__main__":
    main()
