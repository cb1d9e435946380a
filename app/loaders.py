"""Dataloaders, built per request over its `Database`: one statement per relation per level.

A loader's cache holds one viewer's view of the data, so a `Loaders` lives in one
request's `Context` and nowhere else. Keys are plain values: row ids, and for
batched lists (`Project.tasks`, ...) the list's name and arguments, so parents
whose lists have the same arguments share one loader and one statement.
"""

from collections.abc import Callable, Coroutine, Hashable
from functools import partial
from typing import Any, TypeVar

from aiodataloader import DataLoader

from app.db import projects, tags, tasks, users
from app.db.database import Database

K = TypeVar("K")
V = TypeVar("V")


class Loaders:
    """The dataloaders of one request for `viewer_id` (None: no viewer, nothing visible).

    `users_of_visible_rows` checks no visibility: it is only for user ids read from
    rows that were visible (a task's creator and assignee); `visible_users` is the one
    for ids a client gives (`node(id:)`).
    """

    def __init__(self, db: Database, viewer_id: int | None) -> None:
        viewer = -1 if viewer_id is None else viewer_id  # no user has id -1
        self.users_of_visible_rows = DataLoader(partial(users.by_ids, db))
        self.visible_users = DataLoader(partial(users.visible_by_ids, db, viewer))
        self.projects = DataLoader(partial(projects.by_ids, db, viewer))
        self.project_owners = DataLoader(partial(projects.owners_of, db))
        self.tasks = DataLoader(partial(tasks.by_ids, db, viewer))
        self.tags = DataLoader(partial(tags.by_ids, db, viewer))
        self.task_tags = DataLoader(partial(tags.of_tasks, db, viewer))
        self._batches: dict[Hashable, DataLoader[Any, Any]] = {}

    def batch(
        self, key: Hashable, load: Callable[[list[K]], Coroutine[Any, Any, list[V]]]
    ) -> DataLoader[K, V]:
        """The loader named `key` (a list's name and arguments), made with `load` (a batch
        function of parent ids) on first use."""
        loader = self._batches.get(key)
        if loader is None:
            loader = self._batches[key] = DataLoader(load)
        return loader
