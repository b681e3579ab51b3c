"""Interest decay through GraphQL: an old interest's effective confidence, restored by
reinforcement, the same on a contact's nested interests (the compiled read) and by id."""

from __future__ import annotations

import asyncpg
import pytest

from graph_api.ids import parse_global_id
from tests.conftest import Account, GraphQL


async def test_an_unreinforced_interest_fades_and_reinforcing_restores_it(
    graphql: GraphQL, account: Account, pool: asyncpg.Pool
) -> None:
    made = await graphql(
        'mutation { createContact(input: {fullName: "Ada Lovelace"}) { contact { id } } }',
        account=account,
    )
    contact = made["data"]["createContact"]["contact"]["id"]
    add = """mutation($id: ID!) { addInterest(input: {contactId: $id, category: "math",
      topic: "engines", confidence: 0.6}) { interest { id confidence effectiveConfidence } errors { code } } }"""
    added = await graphql(add, {"id": contact}, account=account)
    interest = added["data"]["addInterest"]["interest"]
    assert interest["effectiveConfidence"] == pytest.approx(0.6, abs=1e-4)

    # two years without being seen again: two half-lives of 365 days
    await pool.execute(
        "update interests set last_reinforced_at = now() - interval '730 days' where user_id = $1 and id = $2",
        account.user.id,
        parse_global_id(interest["id"])[1],  # type: ignore[index]
    )
    nested = await graphql(
        "query($id: ID!) { contact(id: $id) { interests { edges { node { confidence effectiveConfidence } } } } }",
        {"id": contact},
        account=account,
    )
    assert "errors" not in nested, nested
    (edge,) = nested["data"]["contact"]["interests"]["edges"]
    assert edge["node"]["confidence"] == 0.6
    assert edge["node"]["effectiveConfidence"] == pytest.approx(0.15, abs=1e-4)
    by_id = await graphql(
        "query($id: ID!) { node(id: $id) { ... on Interest { effectiveConfidence } } }",
        {"id": interest["id"]},
        account=account,
    )
    assert by_id["data"]["node"]["effectiveConfidence"] == pytest.approx(0.15, abs=1e-4)

    again = await graphql(add, {"id": contact}, account=account)
    assert again["data"]["addInterest"]["interest"]["effectiveConfidence"] == pytest.approx(
        0.6, abs=1e-4
    )
