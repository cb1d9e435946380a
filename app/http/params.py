"""The GraphQL-over-HTTP request parameters of a POST body or a GET query string.

Every way a request can be malformed ends here as `BadRequest` (API.md "Errors":
`BAD_REQUEST`, HTTP 400), never as an exception the view did not expect:

- a body that is not UTF-8, not JSON, or JSON but not an object (`null`, `123`,
  `"x"`, and `[]`: batching is off);
- `query`, `operationName` that are not a string (or null), `variables`,
  `extensions` that are not an object (or null);
- JSON nested deeper than `MAX_JSON_DEPTH`: the standard decoder recurses, and so
  do variable coercion and logging after it, so depth is bounded once, here;
- a string holding a lone surrogate (`"a\\ud800b"` as a JSON escape). Such a
  string is not Unicode text (RFC 8259 §8.2; I-JSON, RFC 7493 §2.1, forbids it),
  cannot be encoded as UTF-8 for the database or the response, and belongs to
  no field in particular: the request is malformed, hence `BAD_REQUEST` at the
  transport rather than `BAD_USER_INPUT` on one variable.
"""

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

MAX_JSON_DEPTH = 64
"""Nesting levels allowed in a request's JSON (the schema's inputs need fewer than 10)."""
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


class BadRequest(Exception):
    """A request that is not well-formed GraphQL over HTTP; the message says why."""


@dataclass(frozen=True)
class RequestParams:
    """The four parameters of a GraphQL-over-HTTP request, each checked for its type."""

    query: str | None
    operation_name: str | None
    variables: dict[str, Any] | None
    extensions: dict[str, Any] | None


def _check_json_value(value: object) -> None:
    """Raise `BadRequest` if `value` nests deeper than `MAX_JSON_DEPTH` or holds a lone
    surrogate in a string or key. Iterative, so it never recurses itself."""
    pending: list[tuple[object, int]] = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, str):
            if _LONE_SURROGATE.search(item):
                raise BadRequest("A string holds a lone UTF-16 surrogate: not Unicode text")
            continue
        if not isinstance(item, dict | list):
            continue
        if depth > MAX_JSON_DEPTH:
            raise BadRequest(f"JSON nested deeper than {MAX_JSON_DEPTH} levels")
        if isinstance(item, dict):
            pending.extend((key, depth) for key in item)
            pending.extend((child, depth + 1) for child in item.values())
        else:
            pending.extend((child, depth + 1) for child in item)


def decode_json(text: str | bytes, what: str) -> object:
    """`text` (UTF-8 when bytes) as JSON, checked by `_check_json_value`; `BadRequest`
    naming `what` when it is not."""
    try:
        if isinstance(text, bytes):
            text = text.decode("utf-8")
        value = json.loads(text)
    except UnicodeDecodeError as error:
        raise BadRequest(f"The {what} is not valid UTF-8") from error
    except RecursionError as error:
        raise BadRequest(f"JSON nested deeper than {MAX_JSON_DEPTH} levels") from error
    except ValueError as error:  # JSONDecodeError is a ValueError
        raise BadRequest(f"The {what} is not valid JSON") from error
    _check_json_value(value)
    return value


def _optional(data: dict[str, Any], name: str, kind: type, kind_name: str) -> Any:
    value = data.get(name)
    if value is not None and not isinstance(value, kind):
        raise BadRequest(f"`{name}` must be {kind_name} or null")
    return value


def params_from_mapping(data: object) -> RequestParams:
    """The parameters of a decoded request: `BadRequest` unless `data` is an object whose
    parameters have the spec's types."""
    if not isinstance(data, dict):
        raise BadRequest("The request body must be a JSON object")
    return RequestParams(
        query=_optional(data, "query", str, "a string"),
        operation_name=_optional(data, "operationName", str, "a string"),
        variables=_optional(data, "variables", dict, "an object"),
        extensions=_optional(data, "extensions", dict, "an object"),
    )


def params_from_body(body: bytes) -> RequestParams:
    """The parameters of an `application/json` POST body."""
    return params_from_mapping(decode_json(body, "request body"))


def params_from_query_string(query_params: Mapping[str, str | None]) -> RequestParams:
    """The parameters of a GET request: `variables` and `extensions` are JSON text.

    Starlette decodes the query string with replacement characters, so its plain
    strings cannot hold a lone surrogate; the JSON ones are checked as a body is.
    """
    data: dict[str, Any] = {
        "query": query_params.get("query") or None,
        "operationName": query_params.get("operationName") or None,
    }
    for name in ("variables", "extensions"):
        text = query_params.get(name)
        if text:
            data[name] = decode_json(text, f"`{name}` parameter")
    return params_from_mapping(data)
