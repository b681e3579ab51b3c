"""Compiled to SQL: the hot reads answered by PostgreSQL building the response's JSON.

The Python plan (compiled.py) still completes every object in Python; for the
reads a frontend makes all day — a page of contacts, a contact by id, with their
interests and their strongest connections — that per-object work was most of a
request's cost. Here, as PostGraphile and Hasura do, the selection set becomes
`json_build_object` / `json_agg` expressions around the statements the resolvers
run anyway, so a request is one statement per phase and Python only splices:

- phase A: the root field's statement (`contacts` page, or `contact(id)`), each
  row carrying its object's JSON — scalar fields, and nested `interests` as a
  correlated subquery that the (user_id, contact_id, …) index answers;
- phase B, only when the root's contacts select `connections`: their strengths
  come from the cached graph (as the loader's do), so one statement per
  `connections` field for all the root's contacts, each edge's node and
  relationship again built as JSON.

Pages, cursors, `pageInfo` and counts of the root and of `connections` come from
the same Python code the resolvers use (`make_page`, `make_nested_page`); leaf
values are converted in SQL exactly as the scalars serialize them (global ids in
base64, DateTime as `isoformat()`, floats as float8, enums by name), and the
JSON is parsed back (orjson) so the response is serialised once, by the gate, as
on every other path. tests/integration/test_compiled.py checks byte-identical
answers on all three paths.

What is not covered makes `compile_sql` return None (the Python plan runs):
another root field, a field this module does not map, a nested connection other
than `interests` under a contact, `connections` below the root's contacts,
cursors or `pageInfo` inside `interests`. And a request whose values leave the
happy path — an argument out of range, a cursor inside `interests`, an id that
does not decode or is not found, no authenticated user, a database error — is
answered by the Python plan instead (`Bail`), which gives the exact errors, so
every error comes from one place. The plan holds no data: the SQL text and
parameters are made per request.
"""

from __future__ import annotations

import dataclasses
import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any
from uuid import UUID

import asyncpg
import orjson
from graphql import (
    ExecutionResult,
    GraphQLEnumType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLOutputType,
    GraphQLScalarType,
    located_error,
)
from graphql.execution.values import VariableValues, get_argument_values

from graph_api.db import columns, tenant
from graph_api.domain.validation import number
from graph_api.errors import InvalidInput, NotFound
from graph_api.execution.compiled import FieldPlan, SelectionPlan
from graph_api.pagination import (
    MAX_PAGE_SIZE,
    Keyset,
    Page,
    PageRequest,
    make_nested_page,
    make_page,
    nested_page_sql,
    page_request,
    row_keys,
)
from graph_api.queries import contacts as contact_queries
from graph_api.types.contact import NESTED_DEFAULT
from graph_api.types.lists import ContactFilter
from graph_api.types.node import decode_id
from loaders.nested import CONNECTIONS_KEYSET, CONTACT_CONNECTIONS, INTERESTS_KEYSET, MIN_STRENGTH

logger = logging.getLogger("graph_api.execution")

# json_build_object takes at most 100 arguments: 50 keys
MAX_KEYS = 50

Column = Callable[[str], str]


# errors a second attempt on the Python plan would meet again: a statement timeout, no
# free connection in time, the database gone
REPEATED = (
    asyncpg.QueryCanceledError,
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    TimeoutError,
    OSError,
)


class Unsupported(Exception):
    """The selection is not covered: the Python plan runs the operation."""


class Bail(Exception):
    """This request's values leave the happy path: the Python plan answers it."""


@dataclass
class SqlPlan:
    root: SelectionPlan
    # generated JSON expressions, by (selection, where its columns are, first
    # parameter): the text and the fields whose `first` fill its parameters, so a
    # request only looks up its arguments (bounded: a few shapes per document)
    expressions: dict[tuple[Any, ...], tuple[str, list[FieldPlan], list[FieldPlan]]] = (
        dataclasses.field(default_factory=dict)
    )

    async def answer(self, context: Any, variables: VariableValues) -> ExecutionResult | None:
        """The response, or None where the Python plan must answer."""
        try:
            return ExecutionResult(data=await self.run(context, variables))
        except Bail:
            return None
        except REPEATED as error:
            # the Python plan would only wait or time out again, costing twice: the
            # error, located at the first root field (its code mapped as anywhere)
            first = next(f for f in self.root.fields if f.definition is not None)
            return ExecutionResult(
                data=None, errors=[located_error(error, first.nodes, [first.key])]
            )
        except Exception:
            # a bug here, never the client's: logged loudly, answered by the Python plan
            logger.warning("the SQL plan failed; the Python plan answers", exc_info=True)
            return None

    async def run(self, context: Any, variables: VariableValues) -> dict[str, Any]:
        """The response's data, or `Bail`."""
        try:
            user_id = context.user_id
        except Exception:  # unauthenticated: the Python plan reports it per field
            raise Bail from None
        run = _Run(context, user_id, variables, self.expressions)
        data: dict[str, Any] = {}
        for field in self.root.fields:
            if field.definition is None:
                data[field.key] = self.root.type.name
            elif field.name == "contact":
                data[field.key] = await run.contact(field)
            else:
                data[field.key] = await run.contacts(field)
        return data


def compile_sql(root: SelectionPlan) -> SqlPlan | None:
    """A SQL plan for a query's root selection, or None where it is not covered."""
    try:
        for field in root.fields:
            if field.definition is None:
                continue
            if field.name == "contact":
                assert field.selection is not None
                _check_contact(field.selection, connections_allowed=True)
            elif field.name == "contacts":
                _check_page(field.selection, _check_contact_root_node)
                assert field.selection is not None
                _edge_nodes(field.selection)
            else:
                raise Unsupported(field.name)
    except Unsupported:
        return None
    return SqlPlan(root)


# -- what is covered, checked once per document ---------------------------------------

# GraphQL field -> column, per type; `id` is the global id of the row's `id`
CONTACT_FIELDS = {
    "id": "id", "fullName": "full_name", "email": "email", "phone": "phone",
    "company": "company", "jobTitle": "job_title", "location": "location", "bio": "bio",
    "tags": "tags", "notes": "notes", "source": "source", "archived": "archived_at",
    "archivedAt": "archived_at", "lastInteractionAt": "last_interaction_at",
    "createdAt": "created_at", "updatedAt": "updated_at", "birthday": "birthday",
}  # fmt: skip
INTEREST_FIELDS = {
    "id": "id", "category": "category", "topic": "topic", "confidence": "confidence",
    "evidenceCount": "evidence_count", "firstDetectedAt": "first_detected_at",
    "lastReinforcedAt": "last_reinforced_at",
}  # fmt: skip
RELATIONSHIP_FIELDS = {
    "id": "id", "type": "type", "source": "source", "manualStrength": "manual_strength",
    "strength": "strength", "detectedAt": "detected_at", "createdAt": "created_at",
    "updatedAt": "updated_at",
}  # fmt: skip
FILTER_FIELDS = {
    "search", "company", "tags", "interest_topic", "include_archived", "min_strength",
    "interest_min_confidence",
}  # fmt: skip
PAGE_INFO_FIELDS = ("hasNextPage", "hasPreviousPage", "startCursor", "endCursor")


def _check_object(
    selection: SelectionPlan, mapped: dict[str, str], nested: Callable[[FieldPlan], None]
) -> None:
    if len(selection.fields) > MAX_KEYS:
        raise Unsupported("too many keys for one json_build_object")
    for field in selection.fields:
        if field.definition is None:
            continue
        if field.name in mapped:
            if field.object_type is not None or field.has_arguments:
                raise Unsupported(field.name)
            _leaf_kind(field.return_type)  # a leaf type this module converts
        else:
            nested(field)


def _check_contact(selection: SelectionPlan, *, connections_allowed: bool) -> None:
    def nested(field: FieldPlan) -> None:
        if field.name == "interests":
            _check_interests(field)
        elif field.name == "connections" and connections_allowed:
            _check_page(field.selection, _check_connection_edge, edge_objects=True)
        else:
            raise Unsupported(field.name)

    _check_object(selection, CONTACT_FIELDS, nested)


def _check_contact_root_node(selection: SelectionPlan) -> None:
    _check_contact(selection, connections_allowed=True)


def _check_interests(field: FieldPlan) -> None:
    """`interests` inside SQL: `edges { node }` and `totalCount`, no cursors or pageInfo."""
    assert field.selection is not None
    if len(field.selection.fields) > MAX_KEYS:
        raise Unsupported("too many keys for one json_build_object")
    for part in field.selection.fields:
        if part.definition is None or part.name == "totalCount":
            continue
        if part.name != "edges" or part.selection is None:
            raise Unsupported(f"interests.{part.name}")
        if len(part.selection.fields) > MAX_KEYS:
            raise Unsupported("too many keys for one json_build_object")
        for edge_part in part.selection.fields:
            if edge_part.definition is None:
                continue
            if edge_part.name != "node" or edge_part.selection is None:
                raise Unsupported(f"interests.edges.{edge_part.name}")
            _check_object(edge_part.selection, INTEREST_FIELDS, _unsupported)


def _check_connection_edge(selection: SelectionPlan) -> None:
    """A `connections` edge: `node` (a contact, no further connections) and `relationship`."""
    for field in selection.fields:
        if field.definition is None or field.name == "cursor":
            continue
        assert field.selection is not None
        if field.name == "node":
            _check_contact(field.selection, connections_allowed=False)
        elif field.name == "relationship":
            _check_object(field.selection, RELATIONSHIP_FIELDS, _unsupported)
        else:
            raise Unsupported(field.name)


def _check_page(
    selection: SelectionPlan | None,
    check_node: Callable[[SelectionPlan], None],
    *,
    edge_objects: bool = False,
) -> None:
    """A connection whose page Python makes: edges, pageInfo, totalCount, __typename."""
    assert selection is not None
    for field in selection.fields:
        if field.definition is None or field.name == "totalCount":
            continue
        if field.name == "pageInfo":
            assert field.selection is not None
            for info in field.selection.fields:
                if info.definition is not None and info.name not in PAGE_INFO_FIELDS:
                    raise Unsupported(info.name)
        elif field.name == "edges":
            assert field.selection is not None
            if edge_objects:
                check_node(field.selection)
                continue
            for edge_part in field.selection.fields:
                if edge_part.definition is None or edge_part.name == "cursor":
                    continue
                if edge_part.name != "node" or edge_part.selection is None:
                    raise Unsupported(edge_part.name)
                check_node(edge_part.selection)
        else:
            raise Unsupported(field.name)


def _unsupported(field: FieldPlan) -> None:
    raise Unsupported(field.name)


def _leaf_kind(type_: GraphQLOutputType) -> tuple[str, Any]:
    if isinstance(type_, GraphQLNonNull):
        type_ = type_.of_type
    if isinstance(type_, GraphQLList):
        inner = type_.of_type
        inner = inner.of_type if isinstance(inner, GraphQLNonNull) else inner
        if isinstance(inner, GraphQLScalarType) and inner.name == "String":
            return "text_list", None
        raise Unsupported("list leaf")
    if isinstance(type_, GraphQLEnumType):
        return "enum", type_
    if isinstance(type_, GraphQLScalarType) and type_.name in (
        "String", "ID", "Int", "Float", "Boolean", "DateTime",
    ):  # fmt: skip
        return type_.name, None
    raise Unsupported(f"leaf {type_}")


# -- SQL, per request ------------------------------------------------------------------


class _Params:
    """A statement's parameters; $1 is always the user's id."""

    def __init__(self, values: list[Any]) -> None:
        self.values = values
        # `interests` fields whose page size fills a parameter, in order, and all
        # the `interests` fields, whose arguments each request checks
        self.slots: list[FieldPlan] = []
        self.checks: list[FieldPlan] = []

    def add(self, value: Any) -> str:
        self.values.append(value)
        return f"${len(self.values)}"

    def slot(self, field: FieldPlan) -> str:
        self.slots.append(field)
        return self.add(None)


MAX_EXPRESSIONS = 64


def _leaf_sql(field: FieldPlan, column: Column, type_name: str, mapped: dict[str, str]) -> str:
    name = mapped[field.name]
    if field.name == "id":
        # base64 of "Type:uuid" (global_id); under 76 characters, so no line break
        # (base64 breaks lines every 76 characters: none for these, removed all the same)
        encoded = f"encode(convert_to('{type_name}:' || {column('id')}::text, 'UTF8'), 'base64')"
        return f"translate({encoded}, E'\\n', '')"
    if type_name == "Contact" and field.name == "archived":
        return f"({column(name)} is not null)"
    kind, enum = _leaf_kind(field.return_type)
    value = column(name)
    if kind == "DateTime":
        # datetime.isoformat() of a UTC timestamp: microseconds only when not zero
        utc = f"({value} at time zone 'UTC')"
        return (
            f"(to_char({utc}, 'YYYY-MM-DD\"T\"HH24:MI:SS') || case when "
            f"extract(microseconds from {value})::int % 1000000 = 0 then '' else "
            f"to_char({utc}, '.US') end || '+00:00')"
        )
    if kind == "Float":
        # a whole number prints as `1`, which JSON reads back as an int; graphql-core
        # serialises the float 1.0 (the pool pins extra_float_digits: shortest exact)
        text = f"{value}::float8::text"
        return f"(case when {text} ~ '^-?[0-9]+$' then {text} || '.0' else {text} end)::json"
    if kind == "enum":
        cases = " ".join(f"when '{_stored(v.value)}' then '{n}'" for n, v in enum.values.items())
        return f"(case {value} {cases} end)"
    return value


def _stored(value: Any) -> str:
    stored = value.value if isinstance(value, Enum) else value
    if not isinstance(stored, str) or "'" in stored:
        raise Unsupported("enum value")
    return stored


def _object_sql(
    fields: list[FieldPlan],
    type_name: str,
    column: Column,
    mapped: dict[str, str],
    nested: Callable[[FieldPlan], str],
) -> str:
    parts: list[str] = []
    for field in fields:
        if field.definition is None:
            parts.append(f"'{field.key}', '{type_name}'")
        elif field.name in mapped:
            parts.append(f"'{field.key}', {_leaf_sql(field, column, type_name, mapped)}")
        else:
            parts.append(f"'{field.key}', {nested(field)}")
    return f"json_build_object({', '.join(parts)})"


# a `connections` field, its page and its minimum strength
_Wanted = tuple[FieldPlan, PageRequest, float | None]


class _Run:
    def __init__(
        self,
        context: Any,
        user_id: UUID,
        variables: VariableValues,
        expressions: dict[tuple[Any, ...], tuple[str, list[FieldPlan], list[FieldPlan]]],
    ) -> None:
        self.expressions = expressions
        self.context = context
        self.pool = context.pool
        self.user_id = user_id
        self.variables = variables

    def arguments(self, field: FieldPlan) -> dict[str, Any]:
        if field.static_arguments is not None:
            return field.static_arguments
        if not field.has_arguments:
            return {}
        assert field.definition is not None
        return get_argument_values(field.definition, field.nodes[0], self.variables)

    def expression(
        self,
        selection: SelectionPlan,
        prefix: str,
        params: _Params,
        build: Callable[[_Params], str],
    ) -> str:
        """`build`'s JSON expression for `selection`, generated once per shape; this
        request's page sizes appended to `params`."""
        key = (id(selection), prefix, len(params.values))
        found = self.expressions.get(key)
        if found is None:
            recorder = _Params([None] * len(params.values))
            found = (build(recorder), recorder.slots, recorder.checks)
            if len(self.expressions) >= MAX_EXPRESSIONS:
                self.expressions.clear()
            self.expressions[key] = found
        text, slots, checks = found
        for field in checks:
            self.interests_first(field)
        params.values.extend(self.interests_first(field) for field in slots)
        return text

    # a contact's JSON; `connections` left null, filled by phase B
    def contact_sql(self, selection: SelectionPlan, prefix: str, params: _Params) -> str:
        def build(recorder: _Params) -> str:
            def column(name: str) -> str:
                return f"{prefix}{name}"

            def nested(field: FieldPlan) -> str:
                if field.name == "connections":
                    return "null::json"
                return self.interests_sql(field, column("id"), recorder)

            return _object_sql(selection.fields, "Contact", column, CONTACT_FIELDS, nested)

        return self.expression(selection, prefix, params, build)

    def interests_first(self, field: FieldPlan) -> int:
        """The page size of an `interests` field, or `Bail` for what SQL does not page."""
        arguments = self.arguments(field)
        if any(arguments.get(name) is not None for name in ("after", "last", "before")):
            raise Bail
        first = arguments.get("first")
        first = NESTED_DEFAULT if first is None else first
        if not 0 <= first <= MAX_PAGE_SIZE:
            raise Bail
        return int(first)

    def interests_sql(self, field: FieldPlan, contact_id: str, params: _Params) -> str:
        assert field.selection is not None
        params.checks.append(field)
        user = "$1"
        source = f"interests i where i.user_id = {user} and i.contact_id = {contact_id}"
        order = _order(INTERESTS_KEYSET)
        parts: list[str] = []
        for part in field.selection.fields:
            if part.definition is None:
                parts.append(f"'{part.key}', '{field.selection.type.name}'")
            elif part.name == "totalCount":
                parts.append(f"'{part.key}', (select count(*) from {source})")
            else:
                assert part.selection is not None
                edge_parts: list[str] = []
                for edge_part in part.selection.fields:
                    if edge_part.definition is None:
                        edge_parts.append(f"'{edge_part.key}', '{part.selection.type.name}'")
                    else:
                        assert edge_part.selection is not None
                        node = _object_sql(
                            edge_part.selection.fields, "Interest", lambda c: f"i.{c}",
                            INTEREST_FIELDS, _no_nested,
                        )  # fmt: skip
                        edge_parts.append(f"'{edge_part.key}', {node}")
                edge = f"json_build_object({', '.join(edge_parts)})"
                parts.append(
                    f"'{part.key}', coalesce((select json_agg({edge} order by {order}) from "
                    f"(select * from {source} order by {order} limit {params.slot(field)}) i), "
                    "'[]'::json)"
                )
        return f"json_build_object({', '.join(parts)})"

    async def fetch(self, statement: str, params: _Params) -> list[Any]:
        params.values[0] = self.user_id
        return await tenant.fetch(self.pool, self.user_id, statement, *params.values)

    # -- root fields

    async def contact(self, field: FieldPlan) -> Any:
        try:
            contact_id = decode_id(self.arguments(field)["id"], "Contact", field="id")
        except NotFound:
            raise Bail from None
        assert field.selection is not None
        wanted = self.connection_requests(field.selection)
        params = _Params([None, contact_id])
        json = self.contact_sql(field.selection, "c.", params)
        rows = await self.fetch(
            f"-- contact_json\nselect c.id, {json} as j from contacts c "
            "where c.user_id = $1 and c.id = $2",
            params,
        )
        if not rows:
            raise Bail  # NOT_FOUND, from the Python plan
        nodes = [orjson.loads(rows[0]["j"])]
        await self.connections(wanted, [rows[0]["id"]], nodes)
        return nodes[0]

    async def contacts(self, field: FieldPlan) -> dict[str, Any]:
        arguments = self.arguments(field)
        order = arguments.get("orderBy") or "NAME_ASC"
        order = order.value if isinstance(order, Enum) else order
        keyset = contact_queries.ORDERS[order]
        try:
            request = page_request(
                keyset, first=arguments.get("first"), after=arguments.get("after"),
                last=arguments.get("last"), before=arguments.get("before"),
            )  # fmt: skip
            filters = self.contact_filter(field, arguments)
        except InvalidInput:
            raise Bail from None
        scores = None
        if contact_queries.needs_strength(filters, order):
            scores = (await self.context.graph()).tie_scores()
        inner, values = contact_queries.contacts_page_statement(filters, order, request, scores)
        params = _Params(values)
        assert field.selection is not None
        nodes_at = _edge_nodes(field.selection)
        node = nodes_at[0].selection if nodes_at else None
        wanted = self.connection_requests(node) if node is not None else []
        json = self.contact_sql(node, "p.", params) if node is not None else "null::json"
        sort_keys = ", ".join(f"p.sort_key_{i}" for i in range(len(keyset.expressions)))
        rows = await self.fetch(
            f"-- contacts_page_json\nselect p.id, {sort_keys}, {json} as j from ({inner}) p "
            f"order by {_order(keyset, request.backward, 'p.sort_key_')}",
            params,
        )
        page = make_page(
            keyset, request, rows, row_keys(keyset), cursors=_wants_cursors(field.selection)
        )
        nodes = [orjson.loads(row["j"]) if node is not None else None for row in page.rows]
        await self.connections(wanted, [row["id"] for row in page.rows], nodes)

        async def count() -> int:
            return await contact_queries.count_contacts(self.pool, self.user_id, filters, scores)

        return await _page_json(field.selection, page, nodes, count)

    def contact_filter(
        self, field: FieldPlan, arguments: dict[str, Any]
    ) -> contact_queries.ContactFilter:
        given = arguments.get("filter")
        if given is None:
            return contact_queries.ContactFilter()
        # the strawberry input, as the resolver gets it (its to_domain validates)
        # keyed by GraphQL names, or by Python ones where strawberry set `out_name`
        names = {"interestTopic": "interest_topic", "includeArchived": "include_archived",
                 "minStrength": "min_strength",
                 "interestMinConfidence": "interest_min_confidence"}  # fmt: skip
        values = {names.get(key, key): value for key, value in given.items()}
        if not values.keys() <= FILTER_FIELDS:
            raise Bail
        return ContactFilter(**values).to_domain()

    # -- phase B: connections of the root's contacts

    def connection_requests(self, selection: SelectionPlan) -> list[_Wanted]:
        """The `connections` fields of a contact's selection with their pages, checked
        before any statement runs (`Bail` when the Python plan must report them)."""
        wanted = []
        for field in selection.fields:
            if field.name != "connections":
                continue
            arguments = self.arguments(field)
            try:
                request = page_request(
                    CONNECTIONS_KEYSET, first=arguments.get("first"),
                    after=arguments.get("after"), last=arguments.get("last"),
                    before=arguments.get("before"), default=NESTED_DEFAULT,
                )  # fmt: skip
                min_strength = number(
                    arguments.get("minStrength"), field="minStrength", minimum=0.0, maximum=1.0
                )
            except InvalidInput:
                raise Bail from None
            wanted.append((field, request, min_strength))
        return wanted

    async def connections(
        self, wanted: list[_Wanted], parent_ids: list[UUID], nodes: list[Any]
    ) -> None:
        if not wanted or not parent_ids:
            return  # no parents: nothing to fill
        network = None
        for field, request, min_strength in wanted:
            if network is None:
                network = await self.context.graph()
            relationship_ids, strengths = network.edge_strengths(set(parent_ids))
            params = _Params([None, parent_ids, relationship_ids, strengths])
            source = CONTACT_CONNECTIONS.source
            if min_strength is not None:
                source += f" {MIN_STRENGTH}"
                params.add(min_strength)
            cursor_param = len(params.values) + 1
            if request.after is not None:
                params.values.extend(request.after)
            limit = params.add(request.limit)
            inner = nested_page_sql(
                name="connections",
                select=f"{columns.RELATIONSHIP}, st.strength, {columns.OTHER_CONTACT}",
                source=source,
                parent=CONTACT_CONNECTIONS.parent,
                keyset=CONNECTIONS_KEYSET,
                request=request,
                cursor_param=cursor_param,
                limit_param=int(limit[1:]),
            ).split("\n", 1)[1]
            assert field.selection is not None
            objects = [
                part
                for edges in field.selection.fields
                if edges.name == "edges" and edges.selection is not None
                for part in edges.selection.fields
                if part.name in ("node", "relationship")
            ]
            selected = ", ".join(
                f"{self.edge_object_sql(f, params)} as j{i}" for i, f in enumerate(objects)
            )
            rows = await self.fetch(
                "-- contact_connections_json\nselect q.parent_id, q.total_count, q.skipped, "
                f"q.sort_key_0, q.sort_key_1{', ' if selected else ''}{selected} "
                f"from ({inner}) q order by q.parent_id, q.position",
                params,
            )
            cursors = _wants_cursors(field.selection)
            by_parent: dict[UUID, list[Any]] = defaultdict(list)
            for row in rows:
                by_parent[row["parent_id"]].append(row)
            for parent_id, node in zip(parent_ids, nodes, strict=True):
                page = make_nested_page(
                    CONNECTIONS_KEYSET, request, by_parent.get(parent_id, []), cursors=cursors
                )
                parsed = [
                    {id(f): orjson.loads(row[f"j{i}"]) for i, f in enumerate(objects)}
                    for row in page.rows
                ]
                node[field.key] = await _page_json(
                    field.selection, page, parsed, None, edge_objects=True
                )

    def edge_object_sql(self, field: FieldPlan, params: _Params) -> str:
        assert field.selection is not None
        if field.name == "node":
            return self.contact_sql(field.selection, "q.other_", params)
        fields = field.selection.fields
        return self.expression(
            field.selection, "q.", params,
            lambda _: _object_sql(fields, "Relationship", lambda c: f"q.{c}", RELATIONSHIP_FIELDS, _no_nested),
        )  # fmt: skip


def _no_nested(field: FieldPlan) -> str:
    raise AssertionError(f"checked at compile time: {field.name}")


def _order(keyset: Keyset, backward: bool = False, prefix: str | None = None) -> str:
    direction = "asc" if keyset.descending == backward else "desc"
    expressions = (
        [f"{prefix}{i}" for i in range(len(keyset.expressions))]
        if prefix
        else list(keyset.expressions)
    )
    return ", ".join(f"{e} {direction}" for e in expressions)


def _wants_cursors(selection: SelectionPlan) -> bool:
    """Whether a connection's selection shows a cursor (edges' or pageInfo's)."""
    for field in selection.fields:
        if field.selection is None:
            continue
        for part in field.selection.fields:
            if (field.name, part.name) in (
                ("edges", "cursor"), ("pageInfo", "startCursor"), ("pageInfo", "endCursor"),
            ):  # fmt: skip
                return True
    return False


def _edge_nodes(selection: SelectionPlan) -> list[FieldPlan]:
    """The `node` fields under `edges` (one, merged, unless aliased apart)."""
    found = [
        part
        for field in selection.fields
        if field.name == "edges" and field.selection is not None
        for part in field.selection.fields
        if part.name == "node"
    ]
    if len(found) > 1:
        raise Unsupported("nodes aliased apart")  # rare: the Python plan
    return found


async def _page_json(
    selection: SelectionPlan,
    page: Page,
    nodes: list[Any],
    count: Callable[[], Any] | None,
    *,
    edge_objects: bool = False,
) -> dict[str, Any]:
    """A connection's JSON in selection order; each edge's node (or, for
    `connections`, its objects by field) already built."""
    result: dict[str, Any] = {}
    for field in selection.fields:
        if field.definition is None:
            result[field.key] = selection.type.name
        elif field.name == "totalCount":
            result[field.key] = page.total_count if page.total_count is not None else await count()  # type: ignore[misc]
        elif field.name == "pageInfo":
            assert field.selection is not None
            info: dict[str, Any] = {}
            for part in field.selection.fields:
                if part.definition is None:
                    info[part.key] = field.selection.type.name
                elif part.name == "hasNextPage":
                    info[part.key] = page.has_next_page
                elif part.name == "hasPreviousPage":
                    info[part.key] = page.has_previous_page
                elif part.name == "startCursor":
                    info[part.key] = page.cursors[0] if page.cursors else None
                else:
                    info[part.key] = page.cursors[-1] if page.cursors else None
            result[field.key] = info
        else:  # edges
            assert field.selection is not None
            edges = []
            for cursor, node in zip(page.cursors, nodes, strict=True):
                edge: dict[str, Any] = {}
                for part in field.selection.fields:
                    if part.definition is None:
                        edge[part.key] = field.selection.type.name
                    elif part.name == "cursor":
                        edge[part.key] = cursor
                    else:
                        edge[part.key] = node[id(part)] if edge_objects else node
                edges.append(edge)
            result[field.key] = edges
    return result
