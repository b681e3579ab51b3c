"""The limits cost what the document's size is: fragments measured once, validation
bounded before it runs. Work is counted, never timed."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import get_introspection_query, parse

from graph_api import limits
from graph_api.schema import build_schema

SCHEMA = build_schema()._schema
BUDGET = limits.Bounds.of(SCHEMA)


def doubling_fragments(levels: int, leaf: str = "email") -> str:
    """Each fragment spreads the next twice: 2^levels leaves when expanded naively."""
    fragments = [f"fragment F{i} on User {{ ...F{i + 1} ...F{i + 1} }}" for i in range(levels)]
    return "{ me { ...F0 } } " + " ".join([*fragments, f"fragment F{levels} on User {{ {leaf} }}"])


def counting_fan_outs(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    seen: list[str] = []
    original = limits._fan_out

    def counted(field: Any, page: Any, variables: Any) -> int:
        seen.append(field.name.value)
        return original(field, page, variables)

    monkeypatch.setattr(limits, "_fan_out", counted)
    return seen


@pytest.mark.parametrize("levels", [10, 30, 50])
def test_each_fragment_is_measured_once(monkeypatch: pytest.MonkeyPatch, levels: int) -> None:
    seen = counting_fan_outs(monkeypatch)
    found = limits.measure(parse(doubling_fragments(levels)), None, {}, BUDGET)
    # `me` once and the leaf once: the walk does not depend on how often fragments spread
    assert sorted(seen) == ["email", "me"]
    assert found.cost == min(1 + 2**levels, limits.MAX_COST + 1)


@pytest.mark.parametrize("leaf", ["email", "__typename"])
def test_doubling_fragments_are_refused(leaf: str) -> None:
    document = parse(doubling_fragments(30, leaf))
    # validation expands each fragment once per merged set, as the shape check does:
    # cheap to validate, and the leaf that costs nothing (`__typename`) counts like any
    assert limits.shape_problem(document) is None
    problem = limits.check(document, None, {}, BUDGET)
    assert problem is not None and problem.extensions == {"code": "QUERY_TOO_COMPLEX"}


def test_what_validation_would_compare_pairwise_is_bounded() -> None:
    # a binary tree of one name: the overlap rule merges both branches at every level
    tree = "email"
    for _ in range(10):
        tree = f"me {{ {tree} }} me {{ {tree} }}"
    document = parse("{ " + tree + " }")
    assert "more than 30 times" in str(limits.shape_problem(document))


def test_overlapping_copies_are_refused_before_validation() -> None:
    many = parse("{ " + "me { email } " * 1000 + "}")
    assert "selected more than 30 times" in str(limits.shape_problem(many))
    few = parse("{ " + "me { email } " * limits.MAX_SAME_RESPONSE_NAME + "}")
    assert limits.shape_problem(few) is None


def test_copies_through_fragments_count_too() -> None:
    fragments = " ".join(f"fragment F{i} on User {{ email }}" for i in range(40))
    spreads = " ".join(f"...F{i}" for i in range(40))
    problem = limits.shape_problem(parse(f"{{ me {{ {spreads} }} }} {fragments}"))
    assert "'email' is selected more than 30 times" in str(problem)


def test_deep_nesting_is_refused_before_anything_recurses() -> None:
    deep = "{ " + "me { " * 100 + "email" + " }" * 100 + " }"
    assert "nests more than" in str(limits.shape_problem(parse(deep)))


def test_the_shape_walk_is_bounded_by_work_not_by_spreads() -> None:
    # one wide fragment spread 2,500 times is expanded once per merged set
    wide = "fragment A on User { " + " ".join(f"f{i}: email" for i in range(4900)) + " }"
    document = parse("{ me { " + "...A " * 2500 + "} } " + wide, max_tokens=100_000)
    assert limits.shape_problem(document) is None
    # the same width under 30 distinct fragments, merged into one set, exceeds the walk
    many = " ".join(
        f"fragment B{j} on User {{ " + " ".join(f"g{i}: email" for i in range(4000)) + " }"
        for j in range(30)
    )
    spreads = " ".join(f"...B{j}" for j in range(30))
    document = parse(f"{{ me {{ {spreads} }} }} {many}", max_tokens=1_000_000)
    assert "too many to check" in str(limits.shape_problem(document))


def test_introspection_counts_aliases_like_any_field() -> None:
    document = parse(
        "{ " + " ".join(f"a{i}: __schema {{ queryType {{ name }} }}" for i in range(450)) + " }"
    )
    assert "aliases" in str(limits.check(document, None, {}, BUDGET))


def test_the_full_introspection_query_passes_but_many_do_not() -> None:
    full = get_introspection_query(descriptions=True, directive_is_repeatable=True)
    assert limits.check(parse(full), None, {}, BUDGET) is None
    body = full.split("query IntrospectionQuery {", 1)[1].split("fragment FullType", 1)[0]
    fragments = "fragment FullType" + full.split("fragment FullType", 1)[1]
    aliased = (
        "query Many { "
        + " ".join(f"s{i}: {body.strip()[:-1]}" for i in range(limits.INTROSPECTION_ALLOWANCE + 1))
        + " } "
        + fragments
    )
    refusal = limits.check(parse(aliased), "Many", {}, BUDGET)
    assert refusal is not None and "introspection" in refusal.message


def test_page_sizes_are_the_schemas_by_type_and_field() -> None:
    sizes = BUDGET.page_sizes
    # one field name, two defaults: the top-level list and a contact's nested one
    assert sizes["Query", "interactions"] == limits.PageSize(20, 100)
    assert sizes["Contact", "interactions"] == limits.PageSize(10, 100)
    assert sizes["Community", "members"] == limits.PageSize(50, 1000)
    # every field that takes `first` is counted, and declares the page it gives without it
    takes_first = {
        (type_.name, name)
        for type_ in SCHEMA.type_map.values()
        if not type_.name.startswith("__")
        for name, field in (getattr(type_, "fields", None) or {}).items()
        if "first" in getattr(field, "args", {})
    }
    assert set(sizes) == takes_first
    assert all(isinstance(SCHEMA.get_type(t).fields[f].args["first"].default_value, int)  # type: ignore[union-attr]
               for t, f in takes_first)  # fmt: skip


def test_a_nested_connection_counts_its_own_default() -> None:
    nested = parse("{ contacts { edges { node { interactions { edges { node { id } } } } } } }")
    # 20 contacts x (edges, node, interactions + 10 x (edges, node, id))
    assert limits.measure(nested, None, {}, BUDGET).cost == 1 + 20 * (1 + 1 + 1 + 10 * 3)
