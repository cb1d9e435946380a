"""The cost of an operation, computed from the document before it runs (API.md "Limits").

Like GitHub's GraphQL node limit, the cost is the most objects the response can
hold, counted from the document, the schema's types and the variables:

- every object (a value of an object, interface or union type) costs 1;
  scalars and enums cost nothing; every operation costs at least 1;
- a list of objects counts each of its items, and everything selected inside
  an item counts once per item:
  - `edges` and `nodes` of a connection (a field with `first`/`last`) hold as
    many items as its `first` or `last` (the larger when both are given; 20
    when neither), taken between 0 and 100 as the resolvers do (they refuse
    other values with `BAD_USER_INPUT`);
  - a list field with a list argument (`nodes(ids:)`) holds one item per
    element of that argument;
  - any other list (`Task.tags`) counts as 20 items;
- introspection (`__schema`, `__type`) counts exactly the objects it gives,
  since the schema is in memory;
- named and inline fragments are expanded, `@skip`/`@include` are honoured, and
  fields with one response key are merged, exactly as execution does; a field
  of an interface or union type costs as much as its dearest possible type.

For example `{ tasks(first: 50) { nodes { title tags { name } project { name } } } }`
costs 1 (the connection) + 50 (tasks) + 50 x 20 (tags) + 50 (projects) = 1,101.

`app.extensions.admission.QueryCost` refuses an operation over `MAX_QUERY_COST`
with `COST_LIMIT_EXCEEDED`, then charges the rate limits, all before any resolver
runs, and reports the cost in `extensions.cost`.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any, cast

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLCompositeType,
    GraphQLField,
    GraphQLIncludeDirective,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLResolveInfo,
    GraphQLSchema,
    GraphQLSkipDirective,
    GraphQLUnionType,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionNode,
    SelectionSetNode,
    get_named_type,
    get_nullable_type,
    is_composite_type,
    is_list_type,
)
from graphql.execution.values import (
    VariableValues,
    get_argument_values,
    get_directive_values,
    get_variable_values,
)
from graphql.type.introspection import SchemaMetaFieldDef, TypeMetaFieldDef
from graphql.utilities import get_operation_ast

from app import rules
from app.db.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE

DEFAULT_LIST_SIZE = 20
"""Items counted for a list that is neither a connection's page nor sized by an argument."""

AUTH_FIELDS: dict[str, tuple[str, ...] | None] = {
    "signup": ("input", "email"),
    "login": ("input", "email"),
    "refreshToken": None,
    "requestPasswordReset": ("email",),
    "resetPassword": None,
}
"""Root mutation fields counted as auth attempts (API.md "Limits"), with the path of
the email among their arguments (None: counted per client IP only). A name the
schema does not have yet is simply never seen."""

Fields = dict[str, list[FieldNode]]


def _page_size(arguments: dict[str, Any]) -> int:
    sizes = [arguments[name] for name in ("first", "last") if arguments.get(name) is not None]
    size = max(sizes) if sizes else DEFAULT_PAGE_SIZE
    return min(max(size, 0), MAX_PAGE_SIZE)


def _member(value: object, name: str) -> object:
    """`value[name]` of a coerced input: a dict, or the input class Strawberry builds."""
    return value.get(name) if isinstance(value, dict) else getattr(value, name, None)


@dataclass
class Analysis:
    """What the rate limits need to know of an operation before it runs."""

    cost: int
    auth_attempts: list[str | None] = field(default_factory=list)
    """One entry per auth field occurrence: the normalised email it names, or None."""


class _Walk:
    """One walk over an operation with its coerced variables (see the module docstring)."""

    def __init__(
        self, schema: GraphQLSchema, document: DocumentNode, variables: VariableValues
    ) -> None:
        self.schema = schema
        self.variables = variables
        self.fragments = {
            definition.name.value: definition
            for definition in document.definitions
            if isinstance(definition, FragmentDefinitionNode)
        }
        self.info = cast("GraphQLResolveInfo[Any]", SimpleNamespace(schema=schema))
        """What graphql-core's introspection resolvers read of `info`: the schema."""
        self.introspected: dict[tuple[int, str, tuple[int, ...]], tuple[object, int]] = {}

    def _included(self, node: SelectionNode) -> bool:
        skip = get_directive_values(GraphQLSkipDirective, node, self.variables)
        include = get_directive_values(GraphQLIncludeDirective, node, self.variables)
        return not (skip and skip["if"]) and not (include and not include["if"])

    def _applies(self, condition: str | None, object_type: GraphQLObjectType) -> bool:
        if condition is None:
            return True
        named = self.schema.get_type(condition)
        return named is object_type or (
            isinstance(named, GraphQLInterfaceType | GraphQLUnionType)
            and self.schema.is_sub_type(named, object_type)
        )

    def collect(
        self, selection_sets: Iterable[SelectionSetNode], object_type: GraphQLObjectType
    ) -> Fields:
        """The fields selected on an object of `object_type`, by response key."""
        fields: Fields = {}
        visited: set[str] = set()

        def visit(selection_set: SelectionSetNode) -> None:
            for selection in selection_set.selections:
                if not self._included(selection):
                    continue
                if isinstance(selection, FieldNode):
                    key = (selection.alias or selection.name).value
                    fields.setdefault(key, []).append(selection)
                elif isinstance(selection, InlineFragmentNode):
                    condition = selection.type_condition
                    if self._applies(condition.name.value if condition else None, object_type):
                        visit(selection.selection_set)
                elif isinstance(selection, FragmentSpreadNode):
                    name = selection.name.value
                    fragment = self.fragments.get(name)
                    if fragment is None or name in visited:
                        continue
                    visited.add(name)
                    if self._applies(fragment.type_condition.name.value, object_type):
                        visit(fragment.selection_set)

        for selection_set in selection_sets:
            visit(selection_set)
        return fields

    def _field(self, object_type: GraphQLObjectType, name: str) -> GraphQLField | None:
        if object_type is self.schema.query_type and name in ("__schema", "__type"):
            return SchemaMetaFieldDef if name == "__schema" else TypeMetaFieldDef
        field: GraphQLField | None = object_type.fields.get(name)
        return field

    @staticmethod
    def _list_size(arguments: dict[str, Any], page: int | None) -> int:
        if page is not None:
            return page
        sized_by = [len(value) for value in arguments.values() if isinstance(value, list)]
        if sized_by:
            return sized_by[0]
        return DEFAULT_LIST_SIZE

    def objects(
        self, named: GraphQLCompositeType, nodes: list[FieldNode], count: int, page: int | None
    ) -> int:
        """Cost of `count` objects of type `named` with the selections of `nodes`
        (`page` as in `fields`)."""
        if count == 0:
            return 0
        possible = (
            [named]
            if isinstance(named, GraphQLObjectType)
            else self.schema.get_possible_types(named)
        )
        selection_sets = [node.selection_set for node in nodes if node.selection_set]
        inner = max(
            (self.fields(self.collect(selection_sets, t), t, count, page) for t in possible),
            default=0,
        )
        return count + inner

    def fields(
        self, fields: Fields, object_type: GraphQLObjectType, count: int, page: int | None
    ) -> int:
        """Cost of `fields` selected on `count` objects of `object_type`; `page` is the
        page size when `object_type` is a connection's."""
        total = 0
        for nodes in fields.values():
            name = nodes[0].name.value
            definition = self._field(object_type, name)
            if definition is None:
                continue
            named = get_named_type(definition.type)
            if not is_composite_type(named):
                continue
            arguments = get_argument_values(definition, nodes[0], self.variables)
            if name in ("__schema", "__type"):
                total += count * self._introspection(None, definition, nodes, arguments)
                continue
            items = count
            if is_list_type(get_nullable_type(definition.type)):
                items = count * self._list_size(arguments, page)
            connection = "first" in definition.args or "last" in definition.args
            child_page = _page_size(arguments) if connection else None
            total += self.objects(named, nodes, items, child_page)
        return total

    def _introspection(
        self,
        source: object,
        definition: GraphQLField,
        nodes: list[FieldNode],
        arguments: dict[str, Any],
    ) -> int:
        """The exact number of objects introspection gives for the field `definition` of
        `source`, found with graphql-core's own introspection resolvers (schema data in
        memory; graphql-core's MaxIntrospectionDepthRule bounds the nesting)."""
        assert definition.resolve is not None  # every introspection field has one
        value = definition.resolve(source, self.info, **arguments)
        if value is None:
            return 0
        items = list(value) if is_list_type(get_nullable_type(definition.type)) else [value]
        named = get_named_type(definition.type)
        assert isinstance(named, GraphQLObjectType)  # introspection types are object types
        return sum(1 + self._introspected_object(item, named, nodes) for item in items)

    def _introspected_object(
        self, source: object, object_type: GraphQLObjectType, nodes: list[FieldNode]
    ) -> int:
        """Objects below one introspection object for the selections of `nodes`, once per
        object and selection (the value keeps `source` alive, so its id stays its own)."""
        key = (id(source), object_type.name, tuple(id(node) for node in nodes))
        if key not in self.introspected:
            selection_sets = [node.selection_set for node in nodes if node.selection_set]
            total = 0
            for field_nodes in self.collect(selection_sets, object_type).values():
                definition = object_type.fields.get(field_nodes[0].name.value)
                if definition is None or not is_composite_type(get_named_type(definition.type)):
                    continue
                arguments = get_argument_values(definition, field_nodes[0], self.variables)
                total += self._introspection(source, definition, field_nodes, arguments)
            self.introspected[key] = (source, total)
        return self.introspected[key][1]

    def auth_attempts(self, fields: Fields) -> list[str | None]:
        """The emails named by the auth fields among the root `fields`, one per occurrence."""
        attempts: list[str | None] = []
        mutation = self.schema.mutation_type
        for nodes in fields.values():
            name = nodes[0].name.value
            if mutation is None or name not in AUTH_FIELDS or name not in mutation.fields:
                continue
            path = AUTH_FIELDS[name]
            value: object = get_argument_values(mutation.fields[name], nodes[0], self.variables)
            for step in path or ():
                value = _member(value, step)
            if isinstance(value, str):
                attempts.append(rules.normalised_email(value) or value.strip().lower())
            else:
                attempts.append(None)
        return attempts


def analyse(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: dict[str, Any] | None,
) -> Analysis | None:
    """The cost and auth attempts of the operation `operation_name` of a valid `document`.

    None when the operation cannot be chosen or its variables do not coerce:
    execution then refuses it before any resolver runs.
    """
    operation = get_operation_ast(document, operation_name)
    if not isinstance(operation, OperationDefinitionNode):
        return None
    root = schema.get_root_type(operation.operation)
    coerced = get_variable_values(schema, operation.variable_definitions or (), variables or {})
    if root is None or isinstance(coerced, list):
        return None
    walk = _Walk(schema, document, coerced)
    fields = walk.collect([operation.selection_set], root)
    return Analysis(
        cost=max(1, walk.fields(fields, root, 1, None)),
        auth_attempts=walk.auth_attempts(fields) if root is schema.mutation_type else [],
    )
