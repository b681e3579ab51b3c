"""Consolidation's pure part: grouping memories by similarity, and the extractive
summary of a group (its most central sentences). Deterministic: the same memories in
the same order always give the same groups and the same summary, with no model.

Grouping is average-linkage agglomerative clustering over the memories' embeddings
(unit vectors, so cosine similarity is a dot product): the two groups whose members
are most alike on average merge, again and again, while that average is at least
`min_similarity`; ties go to the earliest memories. O(n³) in the number of memories
given, which the caller caps (MAX_CANDIDATES: a contact's 200 oldest per run).

The summary scores each sentence of a group by its centrality (LexRank's degree:
the sum of its TF-IDF cosine similarity to the group's other sentences), keeps the
best (a third of them, 1 to 3), skips any nearly identical to one kept, and writes
them in reading order: the memories' order, then the sentences'.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

DEFAULT_MIN_SIMILARITY = 0.6
# a source this close to another of its group says the same thing: DUPLICATES
DUPLICATE_SIMILARITY = 0.9
MAX_SENTENCES = 3
NEAR_IDENTICAL_SENTENCES = 0.8
SUMMARY_MAX_CHARACTERS = 20_000

_SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+|$)", re.MULTILINE)
_TERM = re.compile(r"[^\W\d_]{3,}", re.UNICODE)
STOPWORDS = frozenset(
    [
        "the",
        "and",
        "for",
        "with",
        "that",
        "this",
        "from",
        "have",
        "has",
        "had",
        "was",
        "were",
        "are",
        "but",
        "not",
        "you",
        "your",
        "she",
        "her",
        "his",
        "him",
        "they",
        "them",
        "their",
        "our",
        "its",
        "will",
        "would",
        "could",
        "should",
        "about",
        "into",
        "over",
        "after",
        "before",
        "than",
        "then",
        "there",
        "here",
        "what",
        "when",
        "where",
        "which",
        "who",
        "whom",
        "also",
        "just",
        "very",
        "more",
        "most",
        "some",
        "such",
        "only",
        "own",
        "same",
        "can",
        "did",
        "does",
        "doing",
        "been",
        "being",
        "each",
        "few",
        "other",
        "any",
        "all",
        "both",
    ]
)


@dataclass(frozen=True)
class Source:
    """A memory to consolidate: its place in reading order is its place in the list."""

    text: str
    embedding: Any  # a unit vector (numpy array or list of floats)


def group(sources: Sequence[Source], min_similarity: float) -> list[list[int]]:
    """Groups of two or more source indices, each in order, ordered by their first member."""
    count = len(sources)
    if count < 2:
        return []
    vectors = np.asarray([np.asarray(s.embedding, dtype=np.float64) for s in sources])
    similarity = vectors @ vectors.T
    members: list[list[int]] = [[i] for i in range(count)]
    # sums of pairwise similarities between the groups; a merged-away group's row is dropped
    sums = similarity.copy()
    alive = list(range(count))
    while len(alive) > 1:
        best, pair = -math.inf, (-1, -1)
        for x, a in enumerate(alive):
            for b in alive[x + 1 :]:
                average = sums[a, b] / (len(members[a]) * len(members[b]))
                if average > best + 1e-12:
                    best, pair = average, (a, b)
        if best < min_similarity:
            break
        a, b = pair
        members[a] = sorted(members[a] + members[b])
        sums[a, :] += sums[b, :]
        sums[:, a] += sums[:, b]
        alive.remove(b)
    groups = [members[a] for a in alive if len(members[a]) > 1]
    return sorted(groups, key=lambda g: g[0])


def link_types(sources: Sequence[Source], indices: Sequence[int]) -> list[tuple[str, float]]:
    """For each member of a group: DUPLICATES when another member is nearly the same
    memory, FOLLOWS_UP otherwise; and its strength, its similarity to the group's centre."""
    vectors = np.asarray([np.asarray(sources[i].embedding, dtype=np.float64) for i in indices])
    centre = vectors.mean(axis=0)
    centre /= np.linalg.norm(centre) or 1.0
    similarity = vectors @ vectors.T
    np.fill_diagonal(similarity, -1.0)
    result = []
    for row, vector in enumerate(vectors):
        kind = "duplicates" if similarity[row].max() >= DUPLICATE_SIMILARITY else "follows_up"
        strength = round(min(1.0, max(0.0, float(vector @ centre))), 4)
        result.append((kind, strength))
    return result


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.findall(text) if _TERM.search(s)]


def _terms(sentence: str) -> list[str]:
    return [t for t in (w.casefold() for w in _TERM.findall(sentence)) if t not in STOPWORDS]


def summarise(texts: Sequence[str]) -> str:
    """The most central sentences of `texts`, in reading order."""
    ordered = [s for text in texts for s in sentences(text)]
    if not ordered:
        return "\n".join(t.strip() for t in texts)[:SUMMARY_MAX_CHARACTERS]
    bags = [Counter(_terms(s)) for s in ordered]
    document_frequency = Counter(term for bag in bags for term in bag)
    total = len(ordered)
    vocabulary = sorted(document_frequency)
    position = {term: i for i, term in enumerate(vocabulary)}
    matrix = np.zeros((total, max(1, len(vocabulary))))
    for row, bag in enumerate(bags):
        for term, frequency in bag.items():
            idf = math.log((1 + total) / (1 + document_frequency[term])) + 1
            matrix[row, position[term]] = frequency * idf
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    matrix = np.divide(matrix, norms, out=np.zeros_like(matrix), where=norms > 0)
    similarity = matrix @ matrix.T
    centrality = similarity.sum(axis=1) - np.diag(similarity)
    wanted = min(MAX_SENTENCES, max(1, math.ceil(total / 3)))
    # the most central first; on a tie the earlier sentence
    ranked = sorted(range(total), key=lambda i: (-round(float(centrality[i]), 9), i))
    kept: list[int] = []
    for index in ranked:
        if any(similarity[index, k] >= NEAR_IDENTICAL_SENTENCES for k in kept):
            continue
        kept.append(index)
        if len(kept) == wanted:
            break
    return " ".join(ordered[i] for i in sorted(kept))[:SUMMARY_MAX_CHARACTERS]
