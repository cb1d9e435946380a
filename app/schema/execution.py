"""The breadth-first engine (`app.engine`) under Strawberry.

A field declared with `batched(batch_resolver)` as its `metadata` is resolved once per
level for all its parent objects: `batch_resolver(roots, info, **arguments)` gets the
parents, a Strawberry `Info` and the arguments converted as Strawberry converts them for
the field's own resolver (input types, enums, Python names), and returns one value per
parent. The field's own resolver stays for what runs on graphql-core (mutations,
introspection: see `app.engine.plan.plannable`). A field without a resolver is read
as an attribute; any other field calls its Strawberry resolver per object, with its
extensions and permissions, as graphql-core would.
"""

from collections.abc import Callable, Mapping
from typing import Any

from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.arguments import convert_arguments
from strawberry.types.field import StrawberryField

from app.engine import BreadthFirstExecutor, FieldPlan, Kind

BATCH = "tasktracker.batch"


def batched(batch_resolver: Callable[..., Any]) -> Mapping[str, Any]:
    """The `metadata` of a `strawberry.field` whose values `batch_resolver` gives for all
    the parents of a level (see the module)."""
    return {BATCH: batch_resolver}


class StrawberryBreadthFirstExecutor(BreadthFirstExecutor, StrawberryGraphQLCoreExecutionContext):
    """Strawberry's execution context, executing queries breadth-first."""

    def choose(self, field: FieldPlan) -> None:
        """Batch resolvers from the fields' metadata; Strawberry's basic fields (no
        resolver, no extension) read as attributes; the rest as graphql-core would."""
        definition = field.definition.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
        strawberry_schema = getattr(self.schema, "_strawberry_schema", None)
        if not isinstance(definition, StrawberryField) or strawberry_schema is None:
            super().choose(field)
            return
        batch = definition.metadata.get(BATCH)
        if batch is not None:
            field.kind = Kind.BATCH
            field.batch = _adapt(batch, definition, strawberry_schema)
        elif (
            definition.is_basic_field
            and not strawberry_schema.exception_handlers
            and strawberry_schema.config.default_resolver is getattr
        ):
            field.kind = Kind.ATTRIBUTE
            field.attribute = definition.python_name
        else:
            super().choose(field)


def _adapt(
    batch: Callable[..., Any], definition: StrawberryField, strawberry_schema: Any
) -> Callable[[list[Any], Any, dict[str, Any]], Any]:
    """The engine's `BatchResolver` calling `batch` the Strawberry way."""
    scalar_registry = strawberry_schema.schema_converter.scalar_registry
    config = strawberry_schema.config
    info_class = config.info_class

    def resolve(roots: list[Any], raw_info: Any, arguments: dict[str, Any]) -> Any:
        info = info_class(_raw_info=raw_info, _field=definition)
        if not arguments:
            return batch(roots, info)
        kwargs = convert_arguments(
            arguments, definition.arguments, scalar_registry=scalar_registry, config=config
        )
        return batch(roots, info, **kwargs)

    return resolve
