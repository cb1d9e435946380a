"""The alembic history against the models: upgrade, exact schema match, downgrade, and again.

Each test migrates its own scratch database (`scratch_database_url`), so the
shared, already-migrated test database is never touched.
"""

import asyncio
import warnings
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import CheckConstraint, bindparam, inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from app.db import models  # noqa: F401  (registers the tables on Base.metadata)
from app.db.base import Base, UTCDateTime
from app.db.collation import sort_key
from app.db.engine import create_engine
from app.db.migrate import alembic_config, downgrade, upgrade
from tests.conftest import scratch_database_url

MODEL_TABLES = set(Base.metadata.tables)


@pytest.fixture
def scratch_url(database_kind: str, tmp_path: Path) -> str:
    """A new, empty (unmigrated) database of the kind under test."""
    return scratch_database_url(database_kind, tmp_path)


def head_revision(database_url: str) -> str:
    head = ScriptDirectory.from_config(alembic_config(database_url)).get_current_head()
    assert head is not None
    return head


async def run_on(database_url: str, function: Any) -> Any:
    """Run `function(sync_connection)` on a fresh connection to `database_url`."""
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(function)
    finally:
        await engine.dispose()


def table_names(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


def stamped_revisions(connection: Connection) -> list[str]:
    return list(connection.execute(text("SELECT version_num FROM alembic_version")).scalars())


def schema_objects(connection: Connection) -> set[str]:
    """Every table, index, sequence or view in the database apart from alembic's bookkeeping."""
    if connection.dialect.name == "sqlite":
        query = "SELECT name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"
    else:
        query = (
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = current_schema()"
        )
    names = set(connection.execute(text(query)).scalars())
    return {name for name in names if not name.startswith("alembic_version")}


def differences(connection: Connection) -> tuple[list[Any], list[str]]:
    """Alembic's autogenerate diff between the database and the models, and the warnings
    raised while computing it."""
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        diff = compare_metadata(context, Base.metadata)
    return diff, [str(warning.message) for warning in caught]


def reflected_check_constraints(connection: Connection) -> dict[str, set[str]]:
    inspector = inspect(connection)
    return {
        table: {str(check["name"]) for check in inspector.get_check_constraints(table)}
        for table in MODEL_TABLES
    }


def model_check_constraints() -> dict[str, set[str]]:
    return {
        name: {
            str(constraint.name)
            for constraint in table.constraints
            if isinstance(constraint, CheckConstraint)
        }
        for name, table in Base.metadata.tables.items()
    }


async def test_upgrade_head_creates_every_table(scratch_url: str) -> None:
    assert await run_on(scratch_url, table_names) == set()

    await asyncio.to_thread(upgrade, scratch_url)

    assert await run_on(scratch_url, table_names) == MODEL_TABLES | {"alembic_version"}
    assert await run_on(scratch_url, stamped_revisions) == [head_revision(scratch_url)]


async def test_migrated_schema_matches_the_models_exactly(scratch_url: str) -> None:
    await asyncio.to_thread(upgrade, scratch_url)

    diff, warned = await run_on(scratch_url, differences)

    assert diff == []
    assert warned == []  # nothing was left out of the comparison


async def test_migrated_check_constraints_match_the_models(scratch_url: str) -> None:
    """Autogenerate does not compare CHECK constraints; their names must match all the same."""
    await asyncio.to_thread(upgrade, scratch_url)

    assert await run_on(scratch_url, reflected_check_constraints) == model_check_constraints()


async def test_downgrade_base_removes_everything_and_upgrade_works_again(
    scratch_url: str,
) -> None:
    await asyncio.to_thread(upgrade, scratch_url)

    await asyncio.to_thread(downgrade, scratch_url, "base")

    assert await run_on(scratch_url, table_names) == {"alembic_version"}
    assert await run_on(scratch_url, schema_objects) == set()
    assert await run_on(scratch_url, stamped_revisions) == []

    await asyncio.to_thread(upgrade, scratch_url)

    assert await run_on(scratch_url, table_names) == MODEL_TABLES | {"alembic_version"}
    diff, _ = await run_on(scratch_url, differences)
    assert diff == []


async def test_upgrade_is_idempotent_at_head(scratch_url: str) -> None:
    await asyncio.to_thread(upgrade, scratch_url)
    await asyncio.to_thread(upgrade, scratch_url)

    assert await run_on(scratch_url, stamped_revisions) == [head_revision(scratch_url)]


async def test_upgrade_creates_the_directory_of_a_new_sqlite_file(tmp_path: Path) -> None:
    """`make run` on a fresh checkout: `./var/` does not exist yet."""
    path = tmp_path / "not" / "yet" / "there.db"
    url = f"sqlite+aiosqlite:///{path}"

    await asyncio.to_thread(upgrade, url)

    assert path.is_file()
    assert await run_on(url, table_names) == MODEL_TABLES | {"alembic_version"}


def test_no_index_is_built_on_an_expression() -> None:
    """SQLite's reflection skips expression indexes, so autogenerate could not compare one:
    case-insensitive keys are stored columns (app/db/collation.py) instead."""
    expression_indexes = {
        str(index.name)
        for table in Base.metadata.tables.values()
        for index in table.indexes
        if any(not hasattr(expression, "name") for expression in index.expressions)
    }
    assert expression_indexes == set()


async def test_0002_fills_the_keys_of_existing_rows_and_goes_back_down(scratch_url: str) -> None:
    """Rows written before the key columns existed get them from the migration (computed
    in Python, as the data layer does), and the downgrade keeps the rows."""
    await asyncio.to_thread(upgrade, scratch_url, "0001")
    now = bindparam("now", datetime(2030, 1, 1, tzinfo=UTC), type_=UTCDateTime())

    def write(connection: Connection) -> None:
        statements = [
            "INSERT INTO users (id, email, name, password_hash, created_at, updated_at)"
            " VALUES (1, 'a@example.com', 'A', 'x', :now, :now)",
            "INSERT INTO projects (id, name, description, is_personal, created_at, updated_at)"
            " VALUES (1, 'ÉCOLE', NULL, false, :now, :now),"
            " (2, 'Straße', 'Ωmega', false, :now, :now)",
            "INSERT INTO tasks (id, project_id, created_by_id, title, description, status,"
            " priority, version, created_at, updated_at) VALUES"
            " (1, 1, 1, 'Äpfel', 'ЯБЛОКО', 'TODO', 2, 1, :now, :now),"
            " (2, 2, 1, 'zeta', NULL, 'TODO', 2, 1, :now, :now)",
            "INSERT INTO tags (id, project_id, name, created_at, updated_at)"
            " VALUES (1, 1, 'Émoji', :now, :now), (2, 2, 'émoji', :now, :now)",
        ]
        for statement in statements:
            connection.execute(text(statement).bindparams(now))
        connection.commit()

    def read(connection: Connection) -> dict[str, list[tuple[Any, ...]]]:
        queries = {
            "projects": "SELECT name_key, name_sort, description_key FROM projects ORDER BY id",
            "tasks": "SELECT title_key, title_sort, description_key FROM tasks ORDER BY id",
            "tags": "SELECT name_key, name_sort FROM tags ORDER BY id",
        }
        return {
            name: [tuple(row) for row in connection.execute(text(query))]
            for name, query in queries.items()
        }

    await run_on(scratch_url, write)
    await asyncio.to_thread(upgrade, scratch_url)

    keys = await run_on(scratch_url, read)
    assert keys == {
        "projects": [
            ("école", sort_key("ÉCOLE"), None),
            ("strasse", sort_key("Straße"), "ωmega"),
        ],
        "tasks": [("äpfel", sort_key("Äpfel"), "яблоко"), ("zeta", sort_key("zeta"), None)],
        "tags": [("émoji", sort_key("Émoji")), ("émoji", sort_key("émoji"))],
    }
    # "Émoji" and "émoji" in two projects are fine; in one they now conflict.
    with pytest.raises(IntegrityError):
        await run_on(
            scratch_url,
            lambda c: c.execute(
                text(
                    "INSERT INTO tags (project_id, name, name_key, name_sort, created_at,"
                    " updated_at) VALUES (1, 'ÉMOJI', 'émoji', :k, :now, :now)"
                ).bindparams(now),
                {"k": sort_key("ÉMOJI")},
            ),
        )

    await asyncio.to_thread(downgrade, scratch_url, "0001")
    names = await run_on(
        scratch_url,
        lambda c: list(c.execute(text("SELECT title FROM tasks ORDER BY id")).scalars()),
    )
    assert names == ["Äpfel", "zeta"]
    assert await run_on(scratch_url, stamped_revisions) == ["0001"]
