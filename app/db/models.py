"""The data model: users and their sessions, projects, memberships, tasks and tags.

Every foreign key cascades on delete (an assignee is set to NULL instead);
enumerations and lengths are CHECK constraints, so the database refuses what
the API refuses. Lengths count characters on both SQLite and PostgreSQL.

Text that is searched, ordered or unique ignoring case has key columns beside
it (`*_key`: folded, `*_sort`: collation bytes; see `app/db/collation.py`).
Inserts fill them by column default from the text in the same statement;
updates of the text add them with `keyed()`; reads leave the search keys out
(`shown()`).
"""

import uuid
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Table,
    Text,
    Uuid,
)
from sqlalchemy.engine.default import DefaultExecutionContext
from sqlalchemy.orm import Mapped, MappedColumn, mapped_column

from app.db.base import Base, BigId, Timestamps, UTCDateTime, utcnow
from app.db.collation import fold, sort_key
from app.rules import (
    EMAIL_MAX,
    PROJECT_DESCRIPTION_MAX,
    PROJECT_NAME_MAX,
    TAG_NAME_MAX,
    TASK_DESCRIPTION_MAX,
    TASK_TITLE_MAX,
    USER_NAME_MAX,
)

SOURCE, DERIVE = "key_source", "key_function"  # `Column.info` entries of a key column


def _length(column: str, maximum: int, *, required: bool = True) -> CheckConstraint:
    """The CHECK of a text column's length rule (`app.rules`), named `<column>_length`."""
    rule = f"BETWEEN 1 AND {maximum}" if required else f"<= {maximum}"
    return CheckConstraint(f"length({column}) {rule}", name=f"{column}_length")


def _in(column: str, values: list[str]) -> str:
    quoted = ", ".join(f"'{value}'" for value in values)
    return f"{column} IN ({quoted})"


def _key(
    source: str, function: Callable[[str], Any], *, nullable: bool = False
) -> MappedColumn[Any]:
    """A key column holding `function(<column source>)`, filled on insert by default."""

    def default(context: DefaultExecutionContext) -> Any:
        parameters: dict[str, Any] = context.get_current_parameters()  # type: ignore[no-untyped-call]
        value = parameters.get(source)
        return None if value is None else function(value)

    column_type = LargeBinary() if function is sort_key else Text()
    return mapped_column(
        column_type, nullable=nullable, default=default, info={SOURCE: source, DERIVE: function}
    )


def keyed(table: Table, values: Mapping[str, Any]) -> dict[str, Any]:
    """`values` for an UPDATE of `table`, plus the key columns of the text columns among them."""
    result = dict(values)
    for column in table.columns:
        source = column.info.get(SOURCE)
        if isinstance(source, str) and source in values:
            result[column.key] = (
                None if values[source] is None else column.info[DERIVE](values[source])
            )
    return result


def shown(table: Table) -> list[Column[Any]]:
    """The columns reads return: all but the folded search keys (as long as the text, and
    used only in WHERE). The `*_sort` keys stay: cursors of name and title orders carry them."""
    return [column for column in table.columns if column.info.get(DERIVE) is not fold]


class User(Timestamps, Base):
    __tablename__ = "users"
    __table_args__ = (
        _length("name", USER_NAME_MAX),
        CheckConstraint("email = lower(email)", name="email_lower"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    email: Mapped[str] = mapped_column(String(EMAIL_MAX), unique=True)
    name: Mapped[str] = mapped_column(String(USER_NAME_MAX))
    password_hash: Mapped[str] = mapped_column(String(255))


class Session(Base):
    """A login: access tokens carry its id (`sid`); revoking it refuses them all."""

    __tablename__ = "sessions"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class RefreshToken(Base):
    """One refresh token of a session, stored only as its SHA-256 hash.

    `used_at` is set when the token is rotated; presenting it again is reuse.
    """

    __tablename__ = "refresh_tokens"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    session_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("sessions.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Project(Timestamps, Base):
    __tablename__ = "projects"
    __table_args__ = (
        _length("name", PROJECT_NAME_MAX),
        _length("description", PROJECT_DESCRIPTION_MAX, required=False),
        Index("ix_projects_created_at_id", "created_at", "id"),
        Index("ix_projects_updated_at_id", "updated_at", "id"),
        Index("ix_projects_name_sort_id", "name_sort", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(String(PROJECT_NAME_MAX))
    description: Mapped[str | None] = mapped_column(Text)
    is_personal: Mapped[bool] = mapped_column(Boolean, default=False)
    name_key: Mapped[str] = _key("name", fold)
    name_sort: Mapped[bytes] = _key("name", sort_key)
    description_key: Mapped[str | None] = _key("description", fold, nullable=True)


class ProjectMember(Base):
    __tablename__ = "project_members"
    __table_args__ = (
        CheckConstraint(_in("role", ["OWNER", "MEMBER", "VIEWER"]), name="role"),
        Index("ix_project_members_user_id_project_id", "user_id", "project_id", "role"),
    )

    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(6))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


task_tags = Table(
    "task_tags",
    Base.metadata,
    Column("task_id", ForeignKey("tasks.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Task(Timestamps, Base):
    __tablename__ = "tasks"
    __table_args__ = (
        _length("title", TASK_TITLE_MAX),
        _length("description", TASK_DESCRIPTION_MAX, required=False),
        CheckConstraint(_in("status", ["TODO", "IN_PROGRESS", "DONE"]), name="status"),
        CheckConstraint("priority BETWEEN 1 AND 4", name="priority"),
        CheckConstraint("version >= 1", name="version_positive"),
        Index("ix_tasks_project_id_created_at_id", "project_id", "created_at", "id"),
        Index("ix_tasks_project_id_updated_at_id", "project_id", "updated_at", "id"),
        Index("ix_tasks_project_id_due_date_id", "project_id", "due_date", "id"),
        Index("ix_tasks_project_id_priority_id", "project_id", "priority", "id"),
        Index("ix_tasks_project_id_title_sort_id", "project_id", "title_sort", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    created_by_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    assignee_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str] = mapped_column(String(TASK_TITLE_MAX))
    description: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(11), default="TODO")
    priority: Mapped[int] = mapped_column(SmallInteger, default=2)
    due_date: Mapped[date | None] = mapped_column(Date)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)
    title_key: Mapped[str] = _key("title", fold)
    title_sort: Mapped[bytes] = _key("title", sort_key)
    description_key: Mapped[str | None] = _key("description", fold, nullable=True)


class Tag(Timestamps, Base):
    __tablename__ = "tags"
    __table_args__ = (
        _length("name", TAG_NAME_MAX),
        CheckConstraint("color IS NULL OR (length(color) = 7 AND color LIKE '#%')", name="color"),
        Index("uq_tags_project_id_name_key", "project_id", "name_key", unique=True),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(TAG_NAME_MAX))
    color: Mapped[str | None] = mapped_column(String(7))
    name_key: Mapped[str] = _key("name", fold)
    name_sort: Mapped[bytes] = _key("name", sort_key)


# The same tables for Core statements (reads build rows, not ORM objects).
users = cast(Table, User.__table__)
sessions = cast(Table, Session.__table__)
refresh_tokens = cast(Table, RefreshToken.__table__)
projects = cast(Table, Project.__table__)
members = cast(Table, ProjectMember.__table__)
tasks = cast(Table, Task.__table__)
tags = cast(Table, Tag.__table__)
