"""Generated documents as a client sends them: arguments inline, or moved into variables.

Inline literals go through the GraphQL parser; the same values as JSON
variables go through variable coercion instead (where a lone surrogate or an
Int out of range arrives unchecked by the lexer), so both paths are fuzzed.
"""

from collections.abc import Callable, Sequence
from typing import Any

import graphql
from graphql import (
    ArgumentNode,
    DocumentNode,
    GraphQLSchema,
    NameNode,
    OperationDefinitionNode,
    TypeInfo,
    TypeInfoVisitor,
    VariableDefinitionNode,
    VariableNode,
    Visitor,
    parse_type,
    value_from_ast_untyped,
    visit,
)
from hypothesis import strategies as st


class _Hoist(Visitor):
    """Replaces each argument's value with a new variable `$vN` of the argument's type."""

    def __init__(self, type_info: TypeInfo) -> None:
        super().__init__()
        self.type_info = type_info
        self.variables: dict[str, Any] = {}
        self.definitions: list[VariableDefinitionNode] = []

    def enter_argument(self, node: ArgumentNode, *_args: object) -> ArgumentNode:
        argument = self.type_info.get_argument()
        assert argument is not None, node.name.value
        name = f"v{len(self.variables)}"
        self.variables[name] = value_from_ast_untyped(node.value)
        variable = VariableNode(name=NameNode(value=name))
        self.definitions.append(
            VariableDefinitionNode(variable=variable, type=parse_type(str(argument.type)))
        )
        return ArgumentNode(name=node.name, value=variable)


def with_variables(schema: GraphQLSchema, document: DocumentNode) -> tuple[str, dict[str, Any]]:
    """`document` (one operation) printed with every argument value moved into a variable,
    and those variables' values as JSON-ready Python values."""
    type_info = TypeInfo(schema)
    hoist = _Hoist(type_info)
    hoisted = visit(document, TypeInfoVisitor(type_info, hoist))
    (operation,) = hoisted.definitions
    assert isinstance(operation, OperationDefinitionNode)
    operation = OperationDefinitionNode(
        operation=operation.operation,
        name=operation.name,
        variable_definitions=tuple(hoist.definitions),
        directives=operation.directives,
        selection_set=operation.selection_set,
    )
    return graphql.print_ast(DocumentNode(definitions=(operation,))), hoist.variables


WORLD_ID = "@world:"
"""Prefix of the placeholder ids `tests.fuzz.values` draws; `aimed` makes each one the id
of a seeded row of the type its argument expects."""
CURSORS = {"after", "before"}
BACKWARD = {"last", "before"}
FORWARD = {"first", "after"}


def _expected_type(name: str, field: str) -> str | None:
    """The node type an ID named `name` (an argument of, or input field under, root or
    nested `field`) stands for, from the names of API.md's schema; None when any type fits."""
    if name in ("id", "ids"):
        name = field
    for kind in ("Task", "Tag", "Project", "User"):
        if kind.lower() in name.lower():
            return kind
    if name in ("assigneeId", "userId", "me"):
        return "User"
    return None


# The list each paged field returns, and its default order (API.md; app/resolvers).
DEFAULT_ORDERS = {
    "tasks": ("Task", "CREATED_AT", "DESC"),
    "projects": ("Project", "CREATED_AT", "DESC"),
    "members": ("ProjectMember", "ADDED_AT", "ASC"),
    "tags": ("Tag", "NAME", "ASC"),
}


def _order_name(field: str, arguments: Sequence[ArgumentNode]) -> str:
    """The order name that cursors of `field` carry, e.g. `Task:CREATED_AT:DESC`, from its
    `orderBy` literal or the default."""
    kind, order, direction = DEFAULT_ORDERS.get(field, ("", "", ""))
    for argument in arguments:
        if argument.name.value == "orderBy" and isinstance(argument.value, graphql.ObjectValueNode):
            for item in argument.value.fields:
                if isinstance(item.value, graphql.EnumValueNode):
                    if item.name.value == "field":
                        order = item.value.value
                    else:
                        direction = item.value.value
    return f"{kind}:{order}:{direction}"


class _Aim(Visitor):
    def __init__(
        self,
        draw: Any,
        ids: dict[str | None, list[str]],
        cursors: Callable[[str], st.SearchStrategy[str]],
    ) -> None:
        super().__init__()
        self.draw, self.ids, self.cursors = draw, ids, cursors
        self.fields: list[str] = []
        self.orders: list[str] = []
        self.names: list[str] = []

    def enter_field(self, node: graphql.FieldNode, *_args: object) -> graphql.FieldNode | None:
        self.fields.append(node.name.value)
        arguments = node.arguments or ()
        self.orders.append(_order_name(node.name.value, arguments))
        names = {argument.name.value for argument in arguments}
        if names & BACKWARD and names & FORWARD:  # mostly one direction: both is an error
            drop = FORWARD if self.draw(st.integers(0, 3)) == 0 else BACKWARD
            kept = tuple(a for a in arguments if a.name.value not in drop)
            return graphql.FieldNode(
                alias=node.alias,
                name=node.name,
                arguments=kept,
                directives=node.directives,
                selection_set=node.selection_set,
            )
        return None

    def leave_field(self, *_args: object) -> None:
        self.fields.pop()
        self.orders.pop()

    def enter_argument(self, node: ArgumentNode, *_args: object) -> ArgumentNode | None:
        self.names.append(node.name.value)
        if node.name.value in CURSORS and self.draw(st.booleans()):
            cursor = graphql.StringValueNode(value=self.draw(self.cursors(self.orders[-1])))
            return ArgumentNode(name=node.name, value=cursor)
        return None

    def enter_object_field(self, node: graphql.ObjectFieldNode, *_args: object) -> None:
        self.names.append(node.name.value)

    def leave_argument(self, *_args: object) -> None:
        self.names.pop()

    def leave_object_field(self, *_args: object) -> None:
        self.names.pop()

    def enter_string_value(
        self, node: graphql.StringValueNode, *_args: object
    ) -> graphql.StringValueNode | None:
        if not node.value.startswith(WORLD_ID):
            return None
        candidates = self.ids[_expected_type(self.names[-1], self.fields[-1])]
        index = int(node.value.removeprefix(WORLD_ID))
        return graphql.StringValueNode(value=candidates[index % len(candidates)])


@st.composite
def aimed(
    draw: st.DrawFn,
    documents: st.SearchStrategy[DocumentNode],
    ids: dict[str | None, list[str]],
    cursors: Callable[[str], st.SearchStrategy[str]],
) -> DocumentNode:
    """A document of `documents` with its placeholder ids made real ids of the expected type
    (`ids` by type name, None for all), half its `after`/`before` values drawn from
    `cursors(order name)` for the field's order (so that they get past the order check),
    and most fields paged in one direction only."""
    document = draw(documents)
    result: DocumentNode = visit(document, _Aim(draw, ids, cursors))
    return result
