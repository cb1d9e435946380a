"""Refused cursors (API.md "Rules of the data" and "Limits", cursors): garbage, a
cursor of another order or another list, and crafted cursors that decode but hold
values no row can have, are BAD_USER_INPUT naming the argument, on root and nested
lists, never a 500; and a refused cursor beside running reads still gets a normal
answer.
"""

import base64
import json
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.graph.conftest import World
from tests.graph.page_queries import (
    PROJECT_TASKS,
    ROOT_PROJECTS,
    ROOT_TASKS,
    TASK_FIELDS,
    insert_spread,
    order_of,
    root_fetcher,
)
from tests.graph.rows import gid, insert_tags, insert_tasks, pk_of, tag_tasks, task_row
from tests.helpers import assert_error, execute_escaped


def _raw_cursor(values: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode()


DEFAULT_ORDER = "Task:CREATED_AT:DESC"  # what cursors of the default task order start with
GARBAGE = [
    "garbage",
    "",
    "%%%",
    _raw_cursor([]),
    _raw_cursor({"a": 1}),
    _raw_cursor(["2030-01-01T00:00:00+00:00", 1]),  # no order name
    _raw_cursor([DEFAULT_ORDER, "not a time", 1]),
    _raw_cursor([DEFAULT_ORDER, None, 1]),
    _raw_cursor([DEFAULT_ORDER, "2030-01-01T00:00:00", 1]),  # no time zone
    _raw_cursor([DEFAULT_ORDER, "2030-01-01T00:00:00+00:00", "1"]),
    _raw_cursor([DEFAULT_ORDER, "2030-01-01T00:00:00+00:00", True]),
    _raw_cursor([DEFAULT_ORDER, "2030-01-01T00:00:00+00:00", 1, 2]),
]


async def test_a_well_formed_cursor_is_accepted(world: World, engine: AsyncEngine) -> None:
    """The garbage cases below differ from a real cursor only in what they are named for."""
    (pk,) = await insert_tasks(engine, [task_row(pk_of(world.project, "Project"), world.owner.pk)])
    cursor = _raw_cursor([DEFAULT_ORDER, "2030-01-01T00:00:00+00:00", pk + 1])
    body = await world.owner.execute(ROOT_TASKS, {"first": 2, "after": cursor})
    assert body["data"]["tasks"]["nodes"] == [{"id": gid("Task", pk)}]


@pytest.mark.parametrize("cursor", GARBAGE)
async def test_garbage_cursor_is_bad_user_input_naming_the_argument(
    world: World, cursor: str
) -> None:
    body = await world.owner.execute(ROOT_TASKS, {"first": 2, "after": cursor})
    assert_error(body, "BAD_USER_INPUT", field="after")
    body = await world.owner.execute(ROOT_TASKS, {"last": 2, "before": cursor})
    assert_error(body, "BAD_USER_INPUT", field="before")
    body = await world.owner.execute(ROOT_PROJECTS, {"first": 2, "after": cursor})
    assert_error(body, "BAD_USER_INPUT", field="after")
    body = await world.owner.execute(
        """query($id: ID!, $after: String) { project(id: $id) {
          tasks(after: $after) { totalCount } tags(first: 1) { totalCount } } }""",
        {"id": world.project, "after": cursor},
    )
    assert_error(body, "BAD_USER_INPUT", field="after")


async def test_cursor_of_another_order_is_bad_user_input(world: World, engine: AsyncEngine) -> None:
    await insert_spread(engine, pk_of(world.project, "Project"), world.owner.pk, 3)
    fetch = root_fetcher(world.owner.execute, ROOT_TASKS, "tasks", None)
    cursor = (await fetch({"first": 1}))["pageInfo"]["endCursor"]  # CREATED_AT DESC
    for field in TASK_FIELDS:
        for direction in ("ASC", "DESC"):
            if (field, direction) == ("CREATED_AT", "DESC"):
                continue
            for paging, argument in (
                ({"first": 1, "after": cursor}, "after"),
                ({"last": 1, "before": cursor}, "before"),
            ):
                body = await world.owner.execute(
                    ROOT_TASKS, {**paging, "order": order_of(field, direction)}
                )
                assert_error(body, "BAD_USER_INPUT", field=argument)

    # A task cursor is no project cursor, and the other way round, in the same order.
    body = await world.owner.execute(ROOT_PROJECTS, {"first": 1, "after": cursor})
    assert_error(body, "BAD_USER_INPUT", field="after")
    project_page = await world.owner.execute(ROOT_PROJECTS, {"first": 1})
    project_cursor = project_page["data"]["projects"]["pageInfo"]["endCursor"]
    body = await world.owner.execute(ROOT_TASKS, {"first": 1, "after": project_cursor})
    assert_error(body, "BAD_USER_INPUT", field="after")


async def test_a_failing_field_beside_running_reads_gets_a_normal_answer(
    world: World, engine: AsyncEngine
) -> None:
    """graphql-core cancels the siblings of a failed field; the request's session must
    still close cleanly (regression: PostgreSQL answered "another operation is in
    progress" and the request failed as a whole)."""
    project = pk_of(world.project, "Project")
    ids = await insert_spread(engine, project, world.owner.pk, 6)
    (tag,) = await insert_tags(engine, project, ["t"])
    await tag_tasks(engine, [(pk, tag) for pk in ids])
    root = """query($after: String) {
      a: projects { nodes { owner { name } tasks { nodes { tags { name } assignee { name } } } } }
      b: tasks(after: $after) { totalCount }
      c: projects { nodes { tags { totalCount nodes { tasks { totalCount } } } } }
    }"""
    nested = """query($id: ID!, $after: String) { project(id: $id) {
      owner { name } tags { nodes { name } } members { totalCount }
      tasks(after: $after) { totalCount }
    } }"""
    for _ in range(10):
        body = await world.owner.execute(root, {"after": "garbage"})
        assert_error(body, "BAD_USER_INPUT", field="after")
        assert body["data"] is None
        body = await world.owner.execute(nested, {"id": world.project, "after": "garbage"})
        assert_error(body, "BAD_USER_INPUT", field="after")
        assert body["data"] == {"project": None}


# ---------------------------------------------- crafted cursors (API.md "Limits", cursors)

TASK_CREATED = "Task:CREATED_AT:DESC"
NOW_TEXT = "2030-01-01T00:00:00+00:00"
# (order the cursor claims, what it is for, the JSON list inside it); every one decodes as
# base64 and JSON, names the right order and is refused only for a value no row can have.
CRAFTED: list[tuple[dict[str, str] | None, str, Any]] = [
    (None, "id beyond BIGINT", [TASK_CREATED, NOW_TEXT, 10**30]),
    (None, "id just beyond BIGINT", [TASK_CREATED, NOW_TEXT, 2**63]),
    (None, "negative id", [TASK_CREATED, NOW_TEXT, -1]),
    (None, "id zero", [TASK_CREATED, NOW_TEXT, 0]),
    (None, "fractional id", [TASK_CREATED, NOW_TEXT, 1.5]),
    (None, "id as a string", [TASK_CREATED, NOW_TEXT, "1"]),
    (None, "id as a list", [TASK_CREATED, NOW_TEXT, [1]]),
    (None, "id as an object", [TASK_CREATED, NOW_TEXT, {"id": 1}]),
    (None, "id null", [TASK_CREATED, NOW_TEXT, None]),
    (None, "datetime without zone", [TASK_CREATED, "2030-01-01T00:00:00", 1]),
    (None, "datetime garbage", [TASK_CREATED, "yesterday", 1]),
    (None, "datetime month 13", [TASK_CREATED, "2030-13-01T00:00:00+00:00", 1]),
    (None, "datetime before year 1 in UTC", [TASK_CREATED, "0001-01-01T00:00:00+01:00", 1]),
    (None, "datetime after 9999 in UTC", [TASK_CREATED, "9999-12-31T23:59:59-01:00", 1]),
    (None, "datetime as a number", [TASK_CREATED, 1893456000, 1]),
    (None, "datetime nested", [TASK_CREATED, [[NOW_TEXT]], 1]),
    (None, "datetime null", [TASK_CREATED, None, 1]),
    (None, "datetime with NUL", [TASK_CREATED, "2030-01-01T00:00:00\u0000+00:00", 1]),
    (None, "datetime with a lone surrogate", [TASK_CREATED, "2030-01-01T00:00:00\ud800", 1]),
    (None, "too few parts", [TASK_CREATED, NOW_TEXT]),
    (None, "too many parts", [TASK_CREATED, NOW_TEXT, 1, 2]),
    (None, "not a list", {"order": TASK_CREATED}),
    (None, "a bare string", TASK_CREATED),
    (None, "order name with NUL", [TASK_CREATED + "\u0000", NOW_TEXT, 1]),
    ({"field": "PRIORITY", "direction": "ASC"}, "priority 5", ["Task:PRIORITY:ASC", 5, 1]),
    ({"field": "PRIORITY", "direction": "ASC"}, "priority 0", ["Task:PRIORITY:ASC", 0, 1]),
    ({"field": "PRIORITY", "direction": "ASC"}, "priority 2**40", ["Task:PRIORITY:ASC", 2**40, 1]),
    ({"field": "PRIORITY", "direction": "ASC"}, "priority true", ["Task:PRIORITY:ASC", True, 1]),
    (
        {"field": "DUE_DATE", "direction": "ASC"},
        "date 30 February",
        ["Task:DUE_DATE:ASC", "2030-02-30", 1],
    ),
    ({"field": "DUE_DATE", "direction": "ASC"}, "date garbage", ["Task:DUE_DATE:ASC", "soon", 1]),
    (
        {"field": "DUE_DATE", "direction": "ASC"},
        "date as a number",
        ["Task:DUE_DATE:ASC", 20300101, 1],
    ),
    ({"field": "TITLE", "direction": "ASC"}, "title key not hex", ["Task:TITLE:ASC", "zz", 1]),
    ({"field": "TITLE", "direction": "ASC"}, "title key odd length", ["Task:TITLE:ASC", "abc", 1]),
    (
        {"field": "TITLE", "direction": "ASC"},
        "title key too long",
        ["Task:TITLE:ASC", "00" * 513, 1],
    ),
    ({"field": "TITLE", "direction": "ASC"}, "title key as a number", ["Task:TITLE:ASC", 12, 1]),
    (
        {"field": "TITLE", "direction": "ASC"},
        "title key nested",
        ["Task:TITLE:ASC", {"a": ["00"]}, 1],
    ),
    ({"field": "TITLE", "direction": "ASC"}, "title key null", ["Task:TITLE:ASC", None, 1]),
    (
        {"field": "TITLE", "direction": "ASC"},
        "title key with NUL",
        ["Task:TITLE:ASC", "00\u0000", 1],
    ),
    (
        {"field": "TITLE", "direction": "ASC"},
        "title key lone surrogate",
        ["Task:TITLE:ASC", "\udc00", 1],
    ),
]


def _raw_bytes_cursor(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode()


VALID_CURSOR = _raw_cursor([TASK_CREATED, NOW_TEXT, 1])
# Cursors that are not even base64 of JSON text.
CRAFTED_RAW: list[tuple[str, str]] = [
    ("JSON nested 100,000 deep", _raw_bytes_cursor(b"[" * 100_000 + b"]" * 100_000)),
    (
        "JSON with a 5,000-digit number",
        _raw_bytes_cursor(f'["{TASK_CREATED}", "{NOW_TEXT}", {"9" * 5000}]'.encode()),
    ),
    (
        "JSON of an encoded lone surrogate",
        _raw_bytes_cursor(b'["' + "\ud800".encode("utf-8", "surrogatepass") + b'", 1, 2]'),
    ),
    ("invalid UTF-8", _raw_bytes_cursor(b'["\xff\xfe", 1, 2]')),
    ("NUL before a valid cursor", "\u0000" + VALID_CURSOR),
    ("NUL inside a valid cursor", VALID_CURSOR[:4] + "\u0000" + VALID_CURSOR[4:]),
    ("non-ASCII in the cursor", "é" + VALID_CURSOR),
    ("padding in the middle", VALID_CURSOR[:4] + "==" + VALID_CURSOR[4:]),
]


async def test_crafted_cursors_are_bad_user_input_never_a_500(
    world: World, engine: AsyncEngine, http: httpx.AsyncClient
) -> None:
    """Every crafted cursor is refused on `after` and `before`, on the root list and a
    nested one (one statement per parent: LATERAL on PostgreSQL, a window on SQLite)."""
    await insert_spread(engine, pk_of(world.project, "Project"), world.owner.pk, 3)
    cases = [(what, order, _raw_cursor(values)) for order, what, values in CRAFTED]
    cases += [(what, None, cursor) for what, cursor in CRAFTED_RAW]
    wrong: list[str] = []
    for what, order, cursor in cases:
        for paging, argument in (
            ({"first": 2, "after": cursor}, "after"),
            ({"last": 2, "before": cursor}, "before"),
        ):
            for query, variables in (
                (ROOT_TASKS, {**paging, "order": order}),
                (PROJECT_TASKS, {**paging, "order": order, "id": world.project}),
            ):
                body = await execute_escaped(http, query, variables, token=world.owner.token)
                errors = body.get("errors", [])
                codes = [(e["extensions"]["code"], e["extensions"].get("field")) for e in errors]
                if codes != [("BAD_USER_INPUT", argument)]:
                    wrong.append(f"{what} on {argument}: {codes}")
    assert wrong == []


@pytest.mark.parametrize(
    ("query", "values"),
    [
        (
            "query($c: String) { projects(first: 1, after: $c,"
            " orderBy: {field: NAME, direction: ASC}) { totalCount } }",
            ["Project:NAME:ASC", "zz", 1],
        ),
        (
            "query($c: String) { projects(last: 1, before: $c,"
            " orderBy: {field: NAME, direction: ASC}) { totalCount } }",
            ["Project:NAME:ASC", "00", 2**64],
        ),
        (
            "query($c: String) { projects(first: 1, after: $c) { totalCount } }",
            ["Project:CREATED_AT:DESC", "0000-01-01T00:00:00+00:00", 1],
        ),
    ],
)
async def test_crafted_project_cursors_are_bad_user_input(
    world: World, query: str, values: list[Any]
) -> None:
    body = await world.owner.execute(query, {"c": _raw_cursor(values)})
    assert_error(body, "BAD_USER_INPUT", field="before" if "before" in query else "after")


@pytest.mark.parametrize(
    ("connection", "values"),
    [
        ("tags", ["Tag:NAME:ASC", "00", 10**30]),
        ("tags", ["Tag:NAME:ASC", "0g", 1]),
        ("members", ["ProjectMember:ADDED_AT:ASC", NOW_TEXT, -5]),
        ("members", ["ProjectMember:ADDED_AT:ASC", "2030-01-01", 1]),
    ],
)
async def test_crafted_nested_cursors_are_bad_user_input(
    world: World, connection: str, values: list[Any]
) -> None:
    body = await world.owner.execute(
        f"query($id: ID!, $c: String) {{ project(id: $id) {{ {connection}(after: $c)"
        " { totalCount } } }",
        {"id": world.project, "c": _raw_cursor(values)},
    )
    assert_error(body, "BAD_USER_INPUT", field="after")
