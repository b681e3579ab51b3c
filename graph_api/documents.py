"""A GraphQL document, prepared once: parsed, shape-checked, validated, its limits known.

Every request that sends the same text shares the work (an LRU of
`CACHE_SIZE` documents); only the limits depend on the request, through the
variables that give a `first`/`last`, so those results are cached per value of
those variables. Nothing user-specific is kept: two users sending one document
share its preparation, never their data.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    IntValueNode,
    OperationDefinitionNode,
    OperationType,
    parse,
    specified_rules,
    validate,
)
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.schema.validation_rules.maybe_null import MaybeNullValidationRule
from strawberry.schema.validation_rules.one_of import OneOfInputValidationRule

from graph_api import limits
from graph_api.execution.compiled import Plan, compile_operation
from graph_api.execution.sql import compile_sql

CACHE_SIZE = 1000
# the query text the cache may hold in all (least recently used go first)
# (a parsed document keeps its tokens: ~200 bytes of memory per character of text)
MAX_CACHED_CHARACTERS = 500_000
MAX_VALIDATION_ERRORS = 20


class RequestError(Exception):
    """The request cannot be executed at all (GraphQL over HTTP's "request error")."""

    def __init__(
        self,
        errors: list[GraphQLError],
        status: int = 400,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(errors[0].message)
        self.errors = errors
        self.status = status
        self.headers = headers


@dataclass
class Prepared:
    document: DocumentNode
    operations: dict[str | None, OperationDefinitionNode]
    fan_out_variables: frozenset[str]
    # (operation name, values of the fan-out variables) -> (the refusal or None, the cost)
    _limits: dict[tuple[Any, ...], tuple[GraphQLError | None, int]] = field(default_factory=dict)
    # operation name -> its compiled plan, or None where graphql-core runs it
    _plans: dict[str | None, Plan | None] = field(default_factory=dict)

    def plan(self, schema: GraphQLSchema, operation: OperationDefinitionNode) -> Plan | None:
        name = operation.name.value if operation.name else None
        if name not in self._plans:
            plan = compile_operation(schema, self.document, operation)
            if plan is not None:
                plan.sql = compile_sql(plan.root)
            self._plans[name] = plan
        return self._plans[name]

    def operation(self, name: str | None) -> OperationDefinitionNode:
        if name is None and len(self.operations) > 1:
            raise RequestError(
                [GraphQLError("the document holds several operations: name one in operationName")]
            )
        found = (
            self.operations.get(name) if name is not None else next(iter(self.operations.values()))
        )
        if found is None:
            raise RequestError([GraphQLError(f"no operation named {name!r} in the document")])
        return found

    def check_limits(
        self, name: str | None, variables: Mapping[str, Any], bounds: limits.Bounds
    ) -> int:
        """The operation's fan-out (its cost); RequestError when over a limit."""
        # a variable not sent takes its declared default, as execution will
        given = {**self._defaults(name), **variables}
        key = (name, *(_hashable(given.get(v)) for v in sorted(self.fan_out_variables)))
        if key not in self._limits:
            if len(self._limits) > 100:  # many different page sizes: keep the newest
                self._limits.clear()
            self._limits[key] = limits.assess(self.document, name, given, bounds)
        refusal, cost = self._limits[key]
        if refusal is not None:
            raise RequestError([refusal])
        return cost

    def _defaults(self, name: str | None) -> dict[str, Any]:
        operation = self.operations.get(name) or next(iter(self.operations.values()))
        return {
            d.variable.name.value: int(d.default_value.value)
            for d in operation.variable_definitions or ()
            if isinstance(d.default_value, IntValueNode)
        }


class Documents:
    """The documents one schema has prepared, most recently used last."""

    def __init__(self, schema: GraphQLSchema, *, introspection: bool) -> None:
        self.schema = schema
        self.rules = (
            *specified_rules,
            MaybeNullValidationRule,
            OneOfInputValidationRule,
            *(() if introspection else (NoSchemaIntrospectionCustomRule,)),
        )
        self.bounds = limits.Bounds.of(schema)
        self._cache: OrderedDict[str, Prepared | RequestError] = OrderedDict()
        self._cached_characters = 0

    def prepare(self, query: str) -> Prepared:
        """The prepared document, or RequestError for one that cannot run."""
        hit = self._cache.get(query)
        if hit is None:
            hit = self._prepare(query)
            if isinstance(hit, RequestError):  # kept without the document it refused
                hit = RequestError([_detached(e) for e in hit.errors], hit.status)
            self._cache[query] = hit
            self._cached_characters += len(query)
            while len(self._cache) > CACHE_SIZE or self._cached_characters > MAX_CACHED_CHARACTERS:
                evicted, _ = self._cache.popitem(last=False)
                self._cached_characters -= len(evicted)
        else:
            self._cache.move_to_end(query)
        if isinstance(hit, RequestError):
            # a fresh exception each time: raising the cached one again would grow
            # its traceback request after request
            raise RequestError(hit.errors, hit.status)
        return hit

    def _prepare(self, query: str) -> Prepared | RequestError:
        if len(query) > limits.MAX_QUERY_LENGTH:
            return RequestError(
                [
                    limits.too_complex(
                        f"the query is {len(query):,} characters; the limit is {limits.MAX_QUERY_LENGTH:,}"
                    )
                ]
            )
        try:
            document = parse(query, max_tokens=limits.MAX_TOKENS)
        except GraphQLError as error:
            if "more than" in error.message and "tokens" in error.message:
                error = limits.too_complex(f"the query has more than {limits.MAX_TOKENS:,} tokens")
            return RequestError([error])
        except RecursionError:
            return RequestError([limits.too_complex("the query nests too deeply to read")])
        refusal = limits.shape_problem(document) or limits.check(
            document, None, {}, self.bounds, fan_out=False
        )
        if refusal is not None:
            return RequestError([refusal])
        try:
            errors = validate(
                self.schema,
                document,
                self.rules,
                max_errors=MAX_VALIDATION_ERRORS,
                hide_suggestions=True,
            )
        except RecursionError:  # the nesting cap should make this unreachable
            return RequestError([limits.too_complex("the query nests too deeply to validate")])
        if errors:
            return RequestError(errors)
        operations = {
            (d.name.value if d.name else None): d
            for d in document.definitions
            if isinstance(d, OperationDefinitionNode)
        }
        return Prepared(document, operations, limits.fan_out_variables(document))


def _detached(error: GraphQLError) -> GraphQLError:
    """The same error (message, locations, code) without the parsed nodes it points at."""
    return GraphQLError(
        error.message,
        source=error.source,
        positions=error.positions,
        extensions=error.extensions,
        original_error=error.original_error,
    )


def is_mutation(operation: OperationDefinitionNode) -> bool:
    return operation.operation is OperationType.MUTATION


def is_subscription(operation: OperationDefinitionNode) -> bool:
    return operation.operation is OperationType.SUBSCRIPTION


def _hashable(value: Any) -> Any:
    # typed: 1, 1.0 and True are one dict key, but not one page size
    return (
        type(value).__name__,
        value if isinstance(value, int | str | float | bool | None) else repr(value),
    )
