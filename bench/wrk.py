"""wrk: one run against the server with bench/graphql.lua, and the numbers of its
JSON summary; the request bodies it posts."""

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.common import BENCH_DIR, RESULTS_DIR
from bench.queries import body

LUA_SCRIPT = BENCH_DIR / "graphql.lua"


WRK_TIMEOUT_S = 30


def require_wrk() -> str:
    path = shutil.which("wrk")
    if path is None:
        sys.exit("wrk is not installed: apt-get install wrk (Debian/Ubuntu), then run again.")
    return path


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
