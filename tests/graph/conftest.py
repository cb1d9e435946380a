"""Role clients for graph tests: an owner, a member, a viewer of one shared project,
a stranger (signed in, not a member) and an anonymous client.

Users are written straight to the database with one precomputed Argon2 hash and
get a real session and access token, so a test pays no password hashing; the
auth flows themselves are tested in tests/test_auth*.py.
"""

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from app.config import Settings
from app.db.base import utcnow
from app.db.models import members, projects, sessions, users
from app.enums import ProjectRole
from app.ids import encode_id
from app.security import create_access_token
from tests.helpers import GraphQLClient

# Argon2id of "correct horse battery" (tests.helpers.PASSWORD), computed once.
PASSWORD_HASH = (
    "$argon2id$v=19$m=65536,t=3,p=4$DzdpX/+e8v1Iz7MPkPY2ug$"
    "OtkuE9ZPxyrnTcovsMlS3pwLry3yjcvhni58Q2c2SlE"
)


@dataclass
class Actor:
    """A signed-in user: `id` is their global id, `pk` the row id, `token` an access token."""

    name: str
    pk: int
    id: str
    token: str
    personal_project: str
    api: GraphQLClient

    async def execute(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        return await self.api.execute(query, variables, token=self.token)


async def make_actor(
    engine: AsyncEngine, settings: Settings, api: GraphQLClient, name: str
) -> Actor:
    """Insert a user with their personal project and an open session; return them signed in."""
    now = utcnow()
    async with engine.begin() as connection:
        user_pk = await connection.scalar(
            insert(users)
            .values(
                email=f"{name.lower()}@example.com",
                name=name,
                password_hash=PASSWORD_HASH,
                created_at=now,
                updated_at=now,
            )
            .returning(users.c.id)
        )
        project_pk = await connection.scalar(
            insert(projects)
            .values(name="Personal", is_personal=True, created_at=now, updated_at=now)
            .returning(projects.c.id)
        )
        await connection.execute(
            insert(members).values(
                project_id=project_pk, user_id=user_pk, role="OWNER", added_at=now
            )
        )
        session_id = uuid.uuid4()
        await connection.execute(
            insert(sessions).values(
                id=session_id, user_id=user_pk, created_at=now, expires_at=now + timedelta(days=1)
            )
        )
    assert user_pk is not None
    assert project_pk is not None
    token = create_access_token(settings, user_id=user_pk, session_id=session_id, now=now)
    return Actor(
        name=name,
        pk=user_pk,
        id=encode_id("User", user_pk),
        token=token,
        personal_project=encode_id("Project", project_pk),
        api=api,
    )


@dataclass
class World:
    """One shared project (`project`, global id) and everyone around it."""

    owner: Actor
    member: Actor
    viewer: Actor
    stranger: Actor
    anonymous: GraphQLClient
    project: str

    def actor(self, role: str) -> Actor | None:
        """The actor for a role name (`owner`, ..., `stranger`); None for `anonymous`."""
        return None if role == "anonymous" else getattr(self, role)


@pytest.fixture
async def world(engine: AsyncEngine, settings: Settings, api: GraphQLClient) -> World:
    owner, member, viewer, stranger = [
        await make_actor(engine, settings, api, name)
        for name in ("Owner", "Member", "Viewer", "Stranger")
    ]
    body = await owner.execute(
        'mutation { createProject(input: {name: "Shared", description: "team"}) { id } }'
    )
    project = body["data"]["createProject"]["id"]
    for actor, role in ((member, ProjectRole.MEMBER), (viewer, ProjectRole.VIEWER)):
        body = await owner.execute(
            "mutation($p: ID!, $e: String!, $r: ProjectRole!) {"
            " addProjectMember(projectId: $p, email: $e, role: $r) { id } }",
            {"p": project, "e": f"{actor.name.lower()}@example.com", "r": role.name},
        )
        assert "errors" not in body, body
    return World(owner, member, viewer, stranger, api, project)
