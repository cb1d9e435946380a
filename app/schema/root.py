"""The root types: every query and mutation, each delegating to its domain module."""

import strawberry

from app.schema import user


@strawberry.type(description="Entry points for reading.")
class Query:
    me: user.User | None = strawberry.field(
        resolver=user.me,
        description="The signed-in user; null without a token. A bad token is UNAUTHENTICATED.",
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
