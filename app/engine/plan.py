"""Execution plans: what each selection set of an operation resolves, worked out once.

A plan is the operation's field collection (graphql-core's `collect_fields`, fragments
merged, `@skip`/`@include` applied) frozen into a tree of `ObjectPlan`s and
`FieldPlan`s, with each field's way of resolving (`Kind`) and of completing its value
(`Completion`) chosen in advance. It depends on the schema, the operation and the
values of the variables that `@skip`/`@include` read, and on nothing else, so
`PlanCache` keeps it for the next request with the same document.
"""

from collections import OrderedDict
from collections.abc import Callable
from enum import IntEnum
from typing import Any, NamedTuple

from graphql import (
    GraphQLField,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
)
from graphql.execution.collect_fields import (
    FieldDetails,
    FragmentDetails,
    collect_fields,
    collect_subfields,
)
from graphql.execution.values import VariableValues
from graphql.language import DirectiveNode, FieldNode, Node, VariableNode
from graphql.type import (
    GraphQLBoolean,
    GraphQLID,
    GraphQLInt,
    GraphQLNonNull,
    GraphQLString,
    is_abstract_type,
    is_leaf_type,
    is_list_type,
    is_non_null_type,
)

BatchResolver = Callable[[list[Any], Any, dict[str, Any]], Any]
"""`(sources, info, arguments) -> results` for one field and all its parent objects of a
level: `results` (or an awaitable of it) is a sequence with one value per source, in
order; a value that is an `Exception` is that parent's field error."""

INCREMENTAL_DIRECTIVES = frozenset({"defer", "stream"})
CONDITION_DIRECTIVES = frozenset({"skip", "include"})
INT_MIN, INT_MAX = -(2**31), 2**31 - 1


class Kind(IntEnum):
    """How a field gets its value."""

    ATTRIBUTE = 0  # an attribute of the parent object, read in a loop
    BATCH = 1  # a batch resolver, called once per level with every parent
    RESOLVE = 2  # the field's own resolver, called once per parent object
    TYPENAME = 3  # `__typename`
    DEFAULT = 4  # graphql-core's default resolver: a mapping key or an attribute


class Shape(IntEnum):
    """What completing a value means (GraphQL spec, "Value Completion")."""

    LEAF = 0
    LIST = 1
    OBJECT = 2
    ABSTRACT = 3


class Completion:
    """How to complete a value of one output type; `item` for lists, `objects` maps the
    runtime object types a value may have to their plans (one entry unless abstract)."""

    __slots__ = ("abstract", "item", "non_null", "objects", "serialize", "shape", "type")

    def __init__(self, output_type: GraphQLOutputType) -> None:
        self.non_null = is_non_null_type(output_type)
        named = output_type.of_type if isinstance(output_type, GraphQLNonNull) else output_type
        self.type: Any = named
        self.item: Completion | None = None
        self.objects: dict[str, ObjectPlan] = {}
        self.abstract: Any = None
        self.serialize: Callable[[Any], Any] | None = None
        if is_list_type(named):
            self.shape = Shape.LIST
        elif is_leaf_type(named):
            self.shape = Shape.LEAF
            self.serialize = named.coerce_output_value
        elif is_abstract_type(named):
            self.shape = Shape.ABSTRACT
            self.abstract = named
        else:
            self.shape = Shape.OBJECT


class FieldPlan:
    """One response key of a selection set: its field, how it resolves and completes.

    `serialize` is the serialiser of a field whose type is a leaf (else None).
    `arguments` is `{}` for a field without arguments, else None: they are coerced once
    per execution (graphql-core's `get_argument_values`), not once per object.
    """

    __slots__ = (
        "arguments",
        "attribute",
        "batch",
        "completion",
        "definition",
        "details",
        "key",
        "kind",
        "name",
        "nodes",
        "parent_type",
        "resolve",
        "serialize",
    )

    def __init__(
        self,
        key: str,
        parent_type: GraphQLObjectType,
        definition: GraphQLField,
        details: list[FieldDetails],
    ) -> None:
        self.key = key
        self.parent_type = parent_type
        self.definition = definition
        self.details = details
        self.nodes: list[FieldNode] = [detail.node for detail in details]
        self.name = self.nodes[0].name.value
        self.kind = Kind.DEFAULT
        self.attribute: str | None = None
        self.batch: BatchResolver | None = None
        self.resolve: Callable[..., Any] | None = definition.resolve
        self.arguments: dict[str, Any] | None = (
            None if definition.args or self.nodes[0].arguments else {}
        )
        self.completion = _completion(definition.type)
        self.serialize: Callable[[Any], Any] | None = None


class ObjectPlan:
    """The fields to execute on an object of `type`, in response order."""

    __slots__ = ("fields", "type")

    def __init__(self, object_type: GraphQLObjectType, fields: list[FieldPlan]) -> None:
        self.type = object_type
        self.fields = fields


def _completion(output_type: GraphQLOutputType) -> Completion:
    completion = Completion(output_type)
    if completion.shape == Shape.LIST:
        completion.item = _completion(completion.type.of_type)
    return completion


def leaf_serializer(leaf_type: Any) -> Callable[[Any], Any]:
    """The output coercion of a leaf type, with the common exact-type cases answered first
    (the same results as `coerce_output_value`, which handles the rest)."""
    coerce: Callable[[Any], Any] = leaf_type.coerce_output_value
    if leaf_type is GraphQLString or leaf_type is GraphQLID:
        return lambda value: value if type(value) is str else coerce(value)
    if leaf_type is GraphQLBoolean:
        return lambda value: value if type(value) is bool else coerce(value)
    if leaf_type is GraphQLInt:
        return lambda value: (
            value if type(value) is int and INT_MIN <= value <= INT_MAX else coerce(value)
        )
    return coerce


class Planner:
    """Builds the plan of one operation for one set of `@skip`/`@include` values.

    `choose(field_plan)` sets a field's `kind` (and `attribute`, `batch`) beyond the
    defaults: it is the executor's hook for resolvers it can batch or skip.
    """

    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: dict[str, FragmentDetails],
        variable_values: VariableValues,
        operation: OperationDefinitionNode,
        choose: Callable[[FieldPlan], None],
    ) -> None:
        self._schema = schema
        self._fragments = fragments
        self._variables = variable_values
        self._operation = operation
        self._choose = choose

    def root(self, root_type: GraphQLObjectType) -> ObjectPlan:
        """The plan of the operation's root selection set."""
        grouped, _defers, _forbidden = collect_fields(
            self._schema, self._fragments, self._variables, root_type, self._operation
        )
        return self._object(root_type, grouped)

    def _object(
        self, object_type: GraphQLObjectType, grouped: dict[str, list[FieldDetails]]
    ) -> ObjectPlan:
        fields = []
        for key, details in grouped.items():
            name = details[0].node.name.value
            definition = self._schema.get_field(object_type, name)
            if definition is None:
                continue  # like graphql-core: an unknown field is left out
            plan = FieldPlan(key, object_type, definition, details)
            if name == "__typename":
                plan.kind = Kind.TYPENAME
            else:
                self._choose(plan)
            self._sub_plans(plan.completion, details)
            if plan.completion.shape == Shape.LEAF:
                plan.serialize = plan.completion.serialize
            fields.append(plan)
        return ObjectPlan(object_type, fields)

    def _sub_plans(self, completion: Completion, details: list[FieldDetails]) -> None:
        if completion.shape == Shape.LIST:
            assert completion.item is not None
            self._sub_plans(completion.item, details)
        elif completion.shape == Shape.LEAF:
            completion.serialize = leaf_serializer(completion.type)
        else:
            types = (
                self._schema.get_possible_types(completion.abstract)
                if completion.shape == Shape.ABSTRACT
                else [completion.type]
            )
            for object_type in types:
                grouped, _defers, _forbidden = collect_subfields(
                    self._schema,
                    self._fragments,
                    self._variables,
                    self._operation,
                    object_type,
                    details,
                )
                completion.objects[object_type.name] = self._object(object_type, grouped)


def plannable(
    operation: OperationDefinitionNode, fragments: dict[str, FragmentDetails]
) -> tuple[str, ...] | None:
    """The names of the variables that `@skip`/`@include` read in the operation, or None
    when the engine does not plan it: anything but a query, `@defer`/`@stream`,
    `@experimental_disableErrorPropagation`, fragment variables, introspection."""
    if operation.operation != OperationType.QUERY:
        return None
    if any(fragment.variable_signatures for fragment in fragments.values()):
        return None
    names: set[str] = set()
    stack: list[Node] = [operation, *(fragment.definition for fragment in fragments.values())]
    while stack:
        node = stack.pop()
        if isinstance(node, DirectiveNode):
            name = node.name.value
            if name in CONDITION_DIRECTIVES:
                names.update(
                    argument.value.name.value
                    for argument in node.arguments or ()
                    if isinstance(argument.value, VariableNode)
                )
            elif name in INCREMENTAL_DIRECTIVES or name.startswith("experimental_"):
                return None
        elif isinstance(node, FieldNode) and node.name.value in ("__schema", "__type"):
            return None
        for key in node.keys:
            value = getattr(node, key, None)
            if isinstance(value, Node):
                stack.append(value)
            elif isinstance(value, tuple | list):
                stack.extend(item for item in value if isinstance(item, Node))
    return tuple(sorted(names))


class CachedOperation(NamedTuple):
    owner: tuple[Any, ...]
    condition_variables: tuple[str, ...] | None
    plans: dict[tuple[Any, ...], ObjectPlan]


class PlanCache:
    """Plans by operation (a bounded LRU of `maxsize` operations) and by the values of
    the variables their `@skip`/`@include` read (at most `MAX_CONDITION_SETS` each).

    An operation is held with what else its plans depend on (its schema, the executor
    class, the field resolver), and matched by identity: Strawberry's parser cache hands
    out the same document for the same text, so a repeated request finds its plan.
    """

    MAX_CONDITION_SETS = 16

    def __init__(self, maxsize: int) -> None:
        self._maxsize = maxsize
        self._entries: OrderedDict[tuple[int, ...], CachedOperation] = OrderedDict()

    def entry(
        self, owner: tuple[Any, ...], fragments: dict[str, FragmentDetails]
    ) -> CachedOperation:
        """The cache entry of `owner` (schema, operation, executor class, field resolver),
        made when missing (evicting the least recently used)."""
        key = tuple(id(item) for item in owner)
        entry = self._entries.get(key)
        if entry is not None and all(a is b for a, b in zip(entry.owner, owner, strict=True)):
            self._entries.move_to_end(key)
            return entry
        entry = CachedOperation(owner, plannable(owner[1], fragments), {})
        self._entries[key] = entry
        if len(self._entries) > self._maxsize:
            self._entries.popitem(last=False)
        return entry

    @classmethod
    def remember(
        cls, entry: CachedOperation, conditions: tuple[Any, ...], plan: ObjectPlan
    ) -> None:
        """Keep `plan` for `conditions` (the `@skip`/`@include` variables' values)."""
        if len(entry.plans) >= cls.MAX_CONDITION_SETS:
            entry.plans.clear()
        entry.plans[conditions] = plan
