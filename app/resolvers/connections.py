"""Relay connections: root lists (`tasks`, `projects`) and nested ones batched per parent.

Each function returns a `Page` of built items and a thunk that counts all
items; the thunk runs only if a client selects `totalCount`. Root lists cost
one statement (plus one `COUNT`); nested connections cost one statement per
field for all parents together (plus one grouped `COUNT`).
"""

from collections.abc import Awaitable, Callable, Hashable
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Row, func, select
from sqlalchemy.orm import aliased
from sqlalchemy.sql import Select

from app.context import Context
from app.db.access import USER_COLUMNS, visible
from app.db.models import members, projects, shown, tags, task_tags, tasks, users
from app.db.pagination import Ordering, Page, PageArgs, SortKey, id_key, page_of, paginate
from app.enums import ProjectRole
from app.resolvers.task_queries import TaskFilter, contains_text, visible_tasks

T = TypeVar("T")
Count = Callable[[], Awaitable[int]]
Build = Callable[[Row[Any]], T]

roster = aliased(members, name="roster")

PROJECT_ORDER_KEYS: dict[str, SortKey] = {
    "CREATED_AT": SortKey(projects.c.created_at, "datetime"),
    "UPDATED_AT": SortKey(projects.c.updated_at, "datetime"),
    "NAME": SortKey(projects.c.name_sort, "bytes"),
}
TAG_ORDERING = Ordering(
    name="Tag:NAME:ASC",
    keys=(SortKey(tags.c.name_sort, "bytes"), id_key(tags.c.id)),
    descending=False,
)
MEMBER_ORDERING = Ordering(
    name="ProjectMember:ADDED_AT:ASC",
    keys=(SortKey(roster.c.added_at, "datetime"), id_key(roster.c.user_id)),
    descending=False,
)


def project_ordering(field: str = "CREATED_AT", direction: str = "DESC") -> Ordering:
    """Order by `field` (a `ProjectOrderField` name) then id, both in `direction`."""
    return Ordering(
        name=f"Project:{field}:{direction}",
        keys=(PROJECT_ORDER_KEYS[field], id_key(projects.c.id)),
        descending=direction == "DESC",
    )


async def _root(
    ctx: Context, statement: Select[Any], ordering: Ordering, args: PageArgs, build: Build[T]
) -> tuple[Page[T], Count]:
    rows = await ctx.fetch(paginate(statement, ordering, args))

    async def count() -> int:
        total: int = await ctx.scalar(select(func.count()).select_from(statement.subquery()))
        return total

    return page_of(rows, args, ordering, build), count


async def _nested(
    ctx: Context,
    *,
    key: Hashable,
    parent_id: int,
    statement: Select[Any],
    parent: ColumnElement[Any],
    ordering: Ordering,
    args: PageArgs,
    build: Build[T],
) -> tuple[Page[T], Count]:
    loaders = await ctx.loaders()
    page = await loaders.pages(key, statement, parent, ordering, args, build).load(parent_id)
    counts = loaders.counts(key, statement, parent)

    async def count() -> int:
        return await counts.load(parent_id)

    return page, count


async def task_list(
    ctx: Context, *, args: PageArgs, spec: TaskFilter | None, ordering: Ordering, build: Build[T]
) -> tuple[Page[T], Count]:
    """`Query.tasks`: visible tasks matching `spec`."""
    viewer = await ctx.require_viewer()
    return await _root(ctx, visible_tasks(viewer.id, spec), ordering, args, build)


def _project_statement(viewer_id: int, search: str | None, role: ProjectRole | None) -> Select[Any]:
    statement = visible(select(*shown(projects), members.c.role), projects.c.id, viewer_id)
    if search:
        statement = statement.where(
            contains_text(search, projects.c.name_key, projects.c.description_key)
        )
    if role is not None:
        statement = statement.where(members.c.role == role.value)
    return statement


async def project_list(
    ctx: Context,
    *,
    args: PageArgs,
    search: str | None,
    role: ProjectRole | None,
    ordering: Ordering,
    build: Build[T],
) -> tuple[Page[T], Count]:
    """`Query.projects`: projects the viewer is a member of, with their `role`."""
    viewer = await ctx.require_viewer()
    return await _root(ctx, _project_statement(viewer.id, search, role), ordering, args, build)


async def project_tasks(
    ctx: Context,
    *,
    key: Hashable,
    project_id: int,
    args: PageArgs,
    spec: TaskFilter | None,
    ordering: Ordering,
    build: Build[T],
) -> tuple[Page[T], Count]:
    """`Project.tasks`, one statement for every project on the page."""
    viewer = await ctx.require_viewer()
    return await _nested(
        ctx,
        key=key,
        parent_id=project_id,
        statement=visible_tasks(viewer.id, spec),
        parent=tasks.c.project_id,
        ordering=ordering,
        args=args,
        build=build,
    )


async def tag_tasks(
    ctx: Context,
    *,
    key: Hashable,
    tag_id: int,
    args: PageArgs,
    spec: TaskFilter | None,
    ordering: Ordering,
    build: Build[T],
) -> tuple[Page[T], Count]:
    """`Tag.tasks`, one statement for every tag on the page."""
    viewer = await ctx.require_viewer()
    statement = (
        visible_tasks(viewer.id, spec)
        .add_columns(task_tags.c.tag_id)
        .join(task_tags, task_tags.c.task_id == tasks.c.id)
    )
    return await _nested(
        ctx,
        key=key,
        parent_id=tag_id,
        statement=statement,
        parent=task_tags.c.tag_id,
        ordering=ordering,
        args=args,
        build=build,
    )


async def project_tags(
    ctx: Context, *, key: Hashable, project_id: int, args: PageArgs, build: Build[T]
) -> tuple[Page[T], Count]:
    """`Project.tags` by name, one statement for every project on the page."""
    viewer = await ctx.require_viewer()
    return await _nested(
        ctx,
        key=key,
        parent_id=project_id,
        statement=visible(select(tags), tags.c.project_id, viewer.id),
        parent=tags.c.project_id,
        ordering=TAG_ORDERING,
        args=args,
        build=build,
    )


async def project_members(
    ctx: Context, *, key: Hashable, project_id: int, args: PageArgs, build: Build[T]
) -> tuple[Page[T], Count]:
    """`Project.members` in the order they joined, one statement for every project on the page.

    Rows are the user's columns plus `project_id`, `user_id`, `member_role`, `added_at`.
    """
    viewer = await ctx.require_viewer()
    statement = visible(
        select(
            *USER_COLUMNS,
            roster.c.project_id,
            roster.c.user_id,
            roster.c.role.label("member_role"),
            roster.c.added_at,
        )
        .select_from(roster)
        .join(users, users.c.id == roster.c.user_id),
        roster.c.project_id,
        viewer.id,
    )
    return await _nested(
        ctx,
        key=key,
        parent_id=project_id,
        statement=statement,
        parent=roster.c.project_id,
        ordering=MEMBER_ORDERING,
        args=args,
        build=build,
    )
