"""Dataloaders, built per request: one SQL statement per relation per level of a query.

A loader's cache holds one viewer's view of the data, so a `Loaders` lives in
one request's context and nowhere else. Nested connections (`Project.tasks`,
`Tag.tasks`, `Project.tags`, `Project.members`) load one page per parent in
a single statement with a window function, so the statement count stays the
same whatever the page sizes.
"""

from collections import defaultdict
from collections.abc import Callable, Hashable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from aiodataloader import DataLoader
from sqlalchemy import ColumnElement, Row, func, select
from sqlalchemy.orm import aliased

from app.db.access import USER_COLUMNS, visible, visible_users
from app.db.models import members, projects, tags, task_tags, tasks, users
from app.db.pagination import Ordering, Page, PageArgs, page_of, paginate_per_parent
from app.enums import ProjectRole

if TYPE_CHECKING:
    from sqlalchemy.sql import Select

    from app.context import Context

V = TypeVar("V")

owners = aliased(members, name="owners")


def _by_key(rows: Sequence[Row[Any]], key: str) -> dict[Any, list[Row[Any]]]:
    grouped: dict[Any, list[Row[Any]]] = defaultdict(list)
    for row in rows:
        grouped[row._mapping[key]].append(row)
    return grouped


class Loaders:
    """The per-request loaders of one viewer (`viewer_id`)."""

    def __init__(self, ctx: "Context", viewer_id: int) -> None:
        self.ctx = ctx
        self.viewer_id = viewer_id
        self.users: DataLoader[int, Row[Any] | None] = DataLoader(self._users)
        self.people: DataLoader[int, Row[Any] | None] = DataLoader(self._people)
        self.projects: DataLoader[int, Row[Any] | None] = DataLoader(self._projects)
        self.tasks: DataLoader[int, Row[Any] | None] = DataLoader(self._tasks)
        self.tags: DataLoader[int, Row[Any] | None] = DataLoader(self._tags)
        self.owners: DataLoader[int, Row[Any] | None] = DataLoader(self._owners)
        self.task_tags: DataLoader[int, list[Row[Any]]] = DataLoader(self._task_tags)
        self._pages: dict[Hashable, DataLoader[Any, Any]] = {}

    async def _by_id(self, statement: "Select[Any]", ids: list[int]) -> list[Row[Any] | None]:
        found = {row.id: row for row in await self.ctx.fetch(statement)}
        return [found.get(i) for i in ids]

    async def _users(self, ids: list[int]) -> list[Row[Any] | None]:
        """Users by id, for ids read from rows that `visible()` let through (creator, assignee)."""
        return await self._by_id(select(*USER_COLUMNS).where(users.c.id.in_(ids)), ids)

    async def _people(self, ids: list[int]) -> list[Row[Any] | None]:
        """Users by id among those the viewer may look up (`node(id:)`)."""
        return await self._by_id(visible_users(self.viewer_id).where(users.c.id.in_(ids)), ids)

    async def _projects(self, ids: list[int]) -> list[Row[Any] | None]:
        """Visible projects by id, with the viewer's `role`."""
        statement = visible(select(projects, members.c.role), projects.c.id, self.viewer_id)
        return await self._by_id(statement.where(projects.c.id.in_(ids)), ids)

    async def _tasks(self, ids: list[int]) -> list[Row[Any] | None]:
        """Visible tasks by id."""
        statement = visible(select(tasks), tasks.c.project_id, self.viewer_id)
        return await self._by_id(statement.where(tasks.c.id.in_(ids)), ids)

    async def _tags(self, ids: list[int]) -> list[Row[Any] | None]:
        """Visible tags by id."""
        statement = visible(select(tags), tags.c.project_id, self.viewer_id)
        return await self._by_id(statement.where(tags.c.id.in_(ids)), ids)

    async def _owners(self, project_ids: list[int]) -> list[Row[Any] | None]:
        """The owner shown for each project: its earliest-added `OWNER`.

        For ids read from rows that `visible()` let through, like `_users`: not narrowed
        again, so a project the viewer has just left (`removeProjectMember`) keeps its owner.
        """
        statement = (
            select(*USER_COLUMNS, owners.c.project_id.label("owned_project_id"))
            .select_from(owners)
            .join(users, users.c.id == owners.c.user_id)
            .where(owners.c.project_id.in_(project_ids), owners.c.role == ProjectRole.OWNER.value)
            .order_by(owners.c.added_at, owners.c.user_id)
        )
        first: dict[int, Row[Any]] = {}
        for row in await self.ctx.fetch(statement):
            first.setdefault(row.owned_project_id, row)
        return [first.get(i) for i in project_ids]

    async def _task_tags(self, task_ids: list[int]) -> list[list[Row[Any]]]:
        """The tags of each task, by name."""
        statement = (
            visible(
                select(tags, task_tags.c.task_id)
                .select_from(task_tags)
                .join(tags, tags.c.id == task_tags.c.tag_id),
                tags.c.project_id,
                self.viewer_id,
            )
            .where(task_tags.c.task_id.in_(task_ids))
            .order_by(func.lower(tags.c.name), tags.c.id)
        )
        grouped = _by_key(await self.ctx.fetch(statement), "task_id")
        return [grouped.get(i, []) for i in task_ids]

    def pages(
        self,
        key: Hashable,
        statement: "Select[Any]",
        parent: ColumnElement[Any],
        ordering: Ordering,
        args: PageArgs,
        build: Callable[[Row[Any]], V],
    ) -> DataLoader[Any, Page[V]]:
        """A loader of one page per parent id for one connection field and its arguments.

        `key` identifies the field and arguments (equal keys share a loader);
        `statement` selects the visible rows of all parents, including `parent`.
        """
        loader = self._pages.get(key)
        if loader is None:

            async def load(parent_ids: list[Any]) -> list[Page[V]]:
                query = paginate_per_parent(
                    statement.where(parent.in_(parent_ids)), parent, ordering, args
                )
                assert parent.key is not None
                grouped = _by_key(await self.ctx.fetch(query), parent.key)
                return [page_of(grouped.get(i, []), args, ordering, build) for i in parent_ids]

            loader = self._pages[key] = DataLoader(load)
        return loader

    def counts(
        self, key: Hashable, statement: "Select[Any]", parent: ColumnElement[Any]
    ) -> DataLoader[Any, int]:
        """A loader of row counts per parent id (`totalCount` of a nested connection)."""
        loader = self._pages.get(("count", key))
        if loader is None:

            async def load(parent_ids: list[Any]) -> list[int]:
                counted = (
                    statement.where(parent.in_(parent_ids))
                    .with_only_columns(parent.label("parent_id"), func.count().label("total"))
                    .group_by(parent)
                )
                found = {row.parent_id: row.total for row in await self.ctx.fetch(counted)}
                return [found.get(i, 0) for i in parent_ids]

            loader = self._pages[("count", key)] = DataLoader(load)
        return loader
