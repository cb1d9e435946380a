"""Awaiting one level of the breadth-first execution at once."""

import asyncio
from inspect import isawaitable
from typing import Any


class Unplanned(BaseException):
    """Raised inside the engine when a value needs what it does not plan for (an
    awaitable `is_type_of` or `resolve_type`, an awaitable list item, an async iterable
    for a list): the executor then runs the operation on graphql-core instead.

    A `BaseException`, so that no field's error handling takes it for a field error.
    """


async def settle(values: list[Any]) -> list[Any]:
    """`values` with every awaitable among them awaited concurrently: its result, or the
    `Exception` it raised. Other values come back as they are. A `BaseException` that is
    not an `Exception` (cancellation) propagates."""
    pending = [index for index, value in enumerate(values) if isawaitable(value)]
    if not pending:
        return values
    settled = list(values)
    if len(pending) == 1:
        index = pending[0]
        try:
            settled[index] = await values[index]
        except Exception as error:
            settled[index] = error
        return settled
    results = await asyncio.gather(*(values[index] for index in pending), return_exceptions=True)
    for index, result in zip(pending, results, strict=True):
        if isinstance(result, BaseException) and not isinstance(result, Exception):
            raise result
        settled[index] = result
    return settled
