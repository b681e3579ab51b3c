"""The duplicate detector's precision and recall on the labelled set in tests/data/duplicate_eval.py.

    .venv/bin/python -m benchmarks.duplicates_eval

A pair is a true duplicate when both entries carry the same label; the detector's
candidates (`graph_api.domain.duplicates.candidates`, the score threshold it uses) are
compared with those pairs. Prints the figures and each miss and false alarm.
"""

from __future__ import annotations

import uuid
from itertools import combinations

from graph_api.domain import duplicates
from tests.data.duplicate_eval import ENTRIES


def evaluate() -> tuple[float, float, int, list[str], list[str]]:
    people = [duplicates.Person(uuid.uuid4(), n, e, p, c) for _, n, e, p, c in ENTRIES]
    labels = {person.id: entry[0] for person, entry in zip(people, ENTRIES, strict=True)}
    names = {person.id: person.full_name for person in people}
    truth = {
        frozenset((a.id, b.id)) for a, b in combinations(people, 2) if labels[a.id] == labels[b.id]
    }
    found = {frozenset((c.a, c.b)) for c in duplicates.candidates(people)}
    hits = truth & found
    precision = len(hits) / len(found) if found else 1.0
    recall = len(hits) / len(truth) if truth else 1.0
    misses = sorted(" ~ ".join(sorted(names[i] for i in pair)) for pair in truth - found)
    alarms = sorted(" ~ ".join(sorted(names[i] for i in pair)) for pair in found - truth)
    return precision, recall, len(truth), misses, alarms


def main() -> None:
    precision, recall, pairs, misses, alarms = evaluate()
    print(
        f"{len(ENTRIES)} entries, {pairs} true pairs: precision {precision:.2f}, recall {recall:.2f}"
    )
    for miss in misses:
        print(f"  missed: {miss}")
    for alarm in alarms:
        print(f"  false alarm: {alarm}")


if __name__ == "__main__":
    main()
