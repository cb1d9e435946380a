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

import argparse
import asyncio
import hashlib
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg  # type: ignore[import-untyped]
from pydantic import SecretStr
from sqlalchemy import text
from sqlalchemy.engine import make_url

from app.cli.seed.generate import DEMO_EMAIL, DEMO_PASSWORD, Scale
from app.cli.seed.write import seed
from app.config import Settings
from app.db.engine import create_engine
from app.db.migrate import upgrade
from app.ids import encode_id
from bench.floor import FloorResult, measure, statement_timings
from bench.queries import DESCRIPTIONS, QUERIES, body, check_response

DEFAULT_DATABASE_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/tasktracker_bench"
SCALE = Scale(users=500, projects=2_000, tasks=200_000)
JWT_SECRET = "bench-only-jwt-secret-0123456789abcdefgh"  # noqa: S105 - 40 bytes, bench only
ROOT = Path(__file__).resolve().parents[1]
BENCH_DIR = ROOT / "bench"
RESULTS_DIR = BENCH_DIR / "results"
LUA_SCRIPT = BENCH_DIR / "graphql.lua"
# Targets from the issue (2 workers; p99 for (a) at 64 connections), for reference.
TARGET_RPS = {"a": 1200, "b": 320, "c": 700}
TARGET_P99_MS_A = 100
WRK_TIMEOUT_S = 30


@dataclass(frozen=True)
class Options:
    database_url: str
    duration: int
    connections: list[int]
    workers: list[int]
    threads: int
    queries: list[str]
    warmup: int
    reseed: bool
    floor: bool


def _int_list(value: str) -> list[int]:
    return [int(part) for part in value.split(",") if part.strip()]


def parse_args(argv: Sequence[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk and floor run")
    parser.add_argument("--connections", type=_int_list, default=[64, 16], help="e.g. 64,16")
    parser.add_argument("--workers", type=_int_list, default=[1, 2], help="e.g. 1,2")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--queries", default="a,b,c", help="subset of a,b,c")
    parser.add_argument("--warmup", type=int, default=1, help="seconds of wrk per query first")
    parser.add_argument("--reseed", action="store_true", help="seed again even if seeded")
    parser.add_argument("--no-floor", dest="floor", action="store_false", help="skip floors")
    args = parser.parse_args(argv)
    queries = [name.strip() for name in args.queries.split(",") if name.strip()]
    if not queries or set(queries) - set(QUERIES):
        parser.error("--queries takes a comma-separated subset of a,b,c")
    return Options(
        database_url=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL),
        duration=args.duration,
        connections=args.connections,
        workers=args.workers,
        threads=args.threads,
        queries=queries,
        warmup=args.warmup,
        reseed=args.reseed,
        floor=args.floor,
    )


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def require_wrk() -> str:
    path = shutil.which("wrk")
    if path is None:
        sys.exit("wrk is not installed: apt-get install wrk (Debian/Ubuntu), then run again.")
    return path


def asyncpg_dsn(database_url: str) -> str:
    """The plain `postgresql://` DSN asyncpg takes for a SQLAlchemy URL."""
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        sys.exit(f"The benchmark needs PostgreSQL; BENCH_DATABASE_URL is {database_url!r}")
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


# -- database ------------------------------------------------------------------------------


async def ensure_database(database_url: str) -> None:
    """Create the database if it does not exist (connecting to `postgres` to do so)."""
    url = make_url(database_url)
    name = url.database
    assert name
    connection = await asyncpg.connect(asyncpg_dsn(str(url.set(database="postgres"))))
    try:
        if not await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            log(f"creating database {name}")
            await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()


async def ensure_seeded(database_url: str, *, reseed: bool) -> str:
    """Seed at bench scale unless the demo user and that many tasks are already there."""
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            count = await connection.scalar(text("SELECT count(*) FROM tasks"))
            demo = await connection.scalar(
                text("SELECT id FROM users WHERE email = :email"), {"email": DEMO_EMAIL}
            )
        if not reseed and demo is not None and count >= SCALE.tasks:
            async with engine.begin() as connection:  # fresh planner statistics either way
                await connection.execute(text("ANALYZE"))
            return f"already seeded ({count} tasks); --reseed to seed again"
        log(f"seeding {SCALE.tasks} tasks, {SCALE.projects} projects, {SCALE.users} users ...")
        started = time.perf_counter()
        data = await seed(engine, SCALE, reset=True)
        return (
            f"seeded {len(data.users)} users, {len(data.projects)} projects, "
            f"{len(data.tasks)} tasks, {len(data.task_tags)} task tags "
            f"in {time.perf_counter() - started:.1f} s"
        )
    finally:
        await engine.dispose()


TASK_SQL = """
SELECT t.id FROM tasks t
JOIN projects p ON p.id = t.project_id AND NOT p.is_personal
JOIN project_members m ON m.project_id = t.project_id AND m.user_id = :viewer
WHERE t.assignee_id IS NOT NULL AND t.description IS NOT NULL AND t.due_date IS NOT NULL
  AND (SELECT count(*) FROM task_tags tt WHERE tt.task_id = t.id) >= 2
ORDER BY t.id LIMIT 1
"""
PROJECT_SQL = """
SELECT p.id FROM projects p
JOIN project_members m ON m.project_id = p.id AND m.user_id = :viewer
JOIN tasks t ON t.project_id = p.id
WHERE NOT p.is_personal
GROUP BY p.id HAVING count(*) >= 60
ORDER BY p.id LIMIT 1
"""


async def pick_variables(database_url: str) -> dict[str, dict[str, Any]]:
    """Variables of each query: a task and a project (with 60+ tasks) the demo user sees."""
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            viewer = await connection.scalar(
                text("SELECT id FROM users WHERE email = :email"), {"email": DEMO_EMAIL}
            )
            task_id = await connection.scalar(text(TASK_SQL), {"viewer": viewer})
            project_id = await connection.scalar(text(PROJECT_SQL), {"viewer": viewer})
    finally:
        await engine.dispose()
    if task_id is None or project_id is None:
        sys.exit("The seeded data has no suitable task or project: run with --reseed")
    return {
        "a": {"id": encode_id("Task", task_id)},
        "b": {"id": encode_id("Project", project_id)},
        "c": {},
    }


# -- the server ----------------------------------------------------------------------------


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


# -- wrk -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class WrkResult:
    requests: int
    duration: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    errors: int

    @property
    def rps(self) -> float:
        return self.requests / self.duration


def body_file(name: str, variables: dict[str, Any]) -> Path:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"body-{name}.json"
    path.write_bytes(body(name, variables))
    return path


def run_wrk(
    url: str, body_path: Path, token: str, *, connections: int, duration: int, threads: int
) -> WrkResult:
    """One wrk run; latencies from wrk's own histogram."""
    command = [
        require_wrk(),
        f"--threads={min(threads, connections)}",
        f"--connections={connections}",
        f"--duration={duration}s",
        f"--timeout={WRK_TIMEOUT_S}s",  # slower answers count as errors, not latencies
        f"--script={LUA_SCRIPT}",
        url,
    ]
    env = {**os.environ, "BENCH_BODY_FILE": str(body_path), "BENCH_TOKEN": token}
    finished = subprocess.run(  # noqa: S603
        command, env=env, capture_output=True, text=True, timeout=duration + 60, check=False
    )
    lines = [line for line in finished.stdout.splitlines() if line.startswith("BENCH_JSON ")]
    if finished.returncode != 0 or not lines:
        msg = f"wrk failed ({finished.returncode}): {finished.stdout}\n{finished.stderr}"
        raise RuntimeError(msg)
    summary = json.loads(lines[-1].removeprefix("BENCH_JSON "))
    return WrkResult(
        requests=summary["requests"],
        duration=summary["duration_us"] / 1e6,
        p50_ms=summary["p50_us"] / 1000,
        p95_ms=summary["p95_us"] / 1000,
        p99_ms=summary["p99_us"] / 1000,
        errors=sum(summary["errors"].values()),
    )


# -- the run -------------------------------------------------------------------------------


@dataclass
class Row:
    query: str
    workers: int
    connections: int
    server: WrkResult
    floor: FloorResult | None = None


def render(rows: Sequence[Row]) -> str:
    lines = [
        "| query | workers | conns | req/s | p50 ms | p95 ms | p99 ms | errors "
        "| floor req/s | floor p99 ms |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        s, f = row.server, row.floor
        latencies = (
            f"{s.p50_ms:.1f} | {s.p95_ms:.1f} | {s.p99_ms:.1f}" if s.requests else "- | - | -"
        )
        lines.append(
            f"| ({row.query}) | {row.workers} | {row.connections} | {s.rps:,.1f} "
            f"| {latencies} | {s.errors} "
            f"| {f'{f.rps:,.1f}' if f else '-'} | {f'{f.p99_ms:.1f}' if f else '-'} |"
        )
    return "\n".join(lines)


def verdicts(rows: Sequence[Row]) -> list[str]:
    """How the 2-worker, 64-connection numbers compare with the issue's targets."""
    found = []
    for row in rows:
        if row.workers != 2 or row.connections != 64:
            continue
        target = TARGET_RPS[row.query]
        met = "met" if row.server.rps >= target else "NOT met"
        line = f"({row.query}) {row.server.rps:,.0f} req/s vs target {target:,}: {met}"
        if row.query == "a":
            p99 = "met" if row.server.p99_ms < TARGET_P99_MS_A else "NOT met"
            line += f"; p99 {row.server.p99_ms:.1f} ms vs < {TARGET_P99_MS_A} ms: {p99}"
        found.append(line)
    return found


def _git(*args: str) -> str:
    return subprocess.run(  # noqa: S603 - fixed git commands
        ["git", *args],  # noqa: S607
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def code_version() -> str:
    """The commit, plus a digest of uncommitted changes under app/ (the server runs the tree)."""
    try:
        commit = _git("rev-parse", "--short", "HEAD").strip()
        changes = _git("diff", "HEAD", "--", "app") + _git(
            "ls-files", "--others", "--exclude-standard", "--", "app"
        )
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    if not changes:
        return f"commit {commit}"
    digest = hashlib.sha256(changes.encode()).hexdigest()[:8]
    return f"commit {commit} + uncommitted changes under app/ (digest {digest})"


def machine() -> str:
    model = "unknown CPU"
    with open("/proc/cpuinfo") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return f"{os.cpu_count()} cores ({model}), {platform.system()} {platform.release()}"


async def postgres_version(database_url: str) -> str:
    connection = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        version: str = await connection.fetchval("SHOW server_version")
        return version
    finally:
        await connection.close()


def report(
    options: Options,
    rows: Sequence[Row],
    notes: Sequence[str],
    timings: dict[str, list[tuple[float, float]]],
) -> str:
    queries = []
    for name in options.queries:
        steps = ", ".join(f"{first:.1f}/{later:.1f}" for first, later in timings.get(name, []))
        queries.append(
            f"- ({name}) `{DESCRIPTIONS[name]}`: {len(timings.get(name, []))} SQL statements "
            f"per request; each alone, ms (first 5 runs / later runs): {steps}"
        )
    return "\n".join(
        [
            "# Benchmark results",
            "",
            f"- date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
            f"- machine: {machine()}",
            *[f"- {note}" for note in notes],
            f"- wrk: {options.threads} threads, {options.duration} s per run, "
            f"connections {options.connections}; floor: the same statements through asyncpg, "
            "one process per server worker, same concurrency and duration",
            "",
            *queries,
            "",
            render(rows),
            "",
            *[f"- {line}" for line in verdicts(rows)],
            "",
        ]
    )


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
