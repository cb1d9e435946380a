"""`Dataset`: the demo rows, per table, as `generate` returns them and `write` inserts them.

In: rows appended by the generator (dicts of column values, ids included). Out: the lists
per table, and `tables()`: (table, rows) pairs in insertion order for `insert(table)`.
"""

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table

from app.db.models import members, projects, tags, task_tags, tasks, users


@dataclass
class Dataset:
    """Rows per table, ready for `insert(table)` executemany."""

    users: list[dict[str, Any]] = field(default_factory=list)
    projects: list[dict[str, Any]] = field(default_factory=list)
    members: list[dict[str, Any]] = field(default_factory=list)
    tags: list[dict[str, Any]] = field(default_factory=list)
    tasks: list[dict[str, Any]] = field(default_factory=list)
    task_tags: list[dict[str, Any]] = field(default_factory=list)

    def tables(self) -> list[tuple[Table, list[dict[str, Any]]]]:
        """Tables in insertion order (parents first) with their rows."""
        return [
            (users, self.users),
            (projects, self.projects),
            (members, self.members),
            (tags, self.tags),
            (tasks, self.tasks),
            (task_tags, self.task_tags),
        ]
