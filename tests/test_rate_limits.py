"""API.md "Limits", rate: a cost budget per user or client IP, and auth attempts per email
and per IP, counted in memory and in Redis (every test runs on both storages)."""

import asyncio
import logging
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import httpx
import pytest
import redis.asyncio
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from app.db.models import Task
from app.main import create_app
from app.ratelimit import RateLimiter
from tests.conftest import make_settings
from tests.helpers import LOGIN, REFRESH, GraphQLClient, assert_error, error_codes, fetch_all

REDIS_URL = "redis://127.0.0.1:6379/0"
TASKS_21 = "{ tasks { nodes { id } } }"  # 1 connection + 20 tasks
ME = "{ me { id } }"  # cost 1
Limited = Callable[..., AbstractAsyncContextManager["Client"]]


class Client(GraphQLClient):
    """A GraphQL client that keeps whole responses and sends from a chosen client IP."""

    async def post(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        token: str | None = None,
        forwarded_for: str | None = None,
    ) -> httpx.Response:
        headers = {"accept": "application/json"}
        if token is not None:
            headers["authorization"] = f"Bearer {token}"
        if forwarded_for is not None:
            headers["x-forwarded-for"] = forwarded_for
        payload = {"query": query, "variables": variables or {}}
        return await self.http.post("/graphql", json=payload, headers=headers)

    async def body(self, query: str, variables: dict[str, Any] | None = None, **kw: Any) -> Any:
        """The decoded body: 429 with `Retry-After` when it is RATE_LIMITED, else 200."""
        response = await self.post(query, variables, **kw)
        body = response.json()
        limited = [e for e in body.get("errors", []) if e["extensions"]["code"] == "RATE_LIMITED"]
        assert response.status_code == (429 if limited else 200), response.text
        if limited:
            assert response.headers["content-type"].startswith("application/graphql-response+json")
            assert response.headers["retry-after"] == str(limited[0]["extensions"]["retryAfter"])
        return body


WINDOW_SECONDS = 60
EDGE_MARGIN_SECONDS = 6  # longer than any test here takes


async def clear_of_window_edge() -> None:
    """Wait, if need be, until a minute has begun: the memory storage's sliding windows are
    whole clock minutes, and past an edge the last minute's hits weigh less and less, so
    a test that ran across one would see fewer hits than it made (by design). Redis
    windows start at a key's first hit, so tests on Redis never cross one."""
    left = WINDOW_SECONDS - time.time() % WINDOW_SECONDS
    if left < EDGE_MARGIN_SECONDS:
        await asyncio.sleep(left + 0.05)


@pytest.fixture(params=["memory", "redis"])
async def storage(request: pytest.FixtureRequest) -> str:
    """The storage of the test's counters; Redis must run (`.ci/run` starts it): no skipping."""
    if request.param == "redis":
        client = redis.asyncio.Redis.from_url(REDIS_URL)
        try:
            await client.ping()
        except redis.RedisError as error:
            pytest.fail(f"Redis must run at {REDIS_URL} for the rate-limit tests: {error}")
        finally:
            await client.aclose()
    return str(request.param)


@pytest.fixture
def limited(database_url: str, storage: str) -> Limited:
    """Start an app with the given settings on this test's storage (Redis: a key prefix of
    this test's own, shared by every app the test starts, as instances share one Redis)."""
    prefix = f"test-{uuid.uuid4().hex}"

    @asynccontextmanager
    async def start(peer: str = "127.0.0.1", **overrides: object) -> AsyncIterator[Client]:
        if storage == "redis":
            overrides.setdefault("redis_url", REDIS_URL)
        settings = make_settings(database_url, **overrides)
        app = create_app(settings, rate_limiter=RateLimiter(settings, key_prefix=prefix))
        if storage == "memory":
            await clear_of_window_edge()
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app, client=(peer, 4321))
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
                yield Client(http)

    return start


def assert_rate_limited(body: dict[str, Any]) -> int:
    """Assert `body` is a RATE_LIMITED request error; return its `retryAfter`."""
    error = assert_error(body, "RATE_LIMITED")
    assert "data" not in body, body
    retry_after = error["extensions"]["retryAfter"]
    assert isinstance(retry_after, int), error
    assert retry_after >= 1, error
    return retry_after


def login_variables(email: str) -> dict[str, Any]:
    return {"input": {"email": email, "password": "not the password"}}


# --- the cost budget -------------------------------------------------------------------------


async def test_the_budget_is_spent_by_cost_then_refused_with_headers(
    limited: Limited, engine: AsyncEngine
) -> None:
    async with limited(rate_limit_points_per_minute=50) as api:
        token = (await api.signup())["accessToken"]
        remaining = []
        for _ in range(2):
            response = await api.post(TASKS_21, token=token)
            assert response.json()["extensions"] == {"cost": 21}
            assert response.headers["ratelimit-limit"] == "50"
            assert 0 <= int(response.headers["ratelimit-reset"]) <= 60
            remaining.append(int(response.headers["ratelimit-remaining"]))
        assert remaining == [29, 8]
        refused = await api.post(TASKS_21, token=token)
        assert refused.status_code == 429, refused.text
        retry_after = assert_rate_limited(refused.json())
        assert refused.headers["ratelimit-remaining"] == "8"
        assert refused.headers["retry-after"] == str(retry_after)
        assert retry_after <= 60
        cheap = await api.body(ME, token=token)  # 1 point still fits
        assert "errors" not in cheap, cheap


async def test_budgets_are_per_user_and_per_ip_when_anonymous(
    limited: Limited, engine: AsyncEngine
) -> None:
    async with limited(rate_limit_points_per_minute=25) as api:
        ann = (await api.signup())["accessToken"]
        bob = (await api.signup())["accessToken"]
        assert "errors" not in await api.body(TASKS_21, token=ann)
        assert_rate_limited(await api.body(TASKS_21, token=ann))
        assert "errors" not in await api.body(TASKS_21, token=bob)
        # Anonymous requests spend the IP's budget, apart from the users' (signups cost 2 each).
        for _ in range(21):
            assert "errors" not in await api.body(ME)
        assert_rate_limited(await api.body(ME))


async def test_an_operation_dearer_than_the_budget_spends_it_all(
    limited: Limited, engine: AsyncEngine
) -> None:
    async with limited(rate_limit_points_per_minute=50) as api:
        token = (await api.signup())["accessToken"]
        first = await api.post("{ tasks(first: 100) { nodes { id } } }", token=token)
        assert first.json()["extensions"] == {"cost": 101}
        assert first.headers["ratelimit-remaining"] == "0"
        assert_rate_limited(await api.body(ME, token=token))


async def test_over_the_budget_nothing_runs(limited: Limited, engine: AsyncEngine) -> None:
    async with limited(rate_limit_points_per_minute=6) as api:
        token = (await api.signup())["accessToken"]
        create = 'mutation { createTask(input: {title: "a"}) { id project { id } } }'  # cost 2
        for _ in range(3):
            assert "errors" not in await api.body(create, token=token)
        assert_rate_limited(await api.body(create, token=token))
    rows = await fetch_all(engine, select(func.count()).select_from(Task))
    assert rows[0][0] == 3


# --- auth attempts ---------------------------------------------------------------------------


async def test_auth_attempts_count_per_email_however_it_is_typed(
    limited: Limited, engine: AsyncEngine
) -> None:
    async with limited(auth_attempts_per_minute=3) as api:
        for email in ("ann@example.com", " Ann@Example.com", "ANN@EXAMPLE.COM "):
            assert error_codes(await api.body(LOGIN, login_variables(email))) == ["UNAUTHENTICATED"]
        assert_rate_limited(await api.body(LOGIN, login_variables("ann@example.com")))
        other = await api.body(LOGIN, login_variables("bob@example.com"))
        assert error_codes(other) == ["UNAUTHENTICATED"]  # another email still counts apart


def aliased_logins(count: int, email: str) -> str:
    fields = " ".join(
        f'a{i}: login(input: {{email: "{email}", password: "wrong {i}"}}) {{ accessToken }}'
        for i in range(count)
    )
    return f"mutation {{ {fields} }}"


async def test_aliases_do_not_multiply_attempts(limited: Limited, engine: AsyncEngine) -> None:
    async with limited(auth_attempts_per_minute=10) as api:
        ten = await api.body(aliased_logins(10, "ann@example.com"))
        # All ten were counted; the first failure (a non-null field) ends the mutation.
        assert error_codes(ten) == ["UNAUTHENTICATED"]
        assert_rate_limited(await api.body(LOGIN, login_variables("ann@example.com")))
        eleven = await api.body(aliased_logins(11, "bob@example.com"))
        assert_rate_limited(eleven)  # refused whole, before any of them ran


async def test_signups_count_as_attempts(limited: Limited, engine: AsyncEngine) -> None:
    async with limited(auth_attempts_per_minute=2) as api:
        await api.signup(email="ann@example.com")
        taken = await api.body(
            "mutation($e: String!) { signup(input: {email: $e, password: "
            '"correct horse battery", name: "A"}) { accessToken } }',
            {"e": "Ann@example.com"},
        )
        assert error_codes(taken) == ["CONFLICT"]
        assert_rate_limited(await api.body(LOGIN, login_variables("ann@example.com")))


async def test_auth_attempts_count_per_client_ip(limited: Limited, engine: AsyncEngine) -> None:
    async with limited(auth_attempts_per_ip_per_minute=3) as api:
        for i in range(2):
            body = await api.body(
                LOGIN, login_variables(f"u{i}@example.com"), forwarded_for="1.1.1.1"
            )
            assert error_codes(body) == ["UNAUTHENTICATED"]
        refresh = await api.body(REFRESH, {"token": "not a token"}, forwarded_for="1.1.1.1")
        assert error_codes(refresh) == ["UNAUTHENTICATED"]  # refreshToken counts per IP
        refused = await api.body(LOGIN, login_variables("u9@example.com"), forwarded_for="1.1.1.1")
        assert_rate_limited(refused)
        elsewhere = await api.body(
            LOGIN, login_variables("u9@example.com"), forwarded_for="2.2.2.2"
        )
        assert error_codes(elsewhere) == ["UNAUTHENTICATED"]


# --- the client IP ---------------------------------------------------------------------------


async def test_x_forwarded_for_names_the_client_behind_an_allowed_proxy(
    limited: Limited, engine: AsyncEngine
) -> None:
    async with limited(rate_limit_points_per_minute=2, forwarded_allow_ips="10.0.0.1",
                       peer="10.0.0.1") as api:  # fmt: skip
        for _ in range(2):
            assert "errors" not in await api.body(ME, forwarded_for="203.0.113.5")
        assert_rate_limited(await api.body(ME, forwarded_for="203.0.113.5"))
        assert "errors" not in await api.body(ME, forwarded_for="203.0.113.6")


async def test_x_forwarded_for_is_ignored_from_other_peers(
    limited: Limited, engine: AsyncEngine
) -> None:
    async with limited(rate_limit_points_per_minute=2, forwarded_allow_ips="10.0.0.1",
                       peer="198.51.100.7") as api:  # fmt: skip
        for client in ("203.0.113.5", "203.0.113.6"):
            assert "errors" not in await api.body(ME, forwarded_for=client)
        assert_rate_limited(await api.body(ME, forwarded_for="203.0.113.7"))


# --- storage ---------------------------------------------------------------------------------


async def test_instances_share_counters_in_redis(database_url: str, engine: AsyncEngine) -> None:
    settings = make_settings(database_url, redis_url=REDIS_URL, rate_limit_points_per_minute=3)
    prefix = f"test-{uuid.uuid4().hex}"
    apps = [
        create_app(settings, rate_limiter=RateLimiter(settings, key_prefix=prefix)) for _ in "ab"
    ]
    async with apps[0].router.lifespan_context(apps[0]), apps[1].router.lifespan_context(apps[1]):
        clients = [
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")
            for app in apps
        ]
        first, second = (Client(client) for client in clients)
        for api in (first, second, first):
            assert "errors" not in await api.body(ME)
        assert_rate_limited(await second.body(ME))
        for client in clients:
            await client.aclose()


async def test_redis_down_fails_open_with_a_warning(
    database_url: str, engine: AsyncEngine, caplog: pytest.LogCaptureFixture
) -> None:
    closed = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    settings = make_settings(
        database_url, redis_url=closed, rate_limit_points_per_minute=1, auth_attempts_per_minute=1
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            api = Client(http)
            with caplog.at_level(logging.WARNING, logger="app.ratelimit"):
                for _ in range(3):
                    response = await api.post(LOGIN, login_variables("ann@example.com"))
                    assert error_codes(response.json()) == ["UNAUTHENTICATED"]
                    assert "ratelimit-limit" not in response.headers
    warnings = [r for r in caplog.records if r.name == "app.ratelimit"]
    assert warnings
    assert all(r.levelno == logging.WARNING for r in warnings)
