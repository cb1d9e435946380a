"""API.md "Rules of the data" for every mutation input: the limits of task, project and
tag fields (inclusive, after trimming), tag colours, and tag names unique per project
ignoring case in every script.

Every refused mutation is checked to have written nothing (a snapshot of every row).
"""

from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

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
    ok,
    refused,
)

# ---------------------------------------------------------------- rules of the data

BAD_TASK_FIELDS = [
    ({"title": ""}, "title"),
    ({"title": "   \t\n "}, "title"),
    ({"title": "x" * 201}, "title"),
    ({"title": "  " + "x" * 201 + "  "}, "title"),
    ({"description": "d" * 10_001}, "description"),
]


@pytest.mark.parametrize(("fields", "field"), BAD_TASK_FIELDS)
async def test_create_task_refuses_bad_fields(
    world: World, engine: AsyncEngine, fields: dict[str, Any], field: str
) -> None:
    variables = {"input": {"projectId": world.project, "title": "T", **fields}}
    await refused(engine, world.member, CREATE_TASK, variables, "BAD_USER_INPUT", field)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        *BAD_TASK_FIELDS,
        ({"title": None}, "title"),
        ({"status": None}, "status"),
        ({"priority": None}, "priority"),
    ],
)
async def test_update_task_refuses_bad_fields(
    world: World, engine: AsyncEngine, fields: dict[str, Any], field: str
) -> None:
    task = await new_task(world)
    variables = {"id": task["id"], "input": fields}
    await refused(engine, world.member, UPDATE_TASK, variables, "BAD_USER_INPUT", field)


async def test_task_limits_are_inclusive_and_titles_trimmed(world: World) -> None:
    task = await new_task(world, title="  " + "x" * 200 + "\t", description="d" * 10_000)
    assert task["title"] == "x" * 200
    assert len(task["description"]) == 10_000
    updated = await ok(
        world.member,
        UPDATE_TASK,
        {"id": task["id"], "input": {"title": " y ", "description": ""}},
    )
    assert (updated["title"], updated["description"]) == ("y", "")


BAD_PROJECT_FIELDS = [
    ({"name": ""}, "name"),
    ({"name": "  \t "}, "name"),
    ({"name": "n" * 101}, "name"),
    ({"description": "d" * 2001}, "description"),
]


@pytest.mark.parametrize(("fields", "field"), BAD_PROJECT_FIELDS)
async def test_create_project_refuses_bad_fields(
    world: World, engine: AsyncEngine, fields: dict[str, Any], field: str
) -> None:
    variables = {"input": {"name": "P", **fields}}
    await refused(engine, world.member, CREATE_PROJECT, variables, "BAD_USER_INPUT", field)


@pytest.mark.parametrize(("fields", "field"), [*BAD_PROJECT_FIELDS, ({"name": None}, "name")])
async def test_update_project_refuses_bad_fields(
    world: World, engine: AsyncEngine, fields: dict[str, Any], field: str
) -> None:
    variables = {"id": world.project, "input": fields}
    await refused(engine, world.owner, UPDATE_PROJECT, variables, "BAD_USER_INPUT", field)


async def test_project_limits_are_inclusive_and_names_trimmed(world: World) -> None:
    created = await ok(
        world.member,
        CREATE_PROJECT,
        {"input": {"name": " " + "n" * 100 + " ", "description": "d" * 2000}},
    )
    assert (created["name"], len(created["description"])) == ("n" * 100, 2000)
    updated = await ok(
        world.member, UPDATE_PROJECT, {"id": created["id"], "input": {"name": "\tNew "}}
    )
    assert (updated["name"], updated["description"]) == ("New", "d" * 2000)
    cleared = await ok(
        world.member, UPDATE_PROJECT, {"id": created["id"], "input": {"description": None}}
    )
    assert (cleared["name"], cleared["description"]) == ("New", None)


BAD_TAG_FIELDS = [
    ({"name": ""}, "name"),
    ({"name": "   "}, "name"),
    ({"name": "n" * 51}, "name"),
    ({"color": ""}, "color"),
    ({"color": "red"}, "color"),
    ({"color": "#12345"}, "color"),
    ({"color": "#1234567"}, "color"),
    ({"color": "#GGGGGG"}, "color"),
    ({"color": "123456"}, "color"),
    ({"color": " #123456"}, "color"),
    ({"color": "#12345\u0661"}, "color"),
]


@pytest.mark.parametrize(("fields", "field"), BAD_TAG_FIELDS)
async def test_create_tag_refuses_bad_fields(
    world: World, engine: AsyncEngine, fields: dict[str, Any], field: str
) -> None:
    variables = {"input": {"projectId": world.project, "name": "t", **fields}}
    await refused(engine, world.member, CREATE_TAG, variables, "BAD_USER_INPUT", field)


@pytest.mark.parametrize(("fields", "field"), [*BAD_TAG_FIELDS, ({"name": None}, "name")])
async def test_update_tag_refuses_bad_fields(
    world: World, engine: AsyncEngine, fields: dict[str, Any], field: str
) -> None:
    tag = await new_tag(world.member, world.project, "t")
    variables = {"id": tag["id"], "input": fields}
    await refused(engine, world.member, UPDATE_TAG, variables, "BAD_USER_INPUT", field)


async def test_tag_limits_colours_and_trimming(world: World) -> None:
    tag = await ok(
        world.member,
        CREATE_TAG,
        {"input": {"projectId": world.project, "name": " " + "n" * 50 + " ", "color": "#A1b2C3"}},
    )
    assert (tag["name"], tag["color"]) == ("n" * 50, "#A1b2C3")
    tag = await ok(world.member, UPDATE_TAG, {"id": tag["id"], "input": {"color": None}})
    assert (tag["name"], tag["color"]) == ("n" * 50, None)
    tag = await ok(world.member, UPDATE_TAG, {"id": tag["id"], "input": {"color": "#000000"}})
    assert (tag["name"], tag["color"]) == ("n" * 50, "#000000")


@pytest.mark.parametrize("duplicate", ["bug", "Bug", " BUG ", "bUg"])
async def test_tag_names_are_unique_per_project_ignoring_case(
    world: World, engine: AsyncEngine, duplicate: str
) -> None:
    await new_tag(world.member, world.project, "bug")
    other = await new_tag(world.member, world.project, "feature")
    create = {"input": {"projectId": world.project, "name": duplicate}}
    await refused(engine, world.member, CREATE_TAG, create, "CONFLICT")
    rename = {"id": other["id"], "input": {"name": duplicate}}
    await refused(engine, world.member, UPDATE_TAG, rename, "CONFLICT")
    # The same name elsewhere is fine, and so is re-casing a tag's own name.
    assert (await new_tag(world.owner, world.owner.personal_project, duplicate))["name"] == (
        duplicate.strip()
    )
    recased = await ok(world.member, UPDATE_TAG, {"id": other["id"], "input": {"name": "FEATURE"}})
    assert recased["name"] == "FEATURE"


@pytest.mark.parametrize(
    ("first", "duplicate"),
    [("Émoji", "émoji"), ("émoji", "E\u0301MOJI"), ("straße", "STRASSE"), ("Ёлка", "ёЛКА")],
)
async def test_tag_names_are_unique_ignoring_case_in_every_script(
    world: World, engine: AsyncEngine, first: str, duplicate: str
) -> None:
    """API.md "Limits": uniqueness ignores case for every script, not only ASCII."""
    await new_tag(world.member, world.project, first)
    other = await new_tag(world.member, world.project, "other")
    create = {"input": {"projectId": world.project, "name": duplicate}}
    await refused(engine, world.member, CREATE_TAG, create, "CONFLICT")
    rename = {"id": other["id"], "input": {"name": duplicate}}
    await refused(engine, world.member, UPDATE_TAG, rename, "CONFLICT")
    # The key follows a rename: the old name is free again, the new one taken.
    renamed = await ok(world.member, UPDATE_TAG, {"id": other["id"], "input": {"name": "Ωmega"}})
    assert renamed["name"] == "Ωmega"
    await new_tag(world.member, world.project, "other")
    await refused(
        engine,
        world.member,
        CREATE_TAG,
        {"input": {"projectId": world.project, "name": "ΩMEGA"}},
        "CONFLICT",
    )
