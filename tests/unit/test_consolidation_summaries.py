"""Consolidation's pure part (graph_api/domain/summaries.py) on hand-made vectors and
texts: average-linkage groups, link types, and the extractive summary — the same
input always giving the same output."""

from __future__ import annotations

import math

from graph_api.domain.summaries import Source, group, link_types, sentences, summarise


def unit(*values: float) -> list[float]:
    norm = math.sqrt(sum(v * v for v in values))
    return [v / norm for v in values]


SOURCES = [
    Source("a", unit(1.0, 0.1, 0.0)),
    Source("b", unit(0.0, 1.0, 0.05)),
    Source("c", unit(0.8, 0.5, 0.0)),
    Source("d", unit(0.0, 0.0, 1.0)),
    Source("e", unit(0.05, 0.98, 0.1)),
    Source("f", unit(1.0, 0.1, 0.0)),  # the same as a
]


def test_alike_memories_are_grouped_and_a_loner_is_left_alone() -> None:
    assert group(SOURCES, 0.6) == [[0, 2, 5], [1, 4]]
    # the same memories, the same groups, every time
    assert all(group(SOURCES, 0.6) == [[0, 2, 5], [1, 4]] for _ in range(5))


def test_the_threshold_decides_how_alike_a_group_must_be() -> None:
    assert group(SOURCES, 0.9999) == [[0, 5]]
    assert group(SOURCES, 1.01) == []
    # groups merge on their average likeness, not on their closest pair
    assert group(SOURCES, 0.3) == [[0, 2, 5], [1, 4]]
    assert group(SOURCES, -1.0) == [[0, 1, 2, 3, 4, 5]]
    assert group(SOURCES[:1], 0.0) == []


def test_links_say_duplicates_for_a_near_repeat_and_follows_up_otherwise() -> None:
    kinds = link_types(SOURCES, [0, 2, 5])
    assert [kind for kind, _ in kinds] == ["duplicates", "follows_up", "duplicates"]
    assert all(0.0 <= strength <= 1.0 for _, strength in kinds)
    assert kinds[0][1] > kinds[1][1]  # nearer the centre, stronger


def test_the_summary_keeps_the_most_central_sentences_in_reading_order() -> None:
    texts = [
        "Priya is raising a Series A for Helio Grid. She met two funds in Lisbon.",
        "The Series A round for Helio Grid should close in March. Her dog is called Biscuit.",
        "Helio Grid's Series A has term sheets from two funds.",
    ]
    summary = summarise(texts)
    assert summary == (
        "Priya is raising a Series A for Helio Grid. "
        "Helio Grid's Series A has term sheets from two funds."
    )
    every = set(sentences(" ".join(texts)))
    assert all(s in every for s in sentences(summary)), "extractive: only sentences written"
    assert summarise(texts) == summary  # deterministic


def test_a_repeated_sentence_is_kept_once() -> None:
    texts = ["Lena adopted a collie.", "Lena adopted a collie.", "Lena adopted a collie puppy."]
    assert summarise(texts) == "Lena adopted a collie."
