"""`python -m bench.profile`: where one server worker spends its CPU under load.

Starts the real server with one worker on the benchmark database (seeded by
`python -m bench` first), drives it with wrk as the benchmark does, and samples
the worker with py-spy (an optional tool, not a project dependency:
`.venv/bin/pip install py-spy`). Writes the collapsed stacks to
bench/results/profile-<query>.txt (flamegraph.pl, inferno or speedscope.app
render them) and prints, for each query, the share of samples:

- by package of the innermost frame (self time: graphql-core, Strawberry,
  SQLAlchemy, asyncpg, uvicorn, our code, ...);
- by phase, counting every sample whose stack passes through it (inclusive:
  parsing, validation, execution, SQL, JSON encoding, ...). Under asyncio a
  stack starts at the task that runs (a resolver's task does not show the
  request that started it) and SQLAlchemy's greenlets start their own stacks,
  so the phases overlap and do not add up to 100%;
- the top functions by self time.
"""

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from app.db.migrate import upgrade
from bench.common import RESULTS_DIR, log
from bench.database import (
    DEFAULT_DATABASE_URL,
    asyncpg_dsn,
    ensure_database,
    ensure_seeded,
    pick_variables,
)
from bench.server import drain, running_server
from bench.wrk import WRK_TIMEOUT_S, body_file, require_wrk

SITE = "site-packages/"
# (label, path fragment of the innermost frame's file); first match wins.
PACKAGES = [
    ("graphql-core (validation, execution)", f"{SITE}graphql/"),
    ("Strawberry", f"{SITE}strawberry/"),
    ("SQLAlchemy", f"{SITE}sqlalchemy/"),
    ("asyncpg", f"{SITE}asyncpg/"),
    ("aiodataloader", f"{SITE}aiodataloader"),
    ("uvicorn + httptools", f"{SITE}uvicorn/"),
    ("Starlette", f"{SITE}starlette/"),
    ("python-jose + cryptography (JWT)", f"{SITE}jose/"),
    ("python-jose + cryptography (JWT)", f"{SITE}cryptography/"),
    ("pydantic", f"{SITE}pydantic"),
    ("greenlet", f"{SITE}greenlet"),
    ("our code (app/)", "/app/"),
    ("stdlib json", "/json/"),
    ("stdlib asyncio", "/asyncio/"),
    ("stdlib other", "/lib/python3"),
]
# (label, substring of a frame anywhere in the stack): inclusive shares.
PHASES = [
    ("HTTP + ASGI request task (uvicorn, Starlette, view)", "RequestResponseCycle.run_asgi"),
    ("GraphQL parse", "graphql/language/parser.py"),
    ("GraphQL validation", "graphql/validation/"),
    ("GraphQL execution (graphql-core executor)", "graphql/execution/"),
    ("Strawberry resolver wrappers", "schema_converter.py"),
    ("SQLAlchemy (build, compile, execute, rows)", f"{SITE}sqlalchemy/"),
    ("asyncpg (Python side of the driver)", f"{SITE}asyncpg/"),
    ("dataloaders (aiodataloader)", f"{SITE}aiodataloader"),
    ("page building (app/db/pagination.py page_of)", "page_of"),
    ("row -> GraphQL object (from_row)", ".from_row"),
    ("JWT decode", "decode_access_token"),
    ("viewer lookup (authenticate)", "authenticate ("),
    ("JSON encode of the response", "json/encoder.py"),
    ("task creation (asyncio.ensure_future)", "ensure_future"),
]


def read_stacks(path: Path) -> list[tuple[list[str], int]]:
    """py-spy's raw output: one `frame;frame;...;frame count` line per distinct stack."""
    stacks = []
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if stack:
            stacks.append((stack.split(";"), int(count)))
    return stacks


def package_of(frames: Sequence[str]) -> str:
    """The package of the innermost frame that has a file (generated code such as
    `<lambda> (<string>:1)` counts for its caller)."""
    for frame in reversed(frames):
        if "(<" in frame:
            continue
        for label, fragment in PACKAGES:
            if fragment in frame:
                return label
        return "other"
    return "other"


def summarize(stacks: Sequence[tuple[list[str], int]], top: int = 15) -> str:
    total = sum(count for _, count in stacks) or 1
    packages: Counter[str] = Counter()
    phases: Counter[str] = Counter()
    functions: Counter[str] = Counter()
    for frames, count in stacks:
        leaf = frames[-1]
        packages[package_of(frames)] += count
        functions[leaf.replace(f"{sys.prefix}/", "")] += count
        for label, marker in PHASES:
            if any(marker in frame for frame in frames):
                phases[label] += count
    lines = [f"{total} samples", "", "self time by package:"]
    lines += [f"  {count / total:6.1%}  {label}" for label, count in packages.most_common()]
    lines += ["", "inclusive, by phase (overlapping):"]
    lines += [f"  {phases[label] / total:6.1%}  {label}" for label, _ in PHASES]
    lines += ["", f"top {top} functions by self time:"]
    lines += [f"  {count / total:6.1%}  {name}" for name, count in functions.most_common(top)]
    return "\n".join(lines)


def require_py_spy() -> str:
    path = shutil.which("py-spy") or shutil.which("py-spy", path=str(Path(sys.executable).parent))
    if path is None:
        sys.exit("py-spy is not installed: .venv/bin/pip install py-spy")
    return path


def profile(
    query: str, *, url: str, workers_pid: int, body: Path, token: str, seconds: int, rate: int
) -> Path:
    """Sample `workers_pid` for `seconds` while wrk drives `query` at 64 connections."""
    output = RESULTS_DIR / f"profile-{query}.txt"
    env = {**os.environ, "BENCH_BODY_FILE": str(body), "BENCH_TOKEN": token}
    wrk = subprocess.Popen(  # noqa: S603
        [
            require_wrk(),
            "--threads=2",
            "--connections=64",
            f"--duration={seconds + 4}s",
            f"--timeout={WRK_TIMEOUT_S}s",
            f"--script={Path(__file__).parent / 'graphql.lua'}",
            url,
        ],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        time.sleep(2)  # let the load settle
        subprocess.run(  # noqa: S603
            [
                require_py_spy(),
                "record",
                f"--pid={workers_pid}",
                f"--duration={seconds}",
                f"--rate={rate}",
                "--format=raw",
                "--full-filenames",
                "--nonblocking",
                f"--output={output}",
            ],
            check=True,
            capture_output=True,
        )
    finally:
        wrk.wait(timeout=seconds + WRK_TIMEOUT_S + 30)
    return output


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__)
    parser.add_argument("--queries", default="a,c", help="subset of a,b,c (default a,c)")
    parser.add_argument("--seconds", type=int, default=15, help="sampling time per query")
    parser.add_argument("--rate", type=int, default=100, help="samples per second")
    args = parser.parse_args(argv)
    require_wrk()
    require_py_spy()
    database_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    asyncpg_dsn(database_url)  # refuses anything but PostgreSQL
    asyncio.run(ensure_database(database_url))
    upgrade(database_url)
    log(asyncio.run(ensure_seeded(database_url, reseed=False)))
    variables = asyncio.run(pick_variables(database_url))
    queries = [name.strip() for name in args.queries.split(",") if name.strip()]
    summaries = []
    with running_server(database_url, 1) as server:
        token = server.login()
        (pid,) = server.worker_pids()
        for name in queries:
            body = body_file(name, variables[name])
            drain(server, name, body, token)
            log(f"profiling ({name}) for {args.seconds} s under 64 connections (pid {pid})")
            output = profile(
                name,
                url=server.url,
                workers_pid=pid,
                body=body,
                token=token,
                seconds=args.seconds,
                rate=args.rate,
            )
            drain(server, name, body, token)
            summary = f"## ({name})\n\n```\n{summarize(read_stacks(output))}\n```\n"
            summaries.append(summary)
            print(summary, flush=True)
    (RESULTS_DIR / "profile.md").write_text("# Profile, 1 worker\n\n" + "\n".join(summaries))
    log(f"written to {RESULTS_DIR / 'profile.md'} and {RESULTS_DIR}/profile-*.txt")


if __name__ == "__main__":
    main()
