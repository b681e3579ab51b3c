"""The root schema: every type family merged into one Query."""

from __future__ import annotations

from functools import cache
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.tools import merge_types

from graph_api.types.audit import AuditQuery
from graph_api.types.briefing import BriefingQuery
from graph_api.types.duplicates import DuplicateQuery
from graph_api.types.graph import GraphQuery
from graph_api.types.mention import MentionQuery
from graph_api.types.mutations.consolidation import ConsolidationMutations
from graph_api.types.mutations.contacts import ContactMutations
from graph_api.types.mutations.documents import DocumentMutations
from graph_api.types.mutations.imports import ImportMutations
from graph_api.types.mutations.interactions import InteractionMutations
from graph_api.types.mutations.interests import InterestMutations
from graph_api.types.mutations.memories import MemoryMutations
from graph_api.types.mutations.memory_links import MemoryLinkMutations
from graph_api.types.mutations.mentions import MentionMutations
from graph_api.types.mutations.relationships import RelationshipMutations
from graph_api.types.network_query import NetworkQuery
from graph_api.types.notifications import NotificationMutations, NotificationQuery
from graph_api.types.search import SearchQuery
from graph_api.types.subscriptions import Subscription
from graph_api.types.user import UserQuery

Query = merge_types(
    "Query",
    (
        UserQuery,
        NetworkQuery,
        GraphQuery,
        SearchQuery,
        DuplicateQuery,
        AuditQuery,
        BriefingQuery,
        MentionQuery,
        NotificationQuery,
    ),
)
Mutation = merge_types(
    "Mutation",
    (
        ContactMutations,
        ImportMutations,
        RelationshipMutations,
        InteractionMutations,
        InterestMutations,
        MemoryMutations,
        MemoryLinkMutations,
        ConsolidationMutations,
        DocumentMutations,
        MentionMutations,
        NotificationMutations,
    ),
)


class Schema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context: Any = None) -> None:
        # `error_codes` logs the unexpected ones, with the request id;
        # client errors (bad input, unauthenticated) are not worth a traceback
        return None


@cache
def build_schema() -> strawberry.Schema:
    """The process's one schema, built once: building walks every type, and every app
    in the process (tests build many) can share it.

    It has no extensions: parsing, validation, limits and introspection rules are
    the gate's (`graph_api.documents`), done once per document for every way in."""
    return Schema(query=Query, mutation=Mutation, subscription=Subscription)


def export_sdl() -> str:
    """The SDL committed as `schema.graphql`."""
    return build_schema().as_str() + "\n"
