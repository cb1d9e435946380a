"""The HTTP edge against a real uvicorn process, over real sockets (issue 7, API.md "Limits").

- a corpus of a few hundred malformed requests: each answer is a documented
  status and `extensions.code` with an `X-Request-ID`, the server logs no
  traceback and still serves afterwards;
- the body limit refuses a declared `Content-Length` before reading and stops
  reading a chunked body once it passes `MAX_BODY_BYTES`;
- slow senders are disconnected after the read timeout (1 s here, through
  `tests.fast_protocol`; 10 s in `python -m app`);
- the request head is bounded in bytes and in fields (431), as `python -m app`
  serves it.
"""

import contextlib
import itertools
import json
import select
import socket
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import TEST_SECRET
from tests.servers import ServerProcess, start_server

ROOT = Path(__file__).resolve().parents[1]
BODY_LIMIT = 64 * 1024
DOCUMENTED_STATUSES = {200, 400, 405, 406, 413, 415, 431}
DOCUMENTED_CODES = {
    "BAD_REQUEST",
    "BAD_USER_INPUT",
    "GRAPHQL_PARSE_FAILED",
    "GRAPHQL_VALIDATION_FAILED",
    "PAYLOAD_TOO_LARGE",
    "PERSISTED_QUERY_NOT_FOUND",
    "UNAUTHENTICATED",
}
QUERY = "query Q($s: String) { tasks(filter: {search: $s}) { totalCount } }"
OK = {"query": "{ __typename }"}


def fast_uvicorn(port: int) -> list[str]:
    return [
        sys.executable,
        *("-m", "uvicorn", "app.main:create_app", "--factory"),
        *("--host", "127.0.0.1", "--port", str(port)),
        *("--http", "tests.fast_protocol:FastTimeoutProtocol"),
    ]


@pytest.fixture(scope="module")
def server(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """One server for the module's tests (per database): none of them writes data."""
    tmp_path = tmp_path_factory.mktemp("transport")
    env = {
        "DATABASE_URL": database_url,
        "JWT_SECRET": TEST_SECRET,
        "ENVIRONMENT": "test",
        "MAX_BODY_BYTES": str(BODY_LIMIT),
        "PYTHONPATH": str(ROOT),
    }
    with start_server(fast_uvicorn, env=env, cwd=tmp_path) as process:
        yield process


def connect(server: ServerProcess) -> socket.socket:
    host, port = server.url.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)), timeout=5.0)


def read_response(connection: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection (or 5 s pass)."""
    chunks = []
    try:
        while chunk := connection.recv(65536):
            chunks.append(chunk)
    except (ConnectionResetError, TimeoutError):
        pass
    return b"".join(chunks)


def assert_documented(status: int, headers: httpx.Headers, body: bytes, label: str) -> None:
    assert status in DOCUMENTED_STATUSES, (label, status, body[:300])
    assert headers.get("x-request-id"), (label, status)
    if not body:  # HEAD
        return
    assert headers["content-type"].split(";")[0] in (
        "application/json",
        "application/graphql-response+json",
    ), (label, headers["content-type"])
    payload = json.loads(body)
    for error in payload.get("errors", []):
        assert error["extensions"]["code"] in DOCUMENTED_CODES, (label, payload)
    if status != 200:
        assert "data" not in payload, (label, payload)


# --- the corpus ------------------------------------------------------------------------------

WRONG_VALUES: list[Any] = [None, 1, 1.5, True, "", "{", [], [1], {}, {"a": 1}, "x" * 100_000]
DEEP = "[" * 1000 + "]" * 1000
ACCEPTS = ["application/graphql-response+json", "application/json", None]


def corpus() -> Iterator[tuple[str, dict[str, Any]]]:
    """(label, httpx.request keyword arguments) for each malformed request."""
    for method in ("PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "TRACE", "PROPFIND"):
        yield f"method {method}", {"method": method, "json": OK}
    for content_type in (
        None,
        "text/plain",
        "application/graphql",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/jsonx",
        "application/json; charset=latin-1",
        "*/*",
        "",
    ):
        headers = {"content-type": content_type} if content_type is not None else {}
        yield f"content-type {content_type}", {"content": json.dumps(OK), "headers": headers}
    bodies: list[bytes] = [
        b"",
        b"null",
        b"123",
        b'"x"',
        b"[]",
        b"[{}]",
        b"true",
        b"{",
        b"{}",
        b'{"query": "{ __typename }"',
        b"\xef\xbb\xbf" + json.dumps(OK).encode(),
        b'{"query": "\xff\xfe"}',
        b'{"query": "{ __typename }", "variables": {"s": "\xc3\x28"}}',
        b'{"query": "{ __typename }"}' * 2,
        DEEP.encode(),
        ("{" + '"a":{' * 5000 + "}" * 5001).encode(),
        b'{"query": "\\ud800"}',
        b'{"query": "{ __typename }", "variables": {"\\udfff": 1}}',
        b"\x00" * 100,
        json.dumps({"query": "{ __typename }", "variables": {"v": "x" * 60_000}}).encode(),
    ]
    for index, body in enumerate(bodies):
        yield f"body {index}", {"content": body, "headers": {"content-type": "application/json"}}
    for name in ("query", "variables", "operationName", "extensions"):
        for value in WRONG_VALUES:
            payload = {"query": QUERY, name: value}
            for accept in ACCEPTS:
                yield (
                    f"{name}={str(value)[:20]} {accept}",
                    {
                        "json": payload,
                        "headers": {"accept": accept} if accept else {},
                    },
                )
            if name != "query":
                yield (
                    f"GET {name}={str(value)[:20]}",
                    {
                        "method": "GET",
                        "params": {"query": QUERY, name: json.dumps(value)[:40_000]},
                    },
                )
    surrogates = ["a\ud800b", "\udc00", "\ud83d", "ok\udfff"]
    for text, place in itertools.product(surrogates, ("variable", "name", "extension")):
        encoded = json.dumps(text)  # json.dumps writes a lone surrogate as an escape
        if place == "variable":
            document = f'{{"query": "{QUERY}", "variables": {{"s": {encoded}}}}}'
        elif place == "name":
            document = f'{{"query": "{QUERY}", "operationName": {encoded}}}'
        else:
            document = f'{{"query": "{QUERY}", "extensions": {{"e": {encoded}}}}}'
        yield (
            f"surrogate in {place}",
            {
                "content": document.encode(),
                "headers": {"content-type": "application/json"},
            },
        )
        yield (
            f"GET surrogate in {place}",
            {
                "method": "GET",
                "params": {"query": QUERY, "variables": json.dumps({"s": text})},
            },
        )
    for depth in (63, 65, 200, 999, 1000, 5000, 100_000):
        nested = "[" * depth + "]" * depth
        document = f'{{"query": "{QUERY}", "variables": {{"s": {nested}}}}}'
        yield (
            f"variables nested {depth}",
            {
                "content": document.encode(),
                "headers": {"content-type": "application/json"},
            },
        )
        if depth < 5000:
            yield (
                f"GET variables nested {depth}",
                {
                    "method": "GET",
                    "params": {"query": QUERY, "variables": f'{{"s": {nested}}}'},
                },
            )
    persisted: object
    for persisted in (
        1,
        "x",
        [],
        {},
        {"version": 2, "sha256Hash": "0" * 64},
        {"version": 1},
        {"version": 1, "sha256Hash": 7},
        {"version": 1, "sha256Hash": "Z" * 64},
        {"version": 1, "sha256Hash": "0" * 64},
        {"version": "1", "sha256Hash": "0" * 64},
    ):
        extensions: dict[str, object] = {"persistedQuery": persisted}
        yield f"persistedQuery {persisted}", {"json": {"query": QUERY, "extensions": extensions}}
        yield f"persistedQuery {persisted} hash only", {"json": {"extensions": extensions}}
        yield (
            f"GET persistedQuery {persisted}",
            {
                "method": "GET",
                "params": {"extensions": json.dumps(extensions)},
            },
        )
    for accept in ("text/html;q=0", "application/xml", "application/json;q=0", "*/*;q=0", ","):
        yield f"accept {accept}", {"json": OK, "headers": {"accept": accept}}
    for params in ({}, {"query": ""}, {"query": "{"}, {"query": "mutation { logout }"}):
        yield f"GET {params}", {"method": "GET", "params": params}
    yield "too large", {"content": b"{" + b" " * (BODY_LIMIT + 1) + b"}"}
    yield (
        "not a multiple operation name",
        {"json": {"query": "query A { __typename } query B { __typename }"}},
    )
    yield (
        "several operations, unknown name",
        {"json": {"query": "query A { __typename } query B { __typename }", "operationName": "C"}},
    )


def test_every_malformed_request_gets_a_documented_answer(server: ServerProcess) -> None:
    requests = list(corpus())
    assert len(requests) > 250
    with httpx.Client(base_url=server.url, timeout=10.0) as client:
        for label, arguments in requests:
            # A GET naming no query with `*/*` is a browser's, which gets GraphiQL: name a type.
            headers = {"accept": "application/graphql-response+json"}
            arguments = {"method": "POST", "url": "/graphql", "headers": headers, **arguments}
            response = client.request(**arguments)
            assert_documented(response.status_code, response.headers, response.content, label)
        after = client.post("/graphql", json=OK, headers={"accept": "application/json"})
    assert after.json() == {"data": {"__typename": "Query"}, "extensions": {"cost": 1}}
    log = server.log()
    assert "Traceback" not in log, log[-3000:]
    assert " 500" not in log, log[-3000:]


def test_unparsable_http_gets_a_documented_answer(server: ServerProcess) -> None:
    for raw in (
        b"GET /graphql HTTP/1.1 extra\r\nHost: x\r\n\r\n",
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + b"\x00" * 40,  # a TLS hello
        b"POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
        b"POST /graphql HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    ):
        with connect(server) as connection:
            connection.sendall(raw)
            answer = read_response(connection)
        head, _, body = answer.partition(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        headers = httpx.Headers(dict(line.split(": ", 1) for line in header_lines))
        assert_documented(int(status_line.split()[1]), headers, body, repr(raw[:30]))


# --- the body limit --------------------------------------------------------------------------


def test_declared_length_over_the_limit_is_refused_before_the_body(server: ServerProcess) -> None:
    with connect(server) as connection:
        connection.sendall(
            b"POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 1000000000\r\n\r\n"
        )
        answer = read_response(connection)  # no body sent: the answer cannot wait for it
    assert answer.startswith(b"HTTP/1.1 413 "), answer[:200]
    assert b"x-request-id: " in answer
    assert b'"PAYLOAD_TOO_LARGE"' in answer


def test_chunked_body_stops_being_read_past_the_limit(server: ServerProcess) -> None:
    """60 MB offered in chunks: the 413 comes after about the limit, and the rest is refused."""
    chunk = b"%x\r\n%s\r\n" % (65536, b" " * 65536)
    offered = 60 * 1024 * 1024
    sent = 0
    with connect(server) as connection:
        connection.sendall(
            b"POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n1\r\n{\r\n"
        )
        answer = b""
        connection.settimeout(2.0)
        try:
            while sent < offered:
                if select.select([connection], [], [], 0)[0]:
                    break
                connection.sendall(chunk)
                sent += 65536
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            pass
        answer = read_response(connection)
    assert answer.startswith(b"HTTP/1.1 413 "), answer[:200]
    assert b'"PAYLOAD_TOO_LARGE"' in answer
    assert sent < offered / 4, sent  # the server stopped reading long before the end


# --- slow senders and the request head -----------------------------------------------------


def test_half_sent_requests_are_closed_after_the_read_timeout(server: ServerProcess) -> None:
    partial = [
        b"",  # connected, nothing sent
        b"POST /graphql HTTP/1.1\r\nHost: x\r\n",  # headers never finished
        b"POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: 100\r\n\r\n{",  # body never finished
    ]
    connections = [connect(server) for _ in range(30)]
    try:
        for index, connection in enumerate(connections):
            if partial[index % 3]:
                connection.sendall(partial[index % 3])
        started = time.monotonic()
        for connection in connections:
            connection.settimeout(max(0.1, started + 4.0 - time.monotonic()))
            assert read_response(connection) == b"", "a half-sent request was answered"
        elapsed = time.monotonic() - started
        assert elapsed < 4.0, elapsed  # closed by the 1 s timeout, not by our giving up
        # Our reads stopped at EOF, not at the 4 s socket timeout: check one explicitly.
        probe = connect(server)
        probe.sendall(partial[1])
        probe.settimeout(5.0)
        begun = time.monotonic()
        assert probe.recv(100) == b""
        assert 0.5 < time.monotonic() - begun < 3.0
        probe.close()
    finally:
        for connection in connections:
            connection.close()
    with httpx.Client(base_url=server.url) as client:
        assert client.post("/graphql", json=OK).status_code == 200


def test_keep_alive_connection_serves_requests_slower_than_the_timeout(
    server: ServerProcess,
) -> None:
    """The timeout runs per request, not per connection."""
    with httpx.Client(base_url=server.url) as client:
        for _ in range(3):
            assert client.post("/graphql", json=OK).status_code == 200
            time.sleep(0.6)


@pytest.fixture(scope="module")
def app_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """`python -m app` with its defaults (SQLite in its own directory)."""
    env = {"JWT_SECRET": TEST_SECRET, "ENVIRONMENT": "test"}
    cwd = tmp_path_factory.mktemp("run")
    with start_server([sys.executable, "-m", "app"], env=env, cwd=cwd) as process:
        yield process


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param(b"Authorization: Bearer " + b"a" * 1_000_000 + b"\r\n", id="1MB-header"),
        pytest.param(b"X-Big: " + b"a" * (40 * 1024) + b"\r\n", id="40KB-header"),
        pytest.param(b"".join(b"X-H%d: v\r\n" % i for i in range(10_000)), id="10000-headers"),
        pytest.param(b"".join(b"X-H%d: v\r\n" % i for i in range(101)), id="101-headers"),
    ],
)
def test_request_head_is_bounded(app_server: ServerProcess, headers: bytes) -> None:
    """Through `python -m app`, so the bound is the one `make run` and the image serve."""
    with connect(app_server) as connection:
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            connection.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n" + headers + b"\r\n")
        answer = read_response(connection)
    assert answer.startswith(b"HTTP/1.1 431 "), answer[:200]
    assert b"x-request-id: " in answer
    assert b'"BAD_REQUEST"' in answer
    with connect(app_server) as connection:
        many = b"".join(b"X-H%d: v\r\n" % i for i in range(90))
        connection.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n" + many + b"\r\n")
        assert connection.recv(100).startswith(b"HTTP/1.1 200 ")
