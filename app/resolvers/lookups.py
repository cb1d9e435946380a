"""Object lookups by global id: `node`, `nodes`, `project`, `task`, `tag` (visible ones only)."""

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import strawberry

from app.context import Info
from app.errors import BadUserInput
from app.ids import decode_any_id
from app.loaders import Loaders
from app.resolvers.nodes import ProjectNode, TagNode, TaskNode, UserNode

MAX_NODES = 100

# Type name -> the loader of the rows the viewer may look up, and the node of a row.
LOOKUPS: dict[str, tuple[Callable[[Loaders, int], Awaitable[Any]], Callable[[Any], Any]]] = {
    "Project": (lambda loaders, pk: loaders.projects.load(pk), ProjectNode._make),
    "Task": (lambda loaders, pk: loaders.tasks.load(pk), TaskNode._make),
    "Tag": (lambda loaders, pk: loaders.tags.load(pk), TagNode._make),
    "User": (lambda loaders, pk: loaders.visible_users.load(pk), UserNode._make),
}


async def lookup(info: Info, global_id: str, *types: str) -> Any:
    """The node with `global_id` if it is one of `types` and visible to the viewer, else None.

    Raises `Unauthenticated` without a viewer.
    """
    ctx = info.context
    ctx.require_viewer()
    decoded = decode_any_id(global_id)
    if decoded is None or decoded[0] not in types:
        return None
    load, node = LOOKUPS[decoded[0]]
    row = await load(ctx.loaders, decoded[1])
    return None if row is None else node(row)


async def node(info: Info, id: strawberry.ID) -> Any:
    """`Query.node`: any visible object; None if not visible (or not one)."""
    return await lookup(info, id, *LOOKUPS)


async def nodes(info: Info, ids: list[strawberry.ID]) -> list[Any]:
    """`Query.nodes`: visible objects in order (at most `MAX_NODES` ids)."""
    if len(ids) > MAX_NODES:
        raise BadUserInput("ids", f"at most {MAX_NODES} ids at once")
    return list(await asyncio.gather(*(lookup(info, i, *LOOKUPS) for i in ids)))


async def project(info: Info, id: strawberry.ID) -> ProjectNode | None:
    """`Query.project`: a visible project, else None."""
    found: ProjectNode | None = await lookup(info, id, "Project")
    return found


async def task(info: Info, id: strawberry.ID) -> TaskNode | None:
    """`Query.task`: a visible task, else None."""
    found: TaskNode | None = await lookup(info, id, "Task")
    return found


async def tag(info: Info, id: strawberry.ID) -> TagNode | None:
    """`Query.tag`: a visible tag, else None."""
    found: TagNode | None = await lookup(info, id, "Tag")
    return found
