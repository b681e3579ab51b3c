"""Compiled plans: a validated query executed level by level, without graphql-core's
generic per-field machinery.

graphql-core completes every field of every object on its own: a Path, a resolve
info, an isinstance chain through the return type, often a future. For a page of
20 contacts × 5 connections × 5 interests that is thousands of completions, and
they, not SQL, were where the time went. A plan is built once per document and
operation (`compile_operation`, cached with the prepared document) and runs
breadth-first, as graphql-jit and Grafast do:

- the selection set of each object type is collected once (fragments, merging of
  fields under one response key) into `FieldPlan`s, each knowing what it is: a
  plain attribute (strawberry fields without a resolver) copied straight into the
  response with its scalar's serializer; `__typename`; or a resolver field;
- a level runs every resolver of every object at once (so DataLoaders batch, one
  statement per level as before), then the next level for all the objects the
  level returned, whichever parent they came from;
- errors are located (path, nodes) and a null propagates to the nearest nullable
  parent, as the spec says.

The plan never holds data: two users sending the same document share the plan,
never the values. What it does not cover — mutations, abstract types (interfaces,
unions), directives on fields, introspection other than `__typename` — makes
`compile_operation` return None, and the operation runs on graphql-core instead,
with the same answer (tests/integration/test_compiled.py checks both paths give
byte-identical JSON for the README's queries and its documents).

Known differences, on errors only: several errors come in level order rather than
graphql-core's completion order, and where graphql-core cancels the siblings of a
failed non-null field (reporting fewer errors), every sibling here runs to the end.
A resolver's `info.path` is that of the level's first object (resolvers here read
only `info.context`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    VariableNode,
    Visitor,
    is_leaf_type,
    located_error,
    visit,
)
from graphql.execution.values import VariableValues, get_argument_values, get_variable_values
from graphql.pyutils import Path, Undefined, inspect, is_iterable
from graphql.type.definition import GraphQLResolveInfoHelpers
from strawberry.types.arguments import convert_arguments

# a position whose value became null because of an error below a non-null field
_NULLED = object()


class Unsupported(Exception):
    """The plan does not cover this selection: run the operation on graphql-core."""


@dataclass
class Leaf:
    """How to turn a leaf value into JSON: its serializer and what wraps it."""

    serialize: Callable[[Any], Any]
    # outermost first: True for non-null, "list" for a list
    wrappers: tuple[Any, ...]


@dataclass
class FieldPlan:
    key: str
    name: str
    nodes: list[FieldNode]
    definition: GraphQLField
    return_type: GraphQLOutputType
    parent_type: GraphQLObjectType
    # a plain attribute to read, when the field has no resolver of its own
    attribute: str | None
    leaf: Leaf | None
    # for object results: the object type and its selection's plan
    object_type: GraphQLObjectType | None = None
    selection: SelectionPlan | None = None
    # argument values when no variable enters them (computed once), else None
    static_arguments: dict[str, Any] | None = None
    has_arguments: bool = False
    # the strawberry field whose resolver function is called directly, skipping
    # strawberry's per-call wrapper (argument conversion once per level instead)
    direct: Any = None


@dataclass
class SelectionPlan:
    type: GraphQLObjectType
    fields: list[FieldPlan] = field(default_factory=list)


@dataclass
class Plan:
    schema: GraphQLSchema
    document: DocumentNode
    operation: OperationDefinitionNode
    fragments: dict[str, FragmentDefinitionNode]
    root: SelectionPlan
    strawberry_schema: Any
    # the operation compiled to SQL (execution/sql.py), tried first where it covers
    # the selection; it answers None when this request's values need this plan
    sql: Any = None

    async def execute(
        self, context: Any, variables: dict[str, Any], *, sql: bool = True
    ) -> ExecutionResult:
        coerced = get_variable_values(
            self.schema, self.operation.variable_definitions or (), variables, hide_suggestions=True
        )
        if isinstance(coerced, list):
            return ExecutionResult(data=None, errors=coerced)
        if sql and self.sql is not None:
            answered: ExecutionResult | None = await self.sql.answer(context, coerced)
            if answered is not None:
                return answered
        run = _Run(self, context, coerced)
        [data] = await run.level(self.root, [None], [None])
        return ExecutionResult(data=None if data is _NULLED else data, errors=run.errors or None)


def compile_operation(
    schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode
) -> Plan | None:
    """A plan for a query operation, or None when it must run on graphql-core."""
    if operation.operation is not OperationType.QUERY:
        return None
    root = schema.query_type
    if root is None:
        return None
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    try:
        selection = _plan_selection(schema, fragments, root, [operation.selection_set], depth=0)
    except Unsupported:
        return None
    return Plan(schema, document, operation, fragments, selection, schema._strawberry_schema)  # type: ignore[attr-defined]


MAX_PLAN_DEPTH = 64  # the limits refuse deeper documents long before this


def _plan_selection(
    schema: GraphQLSchema,
    fragments: dict[str, FragmentDefinitionNode],
    object_type: GraphQLObjectType,
    selection_sets: Iterable[SelectionSetNode],
    depth: int,
) -> SelectionPlan:
    if depth > MAX_PLAN_DEPTH:
        raise Unsupported("too deep")
    grouped: dict[str, list[FieldNode]] = {}
    visited: set[str] = set()  # one fragment once per merged selection, as graphql-core
    for selection_set in selection_sets:
        _collect(fragments, object_type, selection_set, grouped, visited)
    plan = SelectionPlan(object_type)
    for key, nodes in grouped.items():
        plan.fields.append(_plan_field(schema, fragments, object_type, key, nodes, depth))
    return plan


def _collect(
    fragments: dict[str, FragmentDefinitionNode],
    object_type: GraphQLObjectType,
    selection_set: SelectionSetNode,
    grouped: dict[str, list[FieldNode]],
    visited: set[str],
) -> None:
    for selection in selection_set.selections:
        if selection.directives:
            raise Unsupported("directives")
        if isinstance(selection, FieldNode):
            key = (selection.alias or selection.name).value
            grouped.setdefault(key, []).append(selection)
        elif isinstance(selection, InlineFragmentNode):
            _check_condition(object_type, selection.type_condition)
            _collect(fragments, object_type, selection.selection_set, grouped, visited)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            if name in visited:
                continue
            visited.add(name)
            fragment = fragments[name]
            _check_condition(object_type, fragment.type_condition)
            _collect(fragments, object_type, fragment.selection_set, grouped, visited)


def _check_condition(object_type: GraphQLObjectType, condition: Any) -> None:
    # validation let it through, so it is this type or an abstract one containing
    # it; only the first is sure to apply without looking at the runtime value
    if condition is not None and condition.name.value != object_type.name:
        raise Unsupported("type condition on an abstract type")


def _plan_field(
    schema: GraphQLSchema,
    fragments: dict[str, FragmentDefinitionNode],
    parent: GraphQLObjectType,
    key: str,
    nodes: list[FieldNode],
    depth: int,
) -> FieldPlan:
    name = nodes[0].name.value
    if name == "__typename":
        return FieldPlan(key, name, nodes, None, None, parent, None, None)  # type: ignore[arg-type]
    if name.startswith("__"):
        raise Unsupported("introspection")
    definition = parent.fields[name]
    strawberry_field: Any = (definition.extensions or {}).get("strawberry-definition")
    attribute = direct = None
    plain = (
        strawberry_field is not None
        and not strawberry_field.permission_classes
        and not strawberry_field.extensions
    )
    if plain and strawberry_field.base_resolver is None and not definition.args:
        attribute = strawberry_field.python_name
    elif plain and strawberry_field.base_resolver is not None:
        resolver = strawberry_field.base_resolver
        if (
            resolver.self_parameter is not None
            and resolver.root_parameter is None
            and (resolver.parent_parameter is None)
        ):
            direct = strawberry_field
    named, wrappers = _unwrap(definition.type)
    plan = FieldPlan(
        key, name, nodes, definition, definition.type, parent, attribute, None,
        has_arguments=bool(definition.args), direct=direct,
    )  # fmt: skip
    if is_leaf_type(named):
        plan.leaf = Leaf(named.serialize, wrappers)
    elif isinstance(named, GraphQLObjectType):
        plan.object_type = named
        plan.leaf = Leaf(_identity, wrappers)
        subsets = [n.selection_set for n in nodes if n.selection_set is not None]
        plan.selection = _plan_selection(schema, fragments, named, subsets, depth + 1)
    else:
        raise Unsupported("abstract type")
    if definition.args and not any(_uses_variables(n) for n in nodes):
        plan.static_arguments = get_argument_values(definition, nodes[0], None)
    return plan


def _unwrap(type_: GraphQLOutputType) -> tuple[Any, tuple[Any, ...]]:
    wrappers: list[Any] = []
    while True:
        if isinstance(type_, GraphQLNonNull):
            wrappers.append(True)
            type_ = type_.of_type
        elif isinstance(type_, GraphQLList):
            wrappers.append("list")
            type_ = type_.of_type
        else:
            return type_, tuple(wrappers)


def _uses_variables(node: FieldNode) -> bool:
    found = False

    class Finder(Visitor):
        def enter_variable(self, *_: Any) -> None:
            nonlocal found
            found = True

    for argument in node.arguments or ():
        if isinstance(argument.value, VariableNode):
            return True
        visit(argument.value, Finder())
    return found


def _identity(value: Any) -> Any:
    return value


class _Run:
    """One execution of a plan: the request's context, variables and errors."""

    def __init__(self, plan: Plan, context: Any, variables: VariableValues) -> None:
        self.plan = plan
        self.context = context
        self.variables = variables
        self.errors: list[GraphQLError] = []

    async def level(
        self, selection: SelectionPlan, sources: list[Any], paths: list[Path | None]
    ) -> list[Any]:
        """The response objects for `sources` (all of one type), `_NULLED` where an
        error below a non-null field nulled the object."""
        results: list[Any] = [dict.fromkeys(f.key for f in selection.fields) for _ in sources]
        # every resolver of the level first, all at once: their loads batch
        pending: list[tuple[FieldPlan, int, Awaitable[Any]]] = []
        values: dict[str, list[Any]] = {}
        for plan in selection.fields:
            if plan.definition is None:  # __typename
                for result in results:
                    result[plan.key] = selection.type.name
                continue
            if plan.attribute is not None:
                values[plan.key] = [getattr(source, plan.attribute) for source in sources]
                continue
            column = values[plan.key] = [None] * len(sources)
            try:
                arguments = plan.static_arguments
                if arguments is None and plan.has_arguments:
                    arguments = get_argument_values(plan.definition, plan.nodes[0], self.variables)
                call = (
                    self._direct_call(plan, arguments or {}, _path(paths[0], plan.key))
                    if plan.direct is not None
                    else None
                )
            except Exception as error:  # arguments that do not convert: each object's error
                for index in range(len(sources)):
                    column[index] = self._error(error, plan, paths[index])
                continue
            resolve = plan.definition.resolve
            assert resolve is not None
            for index, source in enumerate(sources):
                try:
                    if call is not None:
                        value = call(source)
                    else:
                        info = self._info(plan, _path(paths[index], plan.key))
                        value = resolve(source, info, **(arguments or {}))
                except Exception as error:
                    column[index] = self._error(error, plan, paths[index])
                    continue
                if isinstance(value, Awaitable):
                    pending.append((plan, index, value))
                else:
                    column[index] = value
        if pending:
            outcomes = await _settle([p[2] for p in pending])
            for (plan, index, _), outcome in zip(pending, outcomes, strict=True):
                if isinstance(outcome, _Raised):
                    outcome = self._error(outcome.error, plan, paths[index])
                values[plan.key][index] = outcome

        # complete: leaves now, objects one level down for all parents at once
        children: list[Awaitable[None]] = []
        for plan in selection.fields:
            if plan.definition is None:
                continue
            column = values[plan.key]
            if plan.object_type is None:
                assert plan.leaf is not None
                for index, value in enumerate(column):
                    if results[index] is _NULLED:
                        continue
                    completed = self._complete_leaf(
                        value, plan, plan.leaf.wrappers, paths[index], plan.key
                    )
                    if completed is _NULLED:
                        results[index] = _NULLED
                    else:
                        results[index][plan.key] = completed
            else:
                children.append(self._objects(plan, column, results, paths))
        if children:
            await asyncio.gather(*children)
        return results

    async def _objects(
        self, plan: FieldPlan, column: list[Any], results: list[Any], paths: list[Path | None]
    ) -> None:
        """Complete an object-typed field for every parent: one level below for all."""
        assert plan.leaf is not None and plan.selection is not None
        objects: list[Any] = []
        object_paths: list[Path | None] = []
        # per parent: the shape to fill, with ("object", position) at each object
        shapes: list[Any] = []
        for index, value in enumerate(column):
            shapes.append(
                self._shape(
                    value, plan, plan.leaf.wrappers, _path(paths[index], plan.key),
                    objects, object_paths,
                )
            )  # fmt: skip
        completed = await self.level(plan.selection, objects, object_paths) if objects else []
        for index, shape in enumerate(shapes):
            if results[index] is _NULLED:
                continue
            value = self._fill(
                shape, completed, plan, plan.leaf.wrappers, _path(paths[index], plan.key)
            )
            if value is _NULLED:
                results[index] = _NULLED
            else:
                results[index][plan.key] = value

    def _shape(
        self,
        value: Any,
        plan: FieldPlan,
        wrappers: tuple[Any, ...],
        path: Path | None,
        objects: list[Any],
        object_paths: list[Path | None],
    ) -> Any:
        if isinstance(value, _Failed):
            return value
        if value is None:
            return None
        if wrappers and wrappers[0] is True:
            wrappers = wrappers[1:]
        if wrappers and wrappers[0] == "list":
            if not is_iterable(value):
                assert path is not None
                return self._error(_not_iterable(plan), plan, path.prev, path.key)
            return [
                self._shape(item, plan, wrappers[1:], Path(path, i, None), objects, object_paths)
                for i, item in enumerate(value)
            ]
        objects.append(value)
        object_paths.append(path)
        return _At(len(objects) - 1)

    def _fill(
        self, shape: Any, completed: list[Any], plan: FieldPlan, wrappers: tuple[Any, ...],
        path: Path | None,
    ) -> Any:  # fmt: skip
        non_null = bool(wrappers) and wrappers[0] is True
        inner = wrappers[1:] if non_null else wrappers
        if isinstance(shape, _Failed):
            value = None
        elif shape is None:
            value = None
            if non_null:
                self._non_null_error(plan, path)
        elif isinstance(shape, list):
            items: list[Any] = []
            value = items
            for i, item in enumerate(shape):
                filled = self._fill(item, completed, plan, inner[1:], Path(path, i, None))
                if filled is _NULLED:
                    value = None
                    break
                items.append(filled)
        else:
            value = completed[shape.position]
            if value is _NULLED:
                value = None
        if value is None and non_null:
            return _NULLED
        return value

    def _complete_leaf(
        self, value: Any, plan: FieldPlan, wrappers: tuple[Any, ...], parent: Path | None, key: Any
    ) -> Any:
        non_null = bool(wrappers) and wrappers[0] is True
        inner = wrappers[1:] if non_null else wrappers
        if isinstance(value, _Failed):
            result = None
        elif value is None:
            result = None
            if non_null:
                self._non_null_error(plan, _path(parent, key))
        elif inner and inner[0] == "list" and not is_iterable(value):
            self._error(_not_iterable(plan), plan, parent, key)
            result = None
        elif inner and inner[0] == "list":
            path = _path(parent, key)
            items: list[Any] = []
            result = items
            for i, item in enumerate(value):
                done = self._complete_leaf(item, plan, inner[1:], path, i)
                if done is _NULLED:
                    result = None
                    break
                items.append(done)
        else:
            assert plan.leaf is not None
            try:
                result = plan.leaf.serialize(value)
                if result is None or result is Undefined:
                    raise TypeError(
                        f"Expected `{inspect(value)}` to be a GraphQL {_unwrap(plan.return_type)[0]}"
                        " serializable value."  # graphql-core's words
                    )
            except Exception as error:
                self._error(error, plan, parent, key)
                result = None
        if result is None and non_null:
            return _NULLED
        return result

    def _direct_call(
        self, plan: FieldPlan, arguments: dict[str, Any], path: Path
    ) -> Callable[[Any], Any]:
        """The resolver function with its arguments converted once for the whole level.
        The info it gets carries the path of the level's first object (our resolvers
        read only its context)."""
        field_ = plan.direct
        resolver = field_.base_resolver
        schema = self.plan.strawberry_schema
        info = schema.config.info_class(_raw_info=self._info(plan, path), _field=field_)
        kwargs = convert_arguments(
            arguments,
            field_.arguments,
            scalar_registry=schema.schema_converter.scalar_registry,
            config=schema.config,
            info=info,
        )
        if resolver.info_parameter is not None:
            kwargs[resolver.info_parameter.name] = info
        function = resolver.wrapped_func
        return lambda source: function(source, **kwargs)

    def _info(self, plan: FieldPlan, path: Path) -> GraphQLResolveInfo[Any]:
        plan_ = self.plan
        return GraphQLResolveInfo(
            plan.name,
            plan.nodes,
            plan.return_type,
            plan.parent_type,
            path,
            plan_.schema,
            plan_.fragments,
            None,
            plan_.operation,
            self.variables,
            self.context,
            _is_awaitable,  # type: ignore[arg-type]
            None,
            _HELPERS,
        )

    def _error(
        self, error: Exception, plan: FieldPlan, parent: Path | None, key: Any = None
    ) -> _Failed:
        path = _path(parent, plan.key if key is None else key)
        self.errors.append(located_error(error, plan.nodes, path.as_list()))
        return _FAILED

    def _non_null_error(self, plan: FieldPlan, path: Path | None) -> None:
        message = f"Cannot return null for non-nullable field {plan.parent_type.name}.{plan.name}."
        self.errors.append(
            located_error(GraphQLError(message), plan.nodes, path.as_list() if path else None)
        )


class _Failed:
    """A value that raised: already reported, completes as null."""


@dataclass(frozen=True)
class _Raised:
    error: Exception


async def _settle(awaitables: list[Awaitable[Any]]) -> list[Any]:
    """Every awaitable's value (or `_Raised`), all started before any is awaited so
    their loads batch. Each runs as a Task of its own: a resolver may enter
    `asyncio.timeout` (asyncpg's pool wait does), which cancels the task it runs in,
    and that must be its own, not the request's."""
    outcomes = await asyncio.gather(*awaitables, return_exceptions=True)
    results: list[Any] = []
    for outcome in outcomes:
        if isinstance(outcome, Exception):
            results.append(_Raised(outcome))
        elif isinstance(outcome, BaseException):
            raise outcome
        else:
            results.append(outcome)
    return results


_FAILED = _Failed()


@dataclass(frozen=True)
class _At:
    position: int


def _not_iterable(plan: FieldPlan) -> GraphQLError:
    return GraphQLError(
        f"Expected Iterable, but did not find one for field '{plan.parent_type.name}.{plan.name}'."
    )


def _path(parent: Path | None, key: Any) -> Path:
    return Path(parent, key, None)


def _is_awaitable(value: Any) -> bool:
    return isinstance(value, Awaitable)


async def _gather(values: Any) -> list[Any]:
    return list(await asyncio.gather(*values))


_HELPERS = GraphQLResolveInfoHelpers(gather=_gather, track=lambda values: None)
