"""The limits a public GraphQL endpoint needs: depth, aliases, tokens and fan-out.

Measured on the parsed document with the request's variables, before validation
(so a hostile document is refused before any work on it). Fan-out is the number
of objects a query could return: every field costs one per parent object, and a
paginated field multiplies its children by its `first`/`last` (its default when
absent, the page-size cap when the value is not known). Introspection is exempt.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
)
from strawberry.extensions import SchemaExtension

from graph_api.pagination import MAX_PAGE_SIZE

MAX_DEPTH = 20
MAX_ALIASES = 50
MAX_COST = 50_000
# the page size a list uses when `first`/`last` is not given
DEFAULT_PAGE_SIZES = {
    "contacts": 20, "interactions": 20, "mutualConnections": 50, "members": 50,
    "similarContacts": 5, "related": 5, "searchMemories": 10, "searchContacts": 10,
    "keyConnectors": 10, "goingCold": 10, "suggestedConnections": 10, "introductionPaths": 3,
}  # fmt: skip
NESTED_PAGE_SIZE = 10
PAGINATED = {"interests", "memories", "connections", *DEFAULT_PAGE_SIZES}
# the largest `first` each accepts, where above the common page size
MAX_SIZES = {"members": 1000}
# lists without size arguments, by their caps (communities: an estimate, one per group)
BOUNDED_LISTS = {"participants": 50, "sourceInteractions": 100, "nodes": 100, "communities": 100}


@dataclass
class Measure:
    depth: int = 0
    aliases: int = 0
    cost: int = 0


def measure(
    operation: OperationDefinitionNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    variables: Mapping[str, Any],
) -> Measure:
    result = Measure()

    def walk(
        selection_set: SelectionSetNode | None, depth: int, multiplier: int, seen: frozenset[str]
    ) -> None:
        if selection_set is None:
            return
        for field in _fields(selection_set, fragments, seen):
            name = field.name.value
            if name.startswith("__"):
                continue
            if field.alias is not None:
                result.aliases += 1
            result.depth = max(result.depth, depth)
            result.cost += multiplier
            walk(field.selection_set, depth + 1, multiplier * _fan_out(field, variables), seen)

    walk(operation.selection_set, 1, 1, frozenset())
    return result


def _fields(
    selection_set: SelectionSetNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    seen: frozenset[str],
) -> Iterator[FieldNode]:
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            yield selection
        elif isinstance(selection, InlineFragmentNode):
            yield from _fields(selection.selection_set, fragments, seen)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            fragment = fragments.get(name)
            if fragment is not None and name not in seen:  # cycles are for validation to report
                yield from _fields(fragment.selection_set, fragments, seen | {name})


def _fan_out(field: FieldNode, variables: Mapping[str, Any]) -> int:
    name = field.name.value
    if name in BOUNDED_LISTS:
        return BOUNDED_LISTS[name]
    if name not in PAGINATED:
        return 1
    sizes = [_int_argument(field, arg, variables) for arg in ("first", "last")]
    given = [size for size in sizes if size is not None]
    cap = MAX_SIZES.get(name, MAX_PAGE_SIZE)
    if given:
        return max(1, min(max(given), cap))
    if any(arg.name.value in {"first", "last"} for arg in field.arguments or ()):
        return cap  # given, but not as a number we can read: assume the worst
    return DEFAULT_PAGE_SIZES.get(name, NESTED_PAGE_SIZE)


def _int_argument(field: FieldNode, name: str, variables: Mapping[str, Any]) -> int | None:
    for argument in field.arguments or ():
        if argument.name.value != name:
            continue
        value = argument.value
        if isinstance(value, IntValueNode):
            return int(value.value)
        if isinstance(value, VariableNode):
            variable = variables.get(value.name.value)
            return (
                variable if isinstance(variable, int) and not isinstance(variable, bool) else None
            )
    return None


class QueryLimits(SchemaExtension):
    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if document is not None and not context.pre_execution_errors:
            error = self._check(
                document.definitions, context.operation_name, context.variables or {}
            )
            if error is not None:
                # strawberry answers with these instead of executing
                context.pre_execution_errors = [error]
        yield

    @staticmethod
    def _check(
        definitions: Any, operation_name: str | None, variables: Mapping[str, Any]
    ) -> GraphQLError | None:
        fragments = {d.name.value: d for d in definitions if isinstance(d, FragmentDefinitionNode)}
        operations = [d for d in definitions if isinstance(d, OperationDefinitionNode)]
        for operation in operations:
            if operation_name is not None and (
                operation.name is None or operation.name.value != operation_name
            ):
                continue
            found = measure(operation, fragments, variables)
            if found.depth > MAX_DEPTH:
                return too_complex(
                    f"the query is {found.depth} levels deep; the limit is {MAX_DEPTH}"
                )
            if found.aliases > MAX_ALIASES:
                return too_complex(
                    f"the query uses {found.aliases} aliases; the limit is {MAX_ALIASES}"
                )
            if found.cost > MAX_COST:
                return too_complex(
                    f"the query could return up to {found.cost:,} objects; the limit is {MAX_COST:,}. "
                    "Ask for smaller pages (first/last) or fewer nested levels."
                )
        return None


def too_complex(message: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": "QUERY_TOO_COMPLEX"})
