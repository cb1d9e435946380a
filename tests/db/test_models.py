"""The database refuses what the API refuses, on SQLite and PostgreSQL alike.

These run on the migrated test database (the `engine` fixture), so they check
what alembic built, not what `metadata.create_all` would build.
"""

import itertools
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError, StatementError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from app.db.collation import sort_key
from app.db.models import Project, ProjectMember, Tag, Task, User, task_tags

_users = itertools.count(1)
# The unique index on the folded tag name, as PostgreSQL and SQLite name it in their errors.
UNIQUE_TAG_NAME = r"uq_tags_project_id_name_key|tags\.project_id, tags\.name_key"


async def add_user(connection: AsyncConnection, name: str = "Ann") -> int:
    statement = insert(User).values(
        email=f"{name.lower()}{next(_users)}@example.com",
        name=name,
        password_hash="x",
    )
    return int((await connection.execute(statement.returning(User.id))).scalar_one())


async def add_project(connection: AsyncConnection, owner_id: int, name: str = "P") -> int:
    statement = insert(Project).values(name=name).returning(Project.id)
    project_id = int((await connection.execute(statement)).scalar_one())
    await connection.execute(
        insert(ProjectMember).values(project_id=project_id, user_id=owner_id, role="OWNER")
    )
    return project_id


async def add_task(
    connection: AsyncConnection, project_id: int, user_id: int, **values: Any
) -> int:
    values = {"title": "Write tests", **values}
    statement = insert(Task).values(project_id=project_id, created_by_id=user_id, **values)
    return int((await connection.execute(statement.returning(Task.id))).scalar_one())


async def add_tag(connection: AsyncConnection, project_id: int, name: str, **values: Any) -> int:
    statement = insert(Tag).values(project_id=project_id, name=name, **values)
    return int((await connection.execute(statement.returning(Tag.id))).scalar_one())


async def count(connection: AsyncConnection, table: Any, *where: Any) -> int:
    statement = select(func.count()).select_from(table).where(*where)
    return int((await connection.execute(statement)).scalar_one())


async def test_tag_names_are_unique_per_project_ignoring_case(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        user_id = await add_user(connection)
        project_id = await add_project(connection, user_id)
        other_project_id = await add_project(connection, user_id, name="Q")
        await add_tag(connection, project_id, "Urgent")
        await add_tag(connection, other_project_id, "URGENT")  # another project: fine

    for name in ("uRgEnT", "urgent"):
        with pytest.raises(IntegrityError, match=UNIQUE_TAG_NAME):
            async with engine.begin() as connection:
                await add_tag(connection, project_id, name)

    async with engine.connect() as connection:
        assert await count(connection, Tag) == 2


@pytest.mark.parametrize(
    ("first", "second"),
    [("Émoji", "émoji"), ("E\u0301moji", "émoji"), ("straße", "STRASSE"), ("ΣΊΣΥΦΟΣ", "σίσυφος")],
)
async def test_tag_names_are_unique_ignoring_case_in_every_script(
    engine: AsyncEngine, first: str, second: str
) -> None:
    """API.md: "unique per project ignoring case", beyond ASCII (SQLite's lower() is ASCII only)."""
    async with engine.begin() as connection:
        project_id = await add_project(connection, await add_user(connection))
        await add_tag(connection, project_id, first)

    with pytest.raises(IntegrityError, match=UNIQUE_TAG_NAME):
        async with engine.begin() as connection:
            await add_tag(connection, project_id, second)


async def test_key_columns_are_filled_on_insert_from_the_same_statement(
    engine: AsyncEngine,
) -> None:
    """Every insert, whatever wrote it (API, seed, tests), gets the keys of its text."""
    async with engine.begin() as connection:
        user_id = await add_user(connection)
        project_id = await add_project(connection, user_id, name="ÉCOLE")
        task_id = await add_task(connection, project_id, user_id, title="Straße", description=None)
        tag_id = await add_tag(connection, project_id, "Ωmega")
        project = (await connection.execute(select(Project).where(Project.id == project_id))).one()
        task = (await connection.execute(select(Task).where(Task.id == task_id))).one()
        tag = (await connection.execute(select(Tag).where(Tag.id == tag_id))).one()

    assert (project.name_key, project.name_sort) == ("école", sort_key("ÉCOLE"))
    assert project.description_key is None
    assert (task.title_key, task.title_sort, task.description_key) == (
        "strasse",
        sort_key("STRASSE"),
        None,
    )
    assert (tag.name_key, tag.name_sort) == ("ωmega", sort_key("ωMEGA"))


def _task(**values: Any) -> Callable[[AsyncConnection, int, int], Any]:
    async def add(connection: AsyncConnection, project_id: int, user_id: int) -> None:
        await add_task(connection, project_id, user_id, **values)

    return add


def _tag(**values: Any) -> Callable[[AsyncConnection, int, int], Any]:
    async def add(connection: AsyncConnection, project_id: int, _user_id: int) -> None:
        await add_tag(connection, project_id, **{"name": "t", **values})

    return add


def _member(role: str) -> Callable[[AsyncConnection, int, int], Any]:
    async def add(connection: AsyncConnection, project_id: int, _user_id: int) -> None:
        other_id = await add_user(connection, name="Bob")
        await connection.execute(
            insert(ProjectMember).values(project_id=project_id, user_id=other_id, role=role)
        )

    return add


@pytest.mark.parametrize(
    ("write", "constraint"),
    [
        pytest.param(_task(status="DOING"), "ck_tasks_status", id="task-status"),
        pytest.param(_task(status="done"), "ck_tasks_status", id="task-status-lowercase"),
        pytest.param(_task(priority=5), "ck_tasks_priority", id="task-priority-5"),
        pytest.param(_task(priority=0), "ck_tasks_priority", id="task-priority-0"),
        pytest.param(_task(title=""), "ck_tasks_title_length", id="task-title-empty"),
        pytest.param(_task(version=0), "ck_tasks_version_positive", id="task-version-0"),
        pytest.param(
            _task(description="d" * 10_001), "ck_tasks_description_length", id="task-description"
        ),
        pytest.param(_tag(color="red"), "ck_tags_color", id="tag-color-short"),
        pytest.param(_tag(color="1234567"), "ck_tags_color", id="tag-color-no-hash"),
        pytest.param(_tag(name=""), "ck_tags_name_length", id="tag-name-empty"),
        pytest.param(_member("ADMIN"), "ck_project_members_role", id="member-role"),
        pytest.param(_member("owner"), "ck_project_members_role", id="member-role-lowercase"),
    ],
)
async def test_check_constraints_refuse_bad_values(
    engine: AsyncEngine, write: Callable[[AsyncConnection, int, int], Any], constraint: str
) -> None:
    async with engine.begin() as connection:
        user_id = await add_user(connection)
        project_id = await add_project(connection, user_id)

    with pytest.raises(IntegrityError, match=constraint):
        async with engine.begin() as connection:
            await write(connection, project_id, user_id)


async def test_a_201_character_title_is_refused(engine: AsyncEngine, database_kind: str) -> None:
    """SQLite refuses it with the CHECK constraint; PostgreSQL's VARCHAR(200) refuses it first."""
    async with engine.begin() as connection:
        user_id = await add_user(connection)
        project_id = await add_project(connection, user_id)

    expected: tuple[type[Exception], str] = (
        (IntegrityError, "ck_tasks_title_length")
        if database_kind == "sqlite"
        else (DBAPIError, "character varying\\(200\\)")
    )
    with pytest.raises(expected[0], match=expected[1]):
        async with engine.begin() as connection:
            await add_task(connection, project_id, user_id, title="t" * 201)

    async with engine.connect() as connection:
        assert await count(connection, Task) == 0


async def test_lengths_count_characters_not_bytes(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        user_id = await add_user(connection)
        project_id = await add_project(connection, user_id)
        task_id = await add_task(connection, project_id, user_id, title="é" * 200)
        await add_tag(connection, project_id, "ü" * 50, color="#A0B1C2")

    async with engine.connect() as connection:
        title = (await connection.execute(select(Task.title).where(Task.id == task_id))).scalar()
    assert title == "é" * 200


async def test_deleting_a_project_cascades_to_everything_in_it(engine: AsyncEngine) -> None:
    """Proves `PRAGMA foreign_keys=ON` on SQLite: without it nothing would cascade."""
    async with engine.begin() as connection:
        owner_id = await add_user(connection)
        project_id = await add_project(connection, owner_id)
        kept_project_id = await add_project(connection, owner_id, name="Kept")
        task_id = await add_task(connection, project_id, owner_id)
        tag_id = await add_tag(connection, project_id, "bug")
        await connection.execute(insert(task_tags).values(task_id=task_id, tag_id=tag_id))
        kept_task_id = await add_task(connection, kept_project_id, owner_id)

    async with engine.begin() as connection:
        await connection.execute(delete(Project).where(Project.id == project_id))

    async with engine.connect() as connection:
        assert await count(connection, Task, Task.project_id == project_id) == 0
        assert await count(connection, Tag, Tag.project_id == project_id) == 0
        assert await count(connection, task_tags) == 0
        assert await count(connection, ProjectMember, ProjectMember.project_id == project_id) == 0
        # Nothing outside the project goes with it.
        assert await count(connection, User) == 1
        assert await count(connection, Task, Task.id == kept_task_id) == 1
        assert await count(connection, ProjectMember) == 1


async def test_foreign_keys_are_enforced(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        user_id = await add_user(connection)

    with pytest.raises(IntegrityError, match=r"(?i)foreign key"):
        async with engine.begin() as connection:
            await add_task(connection, 999_999, user_id)


async def test_deleting_a_user_unassigns_their_tasks(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        creator_id = await add_user(connection, name="Ann")
        assignee_id = await add_user(connection, name="Bob")
        project_id = await add_project(connection, creator_id)
        task_id = await add_task(connection, project_id, creator_id, assignee_id=assignee_id)

    async with engine.begin() as connection:
        await connection.execute(delete(User).where(User.id == assignee_id))

    async with engine.connect() as connection:
        row = (await connection.execute(select(Task.assignee_id).where(Task.id == task_id))).one()
    assert row.assignee_id is None


async def test_datetimes_read_back_timezone_aware_utc(engine: AsyncEngine) -> None:
    plus_five = timezone(timedelta(hours=5))
    written = datetime(2026, 11, 20, 15, 30, 45, 123456, tzinfo=plus_five)
    async with engine.begin() as connection:
        user_id = await add_user(connection)
        project_id = await add_project(connection, user_id)
        task_id = await add_task(connection, project_id, user_id, completed_at=written)
        await connection.execute(update(Task).where(Task.id == task_id).values(created_at=written))

    async with engine.connect() as connection:
        row = (
            await connection.execute(
                select(Task.completed_at, Task.created_at, Task.updated_at).where(
                    Task.id == task_id
                )
            )
        ).one()
    for value in row:
        assert isinstance(value, datetime)
        assert value.tzinfo is UTC, value
    assert row.completed_at == written
    assert row.completed_at.hour == 10  # 15:30 at +05:00 is 10:30 UTC
    assert row.created_at == written
    assert abs(row.updated_at - datetime.now(UTC)) < timedelta(minutes=5)


async def test_naive_datetimes_are_refused(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        user_id = await add_user(connection)
        project_id = await add_project(connection, user_id)

    with pytest.raises(StatementError, match="naive datetime"):
        async with engine.begin() as connection:
            await add_task(connection, project_id, user_id, completed_at=datetime(2026, 1, 1))
