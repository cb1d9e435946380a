"""The schema's extensions: the depth limit, and validation cached per document."""

import uuid
from typing import Any

import pytest
from graphql import validate

from tests.helpers import GraphQLClient, assert_error

LEVEL = "tasks { nodes { project { "
DEEP = "{ " + LEVEL * 5 + "id" + " } } }" * 5 + " }"  # 16 levels of fields


async def test_a_query_deeper_than_the_limit_is_a_validation_error(api: GraphQLClient) -> None:
    body = await api.execute(DEEP)
    error = assert_error(body, "GRAPHQL_VALIDATION_FAILED")
    assert "exceeds maximum operation depth" in error["message"]
    assert "data" not in body


async def test_a_document_is_validated_once_then_served_from_the_cache(
    api: GraphQLClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[Any] = []

    def counting_validate(*args: Any, **kwargs: Any) -> Any:
        calls.append(args[1])
        return validate(*args, **kwargs)

    # Strawberry's validate_document calls graphql-core's `validate` through its module.
    monkeypatch.setattr("strawberry.schema.schema.validate", counting_validate)
    query = f"{{ unique_{uuid.uuid4().hex}: me {{ id }} }}"  # a text no earlier test sent
    for _ in range(3):
        assert await api.execute(query) == {"data": {query[2:41]: None}, "extensions": {"cost": 1}}
    assert len(calls) == 1
