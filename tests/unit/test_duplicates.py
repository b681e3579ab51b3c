"""The duplicate detector: keys, hand-computed scores, blocking that stays linear."""

from __future__ import annotations

import uuid

import pytest

from graph_api.domain import duplicates
from graph_api.domain.duplicates import Person


def person(
    name: str, email: str | None = None, phone: str | None = None, company: str | None = None
) -> Person:
    return Person(uuid.uuid4(), name, email, phone, company)


def test_keys_fold_case_accents_order_and_phone_formats() -> None:
    assert duplicates.fold("José  O'Neil") == "jose o neil"
    assert duplicates.name_key("Smith, John") == duplicates.name_key("john SMITH")
    assert duplicates.phone_key("+44 20 7946 0958") == duplicates.phone_key("020 7946 0958")
    assert duplicates.phone_key("12") is None
    assert duplicates.email_key(" Ada@Example.COM ") == "ada@example.com"
    assert duplicates.company_key("Initech, Inc.") == duplicates.company_key("initech")


def test_scores_are_the_noisy_or_of_the_reasons() -> None:
    # same email only: 0.9
    same_email = duplicates.compare(person("A B", "x@example.com"), person("Q R", "X@example.com"))
    assert same_email is not None and same_email.score == pytest.approx(0.9)
    # an identical name (0.6) at the same company (0.25): 1 - 0.4 * 0.75 = 0.7
    named = duplicates.compare(
        person("Ada Lovelace", company="Engines"), person("ada lovelace", company="engines")
    )
    assert named is not None
    assert named.score == pytest.approx(0.7)
    assert [r.kind for r in named.reasons] == ["SIMILAR_NAME", "SAME_COMPANY"]
    # same phone (0.8) and identical name (0.6): 1 - 0.2 * 0.4 = 0.92
    both = duplicates.compare(
        person("Jon Smith", phone="+1 555 010 2000"), person("Jon Smith", phone="(555) 010-2000")
    )
    assert both is not None and both.score == pytest.approx(0.92)


def test_one_name_with_two_addresses_is_usually_two_people() -> None:
    # identical name 0.6, halved for different emails: 0.3, below the threshold
    assert (
        duplicates.compare(person("John Smith", "john@a.com"), person("John Smith", "john@b.com"))
        is None
    )


def test_unrelated_people_are_not_candidates() -> None:
    assert duplicates.compare(person("Ada Lovelace"), person("Grace Hopper")) is None


def test_candidates_come_from_blocks_not_every_pair() -> None:
    people = [person(f"Person{i} Surname{i}", f"p{i}@example.com") for i in range(2000)]
    twin = person("Person7 Surname7", "P7@example.com")
    blocks = duplicates.blocks([*people, twin])
    assert sum(len(b) * (len(b) - 1) // 2 for b in blocks) < 10  # not 2 million pairs
    found = duplicates.candidates([*people, twin])
    assert [{c.a, c.b} for c in found] == [{people[7].id, twin.id}]
    assert {r.kind for r in found[0].reasons} == {"SAME_EMAIL", "SIMILAR_NAME"}


def test_similar_spellings_meet_in_the_surname_block() -> None:
    a, b = person("Jon Smith", company="Initech"), person("John Smith", company="Initech")
    (found,) = duplicates.candidates([a, b, person("Jane Doe")])
    assert {found.a, found.b} == {a.id, b.id}
    assert found.score > 0.6
