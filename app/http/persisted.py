"""Automatic persisted queries, Apollo's protocol (API.md "Limits", persisted queries).

A request may carry `extensions.persistedQuery = {"version": 1, "sha256Hash": ...}`:

- with the hash only, the stored document runs, or the answer is
  `PERSISTED_QUERY_NOT_FOUND` and Apollo Client's persisted-query link sends
  the request again with the document;
- with the document too, the hash must be its SHA-256 (else `BAD_REQUEST`, as
  Apollo Server's "provided sha does not match query"), and the document is
  registered in a bounded in-memory store (least recently used out first).

With `PERSISTED_QUERIES_ONLY=true` the store is the manifest loaded at start
(`load_manifest`) and nothing is registered: only its documents run, sent by
hash or in full; any other is `PERSISTED_QUERY_NOT_FOUND`.
"""

import hashlib
import json
import re
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from app.config import InvalidSettings, Settings
from app.errors import PersistedQueryNotFound
from app.http.params import BadRequest, RequestParams

MAX_DOCUMENTS = 1_000
MAX_CHARACTERS = 8 * 1024 * 1024
"""Bounds of the automatic store: documents, and their characters in all."""
APOLLO_MANIFEST_FORMAT = "apollo-persisted-query-manifest"
_SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")


class InvalidManifest(ValueError):
    """`PERSISTED_QUERIES_FILE` is missing, unreadable or not a manifest; the message says why."""


def sha256_hex(document: str) -> str:
    return hashlib.sha256(document.encode("utf-8")).hexdigest()


def _manifest_documents(data: object) -> dict[str, str]:
    """Id -> document of an Apollo manifest (`operations[].id/body`) or a Relay one
    (a flat object of id -> text)."""
    if isinstance(data, dict) and data.get("format") == APOLLO_MANIFEST_FORMAT:
        if data.get("version") != 1:
            raise InvalidManifest(f"only version 1 of {APOLLO_MANIFEST_FORMAT} is supported")
        operations = data.get("operations")
        if not isinstance(operations, list):
            raise InvalidManifest("`operations` must be a list")
        documents = {}
        for operation in operations:
            if not isinstance(operation, dict):
                raise InvalidManifest("each operation must be an object with `id` and `body`")
            identifier, body = operation.get("id"), operation.get("body")
            if not isinstance(identifier, str) or not isinstance(body, str):
                raise InvalidManifest("each operation must have a string `id` and `body`")
            documents[identifier] = body
        return documents
    if isinstance(data, dict) and all(isinstance(value, str) for value in data.values()):
        return dict(data)
    raise InvalidManifest(
        f'expected {{"format": "{APOLLO_MANIFEST_FORMAT}", ...}} or a JSON object of id -> document'
    )


def load_manifest(path: Path) -> dict[str, str]:
    """SHA-256 -> document from the manifest at `path`, as Apollo's
    `generate-persisted-query-manifest` or Relay's persisted-query output writes it.

    Raises `InvalidManifest` if the file cannot be read, is not such a manifest,
    or an id is not the SHA-256 (lower-case hex) of its document.
    """
    try:
        data = json.loads(path.read_text("utf-8"))
    except OSError as error:
        raise InvalidManifest(f"cannot read {path}: {error.strerror}") from None
    except ValueError as error:
        raise InvalidManifest(f"{path} is not JSON: {error}") from None
    documents = _manifest_documents(data)
    for identifier, document in documents.items():
        if identifier != sha256_hex(document):
            raise InvalidManifest(f"id {identifier[:80]!r} is not the SHA-256 of its document")
    return documents


class PersistedQueries:
    """The store of persisted documents, by SHA-256, and the protocol on top of it.

    `documents` given: a fixed store (`PERSISTED_QUERIES_ONLY`); otherwise an
    automatic one bounded by `MAX_DOCUMENTS` and `MAX_CHARACTERS`.
    """

    def __init__(self, documents: Mapping[str, str] | None = None) -> None:
        self.fixed = documents is not None
        self._documents: OrderedDict[str, str] = OrderedDict(documents or {})
        self._characters = sum(len(document) for document in self._documents.values())

    def __len__(self) -> int:
        return len(self._documents)

    def _get(self, sha256: str) -> str | None:
        document = self._documents.get(sha256)
        if document is not None and not self.fixed:
            self._documents.move_to_end(sha256)
        return document

    def _register(self, sha256: str, document: str) -> None:
        if self.fixed or sha256 in self._documents or len(document) > MAX_CHARACTERS:
            return
        self._documents[sha256] = document
        self._characters += len(document)
        while len(self._documents) > MAX_DOCUMENTS or self._characters > MAX_CHARACTERS:
            _, evicted = self._documents.popitem(last=False)
            self._characters -= len(evicted)

    def resolve(self, params: RequestParams) -> RequestParams:
        """`params` with the document to run.

        Raises `PersistedQueryNotFound` for an unknown hash (or, in a fixed store,
        a document it does not hold) and `BadRequest` for a malformed
        `persistedQuery` or a hash that is not the document's.
        """
        persisted = (params.extensions or {}).get("persistedQuery")
        if persisted is None:
            if (
                self.fixed
                and params.query is not None
                and self._get(sha256_hex(params.query)) is None
            ):
                raise PersistedQueryNotFound("Only persisted queries may run on this server")
            return params
        if not isinstance(persisted, dict) or persisted.get("version") != 1:
            raise BadRequest("Unsupported persisted query version")
        sha256 = persisted.get("sha256Hash")
        if not isinstance(sha256, str) or not _SHA256_HEX.match(sha256):
            raise BadRequest("`sha256Hash` must be a SHA-256 in lower-case hex")
        if params.query is None:
            document = self._get(sha256)
            if document is None:
                raise PersistedQueryNotFound
            return replace(params, query=document)
        if sha256_hex(params.query) != sha256:
            raise BadRequest("provided sha does not match query")
        if self.fixed and self._get(sha256) is None:
            raise PersistedQueryNotFound("Only persisted queries may run on this server")
        self._register(sha256, params.query)
        return params


def persisted_queries_for(settings: Settings) -> PersistedQueries:
    """The store `settings` ask for: the manifest's documents with `PERSISTED_QUERIES_ONLY`,
    else an empty automatic one. Raises `InvalidSettings` naming a bad manifest."""
    if not settings.persisted_queries_only or settings.persisted_queries_file is None:
        return PersistedQueries()
    try:
        return PersistedQueries(load_manifest(settings.persisted_queries_file))
    except InvalidManifest as error:
        raise InvalidSettings(f"PERSISTED_QUERIES_FILE: {error}") from None
