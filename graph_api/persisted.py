"""Persisted operations, for every way in (POST, GET, the WebSocket): Apollo's
automatic persisted queries and, for production, trusted documents.

Automatic persisted queries (APQ): a client sends only
`extensions.persistedQuery = {version: 1, sha256Hash}`; a hash this process knows
runs its document, an unknown one gets `PersistedQueryNotFound`
(`PERSISTED_QUERY_NOT_FOUND`, HTTP 200 and uncached, as Apollo Server answers, so
clients send the hash again with the query). A query sent with its hash must hash
to it (else refused: a hash cannot be hijacked by another document), and is
remembered once its document proves valid. The store is per process, bounded like
the document cache; behind a load balancer each process learns a hash on its own
first miss, which the protocol already allows for.

Trusted documents (`GRAPH_API_TRUSTED_DOCUMENTS`): a JSON file of registered
operations, either `{"<sha256>": "<document>", ...}` (graphql-codegen's
`persisted-documents.json`) or Apollo's persisted query manifest
(`{"format": "apollo-persisted-query-manifest", "operations": [{"id", "body"}]}`).
Then only those run: by hash alone, or as text whose hash is registered; anything
else is `FORBIDDEN`, and nothing is learned at run time.
"""

from __future__ import annotations

import hashlib
import re
from collections import OrderedDict
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import orjson
from graphql import GraphQLError

from graph_api.documents import RequestError
from graph_api.env import SettingsError

APQ_VERSION = 1
MAX_ENTRIES = 1000
MAX_CHARACTERS = 500_000
SHA256 = re.compile(r"[0-9a-f]{64}")
# what Apollo Server sends with persisted-query errors: the retry must reach us
UNCACHED = {"Cache-Control": "private, no-cache, must-revalidate"}
APOLLO_MANIFEST = "apollo-persisted-query-manifest"


def sha256(query: str) -> str:
    return hashlib.sha256(query.encode()).hexdigest()


def _refused(message: str, code: str, status: int = 400, **extra: Any) -> RequestError:
    return RequestError([GraphQLError(message, extensions={"code": code})], status=status, **extra)


NOT_FOUND_MESSAGE = "PersistedQueryNotFound"


class PersistedQueries:
    def __init__(
        self,
        trusted: Mapping[str, str] | None = None,
        *,
        automatic: bool = True,
        max_entries: int = MAX_ENTRIES,
        max_characters: int = MAX_CHARACTERS,
    ) -> None:
        self.trusted = dict(trusted) if trusted is not None else None
        self.automatic = automatic
        self._max_entries = max_entries
        self._max_characters = max_characters
        self._learned: OrderedDict[str, str] = OrderedDict()
        self._characters = 0

    def resolve(
        self, query: str | None, extensions: Mapping[str, Any] | None
    ) -> tuple[str, str | None]:
        """The document to run and, when it is to be learned once valid, its hash;
        RequestError for a request that must not run."""
        persisted = (extensions or {}).get("persistedQuery")
        if persisted is None:
            if query is None:
                raise _refused("the request needs a query: a non-empty string", "BAD_REQUEST")
            self._check_trusted(sha256(query) if self.trusted is not None else None)
            return query, None
        if self.trusted is None and not self.automatic:
            raise _refused(
                "PersistedQueryNotSupported", "PERSISTED_QUERY_NOT_SUPPORTED", 200, headers=UNCACHED
            )
        if not isinstance(persisted, Mapping) or persisted.get("version") != APQ_VERSION:
            raise _refused("Unsupported persisted query version", "BAD_REQUEST")
        digest = persisted.get("sha256Hash")
        if not isinstance(digest, str) or not SHA256.fullmatch(digest):
            raise _refused(
                "extensions.persistedQuery.sha256Hash must be a SHA-256 in lowercase hex",
                "BAD_REQUEST",
            )
        if query is None:
            known = self.trusted.get(digest) if self.trusted is not None else self._recall(digest)
            if known is None:
                raise _refused(
                    NOT_FOUND_MESSAGE, "PERSISTED_QUERY_NOT_FOUND", 200, headers=UNCACHED
                )
            return known, None
        if sha256(query) != digest:
            raise _refused("provided sha does not match query", "BAD_REQUEST")
        if self.trusted is not None:
            self._check_trusted(digest)
            return query, None
        return query, digest

    def _check_trusted(self, digest: str | None) -> None:
        if self.trusted is not None and digest not in self.trusted:
            raise _refused(
                "only registered operations run here (trusted documents); this one is not",
                "FORBIDDEN",
                403,
            )

    def _recall(self, digest: str) -> str | None:
        query = self._learned.get(digest)
        if query is not None:
            self._learned.move_to_end(digest)
        return query

    def remember(self, digest: str, query: str) -> None:
        """Learn a hash whose document was valid (`resolve` said to)."""
        if digest in self._learned:
            return
        self._learned[digest] = query
        self._characters += len(query)
        while len(self._learned) > self._max_entries or self._characters > self._max_characters:
            _, evicted = self._learned.popitem(last=False)
            self._characters -= len(evicted)


def load_trusted(path: Path) -> dict[str, str]:
    """The registered operations of a trusted-documents file, by SHA-256 of their text."""
    try:
        raw = orjson.loads(path.read_bytes())
    except OSError as error:
        raise SettingsError(
            f"GRAPH_API_TRUSTED_DOCUMENTS: cannot read {path}: {error.strerror}"
        ) from None
    except orjson.JSONDecodeError:
        raise SettingsError(f"GRAPH_API_TRUSTED_DOCUMENTS: {path} is not JSON") from None
    if isinstance(raw, dict) and raw.get("format") == APOLLO_MANIFEST:
        operations = raw.get("operations")
        if not isinstance(operations, list) or not all(isinstance(o, dict) for o in operations):
            raise SettingsError(f"GRAPH_API_TRUSTED_DOCUMENTS: {path} has no list of operations")
        pairs = [(o.get("id"), o.get("body")) for o in operations]
    elif isinstance(raw, dict):
        pairs = list(raw.items())
    else:
        raise SettingsError(
            f"GRAPH_API_TRUSTED_DOCUMENTS: {path} must map SHA-256 hashes to documents"
        )
    trusted: dict[str, str] = {}
    for digest, body in pairs:
        if not isinstance(digest, str) or not isinstance(body, str):
            raise SettingsError(f"GRAPH_API_TRUSTED_DOCUMENTS: {path}: ids and bodies are strings")
        digest = digest.removeprefix("sha256:").lower()
        if sha256(body) != digest:
            raise SettingsError(
                f"GRAPH_API_TRUSTED_DOCUMENTS: {path}: {digest[:12]}… is not the SHA-256 of its document"
            )
        trusted[digest] = body
    return trusted
