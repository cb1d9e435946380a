"""User, the auth payload, and the auth mutations' inputs."""

from datetime import datetime
from typing import Any

import strawberry

from app.resolvers import users
from app.resolvers.nodes import UserNode
from app.schema.common import Node


@strawberry.type(description="A person with an account.")
class User(Node):
    name: str = strawberry.field(description="Display name, 1-100 characters.")
    created_at: datetime = strawberry.field(description="When the account was created.")
    email = strawberry.field(
        graphql_type=str | None,
        resolver=users.email,
        description="Email address; visible only to the user themself, else null.",
    )

    @classmethod
    def is_type_of(cls, obj: Any, _info: Any) -> bool:
        return isinstance(obj, UserNode)


@strawberry.type(description="Tokens issued by signup, login and refreshToken.")
class AuthPayload:
    access_token: str = strawberry.field(description="JWT for `Authorization: Bearer`.")
    refresh_token: str = strawberry.field(
        description="Opaque single-use token for `refreshToken`; rotated on every use."
    )
    token_type: str = strawberry.field(description='Always "Bearer".')
    expires_in: int = strawberry.field(description="Access token lifetime, in seconds.")
    user: User = strawberry.field(description="The signed-in user.")


@strawberry.input(description="A new account.")
class SignupInput:
    email: str = strawberry.field(description="Trimmed and lower-cased; must be unique.")
    password: str = strawberry.field(description="8-128 characters.")
    name: str = strawberry.field(description="1-100 characters after trimming.")


@strawberry.input(description="Credentials of an existing account.")
class LoginInput:
    email: str = strawberry.field(description="As given at signup (case and spaces ignored).")
    password: str = strawberry.field(description="The account's password.")
