"""Tag mutations: create, update, delete (`MEMBER` or `OWNER` of the tag's project).

Names are 1-50 characters after trimming and unique per project ignoring case
(`Conflict`, enforced by a unique index on the folded name, `name_key`); colours are `#RRGGBB`
or null. Each function is one transaction and returns the tag row.
"""

from typing import Any

from sqlalchemy import Row, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from app import rules
from app.context import Context
from app.db.access import authorize, authorize_project
from app.db.models import keyed, tags
from app.enums import ProjectRole
from app.errors import Conflict

NAME_MAX = 50
DUPLICATE = "A tag with this name already exists in the project"


def _validated(changes: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if "name" in changes:
        values["name"] = rules.trimmed("name", changes["name"], max_length=NAME_MAX)
    if "color" in changes:
        values["color"] = rules.color("color", changes["color"])
    return values


async def _reload(ctx: Context, tag_id: int) -> Row[Any]:
    row: Row[Any] = (await ctx.session.execute(select(tags).where(tags.c.id == tag_id))).one()
    return row


async def create_tag(
    ctx: Context, *, project_id: int | None, name: str, color: str | None
) -> Row[Any]:
    """A new tag in a project where the viewer is `MEMBER` or `OWNER`."""
    viewer = await ctx.require_viewer()
    values = _validated({"name": name, "color": color})
    try:
        async with ctx.transaction() as session:
            project = await authorize_project(session, viewer.id, project_id, ProjectRole.MEMBER)
            tag_id = await session.scalar(
                insert(tags).values(**values, project_id=project.id).returning(tags.c.id)
            )
            assert tag_id is not None
            return await _reload(ctx, tag_id)
    except IntegrityError:
        raise Conflict(DUPLICATE) from None


async def update_tag(ctx: Context, *, tag_id: int | None, changes: dict[str, Any]) -> Row[Any]:
    """Rename and/or recolour a tag (keys present in `changes`: name, color)."""
    viewer = await ctx.require_viewer()
    values = _validated(changes)
    try:
        async with ctx.transaction() as session:
            tag = await authorize(
                session,
                viewer_id=viewer.id,
                table=tags,
                object_id=tag_id,
                needed=ProjectRole.MEMBER,
                kind="Tag",
            )
            if values:
                await session.execute(
                    update(tags).where(tags.c.id == tag.id).values(**keyed(tags, values))
                )
            return await _reload(ctx, tag.id)
    except IntegrityError:
        raise Conflict(DUPLICATE) from None


async def delete_tag(ctx: Context, *, tag_id: int | None) -> int:
    """Delete a tag; tasks carrying it lose it."""
    viewer = await ctx.require_viewer()
    async with ctx.transaction() as session:
        tag = await authorize(
            session,
            viewer_id=viewer.id,
            table=tags,
            object_id=tag_id,
            needed=ProjectRole.MEMBER,
            kind="Tag",
        )
        await session.execute(delete(tags).where(tags.c.id == tag.id))
        return int(tag.id)
