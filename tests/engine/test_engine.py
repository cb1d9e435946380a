"""The breadth-first engine on plain graphql-core schemas: same results as graphql-core,
one plan per document, one batch call per level, and explicit fallbacks.

The differential test over the application's schema and data is
tests/engine/test_differential.py; graphql-core's own execution suite runs against the
engine with bench/graphql_core_suite.py.
"""

import asyncio
from collections.abc import Awaitable
from inspect import isawaitable
from typing import Any

import pytest
from graphql import (
    DocumentNode,
    ExecutionResult,
    FragmentDefinitionNode,
    GraphQLArgument,
    GraphQLField,
    GraphQLInt,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLString,
    OperationDefinitionNode,
    build_schema,
    execute,
    parse,
)
from graphql.execution import Executor
from graphql.execution.collect_fields import FragmentDetails

from app.engine import BreadthFirstExecutor, FieldPlan, Kind
from app.engine import plan as plans


def run(
    schema: GraphQLSchema, document: DocumentNode, root: Any = None, **kwargs: Any
) -> ExecutionResult:
    """`execute()`'s result, awaited when it is awaitable."""
    result = execute(schema, document, root, **kwargs)
    if isawaitable(result):
        result = asyncio.run(_wait(result))
    assert isinstance(result, ExecutionResult)
    return result


async def _wait(result: Awaitable[ExecutionResult]) -> ExecutionResult:
    return await result


def both(schema: GraphQLSchema, source: str, root: Any = None, **kwargs: Any) -> ExecutionResult:
    """The engine's result, after checking that graphql-core's is the same."""
    document = parse(source)
    expected = run(schema, document, root, **kwargs)
    got = run(schema, document, root, executor_class=BreadthFirstExecutor, **kwargs)
    assert got == expected
    assert [e.formatted for e in got.errors or ()] == [e.formatted for e in expected.errors or ()]
    return got


SCHEMA = build_schema("""
    type Query { items: [Item!], item: Item, strict: Item!, number: Int!, maybe: [Item] }
    type Item { name: String, size: Int!, child: Item, children: [Item!]!, fails: String }
""")


class Item:
    def __init__(self, name: str | None, size: Any = 1, depth: int = 0) -> None:
        self.name, self.size = name, size
        self.child = Item(f"{name}.child", depth=depth + 1) if depth < 2 else None
        self.children = [Item(f"{name}.{i}", depth=3) for i in range(2)] if depth < 1 else []

    @property
    def fails(self) -> str:
        raise ValueError(f"{self.name} fails")


def test_attributes_lists_and_nesting_match_graphql_core() -> None:
    root = {"items": [Item("a"), Item("b")], "item": Item("c"), "number": 7}
    got = both(
        SCHEMA,
        "{ items { name size child { name child { name } } children { name } } "
        "item { __typename n: name } number }",
        root,
    )
    assert got.data is not None
    assert got.data["items"][1]["child"]["child"] == {"name": "b.child.child"}


def test_field_errors_and_null_propagation_match_graphql_core() -> None:
    root = {
        "items": [Item("a"), Item("b", size=None)],  # size is Int!: the whole list is null
        "item": Item("c"),
        "maybe": [Item("d", size=None), Item("e")],  # [Item]: only the item is null
        "strict": Item("f", size=None),  # Item!: the error reaches the root
    }
    both(SCHEMA, "{ items { size } item { fails name } maybe { name size } }", root)
    got = both(SCHEMA, "{ item { name } strict { size } }", root)
    assert got.data is None
    both(SCHEMA, "{ item { size: fails } }", {"item": Item("g")})
    both(SCHEMA, "{ number }", {"number": "not a number"})
    both(SCHEMA, "{ items { name } }", {"items": 3})


def test_async_resolvers_match_graphql_core() -> None:
    async def item(_root: Any, _info: Any) -> Item:
        await asyncio.sleep(0)
        return Item("async")

    async def fails(_root: Any, _info: Any) -> str:
        raise ValueError("async failure")

    schema = build_schema("type Query { item: Item, other: Item } type Item { name: String }")
    schema.query_type.fields["item"].resolve = item  # type: ignore[union-attr]
    schema.query_type.fields["other"].resolve = fails  # type: ignore[union-attr]
    both(schema, "{ item { name } other { name } }")


def counting_schema(calls: list[int]) -> GraphQLSchema:
    """`Node.next` has a batch resolver that records how many parents each call got."""

    def batch(sources: list[int], _info: Any, arguments: dict[str, Any]) -> list[Any]:
        calls.append(len(sources))
        return [
            source + arguments["by"] if source < 30 else ValueError("too far") for source in sources
        ]

    node = GraphQLObjectType(
        "Node",
        lambda: {
            "value": GraphQLField(GraphQLInt, resolve=lambda source, _info: source),
            "next": GraphQLField(
                node,
                args={"by": GraphQLArgument(GraphQLInt, default_value=1)},
                extensions={"batch": batch},
            ),
        },
    )
    query = GraphQLObjectType(
        "Query",
        {
            "nodes": GraphQLField(
                GraphQLList(GraphQLNonNull(node)), resolve=lambda *_: list(range(10))
            )
        },
    )
    return GraphQLSchema(query)


class ExtensionBatches(BreadthFirstExecutor):
    """Batch resolvers from `GraphQLField.extensions["batch"]`."""

    def choose(self, field: FieldPlan) -> None:
        batch = field.definition.extensions.get("batch")
        if batch is None:
            super().choose(field)
        else:
            field.kind, field.batch = Kind.BATCH, batch


def test_a_batch_resolver_is_called_once_per_level_with_every_parent() -> None:
    calls: list[int] = []
    schema = counting_schema(calls)
    document = parse("{ nodes { value next { value next(by: 10) { value } } } }")
    result = run(schema, document, executor_class=ExtensionBatches)
    assert calls == [10, 10]
    assert result.errors is None
    assert result.data is not None
    assert result.data["nodes"][9] == {"value": 9, "next": {"value": 10, "next": {"value": 20}}}


def test_a_batch_error_is_the_field_error_of_its_parent_only() -> None:
    calls: list[int] = []
    schema = counting_schema(calls)
    result = run(
        schema,
        parse("{ nodes { next(by: 25) { value next(by: 5) { value } } } }"),
        executor_class=ExtensionBatches,
    )
    assert result.data is not None
    nexts = [node["next"] for node in result.data["nodes"]]
    assert nexts[4] == {"value": 29, "next": {"value": 34}}
    assert nexts[5] == {"value": 30, "next": None}
    assert [e.path for e in result.errors or ()] == [
        ["nodes", i, "next", "next"] for i in range(5, 10)
    ]


def test_plans_are_made_once_per_document_and_condition_values(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    made: list[object] = []
    root = plans.Planner.root

    def counted(self: plans.Planner, root_type: GraphQLObjectType) -> plans.ObjectPlan:
        made.append(root_type)
        return root(self, root_type)

    monkeypatch.setattr(plans.Planner, "root", counted)
    document = parse("query($x: Boolean!) { number item @include(if: $x) { name } }")
    for x in (True, True, False, False, True):
        result = run(
            SCHEMA,
            document,
            {"number": 1, "item": Item("i")},
            variable_values={"x": x},
            executor_class=BreadthFirstExecutor,
        )
        assert result.data == ({"number": 1, "item": {"name": "i"}} if x else {"number": 1})
    assert len(made) == 2


@pytest.mark.parametrize(
    "source",
    [
        "mutation { number }",
        "{ __schema { queryType { name } } number }",
        '{ number item { ... on Item { __type(name: "Item") { name } } } }',
    ],
)
def test_what_it_does_not_plan_runs_on_graphql_core(
    monkeypatch: pytest.MonkeyPatch, source: str
) -> None:
    schema = build_schema(
        "type Query { number: Int, item: Item } type Mutation { number: Int } "
        "type Item { name: String }"
    )
    ran: list[str] = []
    original = Executor.execute_operation

    def graphql_core(self: Executor[Any], serially: bool | None = None) -> Any:
        ran.append("graphql-core")
        return original(self, serially)

    monkeypatch.setattr(Executor, "execute_operation", graphql_core)
    result = run(
        schema,
        parse(source),
        {"number": 2, "item": {"name": "x"}},
        executor_class=BreadthFirstExecutor,
    )
    assert ran == ["graphql-core"]
    assert result.errors is None


def test_an_awaitable_it_cannot_plan_for_reruns_on_graphql_core() -> None:
    async def is_item(_value: Any, _info: Any) -> bool:
        return True

    schema = build_schema("type Query { item: Item } type Item { name: String }")
    schema.get_type("Item").is_type_of = is_item  # type: ignore[union-attr]
    got = both(schema, "{ item { name } }", {"item": {"name": "x"}})
    assert got.data == {"item": {"name": "x"}}


def test_a_field_of_a_non_null_list_of_non_null_items_nulls_the_parent() -> None:
    schema = GraphQLSchema(
        GraphQLObjectType(
            "Query",
            {
                "rows": GraphQLField(GraphQLNonNull(GraphQLList(GraphQLNonNull(GraphQLString)))),
                "other": GraphQLField(GraphQLString),
            },
        )
    )
    got = both(schema, "{ other rows }", {"rows": ["a", None, "c"], "other": "o"})
    assert got.data is None


@pytest.mark.parametrize(
    ("source", "planned"),
    [
        ("{ a @skip(if: $x) b { ...F } } fragment F on B { c @include(if: $y) }", ("x", "y")),
        ("{ a ... @defer { b } }", None),
        ("{ a @stream(initialCount: 1) }", None),
        ("query @experimental_disableErrorPropagation { a }", None),
        ("subscription { a }", None),
    ],
)
def test_what_it_plans(source: str, planned: tuple[str, ...] | None) -> None:
    document = parse(source)
    operation, *definitions = document.definitions
    assert isinstance(operation, OperationDefinitionNode)
    fragments = {
        d.name.value: FragmentDetails(d)
        for d in definitions
        if isinstance(d, FragmentDefinitionNode)
    }
    assert plans.plannable(operation, fragments) == planned
