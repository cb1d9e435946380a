"""`TaskFilter` and `ProjectFilter` (API.md schema): each field alone and combined, on the
root lists and the nested ones, with `totalCount` counting what the filter lets through.

The expected tasks are picked here in Python from the rows' known values.

This module: `TaskFilter`, each field alone and combined on the root and nested
task lists, `assignedToMe`, hidden projects and tags, malformed ids. `ProjectFilter`
is in test_filters_projects.py, Unicode-aware task search in test_filters_unicode.py.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.graph.conftest import World
from tests.graph.rows import BASE, DAY, gid, insert_tags, insert_tasks, pk_of, tag_tasks, task_row
from tests.helpers import assert_error

LOW, MEDIUM, HIGH, URGENT = 1, 2, 3, 4


@dataclass
class Spec:
    """What a test task is, in the terms filters speak."""

    title: str
    description: str | None
    status: str
    priority: int
    due: date | None
    assignee: str | None  # "owner", "member" or None
    tags: list[str] = field(default_factory=list)
    project: str = "shared"  # or "personal" (the owner's)


SPECS = [
    Spec("Fix login bug", "Users cannot log in", "TODO", HIGH, DAY, "owner", ["bug"]),
    Spec("Write docs", None, "IN_PROGRESS", LOW, DAY + timedelta(5), "member", ["docs"]),
    Spec("100% coverage", "reach it in C:\\temp", "DONE", MEDIUM, None, None),
    Spec(
        "snake_case names", "rename", "TODO", URGENT, DAY + timedelta(10), "member", ["bug", "ui"]
    ),
    Spec("Refactor UI", "the LOGIN page", "TODO", MEDIUM, DAY - timedelta(1), None, ["ui"]),
    Spec("snakeXcase", "100 percent", "IN_PROGRESS", HIGH, DAY + timedelta(5), "owner"),
    Spec("Personal errand", None, "TODO", LOW, None, "owner", project="personal"),
]
PRIORITY_NAMES = {LOW: "LOW", MEDIUM: "MEDIUM", HIGH: "HIGH", URGENT: "URGENT"}


@dataclass
class Tasks:
    """The tasks of `SPECS` (ids in the same order), their tags, and the world around them."""

    world: World
    ids: list[str]
    tags: dict[str, str]

    def expected(self, keep: Callable[[Spec], bool]) -> list[str]:
        """Ids of the specs `keep` accepts, newest first (the default order)."""
        chosen = [task_id for task_id, spec in zip(self.ids, SPECS, strict=True) if keep(spec)]
        return list(reversed(chosen))


@pytest.fixture
async def data(world: World, engine: AsyncEngine) -> Tasks:
    shared = pk_of(world.project, "Project")
    personal = pk_of(world.owner.personal_project, "Project")
    people = {"owner": world.owner.pk, "member": world.member.pk, None: None}
    rows = [
        task_row(
            shared if spec.project == "shared" else personal,
            world.owner.pk,
            title=spec.title,
            description=spec.description,
            status=spec.status,
            priority=spec.priority,
            due_date=spec.due,
            assignee_id=people[spec.assignee],
            created_at=BASE + timedelta(minutes=i),
        )
        for i, spec in enumerate(SPECS)
    ]
    task_pks = await insert_tasks(engine, rows)
    tag_names = ["bug", "docs", "ui"]
    tag_pks = dict(zip(tag_names, await insert_tags(engine, shared, tag_names), strict=True))
    await tag_tasks(
        engine,
        [
            (pk, tag_pks[name])
            for pk, spec in zip(task_pks, SPECS, strict=True)
            for name in spec.tags
        ],
    )
    # Hidden from everyone in the world but the stranger, and matching most filters.
    stranger_project = pk_of(world.stranger.personal_project, "Project")
    await insert_tasks(
        engine,
        [
            task_row(
                stranger_project,
                world.stranger.pk,
                title="login 100% snake_case",
                assignee_id=world.stranger.pk,
                due_date=DAY,
            )
        ],
    )
    return Tasks(
        world=world,
        ids=[gid("Task", pk) for pk in task_pks],
        tags={name: gid("Tag", pk) for name, pk in tag_pks.items()},
    )


ROOT = """query($filter: TaskFilter) {
  tasks(filter: $filter, first: 100) { totalCount nodes { id } }
}"""


async def root_tasks(data: Tasks, task_filter: dict[str, Any], actor: str = "owner") -> list[str]:
    body = await getattr(data.world, actor).execute(ROOT, {"filter": task_filter})
    assert "errors" not in body, body
    connection = body["data"]["tasks"]
    ids = [node["id"] for node in connection["nodes"]]
    assert connection["totalCount"] == len(ids)
    return ids


def day(offset: int) -> str:
    return (DAY + timedelta(days=offset)).isoformat()


def _between(due: date | None, low: int | None, high: int | None) -> bool:
    if due is None:
        return False
    return (low is None or due >= DAY + timedelta(low)) and (
        high is None or due <= DAY + timedelta(high)
    )


# (filter, with placeholders resolved by `resolve`; which specs it keeps)
CASES: list[tuple[str, dict[str, Any], Callable[[Spec], bool]]] = [
    ("nothing", {}, lambda s: True),
    ("project shared", {"projectId": "@shared"}, lambda s: s.project == "shared"),
    ("project personal", {"projectId": "@personal"}, lambda s: s.project == "personal"),
    ("status one", {"status": ["TODO"]}, lambda s: s.status == "TODO"),
    (
        "status two",
        {"status": ["IN_PROGRESS", "DONE"]},
        lambda s: s.status in ("IN_PROGRESS", "DONE"),
    ),
    ("priority one", {"priority": ["HIGH"]}, lambda s: s.priority == HIGH),
    ("priority two", {"priority": ["LOW", "URGENT"]}, lambda s: s.priority in (LOW, URGENT)),
    ("assignee owner", {"assigneeId": "@owner"}, lambda s: s.assignee == "owner"),
    ("assignee member", {"assigneeId": "@member"}, lambda s: s.assignee == "member"),
    ("assignee viewer", {"assigneeId": "@viewer"}, lambda s: False),
    ("assignee hidden user", {"assigneeId": "@stranger"}, lambda s: False),
    ("assigned to me", {"assignedToMe": True}, lambda s: s.assignee == "owner"),
    ("unassigned", {"unassigned": True}, lambda s: s.assignee is None),
    ("assigned", {"unassigned": False}, lambda s: s.assignee is not None),
    ("one tag", {"tagIds": ["@bug"]}, lambda s: "bug" in s.tags),
    ("any of two tags", {"tagIds": ["@docs", "@ui"]}, lambda s: bool({"docs", "ui"} & {*s.tags})),
    ("search title", {"search": "bug"}, lambda s: s.title == "Fix login bug"),
    (
        "search either, any case",
        {"search": "LoGiN"},
        lambda s: s.title in ("Fix login bug", "Refactor UI"),
    ),
    ("search description only", {"search": "rename"}, lambda s: s.title == "snake_case names"),
    ("search percent is literal", {"search": "%"}, lambda s: s.title == "100% coverage"),
    ("search 100% is literal", {"search": "100%"}, lambda s: s.title == "100% coverage"),
    ("search underscore is literal", {"search": "_"}, lambda s: s.title == "snake_case names"),
    ("search snake_case", {"search": "E_C"}, lambda s: s.title == "snake_case names"),
    ("search backslash", {"search": "c:\\t"}, lambda s: s.title == "100% coverage"),
    ("search none", {"search": "nothing like it"}, lambda s: False),
    ("search empty", {"search": ""}, lambda s: True),
    ("due before, inclusive", {"dueBefore": day(0)}, lambda s: _between(s.due, None, 0)),
    ("due after, inclusive", {"dueAfter": day(5)}, lambda s: _between(s.due, 5, None)),
    ("due between", {"dueAfter": day(0), "dueBefore": day(5)}, lambda s: _between(s.due, 0, 5)),
    ("due before all", {"dueBefore": day(-2)}, lambda s: False),
    (
        "status and tag",
        {"status": ["TODO"], "tagIds": ["@bug"]},
        lambda s: s.status == "TODO" and "bug" in s.tags,
    ),
    (
        "mine and priority",
        {"assignedToMe": True, "priority": ["HIGH"]},
        lambda s: s.assignee == "owner" and s.priority == HIGH,
    ),
    (
        "project, assigned, search",
        {"projectId": "@shared", "unassigned": False, "search": "snake"},
        lambda s: s.project == "shared" and s.assignee is not None and "snake" in s.title,
    ),
    (
        "search, status, due",
        {"search": "login", "status": ["TODO"], "dueAfter": day(0)},
        lambda s: s.title == "Fix login bug",
    ),
    (
        "everything",
        {
            "projectId": "@shared",
            "status": ["TODO", "IN_PROGRESS"],
            "priority": ["HIGH", "URGENT"],
            "assigneeId": "@member",
            "unassigned": False,
            "tagIds": ["@ui", "@docs"],
            "search": "NAMES",
            "dueAfter": day(10),
            "dueBefore": day(10),
        },
        lambda s: s.title == "snake_case names",
    ),
    ("contradiction", {"assigneeId": "@owner", "unassigned": True}, lambda s: False),
]


def resolve(data: Tasks, value: Any) -> Any:
    """Replace `@name` placeholders with the global id they stand for."""
    if isinstance(value, list):
        return [resolve(data, item) for item in value]
    if isinstance(value, dict):
        return {key: resolve(data, item) for key, item in value.items()}
    if not isinstance(value, str) or not value.startswith("@"):
        return value
    name = value[1:]
    world = data.world
    ids = {
        "shared": world.project,
        "personal": world.owner.personal_project,
        "owner": world.owner.id,
        "member": world.member.id,
        "viewer": world.viewer.id,
        "stranger": world.stranger.id,
    }
    return ids[name] if name in ids else data.tags[name]


@pytest.mark.parametrize(
    ("task_filter", "keep"), [(f, k) for _, f, k in CASES], ids=[c[0] for c in CASES]
)
async def test_task_filter_on_the_root_list(
    data: Tasks, task_filter: dict[str, Any], keep: Callable[[Spec], bool]
) -> None:
    assert await root_tasks(data, resolve(data, task_filter)) == data.expected(keep)


@pytest.mark.parametrize(
    ("task_filter", "keep"), [(f, k) for _, f, k in CASES], ids=[c[0] for c in CASES]
)
async def test_task_filter_on_nested_lists(
    data: Tasks, task_filter: dict[str, Any], keep: Callable[[Spec], bool]
) -> None:
    body = await data.world.owner.execute(
        """query($id: ID!, $tag: ID!, $filter: TaskFilter) {
          project(id: $id) { tasks(filter: $filter, first: 100) { totalCount nodes { id } } }
          tag(id: $tag) { tasks(filter: $filter, first: 100) { totalCount nodes { id } } }
        }""",
        {"id": data.world.project, "tag": data.tags["bug"], "filter": resolve(data, task_filter)},
    )
    assert "errors" not in body, body
    in_project = data.expected(lambda s: s.project == "shared" and keep(s))
    with_tag = data.expected(lambda s: "bug" in s.tags and keep(s))
    for connection, expected in (
        (body["data"]["project"]["tasks"], in_project),
        (body["data"]["tag"]["tasks"], with_tag),
    ):
        assert [node["id"] for node in connection["nodes"]] == expected
        assert connection["totalCount"] == len(expected)


async def test_assigned_to_me_is_the_viewers(data: Tasks) -> None:
    mine = await root_tasks(data, {"assignedToMe": True}, actor="member")
    assert mine == data.expected(lambda s: s.assignee == "member")
    assert await root_tasks(data, {"assignedToMe": True}, actor="viewer") == []


async def test_a_project_the_viewer_cannot_see_matches_nothing(data: Tasks) -> None:
    world = data.world
    for project_id in (
        world.stranger.personal_project,  # exists, hidden
        gid("Project", 999_999),  # never existed
        "not an id",
        data.ids[0],  # a task's id
    ):
        assert await root_tasks(data, {"projectId": project_id}) == []
    assert await root_tasks(data, {"projectId": world.project}, actor="stranger") == []


async def test_a_hidden_tag_matches_nothing(data: Tasks, engine: AsyncEngine) -> None:
    (hidden,) = await insert_tags(
        engine, pk_of(data.world.stranger.personal_project, "Project"), ["bug"]
    )
    assert await root_tasks(data, {"tagIds": [gid("Tag", hidden)]}) == []
    assert await root_tasks(data, {"tagIds": [gid("Tag", hidden), data.tags["docs"]]}) == (
        data.expected(lambda s: "docs" in s.tags)
    )


BAD_IDS = ["not an id", gid("Task", 1), gid("Project", 1), "VXNlcjphYmM="]  # last: "User:abc"


@pytest.mark.parametrize("bad", BAD_IDS)
async def test_malformed_ids_in_a_filter_are_bad_user_input(data: Tasks, bad: str) -> None:
    owner = data.world.owner
    for task_filter, field_name in (
        ({"assigneeId": bad}, "assigneeId"),
        ({"tagIds": [data.tags["bug"], bad]}, "tagIds"),
    ):
        body = await owner.execute(ROOT, {"filter": task_filter})
        assert_error(body, "BAD_USER_INPUT", field=field_name)
        body = await owner.execute(
            """query($id: ID!, $filter: TaskFilter) {
              project(id: $id) { tasks(filter: $filter) { totalCount } } }""",
            {"id": data.world.project, "filter": task_filter},
        )
        assert_error(body, "BAD_USER_INPUT", field=field_name)
