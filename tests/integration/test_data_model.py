"""The database itself keeps tenants apart and values in range."""

from __future__ import annotations

import uuid

import asyncpg
import pytest

from tests.conftest import Account

INSERT_CONTACT = "insert into contacts (user_id, full_name) values ($1, $2) returning id"
INSERT_RELATIONSHIP = """
    insert into relationships (user_id, contact_a_id, contact_b_id, type)
    values ($1, $2, $3, 'friend')
"""


def ordered(a: uuid.UUID, b: uuid.UUID) -> tuple[uuid.UUID, uuid.UUID]:
    return (a, b) if a < b else (b, a)


async def test_a_relationship_to_another_users_contact_is_refused(
    pool: asyncpg.Pool, make_account: object
) -> None:
    alice, bob = await make_account(), await make_account()  # type: ignore[operator]
    assert isinstance(alice, Account) and isinstance(bob, Account)
    mine = await pool.fetchval(INSERT_CONTACT, alice.user.id, "Ada")
    theirs = await pool.fetchval(INSERT_CONTACT, bob.user.id, "Grace")
    with pytest.raises(asyncpg.ForeignKeyViolationError):
        await pool.execute(INSERT_RELATIONSHIP, alice.user.id, *ordered(mine, theirs))


async def test_relationship_pairs_are_ordered_unique_and_never_self_loops(
    pool: asyncpg.Pool, account: Account
) -> None:
    a = await pool.fetchval(INSERT_CONTACT, account.user.id, "Ada")
    b = await pool.fetchval(INSERT_CONTACT, account.user.id, "Grace")
    low, high = ordered(a, b)
    await pool.execute(INSERT_RELATIONSHIP, account.user.id, low, high)
    with pytest.raises(asyncpg.UniqueViolationError):
        await pool.execute(INSERT_RELATIONSHIP, account.user.id, low, high)
    with pytest.raises(asyncpg.CheckViolationError):
        await pool.execute(INSERT_RELATIONSHIP, account.user.id, high, low)
    with pytest.raises(asyncpg.CheckViolationError):
        await pool.execute(INSERT_RELATIONSHIP, account.user.id, a, a)


@pytest.mark.parametrize(
    ("statement", "value"),
    [
        (
            "insert into interactions (user_id, type, occurred_at, sentiment) values ($1, 'call', now(), $2)",
            1.5,
        ),
        (
            "insert into interactions (user_id, type, occurred_at) values ($1, $2, now())",
            "telegram",
        ),
        ("insert into memories (user_id, content, importance) values ($1, 'x', $2)", -0.1),
    ],
)
async def test_check_constraints_refuse_out_of_range_values(
    pool: asyncpg.Pool, account: Account, statement: str, value: object
) -> None:
    with pytest.raises(asyncpg.CheckViolationError):
        await pool.execute(statement, account.user.id, value)


async def test_interest_is_unique_per_contact_category_topic(
    pool: asyncpg.Pool, account: Account
) -> None:
    contact = await pool.fetchval(INSERT_CONTACT, account.user.id, "Ada")
    insert = "insert into interests (user_id, contact_id, category, topic) values ($1, $2, 'tech', 'rust')"
    await pool.execute(insert, account.user.id, contact)
    with pytest.raises(asyncpg.UniqueViolationError):
        await pool.execute(insert, account.user.id, contact)


async def test_memory_search_vector_is_generated(pool: asyncpg.Pool, account: Account) -> None:
    found = await pool.fetchval(
        """
        insert into memories (user_id, title, content) values ($1, 'Fundraising', 'Raising a seed round')
        returning search_vector @@ plainto_tsquery('english', 'raise seed')
        """,
        account.user.id,
    )
    assert found is True
