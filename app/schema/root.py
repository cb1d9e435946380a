"""The root types: every query and mutation, each delegating to its domain module."""

import strawberry

from app.schema import lookups, user
from app.schema.common import Node
from app.schema.project import Project, ProjectConnection, projects
from app.schema.tag import Tag
from app.schema.task import Task, TaskConnection, tasks


@strawberry.type(description="Entry points for reading.")
class Query:
    me: user.User | None = strawberry.field(
        resolver=user.me,
        description="The signed-in user; null without a token. A bad token is UNAUTHENTICATED.",
    )
    node: Node | None = strawberry.field(
        resolver=lookups.node, description="Any visible object by global id; null if not visible."
    )
    nodes: list[Node | None] = strawberry.field(
        resolver=lookups.nodes, description="Visible objects by global ids (at most 100), in order."
    )
    project: Project | None = strawberry.field(
        resolver=lookups.project, description="A visible project by id; null otherwise."
    )
    projects: ProjectConnection = strawberry.field(
        resolver=projects, description="Projects the viewer is a member of."
    )
    task: Task | None = strawberry.field(
        resolver=lookups.task, description="A visible task by id; null otherwise."
    )
    tasks: TaskConnection = strawberry.field(
        resolver=tasks, description="Tasks of every project the viewer is a member of."
    )
    tag: Tag | None = strawberry.field(
        resolver=lookups.tag, description="A visible tag by id; null otherwise."
    )


@strawberry.type(description="Entry points for writing; each mutation is one transaction.")
class Mutation:
    signup: user.AuthPayload = strawberry.mutation(
        resolver=user.signup,
        description="Create an account with its personal project and sign in.",
    )
    login: user.AuthPayload = strawberry.mutation(
        resolver=user.login, description="Sign in; starts a new session."
    )
    refresh_token: user.AuthPayload = strawberry.mutation(
        resolver=user.refresh_token,
        description="Trade a refresh token for a new pair; the old one is retired. "
        "Reusing a retired token revokes its session.",
    )
    logout: bool = strawberry.mutation(
        resolver=user.logout, description="Revoke the caller's session and all its tokens."
    )
