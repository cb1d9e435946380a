"""The fuzzed user's world, written straight to the database with fixed row ids.

`seed` empties every table and writes the same rows again, so each generated
document starts from the same state and the global ids the value strategies
draw from (`IDS_BY_TYPE`) always name these rows. Ids start high, far from what
the database's own sequences hand out to rows the fuzzed mutations create.

The fuzzed user is `owner`: they own a shared project with a member, a viewer
and tagged, assigned tasks; they view a stranger's project (so owner-only
mutations there are FORBIDDEN) and see nothing of the stranger's personal one.
"""

import uuid
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from app.config import Settings
from app.db.base import Base
from app.db.models import members, projects, sessions, tags, task_tags, tasks, users
from app.ids import encode_id
from app.security import create_access_token
from tests.graph.conftest import PASSWORD_HASH

BASE = 900_000
T0 = datetime(2026, 1, 1, tzinfo=UTC)
OWNER_SESSION = uuid.UUID("00000000-0000-4000-8000-000000000001")

USERS = {  # pk: (email, name)
    BASE + 2: ("member@example.com", "Mémber"),
    BASE + 1: ("owner@example.com", "Owner"),
    BASE + 3: ("viewer@example.com", "Viewer"),
    BASE + 4: ("stranger@example.com", "Stranger"),
    BASE + 5: ("extra@example.com", "Extra"),  # in no project of the owner's: one to add
}
OWNER = BASE + 1
PROJECTS = {  # pk: (name, description, is_personal); the first of each type is the likeliest
    BASE + 2: ("Shared", "the owner's team", False),
    BASE + 1: ("Personal", None, True),
    BASE + 3: ("Personal", None, True),
    BASE + 4: ("Stranger's", "the owner only views it", False),
}
MEMBERS = [  # (project, user, role)
    (BASE + 1, BASE + 1, "OWNER"),
    (BASE + 2, BASE + 1, "OWNER"),
    (BASE + 2, BASE + 2, "MEMBER"),
    (BASE + 2, BASE + 3, "VIEWER"),
    (BASE + 3, BASE + 4, "OWNER"),
    (BASE + 4, BASE + 4, "OWNER"),
    (BASE + 4, BASE + 1, "VIEWER"),
]
TAGS = {  # pk: (project, name, color)
    BASE + 1: (BASE + 2, "bug", "#ff0000"),
    BASE + 2: (BASE + 2, "École", None),
    BASE + 6: (BASE + 2, "later", "#123abc"),
    BASE + 3: (BASE + 1, "home", "#00FF00"),
    BASE + 4: (BASE + 3, "secret", None),
    BASE + 5: (BASE + 4, "theirs", None),
}
TASKS = {  # pk: (project, creator, assignee, title, status, priority, due date)
    BASE + 1: (BASE + 2, BASE + 1, BASE + 2, "Fix the bug", "TODO", 4, date(2026, 12, 31)),
    BASE + 2: (BASE + 2, BASE + 2, BASE + 1, "zeta", "IN_PROGRESS", 1, date(1, 1, 1)),
    BASE + 3: (BASE + 2, BASE + 1, None, "Alpha ÉCOLE", "DONE", 2, date(9999, 12, 31)),
    BASE + 4: (BASE + 1, BASE + 1, BASE + 1, "mine", "TODO", 3, None),
    BASE + 5: (BASE + 3, BASE + 4, None, "hidden", "TODO", 2, None),
    BASE + 6: (BASE + 4, BASE + 4, BASE + 1, "viewed", "DONE", 1, date(2026, 6, 1)),
    BASE + 7: (BASE + 2, BASE + 1, BASE + 3, "ordinary", "TODO", 2, date(2026, 3, 1)),
}
TASK_TAGS = [(BASE + 1, BASE + 1), (BASE + 1, BASE + 2), (BASE + 3, BASE + 2), (BASE + 4, BASE + 3)]
TASK_TAGS += [(BASE + 7, BASE + 6)]
TASK_TAGS += [(BASE + 5, BASE + 4), (BASE + 6, BASE + 5)]

# Global ids of every seeded row, of each type (the stranger's hidden ones included).
IDS_BY_TYPE: dict[str | None, list[str]] = {
    kind: [encode_id(kind, pk) for pk in rows]
    for kind, rows in (("User", USERS), ("Project", PROJECTS), ("Tag", TAGS), ("Task", TASKS))
}
WORLD_IDS = [global_id for ids in IDS_BY_TYPE.values() for global_id in ids]
IDS_BY_TYPE[None] = WORLD_IDS
EMAILS = [email for email, _ in USERS.values()]


def owner_token(settings: Settings) -> str:
    """An access token of the owner's seeded session, valid for `ACCESS_TOKEN_TTL_SECONDS`."""
    return create_access_token(
        settings, user_id=OWNER, session_id=OWNER_SESSION, now=datetime.now(UTC)
    )


async def seed(engine: AsyncEngine) -> None:
    """Delete every row of every table, then write the world above, in one transaction."""
    at = [T0 + timedelta(minutes=i) for i in range(len(TASKS) + len(PROJECTS))]
    async with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            await connection.execute(table.delete())
        await connection.execute(
            insert(users),
            [
                {"id": pk, "email": email, "name": name, "password_hash": PASSWORD_HASH}
                | {"created_at": T0, "updated_at": T0}
                for pk, (email, name) in USERS.items()
            ],
        )
        await connection.execute(
            insert(sessions).values(
                id=OWNER_SESSION, user_id=OWNER, created_at=T0, expires_at=T0 + timedelta(days=3650)
            )
        )
        await connection.execute(
            insert(projects),
            [
                {"id": pk, "name": name, "description": description, "is_personal": personal}
                | {"created_at": at[i], "updated_at": at[i]}
                for i, (pk, (name, description, personal)) in enumerate(PROJECTS.items())
            ],
        )
        await connection.execute(
            insert(members),
            [{"project_id": p, "user_id": u, "role": r, "added_at": T0} for p, u, r in MEMBERS],
        )
        await connection.execute(
            insert(tags),
            [
                {"id": pk, "project_id": project, "name": name, "color": color}
                | {"created_at": T0, "updated_at": T0}
                for pk, (project, name, color) in TAGS.items()
            ],
        )
        await connection.execute(
            insert(tasks),
            [
                {"id": pk, "project_id": project, "created_by_id": creator}
                | {"assignee_id": assignee, "title": title, "description": "d" * (pk - BASE)}
                | {"status": status, "priority": priority, "due_date": due, "version": 1}
                | {"completed_at": at[i] if status == "DONE" else None}
                | {"created_at": at[i], "updated_at": at[-1 - i]}
                for i, (
                    pk,
                    (project, creator, assignee, title, status, priority, due),
                ) in enumerate(TASKS.items())
            ],
        )
        await connection.execute(
            insert(task_tags), [{"task_id": t, "tag_id": g} for t, g in TASK_TAGS]
        )
