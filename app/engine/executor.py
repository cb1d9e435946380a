"""`BreadthFirstExecutor`: graphql-core's executor, with queries executed level by level.

graphql-core completes a response depth-first: for every object it collects the
selection set, builds a `GraphQLResolveInfo` and a `Path`, coerces the arguments and
calls a resolver, field after field, about 4 µs per field before any resolver runs.
This executor plans the operation once (`app.engine.plan`) and then, for every object:

- reads attribute fields in a loop and serialises leaves with the serialiser chosen at
  planning;
- queues batch fields; once the level's synchronous work is done, calls each batch
  resolver once with all the parents queued for it, and awaits each level once;
- calls any other resolver per object, as graphql-core does (awaitables are awaited
  with the level).

What the response holds is graphql-core's, to the error: the synchronous work runs
depth-first in graphql-core's order, a field error is located and recorded, or raised
to the nearest nullable position, exactly as in `Executor.handle_field_error`, and
errors under a nulled position are dropped by graphql-core's own `CollectedErrors`.
Operations it does not plan run on graphql-core (see `plan.plannable`): mutations,
subscriptions, introspection, `@defer`/`@stream`, middleware, abort signals.
"""

from collections.abc import Awaitable, Sequence
from types import GeneratorType
from typing import Any, ClassVar, NamedTuple

from graphql import GraphQLError, GraphQLObjectType, GraphQLResolveInfo, located_error
from graphql.execution import Executor
from graphql.execution.executor import (
    CollectedErrors,
    default_field_resolver,
    invalid_return_type_error,
)
from graphql.execution.values import get_argument_values
from graphql.pyutils import AwaitableOrValue, Path, Undefined, inspect, is_iterable

from app.engine.levels import Unplanned, settle
from app.engine.plan import Completion, FieldPlan, Kind, ObjectPlan, PlanCache, Planner, Shape
from app.engine.positions import Position

Entry = tuple[Any, dict[str, Any], Position | None]  # (source, its response object, position)
# (awaitable, field, the response object of its parent, the parent's position)
Waiting = tuple[Awaitable[Any], FieldPlan, dict[str, Any], Position | None]


class Level(NamedTuple):
    """One level of work: batch fields with their entries, per-object awaitables, and
    what the batch calls returned followed by the awaitables (`values`)."""

    batches: dict[FieldPlan, list[Entry]]
    waiting: list[Waiting]
    values: list[Any]


class BreadthFirstExecutor(Executor[Any]):
    """An `Executor` for `graphql.execute(..., executor_class=...)` that plans queries and
    runs them breadth-first (see the module). Subclasses choose batch resolvers by
    overriding `choose()`."""

    plan_cache: ClassVar[PlanCache] = PlanCache(maxsize=512)

    def choose(self, field: FieldPlan) -> None:
        """Decide how `field` resolves, once per plan: here, graphql-core's rules (its own
        resolver, else the executor's field resolver); subclasses may set `Kind.BATCH`
        with `field.batch`, or `Kind.ATTRIBUTE` with `field.attribute`."""
        if field.resolve is not None:
            field.kind = Kind.RESOLVE
        elif self.field_resolver is default_field_resolver:
            field.kind = Kind.DEFAULT
        else:
            field.kind = Kind.RESOLVE
            field.resolve = self.field_resolver

    def execute_operation(self, serially: bool | None = None) -> AwaitableOrValue[Any]:
        """The operation's result (or an awaitable of it), breadth-first when it is planned,
        else by graphql-core's `execute_operation`."""
        plan = None if serially else self._plan()
        if plan is None:
            return super().execute_operation(serially)
        self._batches: dict[FieldPlan, list[Entry]] = {}
        self._waiting: list[Waiting] = []
        self._argument_values: dict[FieldPlan, dict[str, Any]] = {}
        self._shared_infos: dict[FieldPlan, GraphQLResolveInfo[Any]] = {}
        self._plain_types: set[type] = set()
        self._root_nulled = False
        data: dict[str, Any] = {}
        try:
            self._fields(plan, self.root_value, data, None)
        except GraphQLError as error:
            self.collected_errors.add(error, None)
            return self.build_response(None)
        except Unplanned:
            return self._on_graphql_core()
        try:
            while self._batches or self._waiting:
                level = self._start_level()
                if any(self.is_awaitable(value) for value in level.values):
                    return self._levels(data, level)
                self._finish_level(level, level.values)
        except Unplanned:
            return self._on_graphql_core()
        return self.build_response(None if self._root_nulled else data)

    def _on_graphql_core(self) -> AwaitableOrValue[Any]:
        """Start again on graphql-core, with nothing this run collected (`Unplanned`)."""
        self.collected_errors = CollectedErrors()
        return super().execute_operation()

    def _plan(self) -> ObjectPlan | None:
        middleware = self.middleware_manager
        if (
            self.abort_signal is not None
            or not self.error_propagation
            or (middleware is not None and middleware.middlewares)
            or self.schema.query_type is None
        ):
            return None
        entry = self.plan_cache.entry(
            (self.schema, self.operation, type(self), self.field_resolver), self.fragments
        )
        if entry.condition_variables is None:
            return None
        coerced = self.variable_values.coerced
        conditions = tuple(coerced.get(name) for name in entry.condition_variables)
        plan = entry.plans.get(conditions)
        if plan is None:
            planner = Planner(
                self.schema, self.fragments, self.variable_values, self.operation, self.choose
            )
            try:
                plan = planner.root(self.schema.query_type)
            except RecursionError:
                return None
            PlanCache.remember(entry, conditions, plan)
        return plan

    def _start_level(self) -> Level:
        """Take the queued work as the next level and call its batch resolvers."""
        batches, self._batches = self._batches, {}
        waiting, self._waiting = self._waiting, []
        self._shared_infos = {}
        calls = [self._call_batch(field, entries) for field, entries in batches.items()]
        return Level(batches, waiting, [*calls, *(item[0] for item in waiting)])

    def _finish_level(self, level: Level, values: list[Any]) -> None:
        """Complete the level's values (`values`: what its calls and awaitables gave)."""
        for (field, entries), batch_values in zip(level.batches.items(), values, strict=False):
            self._settle_batch(field, entries, batch_values)
        for (_awaitable, field, out, position), value in zip(
            level.waiting, values[len(level.batches) :], strict=True
        ):
            self._settle(field, value, out, position)

    async def _levels(self, data: dict[str, Any], level: Level) -> Any:
        """Await `level` and the levels after it; then the response."""
        try:
            while True:
                self._finish_level(level, await settle(level.values))
                if not (self._batches or self._waiting):
                    break
                level = self._start_level()
        except Unplanned:
            result = self._on_graphql_core()
            return await result if self.is_awaitable(result) else result
        return self.build_response(None if self._root_nulled else data)

    def _call_batch(self, field: FieldPlan, entries: list[Entry]) -> Any:
        try:
            assert field.batch is not None
            info = self._info(field, entries[0][2])
            return field.batch([entry[0] for entry in entries], info, self._arguments(field))
        except Exception as error:  # every parent gets it
            return error

    def _settle_batch(self, field: FieldPlan, entries: list[Entry], values: Any) -> None:
        if not isinstance(values, Exception) and (
            not isinstance(values, Sequence) or len(values) != len(entries)
        ):
            values = TypeError(
                f"Batch resolver of {field.parent_type.name}.{field.name} returned"
                f" {inspect(values)} for {len(entries)} parents."
            )
        if isinstance(values, Exception):
            values = [values] * len(entries)
        for (_source, out, position), value in zip(entries, values, strict=True):
            self._settle(field, value, out, position)

    def _settle(
        self, field: FieldPlan, value: Any, out: dict[str, Any], position: Position | None
    ) -> None:
        """Complete a value that arrived with a level into its place; an error that must
        propagate nulls the nearest nullable position above."""
        try:
            try:
                out[field.key] = self._complete(
                    field.completion, field, value, position, field.key, out
                )
            except Exception as raw:
                self._field_error(raw, field, position)
                out[field.key] = None
        except GraphQLError as error:
            self._propagate(error, position)

    def _propagate(self, error: GraphQLError, position: Position | None) -> None:
        while position is not None and not position.nullable:
            position = position.parent
        if position is None:
            self._root_nulled = True
            self.collected_errors.add(error, None)
            return
        position.container[position.key] = None
        self.collected_errors.add(error, position.path())

    def _fields(
        self, plan: ObjectPlan, source: Any, out: dict[str, Any], position: Position | None
    ) -> None:
        """Fill `out` with the fields of `plan` on `source`; raises a located error when a
        non-null field fails (graphql-core's `execute_fields`)."""
        for field in plan.fields:
            key = field.key
            try:
                kind = field.kind
                if kind is Kind.ATTRIBUTE:
                    value = getattr(source, field.attribute)  # type: ignore[arg-type]
                    serialize = field.serialize
                    if (
                        serialize is not None
                        and value is not None
                        and not isinstance(value, Exception)
                    ):
                        coerced = serialize(value)  # a leaf: the common case first
                        if coerced is not None and coerced is not Undefined:
                            out[key] = coerced
                            continue
                elif kind is Kind.BATCH:
                    out[key] = None
                    batch = self._batches.get(field)
                    if batch is None:
                        self._batches[field] = [(source, out, position)]
                    else:
                        batch.append((source, out, position))
                    continue
                elif kind is Kind.TYPENAME:
                    out[key] = plan.type.name
                    continue
                else:
                    value = self._resolve(field, source, position)
                    if self.is_awaitable(value):
                        out[key] = None
                        self._waiting.append((value, field, out, position))
                        continue
                out[key] = self._complete(field.completion, field, value, position, key, out)
            except Exception as raw:
                self._field_error(raw, field, position)
                out[key] = None

    def _resolve(self, field: FieldPlan, source: Any, position: Position | None) -> Any:
        """Call the field's resolver on one object (`Kind.RESOLVE`), or apply
        graphql-core's default resolver (`Kind.DEFAULT`)."""
        if field.kind is Kind.DEFAULT:
            value = (
                source.get(field.name)
                if isinstance(source, dict)
                else getattr(source, field.name, None)
            )
            if not callable(value):
                return value
            return value(self._info(field, position), **self._arguments(field))
        assert field.resolve is not None
        return field.resolve(source, self._info(field, position), **self._arguments(field))

    def _arguments(self, field: FieldPlan) -> dict[str, Any]:
        if field.arguments is not None:
            return field.arguments
        values = self._argument_values.get(field)
        if values is None:
            values = self._argument_values[field] = get_argument_values(
                field.definition, field.nodes[0], self.variable_values
            )
        return values

    def _info(self, field: FieldPlan, owner: Position | None) -> GraphQLResolveInfo[Any]:
        """The resolve info of `field` on the object at `owner`."""
        path = Path(None if owner is None else owner.path(), field.key, field.parent_type.name)
        return self.build_resolve_info(field.definition, field.nodes, field.parent_type, path)

    def _shared_info(self, field: FieldPlan, position: Position) -> GraphQLResolveInfo[Any]:
        """The resolve info `is_type_of` and `resolve_type` get for a value of `field` at
        `position`: made once per field and level, for the first object of the level
        (graphql-core makes one per object; only its `path` differs)."""
        info = self._shared_infos.get(field)
        if info is None:
            info = self._shared_infos[field] = self._info(field, position.owner())
        return info

    def _field_error(self, raw: Exception, field: FieldPlan, position: Position | None) -> None:
        """graphql-core's `handle_field_error`: record the located error and give None
        for a nullable field, raise it for a non-null one."""
        owner = None if position is None else position.path()
        path = Path(owner, field.key, field.parent_type.name)
        error = located_error(raw, field.nodes, path.as_list())
        if field.completion.non_null:
            raise error
        self.collected_errors.add(error, path)

    def _complete(
        self,
        completion: Completion,
        field: FieldPlan,
        value: Any,
        parent: Position | None,
        key: str | int,
        container: Any,
    ) -> Any:
        """graphql-core's `complete_value` for `value` at `container[key]`, below `parent`."""
        if isinstance(value, Exception):
            raise value
        if value is None or value is Undefined:
            if completion.non_null:
                msg = (
                    "Cannot return null for non-nullable field"
                    f" {field.parent_type.name}.{field.name}."
                )
                raise TypeError(msg)
            return None
        shape = completion.shape
        if shape is Shape.LEAF:
            coerced = completion.serialize(value)  # type: ignore[misc]
            if coerced is None or coerced is Undefined:
                msg = (
                    f"Expected `{inspect(completion.type)}.coerce_output_value("
                    f"{inspect(value)})` to return non-nullable value, returned:"
                    f" {inspect(coerced)}"
                )
                raise TypeError(msg)
            return coerced
        typename = field.parent_type.name if isinstance(key, str) else None
        position = Position(parent, key, typename, container, not completion.non_null)
        if shape is Shape.LIST:
            return self._list(completion, field, value, position)
        if shape is Shape.OBJECT:
            plan = completion.objects[completion.type.name]
        else:
            plan = self._runtime_plan(completion, field, value, position)
        return self._object(plan, field, value, position)

    def _list(
        self, completion: Completion, field: FieldPlan, value: Any, position: Position
    ) -> list[Any]:
        if self.is_async_iterable(value):
            raise Unplanned
        if not is_iterable(value):
            msg = (
                "Expected Iterable, but did not find one for field"
                f" '{field.parent_type.name}.{field.name}'."
            )
            raise GraphQLError(msg)
        item = completion.item
        assert item is not None
        out: list[Any] = []
        append = out.append
        plain_types = self._plain_types
        for index, element in enumerate(value):
            if type(element) not in plain_types:
                if self.is_awaitable(element):
                    _close(element)
                    raise Unplanned
                if type(element) is not GeneratorType:  # awaitable or not, one by one
                    plain_types.add(type(element))
            try:
                append(self._complete(item, field, element, position, index, out))
            except Exception as raw:
                path = position.path().add_key(index)
                error = located_error(raw, field.nodes, path.as_list())
                if item.non_null:
                    raise error from None
                self.collected_errors.add(error, path)
                append(None)
        return out

    def _object(
        self, plan: ObjectPlan, field: FieldPlan, value: Any, position: Position
    ) -> dict[str, Any]:
        is_type_of = plan.type.is_type_of
        if is_type_of is not None:
            matches = is_type_of(value, self._shared_info(field, position))
            if self.is_awaitable(matches):
                _close(matches)
                raise Unplanned
            if not matches:
                raise invalid_return_type_error(plan.type, value, field.details)
        out: dict[str, Any] = {}
        self._fields(plan, value, out, position)
        return out

    def _runtime_plan(
        self, completion: Completion, field: FieldPlan, value: Any, position: Position
    ) -> ObjectPlan:
        """The plan of the object type an abstract-typed value resolves to
        (graphql-core's `complete_abstract_value` and `ensure_valid_runtime_type`)."""
        abstract = completion.abstract
        resolve_type = abstract.resolve_type or self.type_resolver
        info = self._shared_info(field, position)
        name = resolve_type(value, info, abstract)
        if self.is_awaitable(name):
            _close(name)
            raise Unplanned
        runtime_type = self.ensure_valid_runtime_type(name, abstract, field.details, info, value)
        assert isinstance(runtime_type, GraphQLObjectType)
        return completion.objects[runtime_type.name]


def _close(awaitable: Any) -> None:
    """Close a coroutine that will not be awaited (no "never awaited" warning)."""
    close = getattr(awaitable, "close", None)
    if close is not None:
        close()
