"""`python -m bench.abuse`: API.md "Limits" tried as a hostile client would, on the real server.

1. Creates, migrates and seeds the bench database as `python -m bench` does
   (BENCH_DATABASE_URL; 200,000 tasks), then starts `python -m app` with the
   DEFAULT limits (one worker, rate-limit counters in memory).
2. The slowest request the limits let through: heavy documents under
   `MAX_QUERY_COST`, each sent `--tries` times, every try by another seeded user
   (a document dearer than the 20,000-point budget may run once a minute per
   user). Prints each document's cost, best time and response size.
3. Abuse: each kind of hostile request, sent in bulk; prints how the server
   answered (HTTP status and `extensions.code`), so every refusal is counted by
   the limit that made it.

Nothing here is timed against a target: it reports what the limits do. The
numbers in bench/README.md ("Limits under abuse") come from this command.
"""

import argparse
import asyncio
import json
import os
import socket
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from sqlalchemy import text

from app.cli.seed.generate import DEMO_PASSWORD
from app.db.engine import create_engine
from app.db.migrate import upgrade
from bench.common import log
from bench.database import DEFAULT_DATABASE_URL, ensure_database, ensure_seeded
from bench.server import Server, running_server

URL_TIMEOUT_S = 120
# (name, document): the heaviest shapes the schema allows, each under MAX_QUERY_COST.
HEAVY = [
    (
        "100 tasks x their project's 100 tasks, 5 fields",
        "{ tasks(first: 100) { nodes { project { tasks(first: 100) { nodes {"
        " title description project { name } assignee { name } createdBy { name } } } } } } }",
    ),
    (
        "75 projects x 100 members and 20 tasks with tags",
        "{ projects(first: 75) { nodes { members(first: 100) { edges { role node { name } } }"
        " tasks { nodes { title tags { name } } } } } }",
    ),
    (
        "100 tasks x 20 tags x 20 tasks of each tag",
        "{ tasks(first: 100) { nodes { tags { tasks { nodes { title } } } } } }",
    ),
    (
        "search every visible task, counted",
        '{ tasks(first: 100, filter: {search: "zz"}, orderBy: {field: TITLE, direction: DESC})'
        " { totalCount nodes { title } } }",
    ),
]
LOGIN = (
    "mutation($e: String!, $p: String!) { login(input: {email: $e, password: $p}) { accessToken } }"
)
CHEAP = "{ tasks { nodes { id } } }"  # 21 points


def post(
    server: Server, body: bytes, *, token: str | None = None, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, Any], int]:
    """POST `body` to `/graphql`: (status, decoded body, body size in bytes)."""
    sent = {"content-type": "application/json", "accept": "application/json", **(headers or {})}
    if token:
        sent["authorization"] = f"Bearer {token}"
    request = urllib.request.Request(server.url, data=body, headers=sent, method="POST")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=URL_TIMEOUT_S) as response:  # noqa: S310
            raw = response.read()
            return response.status, json.loads(raw), len(raw)
    except urllib.error.HTTPError as error:
        raw = error.read()
        return error.code, json.loads(raw), len(raw)


def graphql(query: str, variables: dict[str, Any] | None = None) -> bytes:
    return json.dumps({"query": query, "variables": variables or {}}).encode()


def outcome(status: int, answer: dict[str, Any]) -> str:
    """`200 ok`, or the status with the first error's code."""
    errors = answer.get("errors") or []
    return f"{status} {errors[0]['extensions']['code'] if errors else 'ok'}"


async def seeded_emails(database_url: str, count: int) -> list[str]:
    """Seeded users who can see the most tasks, most first."""
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(
                text(
                    "SELECT u.email FROM users u JOIN project_members m ON m.user_id = u.id"
                    " JOIN tasks t ON t.project_id = m.project_id"
                    " GROUP BY u.email ORDER BY count(*) DESC LIMIT :count"
                ),
                {"count": count},
            )
            return [row.email for row in rows]
    finally:
        await engine.dispose()


def login(server: Server, email: str) -> str:
    _, answer, _ = post(server, graphql(LOGIN, {"e": email, "p": DEMO_PASSWORD}))
    token: str = answer["data"]["login"]["accessToken"]
    return token


def slowest(server: Server, users: Iterator[str], tries: int) -> list[str]:
    """Each heavy document `tries` times, each by a user whose budget is untouched."""
    lines = [
        "| document | cost | best of tries, s | response, MB | answers |",
        "|---|---:|---:|---:|---|",
    ]
    for name, document in HEAVY:
        times, answers, cost, size = [], Counter[str](), 0, 0
        for _ in range(tries):
            token = login(server, next(users))
            started = time.perf_counter()
            status, answer, size = post(server, graphql(document), token=token)
            times.append(time.perf_counter() - started)
            answers[outcome(status, answer)] += 1
            errors = answer.get("errors") or [{}]
            cost = answer.get("extensions", {}).get("cost") or errors[0].get("extensions", {}).get(
                "cost", 0
            )
        lines.append(
            f"| {name} | {cost:,} | {min(times):.2f} | {size / 1e6:.2f} | "
            + ", ".join(f"{key} x{count}" for key, count in answers.items())
            + " |"
        )
        log(lines[-1])
    return lines


def aliased_logins(email: str, count: int, guess: int) -> bytes:
    fields = " ".join(
        f'a{i}: login(input: {{email: "{email}", password: "guess-{guess}-{i}"}}) {{ accessToken }}'
        for i in range(count)
    )
    return graphql(f"mutation {{ {fields} }}")


def raw_exchange(port: int, payload: bytes) -> int:
    """Send `payload` on a fresh connection; the status of the answer (0: closed unanswered)."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
        connection.sendall(payload)
        head = connection.recv(65536)
    return int(head.split(b" ")[1]) if head.startswith(b"HTTP/1.1 ") else 0


def half_sent_still_open(port: int, count: int, wait_s: float) -> int:
    """Open `count` connections that send half a request head; how many are open after
    `wait_s` seconds (the read timeout closes them)."""
    connections = []
    for _ in range(count):
        connection = socket.create_connection(("127.0.0.1", port), timeout=5)
        connection.sendall(b"POST /graphql HTTP/1.1\r\nhost: x\r\ncontent-le")
        connections.append(connection)
    time.sleep(wait_s)
    still_open = 0
    for connection in connections:
        connection.setblocking(False)
        try:
            still_open += connection.recv(1) != b""
        except BlockingIOError:
            still_open += 1
        except OSError:
            pass
        connection.close()
    return still_open


def abuse(server: Server, token: str) -> list[str]:
    """Each kind of abuse in bulk; a table of what the server answered."""
    port = server.port
    kinds: list[tuple[str, int, Callable[[int], tuple[int, dict[str, Any], int]]]] = [
        (
            "30 aliased logins a document, one email, a new IP each",
            20,
            lambda i: post(
                server,
                aliased_logins("demo@example.com", 30, i),
                headers={"x-forwarded-for": f"203.0.113.{i + 1}"},
            ),
        ),
        (
            "logins with 150 emails from one IP",
            150,
            lambda i: post(
                server,
                graphql(LOGIN, {"e": f"nobody{i}@example.com", "p": "guess"}),
                headers={"x-forwarded-for": "198.51.100.7"},
            ),
        ),
        (
            "100 aliases",
            5,
            lambda i: post(
                server, graphql("{ " + " ".join(f"a{j}: me {{ id }}" for j in range(100)) + " }")
            ),
        ),
        (
            "15 levels deep",
            5,
            lambda i: post(
                server,
                graphql("{ " + "tasks { nodes { project { " * 5 + "id" + " } } }" * 5 + " }"),
                token=token,
            ),
        ),
        (
            "6,000 tokens",
            5,
            lambda i: post(server, graphql("{ " + "me { id } " * 1500 + "}")),
        ),
        (
            "cost 1,010,101",
            5,
            lambda i: post(
                server,
                graphql(
                    "{ tasks(first: 100) { nodes { project { tasks(first: 100) { nodes { project {"
                    " tasks(first: 100) { nodes { id } } } } } } } } }"
                ),
                token=token,
            ),
        ),
        (
            "1,100 documents of 21 points, one user",
            1100,
            lambda i: post(server, graphql(CHEAP), token=token),
        ),
        (
            "2 MiB body",
            5,
            lambda i: post(server, b'{"query": "' + b" " * (2 << 20) + b'{ me { id } }"}'),
        ),
        ("body `null`", 5, lambda i: post(server, b"null")),
        ("body not UTF-8", 5, lambda i: post(server, b'{"query": "\xff\xfe"}')),
        (
            "variables nested 1,000 deep",
            5,
            lambda i: post(
                server,
                b'{"query": "{ me { id } }", "variables": {"v": '
                + b"[" * 1000
                + b"]" * 1000
                + b"}}",
            ),
        ),
        (
            "lone surrogate in a variable",
            5,
            lambda i: post(
                server,
                b'{"query": "query($s: String) { me { id } }", "variables": {"s": "a\\ud800"}}',
            ),
        ),
    ]
    lines = ["| abuse | requests | answers |", "|---|---:|---|"]
    for name, count, send in kinds:
        answers = Counter(outcome(status, answer) for status, answer, _ in map(send, range(count)))
        lines.append(
            f"| {name} | {count} | "
            + ", ".join(f"{k} x{v}" for k, v in sorted(answers.items()))
            + " |"
        )
        log(lines[-1])
    header_bombs = {
        "a 1 MiB Authorization header": b"authorization: Bearer " + b"x" * (1 << 20) + b"\r\n",
        "10,000 headers": b"".join(b"x-h%d: v\r\n" % i for i in range(10_000)),
    }
    for name, headers in header_bombs.items():
        request = (
            b"POST /graphql HTTP/1.1\r\nhost: x\r\n" + headers + b"content-length: 2\r\n\r\n{}"
        )
        statuses = Counter(raw_exchange(port, request) for _ in range(5))
        lines.append(
            f"| {name} | 5 | " + ", ".join(f"{k} x{v}" for k, v in statuses.items()) + " |"
        )
        log(lines[-1])
    still_open = half_sent_still_open(port, 100, wait_s=12)
    lines.append(f"| half-sent request heads, open after 12 s | 100 | {still_open} still open |")
    log(lines[-1])
    return lines


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.abuse", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--tries", type=int, default=3, help="tries of each heavy document")
    options = parser.parse_args(argv)
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    asyncio.run(ensure_database(url))
    upgrade(url)
    log(asyncio.run(ensure_seeded(url, reseed=False)))
    users = iter(asyncio.run(seeded_emails(url, options.tries * len(HEAVY) + 1)))
    with running_server(url, 1, default_limits=True) as server:
        heavy = slowest(server, users, options.tries)
        token = login(server, next(users))
        refused = abuse(server, token)
    print("\n".join(["", *heavy, "", *refused]))


if __name__ == "__main__":
    main()
