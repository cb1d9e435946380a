"""User, the auth payload and the auth mutations' inputs and resolvers."""

from datetime import datetime
from typing import Protocol, Self

import strawberry

from app.ids import encode_id
from app.resolvers import auth
from app.schema.common import Info, Node


class UserRow(Protocol):
    """A `users` row: the ORM object or a Core row."""

    @property
    def id(self) -> int: ...
    @property
    def name(self) -> str: ...
    @property
    def email(self) -> str: ...
    @property
    def created_at(self) -> datetime: ...


@strawberry.type(description="A person with an account.")
class User(Node):
    name: str = strawberry.field(description="Display name, 1-100 characters.")
    created_at: datetime = strawberry.field(description="When the account was created.")
    pk: strawberry.Private[int]
    email_address: strawberry.Private[str]
    is_viewer: strawberry.Private[bool | None]

    @strawberry.field(description="Email address; visible only to the user themself, else null.")
    async def email(self, info: Info) -> str | None:
        if self.is_viewer is None:
            viewer = await info.context.viewer()
            self.is_viewer = viewer is not None and viewer.id == self.pk
        return self.email_address if self.is_viewer else None

    @classmethod
    def from_row(cls, row: UserRow, *, is_viewer: bool | None = None) -> Self:
        """The GraphQL user for `row`; `is_viewer=None` asks the context when `email` is read."""
        return cls(
            id=strawberry.ID(encode_id("User", row.id)),
            pk=row.id,
            name=row.name,
            created_at=row.created_at,
            email_address=row.email,
            is_viewer=is_viewer,
        )

    @classmethod
    def from_optional_row(cls, row: UserRow | None) -> Self | None:
        """`from_row`, or None for no row (what a dataloader gives for a missing id)."""
        return None if row is None else cls.from_row(row)


@strawberry.type(description="Tokens issued by signup, login and refreshToken.")
class AuthPayload:
    access_token: str = strawberry.field(description="JWT for `Authorization: Bearer`.")
    refresh_token: str = strawberry.field(
        description="Opaque single-use token for `refreshToken`; rotated on every use."
    )
    token_type: str = strawberry.field(description='Always "Bearer".')
    expires_in: int = strawberry.field(description="Access token lifetime, in seconds.")
    user: User = strawberry.field(description="The signed-in user.")

    @classmethod
    def from_result(cls, result: auth.AuthResult) -> Self:
        return cls(
            access_token=result.access_token,
            refresh_token=result.refresh_token,
            token_type="Bearer",  # noqa: S106 (the scheme, not a secret)
            expires_in=result.expires_in,
            user=User.from_row(result.user, is_viewer=True),
        )


@strawberry.input(description="A new account.")
class SignupInput:
    email: str = strawberry.field(description="Trimmed and lower-cased; must be unique.")
    password: str = strawberry.field(description="8-128 characters.")
    name: str = strawberry.field(description="1-100 characters after trimming.")


@strawberry.input(description="Credentials of an existing account.")
class LoginInput:
    email: str = strawberry.field(description="As given at signup (case and spaces ignored).")
    password: str = strawberry.field(description="The account's password.")


async def me(info: Info) -> User | None:
    viewer = await info.context.viewer()
    return None if viewer is None else User.from_row(viewer, is_viewer=True)


async def signup(info: Info, input: SignupInput) -> AuthPayload:
    result = await auth.signup(
        info.context, email=input.email, password=input.password, name=input.name
    )
    return AuthPayload.from_result(result)


async def login(info: Info, input: LoginInput) -> AuthPayload:
    result = await auth.login(info.context, email=input.email, password=input.password)
    return AuthPayload.from_result(result)


async def refresh_token(info: Info, refresh_token: str) -> AuthPayload:
    return AuthPayload.from_result(await auth.refresh(info.context, refresh_token=refresh_token))


async def logout(info: Info) -> bool:
    return await auth.logout(info.context)
