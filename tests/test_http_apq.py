"""Automatic persisted queries (API.md "Limits", Apollo's protocol), with Apollo Client.

`tests/apq_client/apq.mjs` runs `@apollo/client`'s `PersistedQueryLink` in Node
against a real uvicorn process: a miss, the retry with the document, then a
hit, over POST and with `useGETForHashedQueries`; and a server with
`PERSISTED_QUERIES_ONLY` that runs its manifest's document by hash and refuses
another. The protocol's edges (a wrong hash, the store's bounds, manifests of
both formats, a bad manifest at start-up) are checked in-process.
"""

import hashlib
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.errors import PersistedQueryNotFound
from app.http import persisted
from app.http.params import BadRequest, RequestParams
from app.http.persisted import InvalidManifest, PersistedQueries, load_manifest
from tests.conftest import TEST_SECRET
from tests.node import ensure_npm_packages
from tests.servers import run_to_exit, start_server, uvicorn_command

ROOT = Path(__file__).resolve().parents[1]
CLIENT_DIR = ROOT / "tests" / "apq_client"
NODE_DEADLINE_SECONDS = 120
PING = "query Ping {\n  __typename\n}"  # as Apollo Client prints the script's PING
PING_SHA = hashlib.sha256(PING.encode()).hexdigest()
ACCEPT = {"accept": "application/graphql-response+json"}
MISS = {"method": "POST", "hasQuery": False, "status": 200, "codes": ["PERSISTED_QUERY_NOT_FOUND"]}


def run_client(*arguments: str) -> Any:
    ensure_npm_packages(CLIENT_DIR, "@apollo/client")
    command = ["node", str(CLIENT_DIR / "apq.mjs"), *arguments]
    done = subprocess.run(  # noqa: S603 (a fixed command)
        command, capture_output=True, text=True, timeout=NODE_DEADLINE_SECONDS, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads(done.stdout)


def env_for(database_url: str, **settings: str) -> dict[str, str]:
    return {"DATABASE_URL": database_url, "JWT_SECRET": TEST_SECRET, "ENVIRONMENT": "test"} | (
        settings
    )


@pytest.fixture
def server_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    with start_server(uvicorn_command, env=env_for(database_url), cwd=tmp_path) as server:
        yield f"{server.url}/graphql"


# --- Apollo Client ----------------------------------------------------------------------------


def test_apollo_link_misses_retries_with_the_document_then_hits(server_url: str) -> None:
    outcome = run_client(server_url, "post")
    assert outcome["trace"] == [
        MISS,
        {"method": "POST", "hasQuery": True, "status": 200, "codes": []},
        {"method": "POST", "hasQuery": False, "status": 200, "codes": []},
    ]
    assert outcome["results"] == [{"data": {"__typename": "Query"}, "error": None}] * 2


def test_apollo_link_with_get_for_hashed_queries(server_url: str) -> None:
    outcome = run_client(server_url, "get")
    assert outcome["trace"] == [
        {**MISS, "method": "GET"},
        {
            "method": "POST",
            "hasQuery": True,
            "status": 200,
            "codes": [],
        },  # the link retries by POST
        {"method": "GET", "hasQuery": False, "status": 200, "codes": []},
    ]
    assert outcome["results"] == [{"data": {"__typename": "Query"}, "error": None}] * 2


def test_persisted_queries_only_runs_the_manifest(database_url: str, tmp_path: Path) -> None:
    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps(run_client("manifest")))
    env = env_for(database_url, PERSISTED_QUERIES_ONLY="true", PERSISTED_QUERIES_FILE=str(manifest))
    with start_server(uvicorn_command, env=env, cwd=tmp_path) as server:
        outcome = run_client(f"{server.url}/graphql", "only")
        plain = httpx.post(
            f"{server.url}/graphql", json={"query": "{ __typename }"}, headers=ACCEPT
        )
    assert outcome["trace"] == [
        {"method": "POST", "hasQuery": False, "status": 200, "codes": []},  # Ping, by hash
        MISS,  # Other, by hash
        {**MISS, "hasQuery": True},  # Other, with its document: still not run
    ]
    assert outcome["results"][0] == {"data": {"__typename": "Query"}, "error": None}
    assert outcome["results"][1]["data"] is None
    assert plain.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"


# --- the protocol in-process ------------------------------------------------------------------


def apq(sha256: str, query: str | None = None) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "extensions": {"persistedQuery": {"version": 1, "sha256Hash": sha256}}
    }
    if query is not None:
        payload["query"] = query
    return payload


async def test_unknown_hash_is_not_found_and_never_cached(http: httpx.AsyncClient) -> None:
    for request in (
        http.post("/graphql", json=apq("0" * 64), headers=ACCEPT),
        http.get("/graphql", params={"extensions": json.dumps(apq("0" * 64)["extensions"])}),
    ):
        response = await request
        assert response.status_code == 200
        assert response.headers["cache-control"] == "private, no-cache, must-revalidate"
        assert response.json() == {
            "errors": [
                {
                    "message": "PersistedQueryNotFound",
                    "extensions": {"code": "PERSISTED_QUERY_NOT_FOUND"},
                }
            ]
        }
        assert response.headers["x-request-id"]


async def test_document_registers_under_its_hash_over_post_and_get(http: httpx.AsyncClient) -> None:
    query = "query Registered { __typename }"
    sha = hashlib.sha256(query.encode()).hexdigest()
    first = await http.post("/graphql", json=apq(sha, query), headers=ACCEPT)
    assert first.json() == {"data": {"__typename": "Query"}, "extensions": {"cost": 1}}
    extensions = json.dumps(apq(sha)["extensions"])
    again = await http.get("/graphql", params={"extensions": extensions}, headers=ACCEPT)
    assert again.json() == {"data": {"__typename": "Query"}, "extensions": {"cost": 1}}


async def test_hash_that_is_not_the_documents_is_refused(http: httpx.AsyncClient) -> None:
    response = await http.post("/graphql", json=apq(PING_SHA, "{ __typename }"), headers=ACCEPT)
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "BAD_REQUEST"
    assert "does not match" in error["message"]
    after = await http.post("/graphql", json=apq(PING_SHA), headers=ACCEPT)
    assert after.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"


@pytest.mark.parametrize(
    "persisted_query",
    [{"version": 2, "sha256Hash": PING_SHA}, {"version": 1, "sha256Hash": PING_SHA.upper()}, 7],
)
async def test_malformed_persisted_query_is_a_bad_request(
    http: httpx.AsyncClient, persisted_query: object
) -> None:
    payload = {"query": PING, "extensions": {"persistedQuery": persisted_query}}
    response = await http.post("/graphql", json=payload, headers=ACCEPT)
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


def params(query: str | None, sha256: str | None = None) -> RequestParams:
    extensions = None if sha256 is None else apq(sha256)["extensions"]
    return RequestParams(query=query, operation_name=None, variables=None, extensions=extensions)


def document(index: int) -> tuple[str, str]:
    text = f"query Q{index} {{ __typename }}"
    return text, hashlib.sha256(text.encode()).hexdigest()


def test_automatic_store_drops_the_least_recently_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(persisted, "MAX_DOCUMENTS", 3)
    store = PersistedQueries()
    for index in range(3):
        store.resolve(params(*document(index)))
    store.resolve(params(None, document(0)[1]))  # used: now the most recent
    store.resolve(params(*document(3)))
    assert len(store) == 3
    assert store.resolve(params(None, document(0)[1])).query == document(0)[0]
    with pytest.raises(PersistedQueryNotFound):
        store.resolve(params(None, document(1)[1]))


def test_automatic_store_is_bounded_in_characters(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(persisted, "MAX_CHARACTERS", 60)
    store = PersistedQueries()
    for index in range(10):
        store.resolve(params(*document(index)))  # 29 or 30 characters each
    assert len(store) == 2


def test_relay_manifest_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "relay.json"
    path.write_text(json.dumps({PING_SHA: PING}))
    assert load_manifest(path) == {PING_SHA: PING}
    store = PersistedQueries(load_manifest(path))
    assert store.resolve(params(None, PING_SHA)).query == PING
    with pytest.raises(PersistedQueryNotFound):
        store.resolve(params(*document(1)))  # nothing new is registered
    with pytest.raises(BadRequest):
        store.resolve(params("{ __typename }", PING_SHA))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read"),
        ("{", "not JSON"),
        ("[]", "expected"),
        (json.dumps({"a" * 64: PING}), "is not the SHA-256"),
        (json.dumps({"format": "apollo-persisted-query-manifest", "version": 2}), "version 1"),
        (json.dumps({"format": "apollo-persisted-query-manifest", "version": 1}), "operations"),
        (
            json.dumps(
                {
                    "format": "apollo-persisted-query-manifest",
                    "version": 1,
                    "operations": [{"id": PING_SHA}],
                }
            ),
            "`body`",
        ),
    ],
)
def test_bad_manifest_is_refused(tmp_path: Path, content: str | None, message: str) -> None:
    path = tmp_path / "manifest.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(InvalidManifest, match=message):
        load_manifest(path)


def test_bad_manifest_fails_start_up_with_a_clear_message(tmp_path: Path) -> None:
    env = {
        "JWT_SECRET": TEST_SECRET,
        "PERSISTED_QUERIES_ONLY": "true",
        "PERSISTED_QUERIES_FILE": str(tmp_path / "missing.json"),
    }
    done = run_to_exit([sys.executable, "-m", "app"], env=env, cwd=tmp_path)
    assert done.returncode != 0
    assert "Invalid settings: PERSISTED_QUERIES_FILE: cannot read" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
