"""The results: the table of server and floor numbers, the verdicts against the issue's
targets, and the report around them (date, machine, code, statements)."""

import hashlib
import os
import platform
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from bench.cli import Options
from bench.common import ROOT
from bench.floor import FloorResult
from bench.queries import DESCRIPTIONS
from bench.wrk import WrkResult

# Targets from the issue (2 workers; p99 for (a) at 64 connections), for reference.
TARGET_RPS = {"a": 1200, "b": 320, "c": 700}
TARGET_P99_MS_A = 100


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
