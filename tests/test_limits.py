"""API.md "Limits": aliases and the cost of a document, checked before anything runs."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from graphql import get_introspection_query
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from app.db.models import Task
from app.main import create_app
from app.schema import schema
from tests.conftest import make_settings
from tests.helpers import GraphQLClient, assert_error, fetch_all

GRAPHQL_RESPONSE = {"accept": "application/graphql-response+json"}


@asynccontextmanager
async def api_with(database_url: str, **overrides: object) -> AsyncIterator[GraphQLClient]:
    """A client of an app of its own, built with settings `overrides`."""
    app = create_app(make_settings(database_url, **overrides))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            yield GraphQLClient(http)


def aliased_me(count: int) -> str:
    return "{ " + " ".join(f"a{i}: me {{ id }}" for i in range(count)) + " }"


# --- aliases ---------------------------------------------------------------------------------


async def test_thirty_aliases_run(api: GraphQLClient) -> None:
    body = await api.execute(aliased_me(30))
    assert body["data"] == {f"a{i}": None for i in range(30)}


async def test_thirty_one_aliases_are_a_validation_error(api: GraphQLClient) -> None:
    body = await api.execute(aliased_me(31))
    error = assert_error(body, "GRAPHQL_VALIDATION_FAILED")
    assert error["message"] == "31 aliases found. Allowed: 30"
    assert "data" not in body


async def test_aliases_in_fragments_count(api: GraphQLClient) -> None:
    fields = " ".join(f"a{i}: me {{ id }}" for i in range(16))
    query = "{ ...F ... on Query { ...G } } " + f"fragment F on Query {{ {fields} }} "
    query += f"fragment G on Query {{ {fields.replace('a', 'b')} }}"
    assert_error(await api.execute(query), "GRAPHQL_VALIDATION_FAILED")


# --- cost ------------------------------------------------------------------------------------

TASK_FIELDS = len(schema._schema.type_map["Task"].fields)  # type: ignore[attr-defined]

COSTS: list[tuple[str, str, dict[str, Any] | None, int]] = [
    ("the issue's example",
     "{ tasks(first: 50) { nodes { title tags { name } project { name } } } }",
     None, 1 + 50 + 50 * 20 + 50),
    ("edges and pageInfo",
     "{ tasks(first: 3) { edges { cursor node { id } } pageInfo { hasNextPage } } }",
     None, 1 + 3 + 3 + 1),
    ("default page of 20", "{ projects { nodes { id } totalCount } }", None, 1 + 20),
    ("last", "{ tasks(last: 5) { nodes { id } } }", None, 1 + 5),
    ("first from a variable",
     "query($n: Int) { tasks(first: $n) { nodes { id } } }", {"n": 7}, 1 + 7),
    ("a variable's default",
     "query($n: Int = 4) { tasks(first: $n) { nodes { id } } }", None, 1 + 4),
    ("a page over 100 counts 100", "{ tasks(first: 1000) { nodes { id } } }", None, 1 + 100),
    ("nested connections multiply",
     "{ projects(first: 10) { nodes { tasks(first: 10) { nodes { assignee { id } } } } } }",
     None, 1 + 10 + 10 * (1 + 10 + 10)),
    ("named, inline and nested fragments",
     "{ ...Q } fragment Q on Query { tasks(first: 10) { ...C } } "
     "fragment C on TaskConnection { nodes { ... on Task { project { id } } } }",
     None, 1 + 10 + 10),
    ("@skip", "query($s: Boolean!) { tasks { nodes { id tags @skip(if: $s) { id } } } }",
     {"s": True}, 1 + 20),
    ("@include", "query($s: Boolean!) { tasks { nodes { id tags @include(if: $s) { id } } } }",
     {"s": True}, 1 + 20 + 20 * 20),
    ("one response key runs once", "{ me { id } me { name } }", None, 1),
    ("aliases run apart", "{ a: me { id } b: me { name } }", None, 2),
    ("nodes(ids:) counts its ids",
     'query($ids: [ID!]!) { nodes(ids: $ids) { id ... on Task { tags { id } } } }',
     {"ids": ["a", "b", "c"]}, 3 + 3 * 20),
    ("an interface costs its dearest type",
     'query { node(id: "x") { ... on Project { tasks(first: 5) { nodes { id } } } '
     "... on Tag { tasks(first: 10) { nodes { id } } } } }",
     None, 1 + 1 + 10),
    ("scalars only still cost 1", "{ __typename }", None, 1),
    ("introspection counts what it gives", '{ __type(name: "Task") { fields { name } } }', None,
     1 + TASK_FIELDS),
]  # fmt: skip


@pytest.mark.parametrize(
    ("query", "variables", "cost"),
    [case[1:] for case in COSTS],
    ids=[case[0] for case in COSTS],
)
async def test_every_executed_response_carries_its_cost(
    api: GraphQLClient, query: str, variables: dict[str, Any] | None, cost: int
) -> None:
    token = (await api.signup())["accessToken"]
    body = await api.execute(query, variables, token=token)
    assert "data" in body, body
    assert body["extensions"] == {"cost": cost}


async def test_a_mutation_costs_the_objects_it_returns(api: GraphQLClient) -> None:
    token = (await api.signup())["accessToken"]
    query = 'mutation { createTask(input: {title: "a"}) { id project { id } } }'
    body = await api.execute(query, token=token)
    assert "errors" not in body, body
    assert body["extensions"] == {"cost": 2}


async def test_a_document_over_the_limit_is_refused_before_anything_runs(
    api: GraphQLClient, engine: AsyncEngine
) -> None:
    token = (await api.signup())["accessToken"]
    nested = "tasks(first: 100) { nodes { project { id } } }"
    for _ in range(2):
        nested = f"tasks(first: 100) {{ nodes {{ project {{ {nested} }} }} }}"
    query = f'mutation {{ createTask(input: {{title: "a"}}) {{ project {{ {nested} }} }} }}'
    response = await api.http.post(
        "/graphql",
        json={"query": query},
        headers={**GRAPHQL_RESPONSE, "authorization": f"Bearer {token}"},
    )
    assert response.status_code == 400
    body = response.json()
    error = assert_error(body, "COST_LIMIT_EXCEEDED")
    assert error["extensions"]["limit"] == 50_000
    # Each `tasks(first: 100) { nodes { project {...} } }` costs 1 + 100 + 100 per parent
    # and multiplies what is inside by 100: 2 + 201 * (1 + 100 + 100**2).
    assert error["extensions"]["cost"] == 2 + 201 * (1 + 100 + 100**2) == 2_030_303
    assert set(body) == {"errors"}  # no data, no cost: nothing ran
    rows = await fetch_all(engine, select(func.count()).select_from(Task))
    assert rows[0][0] == 0


async def test_the_limit_is_max_query_cost(database_url: str, engine: AsyncEngine) -> None:
    async with api_with(database_url, max_query_cost=21) as api:
        token = (await api.signup())["accessToken"]
        at_limit = await api.execute("{ tasks { nodes { id } } }", token=token)
        assert at_limit["extensions"] == {"cost": 21}
        over = await api.execute("{ tasks(first: 21) { nodes { id } } }", token=token)
        error = assert_error(over, "COST_LIMIT_EXCEEDED")
        assert error["extensions"] == {"code": "COST_LIMIT_EXCEEDED", "cost": 22, "limit": 21}
        assert "data" not in over


async def test_the_standard_introspection_query_costs_what_it_returns(api: GraphQLClient) -> None:
    body = await api.execute(get_introspection_query())

    def objects(value: object) -> int:
        if isinstance(value, dict):
            return 1 + sum(objects(item) for item in value.values())
        if isinstance(value, list):
            return sum(objects(item) for item in value)
        return 0

    assert body["extensions"]["cost"] == objects(body["data"]) - 1  # `data` is no object
