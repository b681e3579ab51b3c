"""The limits a public GraphQL endpoint needs: size, overlap, depth, aliases and fan-out.

Every check costs time linear in the document, however it nests:

- `shape_problem` runs on the parsed document *before* validation and bounds what
  validation itself costs: graphql-core's overlapping-fields rule compares every
  pair of fields that share a response name in one selection set, so a thousand
  copies of one field cost seconds to validate. Each selection set's response
  names are counted once (named fragments memoised), and more than
  `MAX_SAME_RESPONSE_NAME` copies of one name in one set is refused.
- `measure` walks the document with the schema's types, before validation (depth,
  aliases and introspection, which no variable changes; unknown fields count as
  nothing, for validation to refuse) and again per request with its variables
  (fan-out). Fan-out is the number of objects a query could return: every field
  costs one per parent object, a paginated field (one with a `first`/`last`
  argument, read from the schema by type and field) multiplies its children by its
  `first`/`last`, by the schema's default for `first` when absent, by its cap when
  the value is not known. Each named fragment is measured once at multiplier 1 and
  scaled where it is spread, so fragments spreading each other twice per level cost
  one walk each, not 2^levels; fragment cycles add nothing (validation reports
  them); numbers are clamped just above the limits, so nothing grows big.
- Introspection counts like anything else towards depth and aliases; its fan-out
  (types, fields, args … each bounded by the schema's own largest list) has a
  budget of its own, a few standard introspection queries' worth
  (`Bounds.introspection_limit`), so 450 aliased `__schema` fields are refused while
  GraphiQL's introspection passes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_introspection_query,
    get_named_type,
    parse,
)

from graph_api.domain.interactions import MAX_PARTICIPANTS
from graph_api.domain.memories import MAX_SOURCES
from graph_api.pagination import MAX_PAGE_SIZE
from graph_api.types.graph import MAX_MEMBERS
from graph_api.types.network_query import MAX_NODES

MAX_DEPTH = 20
MAX_ALIASES = 50
MAX_COST = 50_000
# the parser stops after this many tokens; a longer query text is refused unread
MAX_TOKENS = 10_000
MAX_QUERY_LENGTH = 100_000
# copies of one response name in one selection set (fragments included) that
# validation compares pairwise
MAX_SAME_RESPONSE_NAME = 30
# selection sets inside each other, fragments and inline fragments included (the
# full introspection query nests 13); deeper is refused before anything recurses
MAX_NESTING = 60
# selections the overlap check may walk, fragments expanded where they are spread
MAX_SHAPE_WORK = 100_000
# introspection may fan out to this many standard introspection answers
INTROSPECTION_ALLOWANCE = 4
# the largest `first` a paginated field accepts, where it is not the common page size
# (`MAX_PAGE_SIZE`): by type and field, as the resolvers read them
PAGE_CAPS = {("Community", "members"): MAX_MEMBERS}
# lists without size arguments, by their caps (communities: an estimate, one per group)
BOUNDED_LISTS = {
    "participants": MAX_PARTICIPANTS,
    "sourceInteractions": MAX_SOURCES,
    "nodes": MAX_NODES,
    "communities": 100,
}
INTROSPECTION_ROOTS = {"__schema", "__type"}


def too_complex(message: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": "QUERY_TOO_COMPLEX"})


# -- before validation: what validation will cost ---------------------------------------


def shape_problem(document: DocumentNode) -> GraphQLError | None:
    """A refusal when validating `document` would cost more than its size suggests.

    graphql-core's overlapping-fields rule merges, for each response name, the
    selections of every field under it (fragments expanded, each once per merged
    set) and compares them pairwise, level by level. This walks the same merged
    tree, refusing a response name with more than `MAX_SAME_RESPONSE_NAME` copies in
    one merged set and a walk longer than `MAX_SHAPE_WORK` selections: what the rule
    would compare is then bounded by the copies squared times the walk."""
    fragments = _fragments(document)
    work = [MAX_SHAPE_WORK]

    def merged(selection_sets: list[SelectionSetNode], depth: int) -> None:
        if depth > MAX_NESTING:
            raise _Refused(f"the query nests more than {MAX_NESTING} selections deep")
        by_name: dict[str, list[FieldNode]] = {}
        spread: set[str] = set()
        queue = [selection for s in selection_sets for selection in s.selections]
        while queue:
            selection = queue.pop()
            work[0] -= 1
            if work[0] < 0:
                raise _Refused("the query's selections, fragments expanded, are too many to check")
            if isinstance(selection, FieldNode):
                copies = by_name.setdefault((selection.alias or selection.name).value, [])
                copies.append(selection)
                if len(copies) > MAX_SAME_RESPONSE_NAME:
                    raise _Refused(
                        f"{(selection.alias or selection.name).value!r} is selected more than "
                        f"{MAX_SAME_RESPONSE_NAME} times in one selection set"
                    )
            elif isinstance(selection, InlineFragmentNode):
                queue.extend(selection.selection_set.selections)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                if name not in spread and name in fragments:  # cycles: validation's
                    spread.add(name)
                    queue.extend(fragments[name].selection_set.selections)
        for copies in by_name.values():
            below = [field.selection_set for field in copies if field.selection_set is not None]
            if below:
                merged(below, depth + 1)

    try:
        for definition in document.definitions:
            if isinstance(definition, OperationDefinitionNode | FragmentDefinitionNode):
                merged([definition.selection_set], 1)
    except _Refused as refused:
        return too_complex(str(refused))
    return None


class _Refused(Exception):
    pass


# -- what the answer could cost ---------------------------------------------------------


@dataclass(frozen=True)
class Measure:
    """One selection set at multiplier 1, clamped just above the limits."""

    depth: int = 0
    aliases: int = 0
    cost: int = 0
    introspection: int = 0


@dataclass(frozen=True)
class PageSize:
    """A paginated field's page when `first`/`last` is not given, and the most it takes."""

    default: int
    cap: int


@dataclass(frozen=True)
class Bounds:
    """What the schema says about fan-out: the page sizes of its paginated fields (by
    type and field), and the introspection lists' fan-outs (the schema's largest of
    each) with their budget."""

    schema: GraphQLSchema
    page_sizes: Mapping[tuple[str, str], PageSize]
    introspection_fan_outs: Mapping[str, int]
    introspection_limit: int

    @classmethod
    def of(cls, schema: GraphQLSchema) -> Bounds:
        types = list(schema.type_map.values())

        def largest(values: Iterable[int]) -> int:
            return max([1, *values])

        fields = [len(getattr(t, "fields", None) or {}) for t in types]
        fan_outs = {
            "types": len(types),
            "directives": len(schema.directives),
            "fields": largest(fields),
            "inputFields": largest(fields),
            "interfaces": largest(len(getattr(t, "interfaces", None) or ()) for t in types),
            "possibleTypes": len(types),
            "enumValues": largest(len(getattr(t, "values", None) or {}) for t in types),
            "args": largest(
                [len(f.args) for t in types for f in (getattr(t, "fields", None) or {}).values()
                 if hasattr(f, "args")]
                + [len(d.args) for d in schema.directives]
            ),
        }  # fmt: skip
        page_sizes = page_sizes_of(schema)
        standard = parse(get_introspection_query(descriptions=True))
        unlimited = cls(schema, page_sizes, fan_outs, introspection_limit=1 << 62)
        measured = measure(standard, None, {}, unlimited)
        limit = INTROSPECTION_ALLOWANCE * max(measured.introspection, 1)
        return cls(schema, page_sizes, fan_outs, introspection_limit=limit)


def page_sizes_of(schema: GraphQLSchema) -> dict[tuple[str, str], PageSize]:
    """Every field with a `first` or `last` argument: its page when neither is given
    (the declared default of `first`; the cap when it declares none) and its cap."""
    sizes = {}
    for type_ in schema.type_map.values():
        if type_.name.startswith("__") or not isinstance(
            type_, GraphQLObjectType | GraphQLInterfaceType
        ):
            continue
        for name, field in type_.fields.items():
            if "first" not in field.args and "last" not in field.args:
                continue
            cap = PAGE_CAPS.get((type_.name, name), MAX_PAGE_SIZE)
            first = field.args.get("first")
            default = first.default_value if first is not None else None
            sizes[type_.name, name] = PageSize(
                default if isinstance(default, int) and not isinstance(default, bool) else cap,
                cap,
            )
    return sizes


def check(
    document: DocumentNode,
    operation_name: str | None,
    variables: Mapping[str, Any],
    bounds: Bounds,
    *,
    fan_out: bool = True,
) -> GraphQLError | None:
    """The first limit the operation exceeds, as a QUERY_TOO_COMPLEX error, else None.

    Without `fan_out`, only the limits no variable changes (depth, aliases,
    introspection), for every operation: those run before validation."""
    return assess(document, operation_name, variables, bounds, fan_out=fan_out)[0]


def assess(
    document: DocumentNode,
    operation_name: str | None,
    variables: Mapping[str, Any],
    bounds: Bounds,
    *,
    fan_out: bool = True,
) -> tuple[GraphQLError | None, int]:
    """`check`'s refusal, and the fan-out measured (reported as extensions.cost)."""
    found = measure(document, operation_name, variables, bounds)
    return _refusal(found, bounds, fan_out=fan_out), found.cost


def _refusal(found: Measure, bounds: Bounds, *, fan_out: bool) -> GraphQLError | None:
    if found.depth > MAX_DEPTH:
        return too_complex(f"the query is more than {MAX_DEPTH} levels deep")
    if found.aliases > MAX_ALIASES:
        return too_complex(f"the query uses more than {MAX_ALIASES} aliases")
    if fan_out and found.cost > MAX_COST:
        return too_complex(
            f"the query could return more than {MAX_COST:,} objects. "
            "Ask for smaller pages (first/last) or fewer nested levels."
        )
    if found.introspection > bounds.introspection_limit:
        return too_complex(
            f"the introspection could return more than {bounds.introspection_limit:,} objects "
            f"({INTROSPECTION_ALLOWANCE} full schema introspections)"
        )
    return None


def measure(
    document: DocumentNode,
    operation_name: str | None,
    variables: Mapping[str, Any],
    bounds: Bounds,
) -> Measure:
    fragments = _fragments(document)
    memo: dict[tuple[str, bool], Measure] = {}
    cost_cap, intro_cap = MAX_COST + 1, bounds.introspection_limit + 1
    schema = bounds.schema

    def walk(
        selection_set: SelectionSetNode, parent: GraphQLNamedType | None, inside_introspection: bool
    ) -> Measure:
        depth = aliases = cost = intro = 0
        fields = getattr(parent, "fields", None) or {}
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                name = selection.name.value
                introspective = inside_introspection or name in INTROSPECTION_ROOTS
                definition = fields.get(name)
                below = (
                    walk(
                        selection.selection_set,
                        None if definition is None else get_named_type(definition.type),
                        introspective,
                    )
                    if selection.selection_set is not None
                    else Measure()
                )
                if introspective:
                    fan_out = bounds.introspection_fan_outs.get(name, 1)
                    intro += 1 + fan_out * below.introspection
                else:
                    page = None if parent is None else bounds.page_sizes.get((parent.name, name))
                    fan_out = _fan_out(selection, page, variables)
                    cost += 1 + fan_out * below.cost
                    intro += fan_out * below.introspection
                depth = max(depth, 1 + below.depth)
                aliases += below.aliases + (selection.alias is not None)
            else:
                if isinstance(selection, InlineFragmentNode):
                    condition = selection.type_condition
                    inner = walk(
                        selection.selection_set,
                        parent if condition is None else schema.get_type(condition.name.value),
                        inside_introspection,
                    )
                else:
                    assert isinstance(selection, FragmentSpreadNode)
                    key = (selection.name.value, inside_introspection)
                    if key not in memo:
                        fragment = fragments.get(key[0])
                        memo[key] = Measure()  # a cycle (validation's to report) adds nothing
                        if fragment is not None:
                            memo[key] = walk(
                                fragment.selection_set,
                                schema.get_type(fragment.type_condition.name.value),
                                inside_introspection,
                            )
                    inner = memo[key]
                depth = max(depth, inner.depth)
                aliases += inner.aliases
                cost += inner.cost
                intro += inner.introspection
            # clamped: past a limit, by how much no longer matters
            cost, intro = min(cost, cost_cap), min(intro, intro_cap)
            aliases = min(aliases, MAX_ALIASES + 1)
        return Measure(depth, aliases, cost, intro)

    result = Measure()
    for operation in document.definitions:
        if not isinstance(operation, OperationDefinitionNode):
            continue
        if operation_name is not None and (
            operation.name is None or operation.name.value != operation_name
        ):
            continue
        found = walk(operation.selection_set, schema.get_root_type(operation.operation), False)
        result = Measure(
            max(result.depth, found.depth),
            max(result.aliases, found.aliases),
            max(result.cost, found.cost),
            max(result.introspection, found.introspection),
        )
    return result


def fan_out_variables(document: DocumentNode) -> frozenset[str]:
    """The variables whose values the fan-out depends on (`first`/`last` given by one)."""
    found: set[str] = set()

    def visit(selection_set: SelectionSetNode | None) -> None:
        if selection_set is None:
            return
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                for argument in selection.arguments or ():
                    if argument.name.value in {"first", "last"} and isinstance(
                        argument.value, VariableNode
                    ):
                        found.add(argument.value.name.value)
            if isinstance(selection, FieldNode | InlineFragmentNode):
                visit(selection.selection_set)

    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode | FragmentDefinitionNode):
            visit(definition.selection_set)
    return frozenset(found)


def _fragments(document: DocumentNode) -> dict[str, FragmentDefinitionNode]:
    return {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}


def _fan_out(field: FieldNode, page: PageSize | None, variables: Mapping[str, Any]) -> int:
    name = field.name.value
    if page is None:
        return BOUNDED_LISTS.get(name, 1)
    sizes = [_int_argument(field, arg, variables) for arg in ("first", "last")]
    given = [size for size in sizes if size is not None]
    if given:
        return max(1, min(max(given), page.cap))
    if any(arg.name.value in {"first", "last"} for arg in field.arguments or ()):
        return page.cap  # given, but not as a number we can read: assume the worst
    return page.default


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
