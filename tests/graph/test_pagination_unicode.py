"""Unicode-aware orders (API.md "Limits"): task titles, project names and tag names
sort ignoring case in every script, page with cursors on root and nested lists, and
move when renamed.
"""

from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.graph.conftest import World
from tests.graph.page_queries import PROJECT_TASKS, ROOT_TASKS, order_of, root_fetcher
from tests.graph.paging import walk_backward, walk_forward
from tests.graph.rows import (
    gid,
    insert_project,
    insert_tags,
    insert_tasks,
    pk_of,
    tag_tasks,
    task_row,
)

# ------------------------------------------------- Unicode-aware order (API.md "Limits")

# Inserted in this order (ids ascending).
UNICODE_TITLES = [
    "Zeta",
    "ÉCOLE",
    "alpha",
    "Äpfel",
    "straße",
    "Яблоко",
    "apple",
    "école",
    "STRASSE",
    "ωμέγα",
    "Apfel",
    "яблоко",
    "zèbre",
    "9 items",
    "10 items",
]
# Ascending, as a person sorting by hand: case ignored in every script, an accented letter
# right after its base letter, digits before letters, Latin before Greek before Cyrillic.
# Titles equal ignoring case ("ÉCOLE"/"école", "straße"/"STRASSE") tie, broken by id.
TITLE_ORDER = [
    "10 items",
    "9 items",
    "alpha",
    "Apfel",
    "Äpfel",
    "apple",
    "ÉCOLE",
    "école",
    "straße",
    "STRASSE",
    "zèbre",
    "Zeta",
    "ωμέγα",
    "Яблоко",
    "яблоко",
]


async def _unicode_tasks(world: World, engine: AsyncEngine) -> dict[str, str]:
    """The tasks of `UNICODE_TITLES` in the shared project: title -> global id."""
    project = pk_of(world.project, "Project")
    ids = await insert_tasks(
        engine, [task_row(project, world.owner.pk, title=title) for title in UNICODE_TITLES]
    )
    return {title: gid("Task", pk) for title, pk in zip(UNICODE_TITLES, ids, strict=True)}


@pytest.mark.parametrize("direction", ["ASC", "DESC"])
async def test_title_order_ignores_case_in_every_script_and_pages_with_cursors(
    world: World, engine: AsyncEngine, direction: str
) -> None:
    ids = await _unicode_tasks(world, engine)
    titles = TITLE_ORDER if direction == "ASC" else TITLE_ORDER[::-1]
    expected = [ids[title] for title in titles]
    order = order_of("TITLE", direction)

    root = root_fetcher(world.owner.execute, ROOT_TASKS, "tasks", order)
    await walk_forward(root, expected, 4)
    await walk_backward(root, expected, 4)

    async def nested(paging: dict[str, Any]) -> dict[str, Any]:
        body = await world.owner.execute(
            PROJECT_TASKS, {"id": world.project, "order": order, **paging}
        )
        assert "errors" not in body, body
        connection: dict[str, Any] = body["data"]["project"]["tasks"]
        return connection

    await walk_forward(nested, expected, 4)
    await walk_backward(nested, expected, 4)


async def test_a_renamed_task_moves_in_title_order(world: World, engine: AsyncEngine) -> None:
    """The order key follows `updateTask`, not only inserts."""
    ids = await _unicode_tasks(world, engine)
    body = await world.owner.execute(
        'mutation($id: ID!) { updateTask(id: $id, input: {title: "ÀB"}) { id } }',
        {"id": ids["Zeta"]},
    )
    assert "errors" not in body, body
    titles = [title for title in TITLE_ORDER if title != "Zeta"]
    expected = [ids[t] for t in titles[:2]] + [ids["Zeta"]] + [ids[t] for t in titles[2:]]
    fetch = root_fetcher(world.owner.execute, ROOT_TASKS, "tasks", order_of("TITLE", "ASC"))
    await walk_forward(fetch, expected, 5)


async def test_project_name_order_ignores_case_in_every_script(
    world: World, engine: AsyncEngine
) -> None:
    names = ["zoo", "Äpfel", "ÉCOLE", "apple", "ecole", "Ωmega", "Яблоко"]
    for name in names:
        await insert_project(engine, name=name, owner=world.owner.pk)
    expected = ["Äpfel", "apple", "ecole", "ÉCOLE", "Personal", "Shared", "zoo", "Ωmega", "Яблоко"]
    for direction, want in (("ASC", expected), ("DESC", expected[::-1])):
        body = await world.owner.execute(
            "query($order: ProjectOrder) { projects(orderBy: $order) { nodes { name } } }",
            {"order": order_of("NAME", direction)},
        )
        assert "errors" not in body, body
        assert [node["name"] for node in body["data"]["projects"]["nodes"]] == want

    # A rename moves the project: the key follows `updateProject`.
    body = await world.owner.execute(
        'mutation($id: ID!) { updateProject(id: $id, input: {name: "ÆON"}) { id } }',
        {"id": world.project},
    )
    assert "errors" not in body, body
    body = await world.owner.execute(
        "{ projects(orderBy: {field: NAME, direction: ASC}, first: 3) { nodes { name } } }"
    )
    assert [node["name"] for node in body["data"]["projects"]["nodes"]] == [
        "ÆON",
        "Äpfel",
        "apple",
    ]


async def test_tags_are_listed_by_name_ignoring_case_in_every_script(
    world: World, engine: AsyncEngine
) -> None:
    project = pk_of(world.project, "Project")
    names = ["zeta", "Émoji", "alpha", "Beta", "ébène", "Ωmega"]
    tag_pks = await insert_tags(engine, project, names)
    (task,) = await insert_tasks(engine, [task_row(project, world.owner.pk)])
    await tag_tasks(engine, [(task, tag) for tag in tag_pks])
    expected = ["alpha", "Beta", "ébène", "Émoji", "zeta", "Ωmega"]
    body = await world.owner.execute(
        """query($id: ID!, $task: ID!) {
          project(id: $id) { tags { nodes { name } } }
          task(id: $task) { tags { name } } }""",
        {"id": world.project, "task": gid("Task", task)},
    )
    assert "errors" not in body, body
    assert [tag["name"] for tag in body["data"]["project"]["tags"]["nodes"]] == expected
    assert [tag["name"] for tag in body["data"]["task"]["tags"]] == expected
