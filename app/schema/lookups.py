"""Object lookups by global id: `node`, `nodes`, `project`, `task`, `tag` (visible objects only)."""

import asyncio
from collections.abc import Callable
from typing import Any

import strawberry
from aiodataloader import DataLoader
from sqlalchemy import Row

from app.errors import BadUserInput
from app.ids import decode_any_id
from app.loaders import Loaders
from app.schema.common import Info, Node
from app.schema.project import Project
from app.schema.tag import Tag
from app.schema.task import Task
from app.schema.user import User

MAX_NODES = 100

# GraphQL type name -> (its loader of visible rows, how to build the type)
LOOKUPS: dict[str, tuple[Callable[[Loaders], DataLoader[int, Row[Any] | None]], Any]] = {
    "Project": (lambda loaders: loaders.projects, Project.from_row),
    "Task": (lambda loaders: loaders.tasks, Task.from_row),
    "Tag": (lambda loaders: loaders.tags, Tag.from_row),
    "User": (lambda loaders: loaders.people, User.from_row),
}


async def lookup(info: Info, global_id: str, *types: str) -> Any:
    """The object with `global_id` if it is one of `types` and visible to the viewer, else None.

    Raises `Unauthenticated` without a viewer.
    """
    loaders = await info.context.loaders()
    decoded = decode_any_id(global_id)
    if decoded is None or decoded[0] not in types:
        return None
    loader, build = LOOKUPS[decoded[0]]
    row = await loader(loaders).load(decoded[1])
    return None if row is None else build(row)


async def node(info: Info, id: strawberry.ID) -> Node | None:
    return await lookup(info, id, *LOOKUPS)  # type: ignore[no-any-return]


async def nodes(info: Info, ids: list[strawberry.ID]) -> list[Node | None]:
    if len(ids) > MAX_NODES:
        raise BadUserInput("ids", f"at most {MAX_NODES} ids at once")
    return list(await asyncio.gather(*(lookup(info, i, *LOOKUPS) for i in ids)))


async def project(info: Info, id: strawberry.ID) -> Project | None:
    return await lookup(info, id, "Project")  # type: ignore[no-any-return]


async def task(info: Info, id: strawberry.ID) -> Task | None:
    return await lookup(info, id, "Task")  # type: ignore[no-any-return]


async def tag(info: Info, id: strawberry.ID) -> Tag | None:
    return await lookup(info, id, "Tag")  # type: ignore[no-any-return]
