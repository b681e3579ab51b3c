"""The root schema: every type family merged into one Query."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import cache

import strawberry
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import ParserCache, ValidationCache
from strawberry.extensions.base_extension import SchemaExtension
from strawberry.tools import merge_types

from graph_api.error_codes import ErrorCodes
from graph_api.types.network_query import NetworkQuery
from graph_api.types.user import UserQuery

Query = merge_types("Query", (UserQuery, NetworkQuery))

CACHE_SIZE = 1000


class IntrospectionGate(SchemaExtension):
    """Refuses introspection when the app's settings turn it off."""

    def on_operation(self) -> Iterator[None]:
        if not getattr(self.execution_context.context, "introspection", True):
            self.execution_context.validation_rules = (
                *self.execution_context.validation_rules,
                NoSchemaIntrospectionCustomRule,
            )
        yield


@cache
def build_schema() -> strawberry.Schema:
    """The process's one schema (Relay's node field binds to a single schema)."""
    extensions: list[type[SchemaExtension] | Callable[[], SchemaExtension]] = [
        ErrorCodes,
        IntrospectionGate,
        lambda: ParserCache(maxsize=CACHE_SIZE),
        lambda: ValidationCache(maxsize=CACHE_SIZE),
    ]
    return strawberry.Schema(query=Query, extensions=extensions)


def export_sdl() -> str:
    """The SDL committed as `schema.graphql`."""
    return build_schema().as_str() + "\n"
