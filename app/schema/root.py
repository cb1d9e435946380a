"""The root types: every query and mutation, each bound to its resolver (`app.resolvers`)."""

import strawberry

from app.resolvers import lookups, projects, tags, tasks, users
from app.schema import project as project_fields
from app.schema import tag as tag_fields
from app.schema import task as task_fields
from app.schema import user
from app.schema.common import Node


@strawberry.type(description="Entry points for reading.")
class Query:
    me = strawberry.field(
        graphql_type=user.User | None,
        resolver=users.me,
        description="The signed-in user; null without a token. A bad token is UNAUTHENTICATED.",
    )
    node = strawberry.field(
        graphql_type=Node | None,
        resolver=lookups.node,
        description="Any visible object by global id; null if not visible.",
    )
    nodes = strawberry.field(
        graphql_type=list[Node | None],
        resolver=lookups.nodes,
        description="Visible objects by global ids (at most 100), in order.",
    )
    project = strawberry.field(
        graphql_type=project_fields.Project | None,
        resolver=lookups.project,
        description="A visible project by id; null otherwise.",
    )
    projects = strawberry.field(
        graphql_type=project_fields.ProjectConnection,
        resolver=projects.project_list,
        description="Projects the viewer is a member of.",
    )
    task = strawberry.field(
        graphql_type=task_fields.Task | None,
        resolver=lookups.task,
        description="A visible task by id; null otherwise.",
    )
    tasks = strawberry.field(
        graphql_type=task_fields.TaskConnection,
        resolver=tasks.task_list,
        description="Tasks of every project the viewer is a member of.",
    )
    tag = strawberry.field(
        graphql_type=tag_fields.Tag | None,
        resolver=lookups.tag,
        description="A visible tag by id; null otherwise.",
    )


@strawberry.type(description="Entry points for writing; each mutation is one transaction.")
class Mutation:
    signup = strawberry.mutation(
        graphql_type=user.AuthPayload,
        resolver=users.signup,
        description="Create an account with its personal project and sign in.",
    )
    login = strawberry.mutation(
        graphql_type=user.AuthPayload,
        resolver=users.login,
        description="Sign in; starts a new session.",
    )
    refresh_token = strawberry.mutation(
        graphql_type=user.AuthPayload,
        resolver=users.refresh_token,
        description="Trade a refresh token for a new pair; the old one is retired. "
        "Reusing a retired token revokes its session.",
    )
    logout = strawberry.mutation(
        graphql_type=bool,
        resolver=users.logout,
        description="Revoke the caller's session and all its tokens.",
    )

    create_project = strawberry.mutation(
        graphql_type=project_fields.Project,
        resolver=projects.create_project,
        description="Create a shared project owned by the viewer.",
    )
    update_project = strawberry.mutation(
        graphql_type=project_fields.Project,
        resolver=projects.update_project,
        description="Rename or describe a project (OWNER).",
    )
    delete_project = strawberry.mutation(
        graphql_type=strawberry.ID,
        resolver=projects.delete_project,
        description="Delete a project with its tasks and tags (OWNER; not a personal one).",
    )
    add_project_member = strawberry.mutation(
        graphql_type=project_fields.Project,
        resolver=projects.add_project_member,
        description="Add a user by email (OWNER; not to a personal project).",
    )
    update_project_member = strawberry.mutation(
        graphql_type=project_fields.Project,
        resolver=projects.update_project_member,
        description="Change a member's role (OWNER); the last owner cannot be demoted.",
    )
    remove_project_member = strawberry.mutation(
        graphql_type=project_fields.Project,
        resolver=projects.remove_project_member,
        description=(
            "Remove a member (OWNER), or leave (any member); never the last owner. The"
            " answer is the project after the removal; when you leave, it is the project"
            " as it stood just before you left (you among its members, `viewerRole` your"
            " role then), since you can no longer see it."
        ),
    )
    create_task = strawberry.mutation(
        graphql_type=task_fields.Task,
        resolver=tasks.create_task,
        description="Create a task (MEMBER).",
    )
    update_task = strawberry.mutation(
        graphql_type=task_fields.Task,
        resolver=tasks.update_task,
        description="Change a task (MEMBER); a stale expectedVersion is CONFLICT.",
    )
    set_task_completed = strawberry.mutation(
        graphql_type=task_fields.Task,
        resolver=tasks.set_task_completed,
        description="Mark DONE (sets completedAt) or back to TODO; idempotent.",
    )
    delete_task = strawberry.mutation(
        graphql_type=strawberry.ID,
        resolver=tasks.delete_task,
        description="Delete a task (MEMBER).",
    )
    create_tag = strawberry.mutation(
        graphql_type=tag_fields.Tag,
        resolver=tags.create_tag,
        description="Create a tag in a project (MEMBER).",
    )
    update_tag = strawberry.mutation(
        graphql_type=tag_fields.Tag,
        resolver=tags.update_tag,
        description="Rename or recolour a tag (MEMBER).",
    )
    delete_tag = strawberry.mutation(
        graphql_type=strawberry.ID,
        resolver=tags.delete_tag,
        description="Delete a tag; tasks lose it (MEMBER).",
    )
