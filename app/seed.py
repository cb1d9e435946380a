"""Demo data: `python -m app.seed` (or `make seed`) fills the database in `DATABASE_URL`.

Users with realistic names, shared projects with an owner and 2-8 members or
viewers, each user's personal project (as signup makes it), tasks with
statuses, priorities, due dates, assignees and tags, timestamps spread over the
past months. Everything comes from one seeded `random.Random` and a clock
anchored at today's midnight (UTC), so a run is reproducible within a day.

Rows are written with Core bulk inserts (executemany of lists of dicts) with
ids chosen here, so 20,000 tasks take seconds. Every user's password is
`demo-password` (hashed once); `demo@example.com` is a member of many projects.

A database that already holds users or projects is refused unless `--reset`
deletes every row first.
"""

import argparse
import asyncio
import bisect
import random
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

from pydantic import ValidationError
from sqlalchemy import Table, func, select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from app.config import Settings
from app.db.base import Base
from app.db.engine import create_engine
from app.db.migrate import upgrade
from app.db.models import members, projects, tags, task_tags, tasks, users
from app.enums import ProjectRole, TaskPriority, TaskStatus
from app.rules import PERSONAL_PROJECT_NAME
from app.security import hash_password

DEMO_EMAIL = "demo@example.com"
DEMO_PASSWORD = "demo-password"  # noqa: S105 - the documented demo login
DEMO_NAME = "Demo User"
DEFAULT_SEED = 20261122
# Shared projects the demo user joins (at most 40% of them): many, like a busy team lead,
# while the other users average a dozen or two.
DEMO_PROJECTS = 75
CHUNK = 5_000  # rows per executemany

FIRST_NAMES = (
    "Ada", "Alan", "Amara", "Anna", "Arjun", "Beatriz", "Ben", "Carla", "Chen", "Chloe",
    "Daniel", "Diego", "Elena", "Emeka", "Emma", "Farah", "Felix", "Grace", "Hana", "Hugo",
    "Ines", "Isaac", "Jamal", "Jana", "Jonas", "Julia", "Kai", "Kenji", "Laila", "Lars",
    "Leila", "Liam", "Lucia", "Marco", "Maria", "Mateo", "Maya", "Mei", "Nadia", "Noah",
    "Nora", "Olivia", "Omar", "Pablo", "Priya", "Rafael", "Rosa", "Sam", "Sara", "Sofia",
    "Tariq", "Theo", "Uma", "Victor", "Wei", "Yara", "Yusuf", "Zara", "Zoe", "Tomasz",
)  # fmt: skip
LAST_NAMES = (
    "Abebe", "Andersen", "Bauer", "Becker", "Costa", "Da Silva", "Dubois", "Eriksson",
    "Fernandes", "Fischer", "Garcia", "Gonzalez", "Haddad", "Hansen", "Hoffmann", "Ivanova",
    "Jensen", "Johnson", "Kim", "Kowalski", "Kumar", "Larsen", "Lee", "Lopez", "Martin",
    "Meyer", "Moreau", "Murphy", "Nakamura", "Nguyen", "Novak", "O'Brien", "Okafor", "Park",
    "Patel", "Perez", "Petrov", "Rossi", "Santos", "Sato", "Schmidt", "Silva", "Singh",
    "Smith", "Suzuki", "Tanaka", "Taylor", "Wagner", "Wang", "Weber", "Williams", "Yilmaz",
    "Zhang", "Ahmed", "Ali", "Bianchi", "Chowdhury", "Dimitrov", "Horvat", "Mensah",
)  # fmt: skip
EMAIL_DOMAINS = ("example.com", "example.org", "example.net")

PROJECT_AREAS = (
    "Website", "Mobile App", "Customer Portal", "Data Platform", "Billing", "Onboarding",
    "Search", "Checkout", "Design System", "Analytics", "Internal Tools", "Help Center",
    "API Gateway", "Notifications", "Partner Integrations", "Reporting", "Infrastructure",
    "Security", "Marketing Site", "Recruiting", "Office Move", "Support Tooling",
    "Accessibility", "Localization", "Payments", "Inventory", "Warehouse App", "CRM",
)  # fmt: skip
PROJECT_KINDS = (
    "Redesign", "Launch", "Migration", "Revamp", "Roadmap", "Rollout", "Audit", "v2",
    "Cleanup", "Overhaul", "Q1 Goals", "Q2 Goals", "Q3 Goals", "Q4 Goals", "Beta",
    "Hardening", "Pilot", "Refresh",
)  # fmt: skip
PROJECT_GOALS = (
    "Ship a faster, simpler experience for our customers.",
    "Reduce support tickets by fixing the most common pain points.",
    "Move off the legacy stack before the contract renewal.",
    "Coordinate design, engineering and marketing for the launch.",
    "Track the work agreed at the planning offsite.",
    "Meet the accessibility requirements (WCAG 2.2 AA).",
    "Consolidate duplicated services and cut hosting costs.",
    "Collect feedback from beta customers and act on it.",
    "Keep the quarterly objectives and their owners in one place.",
    "Improve reliability: fewer incidents, faster recovery.",
)
TASK_VERBS = (
    "Fix", "Implement", "Review", "Update", "Write", "Refactor", "Investigate", "Design",
    "Test", "Document", "Migrate", "Optimize", "Set up", "Remove", "Add", "Draft",
    "Prepare", "Automate", "Clean up", "Monitor", "Evaluate", "Plan",
)  # fmt: skip
TASK_OBJECTS = (
    "login page", "signup flow", "password reset email", "billing webhook", "invoice PDF",
    "search indexing job", "checkout form validation", "dark mode", "dashboard charts",
    "CSV export", "user settings page", "API rate limiting", "error pages", "audit log",
    "push notifications", "onboarding checklist", "pricing page copy", "release notes",
    "database backups", "CI pipeline", "staging environment", "feature flags",
    "image uploads", "mobile navigation", "empty states", "date picker", "SSO integration",
    "permissions matrix", "usage analytics", "cookie banner", "sitemap", "load tests",
    "alerting rules", "support macros", "team offsite agenda", "quarterly report",
    "customer interviews", "competitor analysis", "style guide", "accessibility audit",
    "translation strings", "caching layer", "slow queries", "dependency upgrades",
    "flaky tests", "retry logic", "data retention policy", "status page", "webhooks docs",
)  # fmt: skip
TASK_SUFFIXES = (
    "", "", "", "", " for the beta", " on mobile", " before launch", " (follow-up)",
    " for enterprise customers", " in the admin panel", " for EU region", " v2",
)  # fmt: skip
TASK_SENTENCES = (
    "Customers reported this twice last week.",
    "See the notes from the last planning meeting.",
    "Acceptance criteria: works on Chrome, Firefox and Safari.",
    "Pair with design before starting.",
    "Blocked until the API changes are deployed.",
    "Keep the change small and behind a feature flag.",
    "Add tests for the edge cases we found in QA.",
    "The current behaviour is confusing for new users.",
    "Check the metrics dashboard after rollout.",
    "Coordinate with support so they can update the macros.",
    "Estimate: about two days of work.",
    "Document the decision in the wiki when done.",
    "Legal needs to sign off on the wording.",
    "This affects roughly 5% of active accounts.",
    "Low risk, but touches a lot of files.",
    "Follow the steps in the runbook to reproduce.",
)
TAG_NAMES = (
    "bug", "feature", "frontend", "backend", "design", "docs", "infra", "security",
    "performance", "ux", "research", "blocked", "quick win", "tech debt", "customer",
    "marketing", "mobile", "api", "testing", "release", "ops", "analytics", "a11y", "legal",
)  # fmt: skip
TAG_COLORS = (
    "#E11D48", "#DB2777", "#C026D3", "#9333EA", "#4F46E5", "#2563EB", "#0284C7", "#0891B2",
    "#0D9488", "#059669", "#16A34A", "#65A30D", "#CA8A04", "#D97706", "#EA580C", "#DC2626",
    "#64748B", "#78716C",
)  # fmt: skip
PRIORITIES = [priority.value for priority in TaskPriority]  # LOW .. URGENT
PRIORITY_WEIGHTS = (25, 70, 92)  # cumulative bounds: 25% low, 45% medium, 22% high, 8% urgent
TAG_COUNT_WEIGHTS = (35, 70, 90)  # cumulative bounds: 35% no tag, 35% one, 20% two, 10% three
HOUR = timedelta(hours=1)
T = TypeVar("T")


@dataclass(frozen=True)
class Scale:
    """How much to generate: users (the demo user included), shared projects, tasks."""

    users: int = 50
    projects: int = 200
    tasks: int = 20_000


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


class DatabaseNotEmpty(Exception):
    """The database already holds users or projects (and `reset` was not asked)."""


def anchor_now() -> datetime:
    """Today's midnight in UTC: the seed's "now", fixed for the day (reproducible runs)."""
    today = datetime.now(UTC).date()
    return datetime(today.year, today.month, today.day, tzinfo=UTC)


def _between(rng: random.Random, start: datetime, end: datetime) -> datetime:
    """A random moment in [start, end], to the second."""
    seconds = max(0, int((end - start).total_seconds()))
    return start + timedelta(seconds=rng.randint(0, seconds))


def _pick(random: Callable[[], float], items: Sequence[T]) -> T:
    """A random item of `items` (not empty), from one `random()` draw."""
    return items[int(random() * len(items))]


def _chunks(rows: Sequence[dict[str, Any]], size: int) -> Iterator[Sequence[dict[str, Any]]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


class _Generator:
    """Builds a `Dataset`; ids are assigned here, starting at 1 in every table."""

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
        self._tasks(personal, shared)
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

    # -- tasks -------------------------------------------------------------------------

    def _tasks(self, personal: list[int], shared: list[int]) -> None:
        rng = self.rng
        total = self.scale.tasks
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


def generate(
    scale: Scale, *, password_hash: str, seed: int = DEFAULT_SEED, now: datetime | None = None
) -> Dataset:
    """The demo rows for `scale`, the same for the same `seed` and `now`."""
    if scale.users < 1 or scale.projects < 0 or scale.tasks < 0:
        msg = "need at least one user, and no negative counts"
        raise ValueError(msg)
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not secrets
    return _Generator(scale, rng, now or anchor_now(), password_hash).build()


async def _has_rows(connection: AsyncConnection) -> bool:
    for table in (users, projects):
        if await connection.scalar(select(func.count()).select_from(table)):
            return True
    return False


async def _delete_all(connection: AsyncConnection) -> None:
    """Delete every row of every table (children first); PostgreSQL truncates."""
    if connection.dialect.name == "postgresql":
        names = ", ".join(table.name for table in Base.metadata.sorted_tables)
        await connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        return
    for table in reversed(Base.metadata.sorted_tables):
        await connection.execute(table.delete())


async def _finish_postgresql(connection: AsyncConnection) -> None:
    """PostgreSQL: move each id sequence past the ids written here (so inserts keep
    working), and refresh the planner's statistics of the freshly filled tables
    (autovacuum may be off or late; without them the planner guesses badly)."""
    if connection.dialect.name != "postgresql":
        return
    for table in (users, projects, tasks, tags):
        await connection.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "  # noqa: S608
                f"(SELECT max(id) FROM {table.name}))"
            )
        )
    names = ", ".join(table.name for table in (users, projects, members, tags, tasks, task_tags))
    await connection.execute(text(f"ANALYZE {names}"))


async def insert_dataset(engine: AsyncEngine, data: Dataset, *, reset: bool = False) -> None:
    """Write `data` in one transaction; raises `DatabaseNotEmpty` unless empty or `reset`."""
    async with engine.begin() as connection:
        if reset:
            await _delete_all(connection)
        elif await _has_rows(connection):
            msg = "the database already has users or projects; pass --reset to replace them"
            raise DatabaseNotEmpty(msg)
        for table, rows in data.tables():
            for chunk in _chunks(rows, CHUNK):
                await connection.execute(table.insert(), list(chunk))
        await _finish_postgresql(connection)


async def seed(
    engine: AsyncEngine,
    scale: Scale = Scale(),
    *,
    reset: bool = False,
    seed: int = DEFAULT_SEED,
    now: datetime | None = None,
) -> Dataset:
    """Generate and insert the demo data into a migrated database; returns what was written."""
    password_hash = await hash_password(DEMO_PASSWORD)
    data = generate(scale, password_hash=password_hash, seed=seed, now=now)
    await insert_dataset(engine, data, reset=reset)
    return data


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m app.seed",
        description="Fill the database in DATABASE_URL with demo data (migrating it first).",
    )
    default = Scale()
    parser.add_argument("--users", type=int, default=default.users, help="users (demo included)")
    parser.add_argument("--projects", type=int, default=default.projects, help="shared projects")
    parser.add_argument("--tasks", type=int, default=default.tasks, help="tasks")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed")
    parser.add_argument(
        "--reset", action="store_true", help="delete every existing row first (all tables)"
    )
    return parser


async def _run(database_url: str, scale: Scale, *, reset: bool, seed_value: int) -> Dataset:
    engine = create_engine(database_url)
    try:
        return await seed(engine, scale, reset=reset, seed=seed_value)
    finally:
        await engine.dispose()


def main(argv: Sequence[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    scale = Scale(users=args.users, projects=args.projects, tasks=args.tasks)
    if scale.users < 1 or scale.projects < 0 or scale.tasks < 0:
        sys.exit("--users must be at least 1; --projects and --tasks at least 0")
    try:
        database_url = Settings().database_url
    except ValidationError as error:
        sys.exit(f"Invalid settings: {error}")
    started = time.perf_counter()
    upgrade(database_url)
    try:
        data = asyncio.run(_run(database_url, scale, reset=args.reset, seed_value=args.seed))
    except DatabaseNotEmpty as error:
        sys.exit(f"Refusing to seed: {error}.")
    elapsed = time.perf_counter() - started
    print(
        f"Seeded {len(data.users)} users, {len(data.projects)} projects "
        f"({scale.projects} shared + {len(data.users)} personal), {len(data.members)} "
        f"memberships, {len(data.tasks)} tasks, {len(data.tags)} tags, "
        f"{len(data.task_tags)} task tags in {elapsed:.1f} s."
    )
    print(f"Log in as {DEMO_EMAIL} / {DEMO_PASSWORD} (every seeded user has that password).")


if __name__ == "__main__":
    main()
