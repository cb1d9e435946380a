"""`python -m bench` (`make bench`): load-test the real server on PostgreSQL with wrk.

Its command line: the options of a run (see bench/README.md) and BENCH_DATABASE_URL.
"""

import argparse
import os
from collections.abc import Sequence
from dataclasses import dataclass

from bench.database import DEFAULT_DATABASE_URL
from bench.queries import QUERIES


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
