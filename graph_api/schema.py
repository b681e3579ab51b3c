"""The root schema: every type family merged into one Query."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import cache
from typing import Any

import strawberry
from graphql import GraphQLError
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import MaxTokensLimiter, ParserCache, ValidationCache
from strawberry.extensions.base_extension import SchemaExtension
from strawberry.tools import merge_types

from graph_api.limits import QueryLimits
from graph_api.types.graph import GraphQuery
from graph_api.types.mutations.contacts import ContactMutations
from graph_api.types.mutations.interactions import InteractionMutations
from graph_api.types.mutations.interests import InterestMutations
from graph_api.types.mutations.memories import MemoryMutations
from graph_api.types.mutations.relationships import RelationshipMutations
from graph_api.types.network_query import NetworkQuery
from graph_api.types.search import SearchQuery
from graph_api.types.user import UserQuery

Query = merge_types("Query", (UserQuery, NetworkQuery, GraphQuery, SearchQuery))
Mutation = merge_types(
    "Mutation",
    (
        ContactMutations,
        RelationshipMutations,
        InteractionMutations,
        InterestMutations,
        MemoryMutations,
    ),
)

CACHE_SIZE = 1000
MAX_TOKENS = 10_000


class IntrospectionGate(SchemaExtension):
    """Refuses introspection when the app's settings turn it off."""

    def on_operation(self) -> Iterator[None]:
        if not getattr(self.execution_context.context, "introspection", True):
            self.execution_context.validation_rules = (
                *self.execution_context.validation_rules,
                NoSchemaIntrospectionCustomRule,
            )
        yield


class Schema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context: Any = None) -> None:
        # `error_codes` logs the unexpected ones, with the request id;
        # client errors (bad input, unauthenticated) are not worth a traceback
        return None


@cache
def build_schema() -> strawberry.Schema:
    """The process's one schema (Relay's node field binds to a single schema)."""
    extensions: list[type[SchemaExtension] | Callable[[], SchemaExtension]] = [
        IntrospectionGate,
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        lambda: ParserCache(maxsize=CACHE_SIZE),
        lambda: ValidationCache(maxsize=CACHE_SIZE),
        # after ValidationCache, whose hook overwrites the validation errors
        QueryLimits,
    ]
    return Schema(query=Query, mutation=Mutation, extensions=extensions)


def export_sdl() -> str:
    """The SDL committed as `schema.graphql`."""
    return build_schema().as_str() + "\n"
