"""The resolvers of tags: the fields of `Tag` and the tag mutations (`MEMBER`)."""

from collections.abc import Awaitable
from functools import partial
from typing import TYPE_CHECKING, Annotated

import strawberry

from app import rules
from app.context import Info
from app.db import tags, tasks
from app.db.pagination import PageArgs
from app.ids import decode_id, encode_id
from app.resolvers.inputs import given
from app.resolvers.nodes import ProjectNode, TagNode, TaskNode, project_nodes, single, then
from app.resolvers.relay import Connection, connection, nested_pages
from app.resolvers.tasks import FilterArg, OrderArg, task_filter, task_ordering

if TYPE_CHECKING:
    from app.schema.tag import CreateTagInput, UpdateTagInput


def project_batch(roots: list[TagNode], info: Info) -> Awaitable[list[ProjectNode | None]]:
    """`Tag.project` of the tags of one level (never None: what the viewer sees is in a
    project they are in)."""
    loaders = info.context.loaders
    return then(loaders.projects.load_many([root.project_id for root in roots]), project_nodes)


async def tasks_batch(
    roots: list[TagNode],
    info: Info,
    first: int | None = None,
    after: str | None = None,
    filter: FilterArg = None,
    order_by: OrderArg = None,
) -> list[Connection[TaskNode]]:
    """`Tag.tasks` of the tags of one level: tasks carrying each; one statement for all."""
    ctx = info.context
    args = PageArgs.parse(first=first, after=after)
    viewer = ctx.require_viewer()
    spec, order = task_filter(filter), task_ordering(order_by)
    found = await nested_pages(
        ctx.loaders,
        ("Tag.tasks", args, spec, order.name),
        [root.id for root in roots],
        partial(tasks.pages_per_tag, ctx.db, viewer.id, spec, order, args),
        partial(tasks.counts_per_tag, ctx.db, viewer.id, spec),
    )
    return [connection(page, TaskNode._make, count) for page, count in found]


def project(root: strawberry.Parent[TagNode], info: Info) -> Awaitable[ProjectNode | None]:
    """`Tag.project` of one tag (`project_batch`)."""
    return then(project_batch([root], info), single)


async def tag_tasks(
    root: strawberry.Parent[TagNode],
    info: Info,
    first: int | None = None,
    after: str | None = None,
    filter: FilterArg = None,
    order_by: OrderArg = None,
) -> Connection[TaskNode]:
    """`Tag.tasks` of one tag (`tasks_batch`)."""
    return (await tasks_batch([root], info, first, after, filter, order_by))[0]


def _tag_pk(tag_id: str) -> int | None:
    return decode_id(tag_id, "Tag")


async def create_tag(
    info: Info, input: Annotated["CreateTagInput", strawberry.lazy("app.schema.tag")]
) -> TagNode:
    """`Mutation.createTag`: a tag in a project where the viewer is `MEMBER` or `OWNER`."""
    ctx = info.context
    viewer = ctx.require_viewer()
    values = rules.checked({"name": input.name, "color": input.color}, rules.TAG)
    project_id = decode_id(input.project_id, "Project")
    return TagNode._make(await tags.create(ctx.db, viewer.id, project_id, values))


async def update_tag(
    info: Info,
    id: strawberry.ID,
    input: Annotated["UpdateTagInput", strawberry.lazy("app.schema.tag")],
) -> TagNode:
    """`Mutation.updateTag`: rename and/or recolour."""
    ctx = info.context
    viewer = ctx.require_viewer()
    values = rules.checked(given(input), rules.TAG)
    return TagNode._make(await tags.update_tag(ctx.db, viewer.id, _tag_pk(id), values))


async def delete_tag(info: Info, id: strawberry.ID) -> strawberry.ID:
    """`Mutation.deleteTag`: tasks carrying it lose it. Its id."""
    ctx = info.context
    viewer = ctx.require_viewer()
    pk = await tags.delete_tag(ctx.db, viewer.id, _tag_pk(id))
    return strawberry.ID(encode_id("Tag", pk))
