"""API.md "Limits", text: every text input of the schema (mutation inputs, `search`,
cursors, ids) refuses NUL as BAD_USER_INPUT and a lone surrogate as the transport's
BAD_REQUEST, never a 500; `search` is at most 200 characters.

Every refused mutation is checked to have written nothing (a snapshot of every row).
"""

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from graphql import GraphQLInputObjectType, GraphQLObjectType, GraphQLString, get_named_type
from sqlalchemy.ext.asyncio import AsyncEngine

from app.schema import schema
from tests.graph.conftest import World
from tests.graph.mutations import (
    CREATE_PROJECT,
    CREATE_TAG,
    CREATE_TASK,
    UPDATE_PROJECT,
    UPDATE_TAG,
    UPDATE_TASK,
    new_tag,
    new_task,
)
from tests.graph.rows import snapshot
from tests.helpers import assert_bad_request, assert_error, execute_escaped

# ------------------------------------------- text inputs refuse NUL (API.md "Limits", text)

NUL = "a\u0000b"
SURROGATE = "a\ud800b"
SIGNUP = """mutation($input: SignupInput!) { signup(input: $input) { accessToken } }"""
LOGIN = """mutation($input: LoginInput!) { login(input: $input) { accessToken } }"""
REFRESH = """mutation($t: String!) { refreshToken(refreshToken: $t) { accessToken } }"""
ADD_MEMBER = """mutation($p: ID!, $e: String!) { addProjectMember(projectId: $p, email: $e) {
  id } }"""
ACCOUNT = {"email": "new@example.com", "password": "correct horse battery", "name": "New"}
CREDENTIALS = {"email": "owner@example.com", "password": "correct horse battery"}

Variables = Callable[[dict[str, str], str], dict[str, Any]]
# Every text input of every mutation: (schema coordinate, actor or None for anonymous,
# mutation, variables given the ids {"project", "task", "tag"} and the bad text).
TEXT_INPUTS: list[tuple[str, str | None, str, Variables]] = [
    ("SignupInput.email", None, SIGNUP, lambda i, v: {"input": {**ACCOUNT, "email": v + "@x.io"}}),
    ("SignupInput.password", None, SIGNUP, lambda i, v: {"input": {**ACCOUNT, "password": v * 4}}),
    ("SignupInput.name", None, SIGNUP, lambda i, v: {"input": {**ACCOUNT, "name": v}}),
    ("LoginInput.email", None, LOGIN, lambda i, v: {"input": {**CREDENTIALS, "email": v}}),
    ("LoginInput.password", None, LOGIN, lambda i, v: {"input": {**CREDENTIALS, "password": v}}),
    ("Mutation.refreshToken(refreshToken)", None, REFRESH, lambda i, v: {"t": v}),
    ("CreateProjectInput.name", "owner", CREATE_PROJECT, lambda i, v: {"input": {"name": v}}),
    (
        "CreateProjectInput.description",
        "owner",
        CREATE_PROJECT,
        lambda i, v: {"input": {"name": "P", "description": v}},
    ),
    (
        "UpdateProjectInput.name",
        "owner",
        UPDATE_PROJECT,
        lambda i, v: {"id": i["project"], "input": {"name": v}},
    ),
    (
        "UpdateProjectInput.description",
        "owner",
        UPDATE_PROJECT,
        lambda i, v: {"id": i["project"], "input": {"description": v}},
    ),
    (
        "Mutation.addProjectMember(email)",
        "owner",
        ADD_MEMBER,
        lambda i, v: {"p": i["project"], "e": "stranger" + v + "@example.com"},
    ),
    (
        "CreateTaskInput.title",
        "member",
        CREATE_TASK,
        lambda i, v: {"input": {"projectId": i["project"], "title": v}},
    ),
    (
        "CreateTaskInput.description",
        "member",
        CREATE_TASK,
        lambda i, v: {"input": {"projectId": i["project"], "title": "T", "description": v}},
    ),
    (
        "UpdateTaskInput.title",
        "member",
        UPDATE_TASK,
        lambda i, v: {"id": i["task"], "input": {"title": v}},
    ),
    (
        "UpdateTaskInput.description",
        "member",
        UPDATE_TASK,
        lambda i, v: {"id": i["task"], "input": {"description": v}},
    ),
    (
        "CreateTagInput.name",
        "member",
        CREATE_TAG,
        lambda i, v: {"input": {"projectId": i["project"], "name": v}},
    ),
    (
        "CreateTagInput.color",
        "member",
        CREATE_TAG,
        lambda i, v: {"input": {"projectId": i["project"], "name": "c", "color": "#12345" + v}},
    ),
    (
        "UpdateTagInput.name",
        "member",
        UPDATE_TAG,
        lambda i, v: {"id": i["tag"], "input": {"name": v}},
    ),
    (
        "UpdateTagInput.color",
        "member",
        UPDATE_TAG,
        lambda i, v: {"id": i["tag"], "input": {"color": "#" + v * 2}},
    ),
]
TASKS_SEARCH = "query($f: TaskFilter) { tasks(filter: $f) { totalCount } }"
PROJECT_TASKS_SEARCH = """query($p: ID!, $f: TaskFilter) {
  project(id: $p) { tasks(filter: $f) { totalCount } } }"""
TAG_TASKS_SEARCH = """query($t: ID!, $f: TaskFilter) { tag(id: $t) { tasks(filter: $f) {
  totalCount } } }"""
PROJECTS_SEARCH = "query($f: ProjectFilter) { projects(filter: $f) { totalCount } }"
# Every `search`: (schema coordinate, a query using it, its variables given ids and the text).
SEARCHES: list[tuple[str, str, Variables]] = [
    ("TaskFilter.search", TASKS_SEARCH, lambda i, v: {"f": {"search": v}}),
    (
        "TaskFilter.search",
        PROJECT_TASKS_SEARCH,
        lambda i, v: {"p": i["project"], "f": {"search": v}},
    ),
    ("TaskFilter.search", TAG_TASKS_SEARCH, lambda i, v: {"t": i["tag"], "f": {"search": v}}),
    ("ProjectFilter.search", PROJECTS_SEARCH, lambda i, v: {"f": {"search": v}}),
]
# Every cursor argument: (schema coordinate, a query passing `$c` there, its variables).
CURSORS: list[tuple[str, str, Variables]] = [
    (
        "Query.tasks(after)",
        "query($c: String) { tasks(after: $c) { totalCount } }",
        lambda i, v: {"c": v},
    ),
    (
        "Query.tasks(before)",
        "query($c: String) { tasks(before: $c) { totalCount } }",
        lambda i, v: {"c": v},
    ),
    (
        "Query.projects(after)",
        "query($c: String) { projects(after: $c) { totalCount } }",
        lambda i, v: {"c": v},
    ),
    (
        "Query.projects(before)",
        "query($c: String) { projects(before: $c) { totalCount } }",
        lambda i, v: {"c": v},
    ),
    *(
        (
            f"Project.{field}({argument})",
            "query($p: ID!, $c: String) { project(id: $p) {"
            f" {field}({argument}: $c) {{ totalCount }} }} }}",
            lambda i, v: {"p": i["project"], "c": v},
        )
        for field, argument in (
            ("tasks", "after"),
            ("tasks", "before"),
            ("members", "after"),
            ("tags", "after"),
        )
    ),
    (
        "Tag.tasks(after)",
        "query($t: ID!, $c: String) { tag(id: $t) { tasks(after: $c) { totalCount } } }",
        lambda i, v: {"t": i["tag"], "c": v},
    ),
]


def text_coordinates() -> set[str]:
    """Every String argument and input field of the schema, as `Type.field(argument)` or
    `Input.field` (what a hostile client can put text into)."""
    found: set[str] = set()
    for named in schema._schema.type_map.values():
        if named.name.startswith("__"):
            continue
        if isinstance(named, GraphQLObjectType):
            for name, field in named.fields.items():
                for argument_name, argument in field.args.items():
                    if get_named_type(argument.type) is GraphQLString:
                        found.add(f"{named.name}.{name}({argument_name})")
        if isinstance(named, GraphQLInputObjectType):
            for name, input_field in named.fields.items():
                if get_named_type(input_field.type) is GraphQLString:
                    found.add(f"{named.name}.{name}")
    return found


def test_every_text_input_of_the_schema_is_tried() -> None:
    tried = {c for c, *_ in TEXT_INPUTS} | {c for c, *_ in SEARCHES} | {c for c, *_ in CURSORS}
    assert tried == text_coordinates()


async def _ids(world: World) -> dict[str, str]:
    task = await new_task(world)
    tag = await new_tag(world.member, world.project, "t")
    return {"project": world.project, "task": task["id"], "tag": tag["id"]}


def _field(coordinate: str) -> str:
    """`SignupInput.email` -> `email`; `Mutation.refreshToken(refreshToken)` -> `refreshToken`."""
    return coordinate.rstrip(")").split("(")[-1].split(".")[-1]


@pytest.mark.parametrize(
    ("coordinate", "role", "mutation", "variables"),
    TEXT_INPUTS,
    ids=[coordinate for coordinate, *_ in TEXT_INPUTS],
)
async def test_text_inputs_refuse_nul_and_lone_surrogates(
    world: World,
    engine: AsyncEngine,
    http: httpx.AsyncClient,
    coordinate: str,
    role: str | None,
    mutation: str,
    variables: Variables,
) -> None:
    """NUL: BAD_USER_INPUT naming the field (PostgreSQL cannot store it). A lone surrogate,
    which no driver can encode: the transport's BAD_REQUEST. Nothing written, never a 500."""
    ids = await _ids(world)
    token = None if role is None else getattr(world, role).token
    before = await snapshot(engine)
    body = await execute_escaped(http, mutation, variables(ids, NUL), token=token)
    assert_error(body, "BAD_USER_INPUT", field=_field(coordinate))
    assert body["data"] is None
    await assert_bad_request(http, mutation, variables(ids, SURROGATE), token=token)
    assert await snapshot(engine) == before


@pytest.mark.parametrize(
    ("coordinate", "query", "variables"), SEARCHES, ids=[q.split("{")[1] for _, q, _ in SEARCHES]
)
async def test_search_refuses_nul_and_more_than_200_characters(
    world: World, http: httpx.AsyncClient, coordinate: str, query: str, variables: Variables
) -> None:
    """On SQLite, `"a\\u0000b"` used to match every task with an "a" (the pattern was cut
    at NUL); a 100,000-character pattern was a 500 ("LIKE pattern too complex")."""
    ids = await _ids(world)
    for bad in (NUL, "\u0000", "x" * 201, "a" * 100_000):
        body = await execute_escaped(http, query, variables(ids, bad), token=world.owner.token)
        assert_error(body, "BAD_USER_INPUT", field="search")
    await assert_bad_request(http, query, variables(ids, SURROGATE), token=world.owner.token)
    body = await execute_escaped(http, query, variables(ids, "é" * 200), token=world.owner.token)
    assert "errors" not in body, body


@pytest.mark.parametrize(
    ("coordinate", "query", "variables"), CURSORS, ids=[c for c, _, _ in CURSORS]
)
async def test_cursors_with_nul_are_bad_user_input(
    world: World, http: httpx.AsyncClient, coordinate: str, query: str, variables: Variables
) -> None:
    ids = await _ids(world)
    for bad in (NUL, "\u0000"):
        body = await execute_escaped(http, query, variables(ids, bad), token=world.owner.token)
        assert_error(body, "BAD_USER_INPUT", field=_field(coordinate))
    await assert_bad_request(http, query, variables(ids, SURROGATE), token=world.owner.token)


@pytest.mark.parametrize("bad", ["\u0000", "VGFzazox\u0000", "\u0000VGFzazox"])
async def test_ids_with_nul_do_not_exist(
    world: World, engine: AsyncEngine, http: httpx.AsyncClient, bad: str
) -> None:
    """API.md "ids": malformed is "does not exist" (null, NOT_FOUND, or BAD_USER_INPUT on
    an id inside an input), never a 500. "VGFzazox" is "Task:1"."""
    ids = await _ids(world)
    token = world.owner.token

    async def run(query: str, variables: dict[str, Any]) -> dict[str, Any]:
        return await execute_escaped(http, query, variables, token=token)

    body = await run(
        "query($id: ID!) { task(id: $id) { id } node(id: $id) { id } nodes(ids: [$id]) { id }"
        " project(id: $id) { id } tag(id: $id) { id } }",
        {"id": bad},
    )
    assert body == {
        "data": {"task": None, "node": None, "nodes": [None], "project": None, "tag": None},
        "extensions": {"cost": 5},
    }
    before = await snapshot(engine)
    for mutation in (
        "mutation($id: ID!) { deleteTask(id: $id) }",
        "mutation($id: ID!) { deleteTag(id: $id) }",
        "mutation($id: ID!) { deleteProject(id: $id) }",
        'mutation($id: ID!) { createTask(input: {projectId: $id, title: "T"}) { id } }',
    ):
        assert_error(await run(mutation, {"id": bad}), "NOT_FOUND")
    for field, task_input in (
        ("assigneeId", {"assigneeId": bad}),
        ("tagIds", {"tagIds": [ids["tag"], bad]}),
    ):
        body = await run(
            "mutation($i: CreateTaskInput!) { createTask(input: $i) { id } }",
            {"i": {"projectId": world.project, "title": "T", **task_input}},
        )
        assert_error(body, "BAD_USER_INPUT", field=field)
    for task_filter in ({"assigneeId": bad}, {"tagIds": [bad]}):
        body = await run(
            "query($f: TaskFilter) { tasks(filter: $f) { totalCount } }", {"f": task_filter}
        )
        assert_error(body, "BAD_USER_INPUT", field=next(iter(task_filter)))
    body = await run(
        "query($f: TaskFilter) { tasks(filter: $f) { totalCount } }", {"f": {"projectId": bad}}
    )
    assert body == {"data": {"tasks": {"totalCount": 0}}, "extensions": {"cost": 1}}
    assert await snapshot(engine) == before
