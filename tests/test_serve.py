"""Real processes: `python -m app` (what `make run` does) and several uvicorn instances."""

import json
import sqlite3
import sys
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from app.db.base import Base
from tests.conftest import POSTGRES_URL, TEST_SECRET, scratch_database_url
from tests.helpers import PASSWORD, SIGNUP, error_codes
from tests.servers import CLEAN_EXITS, run_to_exit, serve, start_server, uvicorn_command

RUN = [sys.executable, "-m", "app"]
ME = "{ me { id email } }"
LOGOUT = "mutation { logout }"
REFRESH = """
mutation Refresh($token: String!) { refreshToken(refreshToken: $token) { accessToken } }
"""


def graphql(
    url: str, query: str, variables: dict[str, Any] | None = None, *, token: str | None = None
) -> dict[str, Any]:
    headers = {"accept": "application/json"}
    if token is not None:
        headers["authorization"] = f"Bearer {token}"
    response = httpx.post(
        f"{url}/graphql",
        json={"query": query, "variables": variables or {}},
        headers=headers,
        timeout=10.0,
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def sqlite_tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as connection:
        rows = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        return {str(name) for (name,) in rows}


def test_make_run_migrates_then_serves_health_and_graphiql(tmp_path: Path) -> None:
    """A fresh checkout: no `./var/`, no settings at all; the defaults must just work."""
    with start_server(RUN, env={}, cwd=tmp_path) as server:
        database = tmp_path / "var" / "tasktracker.db"
        assert sqlite_tables(database) == set(Base.metadata.tables) | {"alembic_version"}
        assert (tmp_path / "var" / "jwt_secret").is_file()

        health = httpx.get(f"{server.url}/health", timeout=5.0)
        assert (health.status_code, health.json()) == (200, {"status": "ok"})
        ready = httpx.get(f"{server.url}/health/db", timeout=5.0)
        assert (ready.status_code, ready.json()) == (200, {"status": "ok", "database": "ok"})

        graphiql = httpx.get(f"{server.url}/graphql", headers={"accept": "text/html"}, timeout=5.0)
        assert graphiql.status_code == 200
        assert graphiql.headers["content-type"].startswith("text/html")
        assert "graphiql" in graphiql.text.lower()

        status = server.stop()
        assert status in CLEAN_EXITS, server.log()
        assert "Application shutdown complete" in server.log()


def test_make_run_refuses_several_workers_on_sqlite(tmp_path: Path) -> None:
    result = run_to_exit(RUN, env={"WORKERS": "2"}, cwd=tmp_path)

    assert result.returncode != 0
    assert "PostgreSQL" in result.stderr
    assert not (tmp_path / "var" / "tasktracker.db").exists()  # refused before migrating


def test_make_run_refuses_production_with_a_short_secret(tmp_path: Path) -> None:
    env = {"ENVIRONMENT": "production", "JWT_SECRET": "short-but-secret"}
    result = run_to_exit(RUN, env=env, cwd=tmp_path)

    assert result.returncode != 0
    assert "JWT_SECRET" in result.stderr
    assert "short-but-secret" not in result.stderr  # never echo a secret into the logs
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "var").exists()


def test_logout_on_one_instance_is_seen_by_another(
    database_url: str, engine: AsyncEngine, tmp_path: Path
) -> None:
    """Sessions live in the database: a revoked session is refused on every instance.

    (`engine` is requested so that the rows the servers write are emptied afterwards.)
    """
    env = {"DATABASE_URL": database_url, "JWT_SECRET": TEST_SECRET, "ENVIRONMENT": "test"}
    with (
        serve(uvicorn_command, env=env, cwd=tmp_path) as a,
        serve(uvicorn_command, env=env, cwd=tmp_path) as b,
    ):
        variables = {"input": {"email": "ann@example.com", "password": PASSWORD, "name": "Ann"}}
        signup = graphql(a, SIGNUP, variables)
        assert "errors" not in signup, signup
        tokens = signup["data"]["signup"]
        access, refresh = tokens["accessToken"], tokens["refreshToken"]

        assert graphql(b, ME, token=access)["data"]["me"]["email"] == "ann@example.com"

        assert graphql(a, LOGOUT, token=access) == {
            "data": {"logout": True},
            "extensions": {"cost": 1},
        }

        assert error_codes(graphql(b, ME, token=access)) == ["UNAUTHENTICATED"]
        refreshed = graphql(b, REFRESH, {"token": refresh})
        assert error_codes(refreshed) == ["UNAUTHENTICATED"]
        assert refreshed["data"] is None


def log_records(log: str) -> list[dict[str, Any]]:
    """The JSON log lines of a server log (other output, e.g. from multiprocessing, skipped)."""
    records = []
    for line in log.splitlines():
        if line.startswith("{"):
            record: dict[str, Any] = json.loads(line)
            records.append(record)
    return records


if POSTGRES_URL is not None:  # several workers need PostgreSQL

    def test_make_run_with_workers_logs_json_from_every_worker(tmp_path: Path) -> None:
        """Workers are fresh interpreters: the log set-up must reach them too."""
        env = {
            "DATABASE_URL": scratch_database_url("postgresql", tmp_path),
            "WORKERS": "2",
            "LOG_FORMAT": "json",
            "JWT_SECRET": TEST_SECRET,
        }
        with start_server(RUN, env=env, cwd=tmp_path) as server:
            request_ids = set()
            for _ in range(4):
                response = httpx.get(f"{server.url}/health/db", timeout=5.0)
                assert response.status_code == 200
                request_ids.add(response.headers["x-request-id"])
            status = server.stop()
            log = server.log()

        assert status in CLEAN_EXITS, log
        records = log_records(log)
        access = [record for record in records if record["name"] == "uvicorn.access"]
        assert {record["request_id"] for record in access} >= request_ids, log
        assert all(record["level"] == "INFO" for record in access)
        workers = [record for record in records if "Started server process" in record["message"]]
        assert len(workers) == 2, log
