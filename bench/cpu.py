"""CPU per request, in process: `python -m bench.cpu` (one checkout; run it in each to compare).

The application runs in this process behind `httpx.ASGITransport`; one client sends
each query `--requests` times after `--warmup` runs, and the process's CPU time
(`time.process_time()`, server and client together, no network, no wrk) is divided
by the number of requests. Less noisy than throughput on a busy machine; under
`valgrind --tool=callgrind` the instruction count is repeatable (bench/README.md,
"Before and after issue 8").

Needs a seeded database (`DATABASE_URL`, e.g. peer-bench's `paired_bench`), the demo
login, and a task and a project of the demo user (`--task`, `--project`: row ids).
Prints one JSON object: query name -> ms of CPU per request.
"""

import argparse
import asyncio
import json
import os
import time
from pathlib import Path

import httpx

from app.cli.seed.generate import DEMO_EMAIL, DEMO_PASSWORD
from app.config import load_settings
from app.ids import encode_id
from app.main import create_app
from bench.queries import QUERIES, compact

LOGIN = (
    "mutation($e: String!, $p: String!) { login(input: {email: $e, password: $p}) { accessToken } }"
)


def documents(folder: Path | None) -> dict[str, str]:
    """The documents to send: `bench/queries.py`'s, or every `tt_<name>.graphql` in `folder`
    (peer-bench's `queries/`)."""
    if folder is None:
        return {name: compact(query) for name, query in QUERIES.items()}
    return {
        path.stem.removeprefix("tt_"): compact(path.read_text())
        for path in sorted(folder.glob("tt_*.graphql"))
    }


async def measure(args: argparse.Namespace) -> dict[str, float]:
    """ms of CPU per request of each document (see the module)."""
    os.environ.setdefault("RATE_LIMIT_POINTS_PER_MINUTE", "1000000000")
    app = create_app(load_settings())
    task, project = encode_id("Task", args.task), encode_id("Project", args.project)
    # As peer-bench sends them; (a), (b) and (c) mean the same in bench/queries.py.
    variables = {
        "a": {"id": task},
        "b": {"id": project},
        "l1": {"projectId": project},
        "l2": {"id": task},
    }
    results: dict[str, float] = {}
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
            login = {"query": LOGIN, "variables": {"e": DEMO_EMAIL, "p": DEMO_PASSWORD}}
            answer = (await http.post("/graphql", json=login)).json()
            if "errors" in answer:
                raise RuntimeError(f"the demo login failed: {json.dumps(answer)[:300]}")
            headers = {"authorization": f"Bearer {answer['data']['login']['accessToken']}"}
            for name, document in documents(args.documents).items():
                if args.queries and name not in args.queries.split(","):
                    continue
                body = {"query": document, "variables": variables.get(name, {})}
                for _ in range(args.warmup):
                    answer = (await http.post("/graphql", json=body, headers=headers)).json()
                    if "errors" in answer:
                        raise RuntimeError(f"{name}: {json.dumps(answer)[:300]}")
                started = time.process_time()
                for _ in range(args.requests):
                    await http.post("/graphql", json=body, headers=headers)
                results[name] = round((time.process_time() - started) / args.requests * 1000, 2)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.cpu", description=__doc__)
    parser.add_argument("--task", type=int, required=True, help="row id of a demo user's task")
    parser.add_argument("--project", type=int, required=True, help="row id of their project")
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--queries", default="", help="names to run (default: all)")
    parser.add_argument("--documents", type=Path, help="a folder of tt_<name>.graphql files")
    print(json.dumps(asyncio.run(measure(parser.parse_args()))))


if __name__ == "__main__":
    main()
