"""`ProjectFilter` (API.md schema): search and role, alone and combined, on the root
project list, `totalCount` counting what the filter lets through; and project search
ignoring case in every script (API.md "Limits", text).
"""

from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.graph.conftest import World
from tests.graph.rows import BASE, add_members, insert_project

PROJECTS = """query($filter: ProjectFilter) {
  projects(filter: $filter, orderBy: {field: NAME, direction: ASC}) {
    totalCount nodes { name viewerRole }
  }
}"""


@pytest.mark.parametrize(
    ("project_filter", "expected"),
    [
        ({}, ["Marketing", "Personal", "Shared", "Under_score"]),
        ({"search": "market"}, ["Marketing"]),
        ({"search": "LAUNCH"}, ["Marketing"]),  # description
        ({"search": "TEAM"}, ["Shared"]),
        ({"search": "100%"}, ["Marketing"]),
        ({"search": "%"}, ["Marketing"]),
        ({"search": "_"}, ["Under_score"]),
        ({"search": "r_s"}, ["Under_score"]),
        ({"search": "nothing like it"}, []),
        ({"role": "OWNER"}, ["Personal", "Shared"]),
        ({"role": "MEMBER"}, ["Marketing"]),
        ({"role": "VIEWER"}, ["Under_score"]),
        ({"search": "a", "role": "OWNER"}, ["Personal", "Shared"]),
        ({"search": "sha", "role": "OWNER"}, ["Shared"]),
        ({"search": "sha", "role": "VIEWER"}, []),
    ],
)
async def test_project_filter(
    world: World, engine: AsyncEngine, project_filter: dict[str, Any], expected: list[str]
) -> None:
    owner = world.owner.pk
    marketing = await insert_project(
        engine, name="Marketing", owner=world.member.pk, description="Launch 100% plan"
    )
    underscore = await insert_project(engine, name="Under_score", owner=world.member.pk)
    await add_members(engine, marketing, [(owner, "MEMBER", BASE)])
    await add_members(engine, underscore, [(owner, "VIEWER", BASE)])
    await insert_project(engine, name="Market hidden 100% _", owner=world.stranger.pk)

    body = await world.owner.execute(PROJECTS, {"filter": project_filter})
    assert "errors" not in body, body
    connection = body["data"]["projects"]
    assert [node["name"] for node in connection["nodes"]] == expected
    assert connection["totalCount"] == len(expected)
    if "role" in project_filter:
        assert {node["viewerRole"] for node in connection["nodes"]} <= {project_filter["role"]}


# ------------------------------------------ Unicode-aware search (API.md "Limits", text)


async def test_project_search_ignores_case_in_every_script(world: World) -> None:
    for name, description in (("ÉCOLE", "Начальная"), ("Straße", None)):
        body = await world.owner.execute(
            "mutation($i: CreateProjectInput!) { createProject(input: $i) { id } }",
            {"i": {"name": name, "description": description}},
        )
        assert "errors" not in body, body
    for search, expected in (
        ("école", ["ÉCOLE"]),
        ("НАЧАЛЬНАЯ", ["ÉCOLE"]),
        ("STRASSE", ["Straße"]),
        ("shared", ["Shared"]),
    ):
        body = await world.owner.execute(PROJECTS, {"filter": {"search": search}})
        assert "errors" not in body, body
        assert [node["name"] for node in body["data"]["projects"]["nodes"]] == expected
