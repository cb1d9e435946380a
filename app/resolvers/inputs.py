"""Reading GraphQL input objects."""

from typing import Any

import strawberry


def given(input_object: object) -> dict[str, Any]:
    """The fields of an input the client gave (omitted ones are `UNSET`), by Python name.

    An explicit null is kept as None, so it can clear a field.
    """
    return {k: v for k, v in vars(input_object).items() if v is not strawberry.UNSET}
