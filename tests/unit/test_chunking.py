"""Chunking documents: whole sentences (a long one cut between words, never inside
one), at most TARGET_CHARS, sections kept apart with their headings, one sentence of
overlap, offsets that point back into the text."""

from __future__ import annotations

import re
from itertools import pairwise

from graph_api.search.chunking import OVERLAP_CHARS, TARGET_CHARS, chunk_text


def words(text: str) -> set[str]:
    return set(re.findall(r"\S+", text))


def test_offsets_point_into_the_text_and_no_word_is_cut() -> None:
    text = " ".join(f"Sentence {i} is about topic {i % 7} and nothing else." for i in range(120))
    chunks = chunk_text(text)
    assert len(chunks) > 5
    every_word = words(text)
    for position, chunk in enumerate(chunks):
        assert chunk.position == position
        assert text[chunk.start : chunk.end] == chunk.content
        assert len(chunk.content) <= TARGET_CHARS
        assert words(chunk.content) <= every_word  # whole words only
        assert chunk.content.endswith(".")  # whole sentences
    # everything is covered, in order
    covered = " ".join(c.content for c in chunks)
    assert words(covered) == every_word


def test_each_chunk_after_the_first_repeats_the_last_sentence_before_it() -> None:
    text = " ".join(f"Fact number {i} stands alone here." for i in range(60))
    chunks = chunk_text(text)
    for before, after in pairwise(chunks):
        last_sentence = before.content.rsplit(". ", 1)[-1]
        assert len(last_sentence) <= OVERLAP_CHARS
        assert after.content.startswith(last_sentence)
        assert after.start < before.end  # they overlap


def test_sections_are_kept_apart_and_carry_their_heading() -> None:
    text = (
        "# Funding\nShe raised four million euros.\n\n## Hobbies\nShe runs marathons.\n\n"
        "Team\n====\nTwelve engineers."
    )
    chunks = chunk_text(text)
    assert [(c.heading, c.content) for c in chunks] == [
        ("Funding", "She raised four million euros."),
        ("Hobbies", "She runs marathons."),
        ("Team", "Twelve engineers."),
    ]
    assert chunks[0].embedded_text == "Funding\nShe raised four million euros."


def test_a_sentence_longer_than_a_chunk_is_cut_between_words() -> None:
    text = " ".join(["word"] * 1000)  # 4,999 characters, no full stop
    chunks = chunk_text(text)
    assert len(chunks) >= 6
    for chunk in chunks:
        assert len(chunk.content) <= TARGET_CHARS
        assert set(chunk.content.split()) == {"word"}
        assert text[chunk.start : chunk.end] == chunk.content


def test_blank_text_has_no_chunks_and_other_scripts_split_too() -> None:
    assert chunk_text("   \n\n  ") == []
    text = "这是第一句话。" * 3 + " Привет, мир! Как дела? " + "مرحبا بالعالم. " * 2
    chunks = chunk_text(text)
    assert chunks and all(text[c.start : c.end] == c.content for c in chunks)
