"""Tags: batch reads by id and by task, lists per project, and writes (one transaction each).

Rules from API.md "Rules of the data": `MEMBER` or `OWNER` of the tag's project to
change one; names are unique per project ignoring case (`Conflict`, enforced by a
unique index on the folded name, `name_key`). Values are already checked
(`app.rules`). Writes return the tag row.
"""

from typing import Any, NamedTuple

from sqlalchemy import Row, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql import Select

from app.db import lists
from app.db.access import VIEWER, authorize, authorize_project, visible
from app.db.database import Database
from app.db.id_lists import IDS, among
from app.db.lists import by_id, group, typed
from app.db.models import keyed, tags, task_tags
from app.db.orderings import TAGS_BY_NAME
from app.db.pagination import Page, PageArgs
from app.enums import ProjectRole
from app.errors import Conflict

DUPLICATE = "A tag with this name already exists in the project"


class TagRow(NamedTuple):
    """A tag; `color` is `#RRGGBB` or None."""

    id: int
    project_id: int
    name: str
    color: str | None


# The columns of `TagRow`, then the sort key of the NAME order (for cursors).
TAG_COLUMNS = (*(tags.c[name] for name in TagRow._fields), tags.c.name_sort)
TAGS_BY_ID = visible(select(*TAG_COLUMNS), tags.c.project_id, VIEWER).where(among(tags.c.id, IDS))
TAGS_BY_TASK = (
    visible(
        select(*TAG_COLUMNS, task_tags.c.task_id)
        .select_from(task_tags)
        .join(tags, tags.c.id == task_tags.c.tag_id),
        tags.c.project_id,
        VIEWER,
    )
    .where(among(task_tags.c.task_id, IDS))
    .order_by(tags.c.name_sort, tags.c.id)
)


def _tag(row: Row[Any]) -> TagRow:
    return typed(TagRow, row)


async def by_ids(db: Database, viewer_id: int, ids: list[int]) -> list[TagRow | None]:
    """Visible tags by id; None for the rest."""
    rows = await db.read(TAGS_BY_ID, {"viewer_id": viewer_id, IDS: ids})
    return by_id(rows, ids, _tag)


async def of_tasks(db: Database, viewer_id: int, task_ids: list[int]) -> list[list[TagRow]]:
    """The visible tags of each task, by name."""
    rows = await db.read(TAGS_BY_TASK, {"viewer_id": viewer_id, IDS: task_ids})
    grouped = group(rows, "task_id")
    return [[_tag(row) for row in grouped.get(i, [])] for i in task_ids]


def _visible_tags(viewer_id: int) -> Select[Any]:
    return visible(select(*TAG_COLUMNS), tags.c.project_id, viewer_id)


async def pages_per_project(
    db: Database, viewer_id: int, args: PageArgs, project_ids: list[int]
) -> list[Page[TagRow]]:
    """`Project.tags` of each project, by name, in one statement."""
    statement = _visible_tags(viewer_id)
    return await lists.pages_per_parent(
        db, statement, tags.c.project_id, project_ids, TAGS_BY_NAME, args, _tag
    )


async def counts_per_project(db: Database, viewer_id: int, project_ids: list[int]) -> list[int]:
    """How many tags each project has (for a viewer who sees it), in one statement."""
    statement = _visible_tags(viewer_id)
    return await lists.counts_per_parent(db, statement, tags.c.project_id, project_ids)


async def _reload(connection: AsyncConnection, tag_id: int) -> TagRow:
    statement = select(*TAG_COLUMNS).where(tags.c.id == tag_id)
    return _tag((await connection.execute(statement)).one())


async def _tag_for_change(
    connection: AsyncConnection, viewer_id: int, tag_id: int | None
) -> Row[Any]:
    return await authorize(
        connection,
        viewer_id=viewer_id,
        table=tags,
        object_id=tag_id,
        needed=ProjectRole.MEMBER,
        kind="Tag",
    )


async def create(
    db: Database, viewer_id: int, project_id: int | None, values: dict[str, Any]
) -> TagRow:
    """A new tag with `values` (name, color) in a project where the viewer is `MEMBER`
    or `OWNER`; `Conflict` for a name the project has already."""
    try:
        async with db.transaction() as connection:
            project = await authorize_project(connection, viewer_id, project_id, ProjectRole.MEMBER)
            tag_id = await connection.scalar(
                insert(tags).values(**values, project_id=project.id).returning(tags.c.id)
            )
            assert tag_id is not None
            return await _reload(connection, tag_id)
    except IntegrityError:
        raise Conflict(DUPLICATE) from None


async def update_tag(
    db: Database, viewer_id: int, tag_id: int | None, values: dict[str, Any]
) -> TagRow:
    """Rename and/or recolour a tag (`values`: name, color); `Conflict` as `create`."""
    try:
        async with db.transaction() as connection:
            tag = await _tag_for_change(connection, viewer_id, tag_id)
            if values:
                await connection.execute(
                    update(tags).where(tags.c.id == tag.id).values(**keyed(tags, values))
                )
            return await _reload(connection, tag.id)
    except IntegrityError:
        raise Conflict(DUPLICATE) from None


async def delete_tag(db: Database, viewer_id: int, tag_id: int | None) -> int:
    """Delete a tag; tasks carrying it lose it. Its row id."""
    async with db.transaction() as connection:
        tag = await _tag_for_change(connection, viewer_id, tag_id)
        await connection.execute(delete(tags).where(tags.c.id == tag.id))
        return int(tag.id)
