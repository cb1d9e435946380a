"""Project mutations: create, update, delete, and membership (API.md "Who sees what").

Only `OWNER`s change a project or its members; a member may remove themself.
Personal projects take no other members and cannot be deleted (`Forbidden`);
a project always keeps at least one owner (`Conflict`). Each function is one
transaction and returns the project row with the viewer's `role`.
"""

from typing import Any

from sqlalchemy import Row, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from app import rules
from app.context import Context
from app.db.access import authorize_project, refuse, visible
from app.db.base import utcnow
from app.db.models import keyed, members, projects, tasks, users
from app.enums import ProjectRole
from app.errors import Conflict, NotFound

NAME_MAX, DESCRIPTION_MAX = 100, 2000
ALREADY_A_MEMBER = "That user is already a member"


def _validated(changes: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if "name" in changes:
        values["name"] = rules.trimmed("name", changes["name"], max_length=NAME_MAX)
    if "description" in changes:
        values["description"] = rules.optional_text(
            "description", changes["description"], max_length=DESCRIPTION_MAX
        )
    return values


async def _reload(ctx: Context, viewer_id: int, project_id: int) -> Row[Any]:
    statement = visible(select(projects, members.c.role), projects.c.id, viewer_id)
    row: Row[Any] = (await ctx.session.execute(statement.where(projects.c.id == project_id))).one()
    return row


async def create_project(ctx: Context, *, name: str, description: str | None) -> Row[Any]:
    """A new shared project owned by the viewer; `BadUserInput` for a bad name/description."""
    viewer = await ctx.require_viewer()
    values = _validated({"name": name, "description": description})
    async with ctx.transaction() as session:
        project_id = await session.scalar(
            insert(projects).values(**values, is_personal=False).returning(projects.c.id)
        )
        await session.execute(
            insert(members).values(
                project_id=project_id, user_id=viewer.id, role=ProjectRole.OWNER.value
            )
        )
        return await _reload(ctx, viewer.id, project_id)


async def update_project(
    ctx: Context, *, project_id: int | None, changes: dict[str, Any]
) -> Row[Any]:
    """Change `name` and/or `description` (keys present in `changes`); `OWNER` only."""
    viewer = await ctx.require_viewer()
    values = _validated(changes)
    async with ctx.transaction() as session:
        await authorize_project(ctx.session, viewer.id, project_id)
        assert project_id is not None
        if values:
            await session.execute(
                update(projects)
                .where(projects.c.id == project_id)
                .values(**keyed(projects, values))
            )
        return await _reload(ctx, viewer.id, project_id)


async def delete_project(ctx: Context, *, project_id: int | None) -> int:
    """Delete a project with everything in it; `OWNER` only, never a personal project."""
    viewer = await ctx.require_viewer()
    async with ctx.transaction() as session:
        row = await authorize_project(ctx.session, viewer.id, project_id)
        if row.is_personal:
            raise refuse(
                "A personal project cannot be deleted",
                viewer_id=viewer.id,
                kind="Project",
                object_id=row.id,
            )
        await session.execute(delete(projects).where(projects.c.id == row.id))
        return int(row.id)


async def _owner_count(ctx: Context, project_id: int) -> int:
    statement = select(func.count()).where(
        members.c.project_id == project_id, members.c.role == ProjectRole.OWNER.value
    )
    return int(await ctx.session.scalar(statement) or 0)


async def _member_role(ctx: Context, project_id: int, user_id: int | None) -> str | None:
    statement = select(members.c.role).where(
        members.c.project_id == project_id, members.c.user_id == user_id
    )
    return None if user_id is None else await ctx.session.scalar(statement)


async def add_member(
    ctx: Context, *, project_id: int | None, email: str, role: ProjectRole
) -> Row[Any]:
    """Add the user with `email` as `role`; `OWNER` only.

    `Forbidden` for a personal project, `NotFound` (field-less) for an unknown
    email, `Conflict` when they are already a member (also when a concurrent call
    added them first: the membership's unique key decides).
    """
    viewer = await ctx.require_viewer()
    try:
        async with ctx.transaction() as session:
            project = await authorize_project(ctx.session, viewer.id, project_id, lock=True)
            if project.is_personal:
                raise refuse(
                    "A personal project takes no other members",
                    viewer_id=viewer.id,
                    kind="Project",
                    object_id=project.id,
                )
            address = rules.normalised_email(rules.text("email", email))
            user_id = await session.scalar(select(users.c.id).where(users.c.email == address))
            if user_id is None:
                raise NotFound("No user with that email")
            if await _member_role(ctx, project.id, user_id) is not None:
                raise Conflict(ALREADY_A_MEMBER)
            await session.execute(
                insert(members).values(project_id=project.id, user_id=user_id, role=role.value)
            )
            return await _reload(ctx, viewer.id, project.id)
    except IntegrityError:
        raise Conflict(ALREADY_A_MEMBER) from None


async def update_member(
    ctx: Context, *, project_id: int | None, user_id: int | None, role: ProjectRole
) -> Row[Any]:
    """Give a member another role; `OWNER` only. Demoting the last owner is `Conflict`."""
    viewer = await ctx.require_viewer()
    async with ctx.transaction() as session:
        project = await authorize_project(ctx.session, viewer.id, project_id, lock=True)
        current = await _member_role(ctx, project.id, user_id)
        if current is None:
            raise NotFound("No such member")
        if (
            current == ProjectRole.OWNER.value
            and role != ProjectRole.OWNER
            and await _owner_count(ctx, project.id) == 1
        ):
            raise Conflict("A project must keep at least one owner")
        await session.execute(
            update(members)
            .where(members.c.project_id == project.id, members.c.user_id == user_id)
            .values(role=role.value)
        )
        return await _reload(ctx, viewer.id, project.id)


async def remove_member(ctx: Context, *, project_id: int | None, user_id: int | None) -> Row[Any]:
    """Remove a member: an `OWNER` may remove anyone, any member themself.

    Removing the last owner is `Conflict`. Their tasks in the project are
    unassigned (a change to each: new version), since an assignee must be a
    member. Returns the project with the viewer's role; when they leave, the rest of the
    request reads the project as it stood just before (see `Context.read_before_this_change`),
    so that the answer agrees with itself and shows nothing they could not see.
    """
    viewer = await ctx.require_viewer()
    needed = ProjectRole.VIEWER if user_id == viewer.id else ProjectRole.OWNER
    async with ctx.transaction() as session:
        project = await authorize_project(ctx.session, viewer.id, project_id, needed, lock=True)
        current = await _member_role(ctx, project.id, user_id)
        if current is None:
            raise NotFound("No such member")
        if current == ProjectRole.OWNER.value and await _owner_count(ctx, project.id) == 1:
            raise Conflict("A project must keep at least one owner")
        if user_id == viewer.id:
            await ctx.read_before_this_change()
        await session.execute(
            delete(members).where(members.c.project_id == project.id, members.c.user_id == user_id)
        )
        await session.execute(
            update(tasks)
            .where(tasks.c.project_id == project.id, tasks.c.assignee_id == user_id)
            .values(assignee_id=None, version=tasks.c.version + 1, updated_at=utcnow())
        )
        return project
