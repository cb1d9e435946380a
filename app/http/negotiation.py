"""Content negotiation for `/graphql` (RFC 9110 `Accept`, GraphQL-over-HTTP spec).

Chooses between `application/graphql-response+json` and `application/json`,
with q-values and wildcards; see `negotiate`.
"""

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
JSON = "application/json"
EITHER = "*/*"
"""Negotiation result when the client accepts both types and names neither."""
ALLOWED_METHODS = ("GET", "POST")


def _quality(media_type: str, ranges: list[tuple[str, float]]) -> tuple[float, int]:
    """`media_type`'s q-value from its most specific matching range, and that
    specificity (2 exact, 1 `type/*`, 0 `*/*`); `(0, -1)` when no range matches."""
    specificity_of = {media_type: 2, f"{media_type.split('/')[0]}/*": 1, "*/*": 0}
    best = (0.0, -1)
    for media_range, quality in ranges:
        specificity = specificity_of.get(media_range)
        if specificity is None:
            continue
        if specificity > best[1] or (specificity == best[1] and quality > best[0]):
            best = (quality, specificity)
    return best


def _parse_accept(accept: str) -> list[tuple[str, float]]:
    """The media ranges of an `Accept` value with their q-values (1 when absent).

    A range asking for a charset other than UTF-8 (the only one served) gets q=0.
    """
    ranges = []
    for part in accept.split(","):
        media_range, *params = (piece.strip() for piece in part.split(";"))
        quality = 1.0
        for param in params:
            name, _, value = (text.strip().lower() for text in param.partition("="))
            if name == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
            elif name == "charset" and value.strip('"') not in ("utf-8", "utf8"):
                quality = 0.0
        if media_range:
            ranges.append((media_range.lower(), quality))
    return ranges


def negotiate(accept: str | None) -> str | None:
    """`GRAPHQL_RESPONSE_JSON`, `JSON` or `EITHER` for an `Accept` header; None for a 406.

    Each type takes the q-value of its most specific matching range (RFC 9110
    §12.5.1), so `application/json;q=0, */*` refuses JSON. The higher q wins; on
    a tie a type the client named wins over one it matched by wildcard, and
    `application/graphql-response+json` (the spec's preferred type) wins when
    it named both. No header means any type (RFC 9110), hence `EITHER`.
    """
    if accept is None or not accept.strip():
        return EITHER
    ranges = _parse_accept(accept)
    graphql_response, json = _quality(GRAPHQL_RESPONSE_JSON, ranges), _quality(JSON, ranges)
    if max(graphql_response[0], json[0]) <= 0:
        return None
    if graphql_response[0] != json[0]:
        return GRAPHQL_RESPONSE_JSON if graphql_response[0] > json[0] else JSON
    if max(graphql_response[1], json[1]) == 2:  # at least one named explicitly
        return GRAPHQL_RESPONSE_JSON if graphql_response[1] == 2 else JSON
    return EITHER


def error_media_type(negotiated: str) -> str:
    """The media type of a response that is not 2xx: only `JSON` if the client asked for it."""
    return JSON if negotiated == JSON else GRAPHQL_RESPONSE_JSON
