"""The root types: every query and mutation, each delegating to its domain module."""

import strawberry

from app.schema import lookups, user
from app.schema import project as project_fields
from app.schema import tag as tag_fields
from app.schema import task as task_fields
from app.schema.common import Node


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
    project: project_fields.Project | None = strawberry.field(
        resolver=lookups.project, description="A visible project by id; null otherwise."
    )
    projects: project_fields.ProjectConnection = strawberry.field(
        resolver=project_fields.projects, description="Projects the viewer is a member of."
    )
    task: task_fields.Task | None = strawberry.field(
        resolver=lookups.task, description="A visible task by id; null otherwise."
    )
    tasks: task_fields.TaskConnection = strawberry.field(
        resolver=task_fields.tasks, description="Tasks of every project the viewer is a member of."
    )
    tag: tag_fields.Tag | None = strawberry.field(
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

    create_project: project_fields.Project = strawberry.mutation(
        resolver=project_fields.create_project,
        description="Create a shared project owned by the viewer.",
    )
    update_project: project_fields.Project = strawberry.mutation(
        resolver=project_fields.update_project, description="Rename or describe a project (OWNER)."
    )
    delete_project: strawberry.ID = strawberry.mutation(
        resolver=project_fields.delete_project,
        description="Delete a project with its tasks and tags (OWNER; not a personal one).",
    )
    add_project_member: project_fields.Project = strawberry.mutation(
        resolver=project_fields.add_project_member,
        description="Add a user by email (OWNER; not to a personal project).",
    )
    update_project_member: project_fields.Project = strawberry.mutation(
        resolver=project_fields.update_project_member,
        description="Change a member's role (OWNER); the last owner cannot be demoted.",
    )
    remove_project_member: project_fields.Project = strawberry.mutation(
        resolver=project_fields.remove_project_member,
        description=(
            "Remove a member (OWNER), or leave (any member); never the last owner. The"
            " answer is the project after the removal; when you leave, it is the project"
            " as it stood just before you left (you among its members, `viewerRole` your"
            " role then), since you can no longer see it."
        ),
    )
    create_task: task_fields.Task = strawberry.mutation(
        resolver=task_fields.create_task, description="Create a task (MEMBER)."
    )
    update_task: task_fields.Task = strawberry.mutation(
        resolver=task_fields.update_task,
        description="Change a task (MEMBER); a stale expectedVersion is CONFLICT.",
    )
    set_task_completed: task_fields.Task = strawberry.mutation(
        resolver=task_fields.set_task_completed,
        description="Mark DONE (sets completedAt) or back to TODO; idempotent.",
    )
    delete_task: strawberry.ID = strawberry.mutation(
        resolver=task_fields.delete_task, description="Delete a task (MEMBER)."
    )
    create_tag: tag_fields.Tag = strawberry.mutation(
        resolver=tag_fields.create_tag, description="Create a tag in a project (MEMBER)."
    )
    update_tag: tag_fields.Tag = strawberry.mutation(
        resolver=tag_fields.update_tag, description="Rename or recolour a tag (MEMBER)."
    )
    delete_tag: strawberry.ID = strawberry.mutation(
        resolver=tag_fields.delete_tag, description="Delete a tag; tasks lose it (MEMBER)."
    )
