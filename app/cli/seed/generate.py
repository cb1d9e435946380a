"""The demo data, generated in memory: `generate(scale, password_hash=...)` -> `Dataset`.

In: a `Scale` (how many users, shared projects, tasks), the password hash every user gets,
a seed and "now". Out: a `Dataset` of rows with ids from 1 in every table; no database.

Users with realistic names, shared projects with an owner and 2-8 members or viewers,
each user's personal project (as signup makes it), tasks with statuses, priorities, due
dates, assignees and tags (`tasks`), timestamps spread over the past months. Everything
comes from one seeded `random.Random` and a clock anchored at today's midnight (UTC), so a
run is reproducible within a day. `demo@example.com` is a member of many projects.
"""

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from app.cli.seed.dataset import Dataset
from app.cli.seed.tasks import TaskGenerator
from app.cli.seed.vocabulary import (
    EMAIL_DOMAINS,
    FIRST_NAMES,
    LAST_NAMES,
    PROJECT_AREAS,
    PROJECT_GOALS,
    PROJECT_KINDS,
    TAG_COLORS,
    TAG_NAMES,
)
from app.enums import ProjectRole
from app.rules import PERSONAL_PROJECT_NAME

DEMO_EMAIL = "demo@example.com"
DEMO_PASSWORD = "demo-password"  # noqa: S105 - the documented demo login
DEMO_NAME = "Demo User"
DEFAULT_SEED = 20261122
# Shared projects the demo user joins (at most 40% of them): many, like a busy team lead,
# while the other users average a dozen or two.
DEMO_PROJECTS = 75


@dataclass(frozen=True)
class Scale:
    """How much to generate: users (the demo user included), shared projects, tasks."""

    users: int = 50
    projects: int = 200
    tasks: int = 20_000


def anchor_now() -> datetime:
    """Today's midnight in UTC: the seed's "now", fixed for the day (reproducible runs)."""
    today = datetime.now(UTC).date()
    return datetime(today.year, today.month, today.day, tzinfo=UTC)


def _between(rng: random.Random, start: datetime, end: datetime) -> datetime:
    """A random moment in [start, end], to the second."""
    seconds = max(0, int((end - start).total_seconds()))
    return start + timedelta(seconds=rng.randint(0, seconds))


class _Generator:
    """Builds a `Dataset` (tasks through `TaskGenerator`); ids start at 1 in every table."""

    def __init__(self, scale: Scale, rng: random.Random, now: datetime, password_hash: str):
        self.scale = scale
        self.rng = rng
        self.now = now
        self.password_hash = password_hash
        self.data = Dataset()
        self.user_created: list[datetime] = []  # by user index (id - 1)
        # per project id: created_at, writers (OWNER/MEMBER user ids), tag ids
        self.project_created: dict[int, datetime] = {}
        self.writers: dict[int, list[int]] = {}
        self.project_tags: dict[int, list[int]] = {}
        self.personal: set[int] = set()

    def build(self) -> Dataset:
        self._users()
        personal = self._personal_projects()
        shared = self._shared_projects()
        for project_id in personal + shared:
            self._tags(project_id, personal=project_id in self.personal)
        tasks = TaskGenerator(
            self.rng,
            self.now,
            self.data,
            project_created=self.project_created,
            writers=self.writers,
            project_tags=self.project_tags,
        )
        tasks.add(self.scale.tasks, personal, shared)
        return self.data

    # -- users -------------------------------------------------------------------------

    def _users(self) -> None:
        rng = self.rng
        emails = {DEMO_EMAIL}
        for index in range(self.scale.users):
            if index == 0:
                name, email = DEMO_NAME, DEMO_EMAIL
            else:
                first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
                name = f"{first} {last}"
                local = f"{first}.{last}".lower().replace(" ", "").replace("'", "")
                domain = rng.choice(EMAIL_DOMAINS)
                email, suffix = f"{local}@{domain}", 2
                while email in emails:
                    email, suffix = f"{local}{suffix}@{domain}", suffix + 1
                emails.add(email)
            created = _between(rng, self.now - timedelta(days=540), self.now - timedelta(days=400))
            self.user_created.append(created)
            self.data.users.append(
                {
                    "id": index + 1,
                    "email": email,
                    "name": name,
                    "password_hash": self.password_hash,
                    "created_at": created,
                    "updated_at": created,
                }
            )

    # -- projects and members ------------------------------------------------------------

    def _add_project(
        self, name: str, description: str | None, *, personal: bool, created: datetime
    ) -> int:
        project_id = len(self.data.projects) + 1
        updated = _between(self.rng, created, self.now) if not personal else created
        self.data.projects.append(
            {
                "id": project_id,
                "name": name,
                "description": description,
                "is_personal": personal,
                "created_at": created,
                "updated_at": updated,
            }
        )
        self.project_created[project_id] = created
        self.writers[project_id] = []
        return project_id

    def _add_member(
        self, project_id: int, user_id: int, role: ProjectRole, added: datetime
    ) -> None:
        self.data.members.append(
            {"project_id": project_id, "user_id": user_id, "role": role.value, "added_at": added}
        )
        if role is not ProjectRole.VIEWER:
            self.writers[project_id].append(user_id)

    def _personal_projects(self) -> list[int]:
        """One "Personal" project per user, OWNER only, created with the account (as signup)."""
        ids = []
        for index, created in enumerate(self.user_created):
            project_id = self._add_project(
                PERSONAL_PROJECT_NAME, None, personal=True, created=created
            )
            self._add_member(project_id, index + 1, ProjectRole.OWNER, created)
            ids.append(project_id)
        self.personal = set(ids)
        return ids

    def _shared_projects(self) -> list[int]:
        rng = self.rng
        user_ids = list(range(1, self.scale.users + 1))
        demo_share = min(0.4, DEMO_PROJECTS / max(self.scale.projects, 1))
        ids = []
        for number in range(self.scale.projects):
            name = f"{rng.choice(PROJECT_AREAS)} {rng.choice(PROJECT_KINDS)}"
            description = None if rng.random() < 0.15 else rng.choice(PROJECT_GOALS)
            created = _between(rng, self.now - timedelta(days=365), self.now - timedelta(days=7))
            project_id = self._add_project(name, description, personal=False, created=created)
            # The demo user owns the first project and belongs to about DEMO_PROJECTS others.
            demo_in = number == 0 or rng.random() < demo_share
            others = user_ids[1:]
            demo_owns = not others or number == 0 or (demo_in and rng.random() < 0.25)
            owner = 1 if demo_owns else rng.choice(others)
            pool = [user for user in others if user != owner]
            chosen = rng.sample(pool, min(rng.randint(2, 8), len(pool)))
            if demo_in and owner != 1:
                chosen = [1, *chosen[:-1]] if chosen else [1]
            self._add_member(project_id, owner, ProjectRole.OWNER, created)
            for user in chosen:
                role = ProjectRole.VIEWER if rng.random() < 0.25 else ProjectRole.MEMBER
                if user == 1:
                    role = ProjectRole.MEMBER  # the demo user can edit where they are
                self._add_member(project_id, user, role, _between(rng, created, self.now))
            ids.append(project_id)
        return ids

    # -- tags --------------------------------------------------------------------------

    def _tags(self, project_id: int, *, personal: bool) -> None:
        rng = self.rng
        count = rng.randint(0, 3) if personal else rng.randint(3, 10)
        names = rng.sample(TAG_NAMES, count)  # distinct, already lower-case
        created = self.project_created[project_id]
        ids = []
        for name in names:
            tag_id = len(self.data.tags) + 1
            tag_created = _between(rng, created, created + timedelta(days=14))
            self.data.tags.append(
                {
                    "id": tag_id,
                    "project_id": project_id,
                    "name": name,
                    "color": None if rng.random() < 0.1 else rng.choice(TAG_COLORS),
                    "created_at": tag_created,
                    "updated_at": tag_created,
                }
            )
            ids.append(tag_id)
        self.project_tags[project_id] = ids


def generate(
    scale: Scale, *, password_hash: str, seed: int = DEFAULT_SEED, now: datetime | None = None
) -> Dataset:
    """The demo rows for `scale`, the same for the same `seed` and `now`."""
    if scale.users < 1 or scale.projects < 0 or scale.tasks < 0:
        msg = "need at least one user, and no negative counts"
        raise ValueError(msg)
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not secrets
    return _Generator(scale, rng, now or anchor_now(), password_hash).build()
