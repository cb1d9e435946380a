"""Dataloaders, built per request: one SQL statement per relation per level of a query.

A loader's cache holds one viewer's view of the data, so a `Loaders` lives in
one request's context and nowhere else. Nested connections (`Project.tasks`,
`Tag.tasks`, `Project.tags`, `Project.members`) load one page per parent in
a single statement (`paginate_per_parent`), so the statement count stays the
same whatever the page sizes.
"""

from collections import defaultdict
from collections.abc import Callable, Hashable, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any, TypeVar

from aiodataloader import DataLoader
from sqlalchemy import ColumnElement, Row, func, select
from sqlalchemy.orm import aliased

from app.db.access import USER_COLUMNS, VIEWER, visible, visible_users
from app.db.id_lists import among
from app.db.models import members, projects, shown, tags, task_tags, tasks, users
from app.db.pagination import PARENT_IDS, Ordering, Page, PageArgs, page_of, paginate_per_parent
from app.enums import ProjectRole

if TYPE_CHECKING:
    from sqlalchemy.sql import Select

    from app.context import Context

V = TypeVar("V")

owners = aliased(members, name="owners")

# Built once and run with parameters (`viewer_id`, `ids`): no statement is built,
# and no cache key computed, per request.
IDS = "ids"  # the list parameter of the by-id statements
USERS_BY_ID = select(*USER_COLUMNS).where(among(users.c.id, IDS))
PEOPLE_BY_ID = visible_users(VIEWER).where(among(users.c.id, IDS))
PROJECTS_BY_ID = visible(select(*shown(projects), members.c.role), projects.c.id, VIEWER).where(
    among(projects.c.id, IDS)
)
TASKS_BY_ID = visible(select(*shown(tasks)), tasks.c.project_id, VIEWER).where(
    among(tasks.c.id, IDS)
)
TAGS_BY_ID = visible(select(tags), tags.c.project_id, VIEWER).where(among(tags.c.id, IDS))
OWNERS_BY_PROJECT = (
    select(*USER_COLUMNS, owners.c.project_id.label("owned_project_id"))
    .select_from(owners)
    .join(users, users.c.id == owners.c.user_id)
    .where(among(owners.c.project_id, IDS), owners.c.role == ProjectRole.OWNER.value)
    .order_by(owners.c.added_at, owners.c.user_id)
)
TAGS_BY_TASK = (
    visible(
        select(tags, task_tags.c.task_id)
        .select_from(task_tags)
        .join(tags, tags.c.id == task_tags.c.tag_id),
        tags.c.project_id,
        VIEWER,
    )
    .where(among(task_tags.c.task_id, IDS))
    .order_by(tags.c.name_sort, tags.c.id)
)


def _by_key(rows: Sequence[Row[Any]], key: str) -> dict[Any, list[Row[Any]]]:
    grouped: dict[Any, list[Row[Any]]] = defaultdict(list)
    for row in rows:
        grouped[row._mapping[key]].append(row)
    return grouped


class Loaders:
    """The per-request loaders of one viewer (`viewer_id`), each made on first use."""

    def __init__(self, ctx: "Context", viewer_id: int) -> None:
        self.ctx = ctx
        self.viewer_id = viewer_id
        self._pages: dict[Hashable, DataLoader[Any, Any]] = {}

    @cached_property
    def users(self) -> DataLoader[int, Row[Any] | None]:
        return DataLoader(self._users)

    @cached_property
    def people(self) -> DataLoader[int, Row[Any] | None]:
        return DataLoader(self._people)

    @cached_property
    def projects(self) -> DataLoader[int, Row[Any] | None]:
        return DataLoader(self._projects)

    @cached_property
    def tasks(self) -> DataLoader[int, Row[Any] | None]:
        return DataLoader(self._tasks)

    @cached_property
    def tags(self) -> DataLoader[int, Row[Any] | None]:
        return DataLoader(self._tags)

    @cached_property
    def owners(self) -> DataLoader[int, Row[Any] | None]:
        return DataLoader(self._owners)

    @cached_property
    def task_tags(self) -> DataLoader[int, list[Row[Any]]]:
        return DataLoader(self._task_tags)

    async def _by_id(self, statement: "Select[Any]", ids: list[int]) -> list[Row[Any] | None]:
        rows = await self.ctx.fetch(statement, {"viewer_id": self.viewer_id, IDS: ids})
        found = {row.id: row for row in rows}
        return [found.get(i) for i in ids]

    async def _users(self, ids: list[int]) -> list[Row[Any] | None]:
        """Users by id, for ids read from rows that `visible()` let through (creator, assignee)."""
        return await self._by_id(USERS_BY_ID, ids)

    async def _people(self, ids: list[int]) -> list[Row[Any] | None]:
        """Users by id among those the viewer may look up (`node(id:)`)."""
        return await self._by_id(PEOPLE_BY_ID, ids)

    async def _projects(self, ids: list[int]) -> list[Row[Any] | None]:
        """Visible projects by id, with the viewer's `role`."""
        return await self._by_id(PROJECTS_BY_ID, ids)

    async def _tasks(self, ids: list[int]) -> list[Row[Any] | None]:
        """Visible tasks by id."""
        return await self._by_id(TASKS_BY_ID, ids)

    async def _tags(self, ids: list[int]) -> list[Row[Any] | None]:
        """Visible tags by id."""
        return await self._by_id(TAGS_BY_ID, ids)

    async def _owners(self, project_ids: list[int]) -> list[Row[Any] | None]:
        """The owner shown for each project: its earliest-added `OWNER`.

        For ids read from rows that `visible()` let through, like `_users`: not narrowed
        again, so a project the viewer has just left (`removeProjectMember`) keeps its owner.
        """
        first: dict[int, Row[Any]] = {}
        for row in await self.ctx.fetch(OWNERS_BY_PROJECT, {IDS: project_ids}):
            first.setdefault(row.owned_project_id, row)
        return [first.get(i) for i in project_ids]

    async def _task_tags(self, task_ids: list[int]) -> list[list[Row[Any]]]:
        """The tags of each task, by name."""
        rows = await self.ctx.fetch(TAGS_BY_TASK, {"viewer_id": self.viewer_id, IDS: task_ids})
        grouped = _by_key(rows, "task_id")
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
                    statement, parent, ordering, args, lateral=self.ctx.dialect == "postgresql"
                )
                assert parent.key is not None
                rows = await self.ctx.fetch(query, {PARENT_IDS: parent_ids})
                grouped = _by_key(rows, parent.key)
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
                    statement.where(among(parent, PARENT_IDS))
                    .with_only_columns(parent.label("parent_id"), func.count().label("total"))
                    .group_by(parent)
                )
                rows = await self.ctx.fetch(counted, {PARENT_IDS: parent_ids})
                found = {row.parent_id: row.total for row in rows}
                return [found.get(i, 0) for i in parent_ids]

            loader = self._pages[("count", key)] = DataLoader(load)
        return loader
