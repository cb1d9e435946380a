"""The objects resolvers hand to the schema: typed rows with their Relay global id.

Each `*Node` is the data layer's typed row plus `node_id`, the id clients see
(Global Object Identification), which the schema's `Node.id` reads. The schema's
types are views over these objects: their plain fields read the row's attributes
(`app/schema/`), and `is_type_of` tells them apart behind the `Node` interface.
"""

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import NamedTuple, TypeVar

from app.db.projects import ProjectRow
from app.db.tags import TagRow
from app.db.tasks import TaskRow
from app.db.users import UserRow
from app.ids import encode_id

A = TypeVar("A")
B = TypeVar("B")


class UserNode(UserRow):
    __slots__ = ()

    @property
    def node_id(self) -> str:
        return encode_id("User", self.id)


class SignedInUserNode(UserNode):
    """A user known to be the one asking (`me`, the user of an auth payload), who may see
    their own email even when the request carried no token."""

    __slots__ = ()


class ProjectNode(ProjectRow):
    __slots__ = ()

    @property
    def node_id(self) -> str:
        return encode_id("Project", self.id)


class TaskNode(TaskRow):
    __slots__ = ()

    @property
    def node_id(self) -> str:
        return encode_id("Task", self.id)


class TagNode(TagRow):
    __slots__ = ()

    @property
    def node_id(self) -> str:
        return encode_id("Tag", self.id)


class MemberEdge(NamedTuple):
    """An edge of `Project.members`: the member, their role (a `ProjectRole` value)."""

    cursor: str
    node: UserNode
    role: str
    added_at: datetime


def user_nodes(rows: list[UserRow | None]) -> list[UserNode | None]:
    """The nodes of user rows, in order (None stays None)."""
    return [None if row is None else UserNode._make(row) for row in rows]


def project_nodes(rows: list[ProjectRow | None]) -> list[ProjectNode | None]:
    """The nodes of project rows, in order (None stays None)."""
    return [None if row is None else ProjectNode._make(row) for row in rows]


def tag_node_lists(lists: list[list[TagRow]]) -> list[list[TagNode]]:
    """The nodes of lists of tag rows (a list per parent), in order."""
    return [[TagNode._make(row) for row in rows] for rows in lists]


def single(values: Sequence[A]) -> A:
    """The first of `values`: a batch resolver's answer for a single parent."""
    return values[0]


async def then(value: Awaitable[A], function: Callable[[A], B]) -> B:
    """`function` applied to what `value` (e.g. a dataloader's future) resolves to.

    Relation fields are plain functions that return this instead of `async def`
    resolvers: Strawberry then skips its coroutine wrapper, and each field awaits
    one coroutine instead of a chain of them (bench/README.md, "Where the time goes").
    """
    return function(await value)
