"""Contacts by meaning: profiles embedded in the background, searched and compared."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg

from tests.conftest import Account, GraphQL, error_codes

PEOPLE = [
    (
        "Priya Nair",
        "Partner",
        "Verdant Ventures",
        "Invests in early-stage clean energy and carbon removal companies.",
    ),
    (
        "Marco Rossi",
        "Head chef",
        "Trattoria Roma",
        "Runs a busy Italian kitchen and teaches pasta classes.",
    ),
    ("Kenji Sato", "Staff engineer", "Ferrous Labs", "Builds database storage engines in Rust."),
    (
        "Lena Vogel",
        "Climate analyst",
        "Green Data",
        "Models emissions for renewable energy projects.",
    ),
]


async def make_people(graphql: GraphQL, account: Account) -> dict[str, str]:
    ids = {}
    for name, title, company, bio in PEOPLE:
        body = await graphql(
            "mutation($i: CreateContactInput!) { createContact(input: $i) { contact { id } } }",
            {"i": {"fullName": name, "jobTitle": title, "company": company, "bio": bio}},
            account=account,
        )
        ids[name] = body["data"]["createContact"]["contact"]["id"]
    return ids


async def profiles_embedded(pool: asyncpg.Pool, account: Account, expected: int) -> None:
    for _ in range(1800):  # woken by each write; a bound for a stuck embedder (180 s)
        count = await pool.fetchval(
            "select count(*) from contact_profiles where user_id = $1", account.user.id
        )
        if count == expected:
            return
        await asyncio.sleep(0.1)
    raise AssertionError("contact profiles were not embedded")


async def test_search_contacts_by_meaning(
    graphql: GraphQL, account: Account, pool: asyncpg.Pool
) -> None:
    ids = await make_people(graphql, account)
    await profiles_embedded(pool, account, len(PEOPLE))
    body = await graphql(
        '{ searchContacts(query: "who could fund a solar startup?", first: 2) { score contact { fullName } } }',
        account=account,
    )
    hits = body["data"]["searchContacts"]
    assert hits[0]["contact"]["fullName"] == "Priya Nair"
    assert hits[0]["score"] >= hits[1]["score"]
    similar = await graphql(
        "query($id: ID!) { contact(id: $id) { similarContacts(first: 1) { contact { fullName } } } }",
        {"id": ids["Priya Nair"]},
        account=account,
    )
    assert similar["data"]["contact"]["similarContacts"] == [
        {"contact": {"fullName": "Lena Vogel"}}
    ]


async def test_a_new_interest_refreshes_the_profile(
    graphql: GraphQL, account: Account, pool: asyncpg.Pool
) -> None:
    ids = await make_people(graphql, account)
    await profiles_embedded(pool, account, len(PEOPLE))
    await graphql(
        'mutation($id: ID!) { addInterest(input: {contactId: $id, category: "hobby", topic: "sourdough baking"}) { errors { code } } }',
        {"id": ids["Kenji Sato"]},
        account=account,
    )
    for _ in range(100):
        text = await pool.fetchval(
            "select p.profile_text from contact_profiles p join contacts c on c.id = p.contact_id"
            " where p.user_id = $1 and c.full_name = 'Kenji Sato'",
            account.user.id,
        )
        if "sourdough" in text:
            break
        await asyncio.sleep(0.1)
    assert "Interests: sourdough baking" in text


async def test_contact_search_input_and_isolation(
    graphql: GraphQL, account: Account, pool: asyncpg.Pool, make_account: Any
) -> None:
    await make_people(graphql, account)
    await profiles_embedded(pool, account, len(PEOPLE))
    stranger: Account = await make_account()
    body = await graphql(
        '{ searchContacts(query: "clean energy investor") { contact { id } } }', account=stranger
    )
    assert body["data"]["searchContacts"] == []
    for query, field in (
        ('{ searchContacts(query: " ") { score } }', "query"),
        ('{ searchContacts(query: "x", first: 51) { score } }', "first"),
    ):
        refused = await graphql(query, account=account)
        assert error_codes(refused) == ["BAD_USER_INPUT"]
        assert refused["errors"][0]["extensions"]["field"] == field
