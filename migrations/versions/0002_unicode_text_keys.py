"""Unicode-aware text keys: folded and collation-key columns beside searched and ordered text.

Adds `tasks.title_key/title_sort/description_key`, `projects.name_key/name_sort/
description_key` and `tags.name_key/name_sort` (see `app/db/collation.py`),
fills them in Python from the existing rows, orders by the `*_sort` keys and
moves tag-name uniqueness from `lower(name)` (ASCII only on SQLite) to `name_key`.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

from app.db.collation import fold, sort_key

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# table -> (key column, source column, function, nullable)
KEYS: dict[str, list[tuple[str, str, Callable[[str], Any], bool]]] = {
    "tasks": [
        ("title_key", "title", fold, False),
        ("title_sort", "title", sort_key, False),
        ("description_key", "description", fold, True),
    ],
    "projects": [
        ("name_key", "name", fold, False),
        ("name_sort", "name", sort_key, False),
        ("description_key", "description", fold, True),
    ],
    "tags": [
        ("name_key", "name", fold, False),
        ("name_sort", "name", sort_key, False),
    ],
}
BATCH = 1000


def _column_type(function: Callable[[str], Any]) -> sa.types.TypeEngine[Any]:
    return sa.LargeBinary() if function is sort_key else sa.Text()


def _backfill(name: str) -> None:
    """Compute every key of table `name` from its text, `BATCH` rows per statement."""
    keys = KEYS[name]
    sources = sorted({source for _, source, _, _ in keys})
    table = sa.table(
        name,
        sa.column("id", sa.BigInteger()),
        *(sa.column(source, sa.Text()) for source in sources),
        *(sa.column(key, _column_type(function)) for key, _, function, _ in keys),
    )
    update = (
        sa.update(table)
        .where(table.c.id == sa.bindparam("row_id"))
        .values({key: sa.bindparam(key) for key, _, _, _ in keys})
    )
    connection = op.get_bind()
    rows = connection.execute(sa.select(table.c.id, *(table.c[s] for s in sources)))
    while batch := rows.fetchmany(BATCH):
        parameters = [
            {
                "row_id": row.id,
                **{
                    key: None if row._mapping[source] is None else function(row._mapping[source])
                    for key, source, function, _ in keys
                },
            }
            for row in batch
        ]
        connection.execute(update, parameters)


def upgrade() -> None:
    op.drop_index("uq_tags_project_id_lower_name", table_name="tags")
    for name, keys in KEYS.items():
        with op.batch_alter_table(name, schema=None) as batch_op:
            for key, _, function, _ in keys:
                batch_op.add_column(sa.Column(key, _column_type(function), nullable=True))
        _backfill(name)
    for name, keys in KEYS.items():
        with op.batch_alter_table(name, schema=None) as batch_op:
            for key, _, function, nullable in keys:
                if not nullable:
                    batch_op.alter_column(key, existing_type=_column_type(function), nullable=False)
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_index("ix_tasks_project_id_title_id")
        batch_op.create_index(
            "ix_tasks_project_id_title_sort_id", ["project_id", "title_sort", "id"], unique=False
        )
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.drop_index("ix_projects_name_id")
        batch_op.create_index("ix_projects_name_sort_id", ["name_sort", "id"], unique=False)
    with op.batch_alter_table("tags", schema=None) as batch_op:
        batch_op.create_index(
            "uq_tags_project_id_name_key", ["project_id", "name_key"], unique=True
        )


def downgrade() -> None:
    with op.batch_alter_table("tags", schema=None) as batch_op:
        batch_op.drop_index("uq_tags_project_id_name_key")
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.drop_index("ix_projects_name_sort_id")
        batch_op.create_index("ix_projects_name_id", ["name", "id"], unique=False)
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_index("ix_tasks_project_id_title_sort_id")
        batch_op.create_index(
            "ix_tasks_project_id_title_id", ["project_id", "title", "id"], unique=False
        )
    for name, keys in KEYS.items():
        with op.batch_alter_table(name, schema=None) as batch_op:
            for key, _, _, _ in reversed(keys):
                batch_op.drop_column(key)
    op.create_index(
        "uq_tags_project_id_lower_name", "tags", ["project_id", sa.text("lower(name)")], unique=True
    )
