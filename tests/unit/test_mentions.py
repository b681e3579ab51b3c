"""Entity mentions on the labelled set (tests/data/mention_eval.py): precision ≥ 0.9 and
recall ≥ 0.8 of linked mentions, and ambiguous or unknown names kept unresolved."""

from __future__ import annotations

import uuid

from graph_api.domain.mentions import Candidate, find_mentions
from tests.data.mention_eval import CONTACTS, NOTES

PEOPLE = [Candidate(uuid.uuid4(), name, email, company) for name, email, company in CONTACTS]
NAME = {person.id: person.full_name for person in PEOPLE}


def test_mention_precision_and_recall_on_the_labelled_notes() -> None:
    true_positive = false_positive = expected_links = 0
    unresolved_right = unresolved_expected = 0
    for text, expected in NOTES:
        found = {
            m.surface: (NAME.get(m.contact_id) if m.contact_id else None)
            for m in find_mentions(text, PEOPLE)
        }
        for surface, contact in found.items():
            if contact is None:
                continue
            if expected.get(surface) == contact:
                true_positive += 1
            else:
                false_positive += 1
        expected_links += sum(1 for contact in expected.values() if contact is not None)
        for surface, contact in expected.items():
            if contact is None:
                unresolved_expected += 1
                unresolved_right += surface in found and found[surface] is None
    precision = true_positive / (true_positive + false_positive)
    recall = true_positive / expected_links
    print(
        f"mention precision {precision:.2f}, recall {recall:.2f} ({expected_links} links, {len(NOTES)} notes)"
    )
    assert precision >= 0.9, (precision, recall)
    assert recall >= 0.8, (precision, recall)
    assert unresolved_right == unresolved_expected


def test_offsets_and_confidences() -> None:
    text = "Had coffee with Priya Raman and Bob Chen."
    mentions = find_mentions(text, PEOPLE)
    assert [(text[m.start : m.end], m.method, m.confidence) for m in mentions] == [
        ("Priya Raman", "full_name", 1.0),
        ("Bob Chen", "nickname", 0.9),
    ]
    assert find_mentions("", PEOPLE) == []
