"""Who sees what (API.md "Who sees what"): the only place visibility is decided.

A user sees a project, and everything in it, only while they are a member of
it. Every lookup, list, loader and mutation narrows its SQL with `visible()`
(an inner join on the viewer's membership), so hidden rows never leave the
database and look exactly like missing ones. `authorize()` gives a mutation
its row or the API's answer: not a member is `NotFound`, too low a role is
`Forbidden`.
"""

import logging
from typing import Any

from sqlalchemy import ColumnElement, Row, Table, and_, bindparam, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.orm import aliased
from sqlalchemy.sql import Select

from app.db.models import members, projects, users
from app.enums import ProjectRole
from app.errors import Forbidden, NotFound

logger = logging.getLogger(__name__)

# The viewer's id in statements built once (module constants) and run with parameters.
VIEWER: ColumnElement[int] = bindparam("viewer_id")
# What the API shows of a user; never the password hash.
USER_COLUMNS = (users.c.id, users.c.name, users.c.email, users.c.created_at)

RANK = {ProjectRole.VIEWER: 1, ProjectRole.MEMBER: 2, ProjectRole.OWNER: 3}


def visible(
    statement: Select[Any], project_id: ColumnElement[int], viewer_id: int | ColumnElement[int]
) -> Select[Any]:
    """`statement` narrowed to rows whose `project_id` is a project the viewer is a member of.

    `viewer_id` is the user's id, or `VIEWER` for a statement built once and run with
    `{"viewer_id": ...}`. The viewer's membership row is joined in, so
    `members.c.role` may be selected.
    """
    return statement.join(
        members, and_(members.c.project_id == project_id, members.c.user_id == viewer_id)
    )


def visible_users(viewer_id: int | ColumnElement[int]) -> Select[Any]:
    """Users the viewer may look up by id: themself and everyone sharing a project with them."""
    theirs = aliased(members)
    shared = (
        select(members.c.project_id)
        .join(theirs, theirs.c.project_id == members.c.project_id)
        .where(members.c.user_id == viewer_id, theirs.c.user_id == users.c.id)
    )
    return select(*USER_COLUMNS).where(or_(users.c.id == viewer_id, exists(shared)))


async def role_of(connection: AsyncConnection, project_id: int, user_id: int) -> str | None:
    """The membership check: `user_id`'s role in the project (a `ProjectRole` value), or
    None when they are not a member."""
    statement = select(members.c.role).where(
        members.c.project_id == project_id, members.c.user_id == user_id
    )
    role: str | None = await connection.scalar(statement)
    return role


def require(
    role: str, needed: ProjectRole, *, viewer_id: int, kind: str, object_id: int
) -> ProjectRole:
    """The viewer's `role` if it is at least `needed`; else `Forbidden`, logged at INFO."""
    granted = ProjectRole(role)
    if RANK[granted] < RANK[needed]:
        logger.info(
            "access denied: user %s (%s) needs %s on %s %s",
            viewer_id,
            role,
            needed.value,
            kind,
            object_id,
        )
        raise Forbidden(f"{needed.value} role required")
    return granted


def refuse(reason: str, *, viewer_id: int, kind: str, object_id: int) -> Forbidden:
    """`Forbidden(reason)` for a rule barring the viewer from an object they can see
    (a personal project's), logged at INFO like every other denial."""
    logger.info("access denied: user %s: %s on %s %s", viewer_id, reason, kind, object_id)
    return Forbidden(reason)


async def authorize(
    connection: AsyncConnection,
    *,
    viewer_id: int,
    table: Table,
    object_id: int | None,
    needed: ProjectRole,
    kind: str,
    lock: bool = False,
) -> Row[Any]:
    """The row `object_id` of `table` (a project, or a row with `project_id`) plus the
    viewer's `role`, for a mutation that needs at least `needed`.

    Raises `NotFound` when it is missing, malformed (None) or in a project the viewer
    is not a member of, and `Forbidden` when their role is too low. Both denials of an
    existing object are logged at INFO. `lock` takes row locks on the object and on the
    viewer's membership until the transaction ends: a call that waited for them checks
    the role as it is after the wait (PostgreSQL re-reads locked rows only), so an owner
    demoted meanwhile is refused.
    """
    project_id = table.c.id if "project_id" not in table.c else table.c.project_id
    statement = visible(select(table, members.c.role), project_id, viewer_id).where(
        table.c.id == object_id
    )
    if lock:
        statement = statement.with_for_update(of=[table, members])
    row: Row[Any] | None = None
    if object_id is not None:
        row = (await connection.execute(statement)).one_or_none()
    if row is None:
        if object_id is not None and await connection.scalar(
            select(exists().where(table.c.id == object_id))
        ):
            logger.info(
                "access denied: user %s is not a member for %s %s", viewer_id, kind, object_id
            )
        raise NotFound(f"{kind} not found")
    assert object_id is not None
    require(row.role, needed, viewer_id=viewer_id, kind=kind, object_id=object_id)
    return row


async def authorize_project(
    connection: AsyncConnection,
    viewer_id: int,
    project_id: int | None,
    needed: ProjectRole = ProjectRole.OWNER,
    *,
    lock: bool = False,
) -> Row[Any]:
    """`authorize` for a project: its row with the viewer's role, at least `needed`."""
    return await authorize(
        connection,
        viewer_id=viewer_id,
        table=projects,
        object_id=project_id,
        needed=needed,
        kind="Project",
        lock=lock,
    )
