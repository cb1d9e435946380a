"""The tasks of the demo data and their tags: the generator's last and largest step.

In: the shared `random.Random` and "now" of `generate`, the `Dataset` already holding the
users, projects, members and tags, and what the generator noted per project (created_at,
writers, tag ids). Out: rows appended to `data.tasks` (ids from 1) and `data.task_tags`.
Statuses, versions and timestamps follow a project's age; every task is created by one of
its project's writers (OWNER or MEMBER) and assigned to one or to nobody.
"""

import bisect
import random
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from typing import TypeVar

from app.cli.seed.dataset import Dataset
from app.cli.seed.vocabulary import TASK_OBJECTS, TASK_SENTENCES, TASK_SUFFIXES, TASK_VERBS
from app.enums import TaskPriority, TaskStatus

PRIORITIES = [priority.value for priority in TaskPriority]  # LOW .. URGENT
PRIORITY_WEIGHTS = (25, 70, 92)  # cumulative bounds: 25% low, 45% medium, 22% high, 8% urgent
TAG_COUNT_WEIGHTS = (35, 70, 90)  # cumulative bounds: 35% no tag, 35% one, 20% two, 10% three
HOUR = timedelta(hours=1)
T = TypeVar("T")


def _pick(random: Callable[[], float], items: Sequence[T]) -> T:
    """A random item of `items` (not empty), from one `random()` draw."""
    return items[int(random() * len(items))]


class TaskGenerator:
    """Appends tasks and task tags to `data`, for projects the generator has already made."""

    def __init__(
        self,
        rng: random.Random,
        now: datetime,
        data: Dataset,
        *,
        project_created: dict[int, datetime],
        writers: dict[int, list[int]],
        project_tags: dict[int, list[int]],
    ):
        self.rng = rng
        self.now = now
        self.data = data
        self.project_created = project_created
        self.writers = writers
        self.project_tags = project_tags

    def add(self, total: int, personal: list[int], shared: list[int]) -> None:
        """`total` tasks: 8% in personal projects (all if there is no shared one)."""
        rng = self.rng
        in_personal = round(total * 0.08) if shared else total
        # Shared projects get uneven sizes: a few big ones, many small ones.
        weights = [rng.lognormvariate(0, 0.8) for _ in shared]
        project_ids = rng.choices(personal, k=in_personal)
        if shared:
            project_ids += rng.choices(shared, weights=weights, k=total - in_personal)
        rng.shuffle(project_ids)
        for project_id in project_ids:
            self._task(project_id)

    def _task(self, project_id: int) -> None:
        # The hot loop (once per task): plain `random()` arithmetic instead of randint/choice.
        rng, now, r = self.rng, self.now, self.rng.random
        task_id = len(self.data.tasks) + 1
        project_created = self.project_created[project_id]
        span = (now - HOUR - project_created).total_seconds()
        offset = int(r() * span)
        created = project_created + timedelta(seconds=offset)
        age = 1 - offset / span if span > 0 else 0.0  # 1 for the oldest, 0 for the newest
        roll = r()
        if roll < 0.15 + 0.65 * age:
            status = TaskStatus.DONE
        elif roll < 0.35 + 0.65 * age:
            status = TaskStatus.IN_PROGRESS
        else:
            status = TaskStatus.TODO
        version = 2 + int(r() * 8) if status is not TaskStatus.TODO else 1 + int(r() * 4)
        updated = created
        if version > 1:
            limit = min((now - created).total_seconds(), 60 * 86_400)
            updated = created + timedelta(seconds=int(r() * limit))
        completed = None
        if status is TaskStatus.DONE:
            completed = updated
            if r() >= 0.7:
                completed = created + timedelta(
                    seconds=int(r() * (updated - created).total_seconds())
                )
        due: date | None = None
        if r() < 0.65:
            due = (created + timedelta(days=2 + int(r() * 59))).date()
        writers = self.writers[project_id]
        assignee = None if r() < 0.15 else _pick(r, writers)
        description = None
        if r() < 0.7:
            description = " ".join(rng.sample(TASK_SENTENCES, 1 + int(r() * 4)))
        title = f"{_pick(r, TASK_VERBS)} {_pick(r, TASK_OBJECTS)}{_pick(r, TASK_SUFFIXES)}"
        self.data.tasks.append(
            {
                "id": task_id,
                "project_id": project_id,
                "created_by_id": _pick(r, writers),
                "assignee_id": assignee,
                "title": title,
                "description": description,
                "status": status.value,
                "priority": PRIORITIES[bisect.bisect(PRIORITY_WEIGHTS, r() * 100)],
                "due_date": due,
                "completed_at": completed,
                "created_at": created,
                "updated_at": updated,
                "version": version,
            }
        )
        project_tags = self.project_tags[project_id]
        count = min(bisect.bisect(TAG_COUNT_WEIGHTS, r() * 100), len(project_tags))
        if count:
            for tag_id in rng.sample(project_tags, count):
                self.data.task_tags.append({"task_id": task_id, "tag_id": tag_id})
