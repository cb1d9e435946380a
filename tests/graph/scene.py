"""A populated world for isolation tests, and the helpers their matrices share.

`build_scene` fills the shared project of the `world` fixture through the API:
a tag and a task (assigned to the member, carrying the tag) made by the owner,
a second viewer (`extra`, the target of membership changes), and the
stranger's own task and tag in their personal project. The tables below give
the answer each role must get, from API.md "Who sees what".
"""

import base64
import json
import logging
import re
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from app.config import Settings
from app.db.models import members, projects, tags, task_tags, tasks
from app.ids import decode_any_id, encode_id
from tests.graph.conftest import Actor, World, make_actor
from tests.helpers import fetch_all

ROLES = ("owner", "member", "viewer", "stranger", "anonymous")
ROLE_NAMES = {"owner": "OWNER", "member": "MEMBER", "viewer": "VIEWER"}

# Outcomes: the object is shown, or null/left out exactly like a missing one,
# or the mutation succeeds; anything else is the expected `extensions.code`.
SEES, HIDDEN, ALLOWED = "sees", "hidden", "allowed"
UNAUTHENTICATED, FORBIDDEN, NOT_FOUND = "UNAUTHENTICATED", "FORBIDDEN", "NOT_FOUND"

READ = {
    "owner": SEES,
    "member": SEES,
    "viewer": SEES,
    "stranger": HIDDEN,
    "anonymous": UNAUTHENTICATED,
}
NEEDS_OWNER = {
    "owner": ALLOWED,
    "member": FORBIDDEN,
    "viewer": FORBIDDEN,
    "stranger": NOT_FOUND,
    "anonymous": UNAUTHENTICATED,
}
NEEDS_MEMBER = {
    "owner": ALLOWED,
    "member": ALLOWED,
    "viewer": FORBIDDEN,
    "stranger": NOT_FOUND,
    "anonymous": UNAUTHENTICATED,
}

NEVER_EXISTED_PK = 987_654_321

CREATE_TAG = """
mutation($input: CreateTagInput!) { createTag(input: $input) { id } }
"""
CREATE_TASK = """
mutation($input: CreateTaskInput!) { createTask(input: $input) { id project { id } } }
"""
ADD_MEMBER = """
mutation($p: ID!, $e: String!, $r: ProjectRole!) {
  addProjectMember(projectId: $p, email: $e, role: $r) { id }
}
"""
SNAPSHOT = """
query($p: ID!) {
  project(id: $p) {
    id name description isPersonal updatedAt viewerRole owner { id }
    members { totalCount edges { role node { id } } }
    tags { totalCount nodes { id name color } }
    tasks {
      totalCount
      nodes {
        id title description status priority dueDate completedAt version updatedAt
        assignee { id } tags { id }
      }
    }
  }
}
"""


@dataclass
class Scene:
    """The world plus what `build_scene` made (global ids)."""

    world: World
    extra: Actor
    task: str
    tag: str
    stranger_task: str
    stranger_tag: str
    engine: AsyncEngine

    @property
    def project(self) -> str:
        return self.world.project


def data(body: dict[str, Any]) -> dict[str, Any]:
    """The `data` of a response that must carry no errors."""
    assert "errors" not in body, body
    result: dict[str, Any] = body["data"]
    return result


async def build_scene(world: World, engine: AsyncEngine, settings: Settings) -> Scene:
    """Populate `world` through the API (see the module docstring)."""
    extra = await make_actor(engine, settings, world.anonymous, "Extra")
    data(
        await world.owner.execute(
            ADD_MEMBER, {"p": world.project, "e": "extra@example.com", "r": "VIEWER"}
        )
    )
    tag = data(
        await world.owner.execute(
            CREATE_TAG, {"input": {"projectId": world.project, "name": "bug", "color": "#ff0000"}}
        )
    )["createTag"]["id"]
    task = data(
        await world.owner.execute(
            CREATE_TASK,
            {
                "input": {
                    "projectId": world.project,
                    "title": "Shared task",
                    "assigneeId": world.member.id,
                    "tagIds": [tag],
                }
            },
        )
    )["createTask"]["id"]
    stranger = world.stranger
    stranger_tag = data(
        await stranger.execute(
            CREATE_TAG, {"input": {"projectId": stranger.personal_project, "name": "secret"}}
        )
    )["createTag"]["id"]
    created = data(
        await stranger.execute(
            CREATE_TASK, {"input": {"title": "Stranger task", "tagIds": [stranger_tag]}}
        )
    )["createTask"]
    assert created["project"]["id"] == stranger.personal_project
    stranger_task = created["id"]
    return Scene(world, extra, task, tag, stranger_task, stranger_tag, engine)


async def run(
    world: World, role: str, query: str, variables: dict[str, Any] | None = None
) -> dict[str, Any]:
    """`query` as the actor of `role`, or without a token for `anonymous`."""
    actor = world.actor(role)
    if actor is None:
        return await world.anonymous.execute(query, variables)
    return await actor.execute(query, variables)


def never_existed(kind: str) -> str:
    """A well-formed global id of `kind` that names no row."""
    return encode_id(kind, NEVER_EXISTED_PK)


def other_type_id(scene: Scene, kind: str) -> str:
    """The id of an existing object, visible to everyone in the project, of another type."""
    return scene.task if kind != "Task" else scene.project


def malformed_ids(kind: str) -> list[str]:
    """Ids that are not global ids at all, or whose row id part is not a row id."""
    encoded = [f"{kind}:", f"{kind}:-1", f"{kind}:1x", f"{kind}:{'9' * 19}", kind]
    return ["not-an-id", "", "%%%", *(base64.b64encode(s.encode()).decode() for s in encoded)]


def absent_ids(scene: Scene, kind: str) -> list[str]:
    """Ids that must behave as nonexistent where a `kind` id is expected."""
    return [never_existed(kind), *malformed_ids(kind), other_type_id(scene, kind)]


def pk_of(global_id: str) -> int:
    """The row id inside a well-formed global id."""
    decoded = decode_any_id(global_id)
    assert decoded is not None, global_id
    return decoded[1]


async def snapshot(scene: Scene) -> tuple[dict[str, Any], list[list[Any]]]:
    """What the owner reads of the shared project, and every row of the domain tables."""
    seen = await scene.world.owner.execute(SNAPSHOT, {"p": scene.project})
    rows = [
        sorted(tuple(row) for row in await fetch_all(scene.engine, select(table)))
        for table in (projects, members, tasks, tags, task_tags)
    ]
    return seen, [list(r) for r in rows]


def same_bytes(first: dict[str, Any], second: dict[str, Any]) -> bool:
    """True when two responses serialise to the same bytes (key order included)."""
    return json.dumps(first) == json.dumps(second)


def denials(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Messages of the access-denied records logged at INFO by `app.db.access`."""
    return [
        record.getMessage()
        for record in caplog.records
        if record.name == "app.db.access"
        and record.levelno == logging.INFO
        and record.getMessage().startswith("access denied")
    ]


def mentions(message: str, *, user: int, kind: str, object_pk: int) -> bool:
    """True when a denial message names the user and the object."""
    return bool(
        re.search(rf"\buser {user}\b", message) and re.search(rf"\b{kind} {object_pk}$", message)
    )
