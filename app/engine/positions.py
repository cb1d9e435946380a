"""Where a value sits in the response being built, for errors and their propagation."""

from typing import Any

from graphql.pyutils import Path


class Position:
    """The place of a list or object value: `container[key]`, under `parent`.

    `key` is a response key (a field of the object at `parent`, whose type is named
    `typename`) or a list index; `nullable` says whether an error may null this place
    (GraphQL spec, "Handling Execution Errors"). The `Path` graphql-core reports is
    built only when an error or a resolver asks for it.
    """

    __slots__ = ("_path", "container", "key", "nullable", "parent", "typename")

    def __init__(
        self,
        parent: "Position | None",
        key: str | int,
        typename: str | None,
        container: Any,
        nullable: bool,
    ) -> None:
        self.parent = parent
        self.key = key
        self.typename = typename
        self.container = container
        self.nullable = nullable
        self._path: Path | None = None

    def path(self) -> Path:
        """graphql-core's `Path` of this place (built once)."""
        path = self._path
        if path is None:
            parent = self.parent
            path = self._path = Path(
                None if parent is None else parent.path(), self.key, self.typename
            )
        return path

    def owner(self) -> "Position | None":
        """The position of the object whose field holds this value (across list levels)."""
        position: Position = self
        while isinstance(position.key, int):
            assert position.parent is not None
            position = position.parent
        return position.parent
