"""The write-side domain against a real database: what each mutation stores, what it
refuses, and that a refused or failed mutation leaves no trace — in the data or the
audit log, for the actor or anyone else."""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from types import ModuleType
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import orjson
import pytest

from graph_api.domain import (
    audit,
    contacts,
    interactions,
    interests,
    memories,
    relationships,
)
from graph_api.domain.actor import Actor
from graph_api.errors import Conflict, DomainError, InvalidInput, NotFound
from tests.conftest import Account

MakeAccount = Callable[..., Awaitable[Account]]
Snapshot = dict[str, list[str]]

TENANT_TABLES = {
    "contacts": "select * from contacts where user_id = $1",
    "relationships": "select * from relationships where user_id = $1",
    "interactions": "select * from interactions where user_id = $1",
    "interaction_participants": "select * from interaction_participants where user_id = $1",
    "interests": "select * from interests where user_id = $1",
    "memories": "select * from memories where user_id = $1",
    "memory_sources": "select * from memory_sources where user_id = $1",
    "audit_log": "select * from audit_log where user_id = $1",
}
SELECT_AUDIT = """
    select operation, actor, target_ids, old_values, new_values, request_id
      from audit_log
     where user_id = $1
     order by id
"""
SELECT_PAIRS = """
    select contact_a_id, contact_b_id, type, manual_strength, source
      from relationships
     where user_id = $1
"""
SELECT_PARTICIPANTS = """
    select contact_id
      from interaction_participants
     where user_id = $1 and interaction_id = $2
"""
SELECT_CONTACT = "select * from contacts where user_id = $1 and id = $2"
SELECT_INTERESTS = """
    select id, contact_id, category, topic, confidence, evidence_count,
           first_detected_at, last_reinforced_at
      from interests
     where user_id = $1
"""
SELECT_MEMORY_SOURCES = """
    select interaction_id from memory_sources where user_id = $1 and memory_id = $2
"""
INSERT_INTEREST = """
    insert into interests (user_id, contact_id, category, topic, confidence, evidence_count,
                           first_detected_at, last_reinforced_at)
    values ($1, $2, $3, $4, $5, $6, $7, $8)
    returning id
"""
INSERT_INFERRED_RELATIONSHIP = """
    insert into relationships (user_id, contact_a_id, contact_b_id, type, source)
    values ($1, least($2::uuid, $3::uuid), greatest($2::uuid, $3::uuid), $4, 'inferred')
"""
SET_EMBEDDING = """
    update memories set embedding = $3, embedding_model = 'test-model'
     where user_id = $1 and id = $2
"""

T0 = datetime(2024, 1, 1, tzinfo=UTC)


def at(days: int) -> datetime:
    return T0 + timedelta(days=days)


@pytest.fixture
async def conn(pool: asyncpg.Pool) -> AsyncIterator[asyncpg.Connection]:
    async with pool.acquire() as connection:
        yield connection


def actor_for(account: Account, request_id: str | None = None) -> Actor:
    return Actor(account.user.id, account.user.email, request_id)


@pytest.fixture
def me(account: Account) -> Actor:
    return actor_for(account, "req-me")


@pytest.fixture
async def stranger(make_account: MakeAccount) -> Actor:
    return actor_for(await make_account("Stranger"), "req-stranger")


async def snapshot(conn: asyncpg.Connection, user_id: UUID) -> Snapshot:
    """Every row a user owns, table by table, in a comparable form."""
    result: Snapshot = {}
    for table, query in TENANT_TABLES.items():
        rows = await conn.fetch(query, user_id)
        result[table] = sorted(repr(tuple(row.values())) for row in rows)
    return result


async def audit_entries(conn: asyncpg.Connection, actor: Actor) -> list[dict[str, Any]]:
    """The actor's audit trail, oldest first, with old/new values decoded."""
    entries = []
    for row in await conn.fetch(SELECT_AUDIT, actor.user_id):
        entry = dict(row)
        for key in ("old_values", "new_values"):
            if entry[key] is not None:
                entry[key] = orjson.loads(entry[key])
        entries.append(entry)
    return entries


async def refused_without_trace(
    conn: asyncpg.Connection,
    actors: list[Actor],
    attempt: Awaitable[object],
    error: type[DomainError],
    field: str | None,
) -> DomainError:
    """Await a mutation that must fail; nobody's data or audit log may change."""
    before = [await snapshot(conn, actor.user_id) for actor in actors]
    with pytest.raises(error) as raised:
        await attempt
    assert raised.value.field == field
    assert [await snapshot(conn, actor.user_id) for actor in actors] == before
    return raised.value


async def new_contact(conn: asyncpg.Connection, actor: Actor, name: str, **fields: Any) -> UUID:
    row = await contacts.create_contact(conn, actor, {"full_name": name, **fields})
    contact_id: UUID = row["id"]
    return contact_id


def ordered(a: UUID, b: UUID) -> tuple[UUID, UUID]:
    return (a, b) if a < b else (b, a)


# -- conventions --------------------------------------------------------------


def statements(module: ModuleType) -> dict[str, str]:
    return {
        name: value
        for name, value in vars(module).items()
        if name.isupper() and isinstance(value, str) and value.lstrip().startswith("--")
    }


@pytest.mark.parametrize(
    "module", [audit, contacts, relationships, interactions, interests, memories]
)
def test_every_statement_is_named(module: ModuleType) -> None:
    """Named, so the statement log (and the tests that count statements by name) sees
    it. That each is scoped to one user is test_distribution's: PostgreSQL's parser
    reads every statement, rather than a search for the word `user_id`."""
    found = statements(module)
    assert found, "a domain module without SQL constants"
    sql_like = [
        name
        for name, value in vars(module).items()
        if name.isupper()
        and isinstance(value, str)
        and any(word in value.lower() for word in ("select ", "insert ", "update ", "delete "))
    ]
    assert sorted(sql_like) == sorted(found), "every SQL constant opens with a name comment"
    for name, sql in found.items():
        assert sql.splitlines()[0].startswith("-- "), name


def test_every_public_function_takes_conn_and_actor_first() -> None:
    for module in (contacts, relationships, interactions, interests, memories):
        for name, function in vars(module).items():
            if inspect.iscoroutinefunction(function) and not name.startswith("_"):
                assert list(inspect.signature(function).parameters)[:2] == ["conn", "actor"]


# -- audit --------------------------------------------------------------------


async def test_audit_record_stores_actor_request_and_json_values(
    conn: asyncpg.Connection, me: Actor
) -> None:
    target = uuid4()
    await audit.record(
        conn, me, "test_op", [target], {"when": T0, "id": target}, {"tags": ["a"], "n": 1.5}
    )
    [entry] = await audit_entries(conn, me)
    assert entry["operation"] == "test_op"
    assert entry["actor"] == me.email
    assert entry["request_id"] == "req-me"
    assert entry["target_ids"] == [target]
    assert entry["old_values"] == {"id": str(target), "when": "2024-01-01T00:00:00+00:00"}
    assert entry["new_values"] == {"n": 1.5, "tags": ["a"]}


# -- contacts -----------------------------------------------------------------


async def test_create_contact_normalises_and_audits(conn: asyncpg.Connection, me: Actor) -> None:
    row = await contacts.create_contact(
        conn,
        me,
        {
            "full_name": "  Ada Lovelace ",
            "email": " Ada@Example.COM",
            "phone": "+44 20 0000",
            "company": "Analytical Engines",
            "job_title": "",
            "location": "London",
            "bio": "Wrote the first program.",
            "tags": ["Math", " math ", "Pioneer"],
            "notes": None,
        },
    )
    assert row["full_name"] == "Ada Lovelace"
    assert row["email"] == "ada@example.com"
    assert row["job_title"] is None
    assert row["tags"] == ["math", "pioneer"]
    assert row["user_id"] == me.user_id
    assert row["archived_at"] is None
    # the whole row comes back
    assert {"created_at", "updated_at", "source", "last_interaction_at"} <= set(row.keys())
    [entry] = await audit_entries(conn, me)
    assert entry["operation"] == "create_contact"
    assert entry["target_ids"] == [row["id"]]
    assert entry["old_values"] is None
    assert entry["new_values"]["full_name"] == "Ada Lovelace"
    assert entry["new_values"]["tags"] == ["math", "pioneer"]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({}, "fullName"),
        ({"full_name": "   "}, "fullName"),
        ({"full_name": "x" * 201}, "fullName"),
        ({"full_name": "Ada", "email": "not-an-email"}, "email"),
        ({"full_name": "Ada", "bio": "x" * 5001}, "bio"),
        ({"full_name": "Ada", "notes": "x" * 5001}, "notes"),
        ({"full_name": "Ada", "job_title": "x" * 201}, "jobTitle"),
        ({"full_name": "Ada", "tags": ["ok", ""]}, "tags"),
        ({"full_name": "Ada", "tags": "math"}, "tags"),
        ({"full_name": "Ada", "source": "import"}, "source"),
    ],
)
async def test_create_contact_refuses_bad_input(
    conn: asyncpg.Connection, me: Actor, fields: dict[str, Any], field: str
) -> None:
    await refused_without_trace(
        conn, [me], contacts.create_contact(conn, me, fields), InvalidInput, field
    )


async def test_long_text_fields_take_5000_characters(conn: asyncpg.Connection, me: Actor) -> None:
    row = await contacts.create_contact(
        conn, me, {"full_name": "x" * 200, "bio": "b" * 5000, "email": "a@" + "b" * 300 + ".io"}
    )
    assert len(row["bio"]) == 5000


async def test_update_contact_changes_only_given_fields(
    conn: asyncpg.Connection, me: Actor
) -> None:
    created = await contacts.create_contact(
        conn, me, {"full_name": "Ada", "company": "Acme", "location": "London", "tags": ["a"]}
    )
    row = await contacts.update_contact(
        conn, me, created["id"], {"company": " Babbage & Co ", "location": None, "tags": ["B"]}
    )
    assert row["full_name"] == "Ada"
    assert row["company"] == "Babbage & Co"
    assert row["location"] is None
    assert row["tags"] == ["b"]
    assert row["updated_at"] > created["updated_at"]
    entry = (await audit_entries(conn, me))[-1]
    assert entry["operation"] == "update_contact"
    assert entry["target_ids"] == [created["id"]]
    # only the changed fields are recorded
    assert entry["old_values"] == {"company": "Acme", "location": "London", "tags": ["a"]}
    assert entry["new_values"] == {"company": "Babbage & Co", "location": None, "tags": ["b"]}


async def test_update_contact_cannot_clear_the_name(conn: asyncpg.Connection, me: Actor) -> None:
    contact_id = await new_contact(conn, me, "Ada")
    for fields in ({"full_name": None}, {"full_name": "  "}):
        await refused_without_trace(
            conn,
            [me],
            contacts.update_contact(conn, me, contact_id, fields),
            InvalidInput,
            "fullName",
        )
    await refused_without_trace(
        conn,
        [me],
        contacts.update_contact(conn, me, contact_id, {"email": "nope"}),
        InvalidInput,
        "email",
    )


async def test_update_contact_of_another_user_is_not_found(
    conn: asyncpg.Connection, me: Actor, stranger: Actor
) -> None:
    contact_id = await new_contact(conn, me, "Ada")
    for victim_id in (contact_id, uuid4()):
        error = await refused_without_trace(
            conn,
            [me, stranger],
            contacts.update_contact(conn, stranger, victim_id, {"company": "Evil"}),
            NotFound,
            "id",
        )
        # a foreign id and a missing one are indistinguishable
        assert error.message == "Contact not found"


async def test_archive_is_idempotent_and_restore_clears_it(
    conn: asyncpg.Connection, me: Actor
) -> None:
    contact_id = await new_contact(conn, me, "Ada")
    archived = await contacts.archive_contact(conn, me, contact_id)
    assert archived["archived_at"] is not None
    again = await contacts.archive_contact(conn, me, contact_id)
    assert again["archived_at"] == archived["archived_at"]
    restored = await contacts.restore_contact(conn, me, contact_id)
    assert restored["archived_at"] is None
    assert restored["full_name"] == "Ada"
    operations = [entry["operation"] for entry in await audit_entries(conn, me)]
    assert operations == ["create_contact", "archive_contact", "archive_contact", "restore_contact"]


@pytest.mark.parametrize(
    ("operation", "archived"),
    [(contacts.archive_contact, False), (contacts.restore_contact, True)],
    ids=["archive", "restore"],
)
async def test_archive_and_restore_of_another_user_is_not_found(
    conn: asyncpg.Connection, me: Actor, stranger: Actor, operation: Any, archived: bool
) -> None:
    contact_id = await new_contact(conn, me, "Ada")
    if archived:
        await contacts.archive_contact(conn, me, contact_id)
    await refused_without_trace(
        conn, [me, stranger], operation(conn, stranger, contact_id), NotFound, "id"
    )


async def test_delete_contact_cascades_and_forgets_the_person(
    conn: asyncpg.Connection, me: Actor
) -> None:
    ada = await new_contact(conn, me, "Ada Lovelace", email="ada@example.com")
    grace = await new_contact(conn, me, "Grace Hopper")
    await contacts.update_contact(conn, me, ada, {"notes": "secret"})
    await relationships.create_relationship(conn, me, ada, grace, "friend")
    meeting = await interactions.log_interaction(
        conn, me, participant_ids=[ada, grace], type="meeting", occurred_at=at(1)
    )
    await interests.add_interest(conn, me, ada, "science", "computing")
    await memories.create_memory(conn, me, content="Likes poetry", contact_id=ada)

    assert await contacts.delete_contact(conn, me, ada) == ada

    assert await conn.fetchrow(SELECT_CONTACT, me.user_id, ada) is None
    data = await snapshot(conn, me.user_id)
    assert len(data["contacts"]) == 1
    assert data["relationships"] == []
    assert data["interests"] == []
    assert data["memories"] == []
    # the interaction stays, with the remaining participant
    assert [
        r["contact_id"] for r in await conn.fetch(SELECT_PARTICIPANTS, me.user_id, meeting["id"])
    ] == [grace]
    entries = await audit_entries(conn, me)
    assert entries[-1]["operation"] == "delete_contact"
    assert entries[-1]["target_ids"] == [ada]
    assert entries[-1]["old_values"] is None and entries[-1]["new_values"] is None
    # nothing the log kept about Ada still says who she was
    for entry in entries:
        text = orjson.dumps([entry["old_values"], entry["new_values"]]).decode()
        for personal in ("Ada", "ada@example.com", "secret", "computing", "poetry"):
            assert personal not in text, entry["operation"]
    # rows about others keep their values
    assert any(
        e["operation"] == "create_contact"
        and (e["new_values"] or {}).get("full_name") == "Grace Hopper"
        for e in entries
    )


async def test_delete_contact_of_another_user_is_not_found(
    conn: asyncpg.Connection, me: Actor, stranger: Actor
) -> None:
    contact_id = await new_contact(conn, me, "Ada")
    await refused_without_trace(
        conn,
        [me, stranger],
        contacts.delete_contact(conn, stranger, contact_id),
        NotFound,
        "id",
    )


# -- relationships ------------------------------------------------------------


async def test_create_relationship_normalises_the_pair(conn: asyncpg.Connection, me: Actor) -> None:
    a = await new_contact(conn, me, "Ada")
    b = await new_contact(conn, me, "Grace")
    low, high = ordered(a, b)
    row = await relationships.create_relationship(conn, me, high, low, "mentor", 0.75)
    assert (row["contact_a_id"], row["contact_b_id"]) == (low, high)
    assert row["type"] == "mentor"
    assert row["manual_strength"] == pytest.approx(0.75)
    assert row["source"] == "manual"
    entry = (await audit_entries(conn, me))[-1]
    assert entry["operation"] == "create_relationship"
    assert entry["target_ids"] == [row["id"], low, high]
    default = await relationships.create_relationship(
        conn, me, a, await new_contact(conn, me, "Alan")
    )
    assert default["type"] == "other" and default["manual_strength"] is None


async def test_create_relationship_refuses_bad_input_and_duplicates(
    conn: asyncpg.Connection, me: Actor
) -> None:
    a = await new_contact(conn, me, "Ada")
    b = await new_contact(conn, me, "Grace")
    cases: list[tuple[Awaitable[object], type[DomainError], str]] = [
        (relationships.create_relationship(conn, me, a, a), InvalidInput, "contactBId"),
        (relationships.create_relationship(conn, me, a, b, "enemy"), InvalidInput, "type"),
        (relationships.create_relationship(conn, me, a, b, "FRIEND"), InvalidInput, "type"),
        (
            relationships.create_relationship(conn, me, a, b, "friend", 1.5),
            InvalidInput,
            "strength",
        ),
        (
            relationships.create_relationship(conn, me, a, uuid4()),
            NotFound,
            "contactBId",
        ),
    ]
    for attempt, error, field in cases:
        await refused_without_trace(conn, [me], attempt, error, field)
    await relationships.create_relationship(conn, me, a, b, "friend")
    for first, second in ((a, b), (b, a)):
        await refused_without_trace(
            conn,
            [me],
            relationships.create_relationship(conn, me, first, second, "colleague"),
            Conflict,
            "contactBId",
        )


async def test_create_relationship_with_another_users_contact_is_not_found(
    conn: asyncpg.Connection, me: Actor, stranger: Actor
) -> None:
    mine = await new_contact(conn, me, "Ada")
    other = await new_contact(conn, me, "Grace")
    theirs = await new_contact(conn, stranger, "Mallory")
    await refused_without_trace(
        conn,
        [me, stranger],
        relationships.create_relationship(conn, stranger, mine, theirs),
        NotFound,
        "contactAId",
    )
    await refused_without_trace(
        conn,
        [me, stranger],
        relationships.create_relationship(conn, me, mine, theirs),
        NotFound,
        "contactBId",
    )
    await refused_without_trace(
        conn,
        [me, stranger],
        relationships.create_relationship(conn, stranger, mine, other),
        NotFound,
        "contactAId",
    )


async def test_update_relationship(conn: asyncpg.Connection, me: Actor, stranger: Actor) -> None:
    a = await new_contact(conn, me, "Ada")
    b = await new_contact(conn, me, "Grace")
    created = await relationships.create_relationship(conn, me, a, b, "friend", 0.5)
    row = await relationships.update_relationship(conn, me, created["id"], {"type": "family"})
    assert row["type"] == "family"
    assert row["manual_strength"] == pytest.approx(0.5)
    row = await relationships.update_relationship(
        conn, me, created["id"], {"manual_strength": None}
    )
    assert row["manual_strength"] is None and row["type"] == "family"
    entry = (await audit_entries(conn, me))[-1]
    assert entry["operation"] == "update_relationship"
    assert entry["old_values"] == {"manual_strength": 0.5}
    assert entry["new_values"] == {"manual_strength": None}
    for fields, field in (
        ({"type": "rival"}, "type"),
        ({"manual_strength": -0.1}, "strength"),
        ({"contact_a_id": a}, "contact_a_id"),
    ):
        await refused_without_trace(
            conn,
            [me],
            relationships.update_relationship(conn, me, created["id"], fields),
            InvalidInput,
            field,
        )
    for relationship_id in (created["id"], uuid4()):
        await refused_without_trace(
            conn,
            [me, stranger],
            relationships.update_relationship(conn, stranger, relationship_id, {"type": "client"}),
            NotFound,
            "id",
        )


async def test_delete_relationship(conn: asyncpg.Connection, me: Actor, stranger: Actor) -> None:
    a = await new_contact(conn, me, "Ada")
    b = await new_contact(conn, me, "Grace")
    created = await relationships.create_relationship(conn, me, a, b, "friend")
    await refused_without_trace(
        conn,
        [me, stranger],
        relationships.delete_relationship(conn, stranger, created["id"]),
        NotFound,
        "id",
    )
    assert await relationships.delete_relationship(conn, me, created["id"]) == created["id"]
    # kept as a suppression, so later shared interactions do not infer the tie again
    suppressed = await conn.fetch(
        "select id from relationships where user_id = $1 and suppressed_at is not null", me.user_id
    )
    assert [row["id"] for row in suppressed] == [created["id"]]
    entry = (await audit_entries(conn, me))[-1]
    assert entry["operation"] == "delete_relationship"
    assert entry["old_values"]["type"] == "friend" and entry["new_values"] is None
    await interactions.log_interaction(
        conn, me, participant_ids=[a, b], type="meeting", occurred_at=at(1)
    )
    assert len(await conn.fetch(SELECT_PAIRS, me.user_id)) == 1
    await refused_without_trace(
        conn,
        [me],
        relationships.delete_relationship(conn, me, created["id"]),
        NotFound,
        "id",
    )


# -- interactions -------------------------------------------------------------


async def test_log_interaction_links_participants_and_moves_last_interaction_forward(
    conn: asyncpg.Connection, me: Actor
) -> None:
    ada = await new_contact(conn, me, "Ada")
    grace = await new_contact(conn, me, "Grace")
    row = await interactions.log_interaction(
        conn,
        me,
        participant_ids=[ada, grace],
        type="meeting",
        occurred_at=at(10),
        direction="outbound",
        subject=" Planning ",
        content="Agenda",
        summary="",
        duration_minutes=45,
        sentiment=0.5,
    )
    assert row["type"] == "meeting" and row["direction"] == "outbound"
    assert row["subject"] == "Planning" and row["summary"] is None
    assert row["occurred_at"] == at(10) and row["duration_minutes"] == 45
    participants = await conn.fetch(SELECT_PARTICIPANTS, me.user_id, row["id"])
    assert {p["contact_id"] for p in participants} == {ada, grace}
    # an older interaction does not move last_interaction_at back
    await interactions.log_interaction(
        conn, me, participant_ids=[ada], type="call", occurred_at=at(5)
    )
    first = await conn.fetchrow(SELECT_CONTACT, me.user_id, ada)
    assert first["last_interaction_at"] == at(10)
    await interactions.log_interaction(
        conn, me, participant_ids=[grace], type="email", occurred_at=at(20)
    )
    assert (await conn.fetchrow(SELECT_CONTACT, me.user_id, grace))["last_interaction_at"] == at(20)
    entries = [e for e in await audit_entries(conn, me) if e["operation"] == "log_interaction"]
    assert len(entries) == 3
    assert entries[0]["target_ids"] == [row["id"], ada, grace]


async def test_log_interaction_refuses_bad_input(conn: asyncpg.Connection, me: Actor) -> None:
    ada = await new_contact(conn, me, "Ada")
    now = datetime.now(UTC)
    good: dict[str, Any] = {"participant_ids": [ada], "type": "call", "occurred_at": at(1)}
    cases: list[tuple[dict[str, Any], str]] = [
        ({"participant_ids": []}, "participantIds"),
        ({"participant_ids": [ada, ada]}, "participantIds"),
        ({"participant_ids": [uuid4() for _ in range(51)]}, "participantIds"),
        ({"type": "fax"}, "type"),
        ({"direction": "sideways"}, "direction"),
        ({"occurred_at": datetime(2024, 1, 1)}, "occurredAt"),
        ({"occurred_at": now + timedelta(days=2)}, "occurredAt"),
        ({"occurred_at": datetime(1850, 1, 1, tzinfo=UTC)}, "occurredAt"),
        ({"sentiment": 1.5}, "sentiment"),
        ({"duration_minutes": -1}, "durationMinutes"),
        ({"subject": "x" * 1001}, "subject"),
    ]
    for change, field in cases:
        await refused_without_trace(
            conn,
            [me],
            interactions.log_interaction(conn, me, **(good | change)),
            InvalidInput,
            field,
        )
    # a meeting later today is fine
    soon = await interactions.log_interaction(
        conn, me, **(good | {"occurred_at": now + timedelta(hours=3)})
    )
    assert soon["occurred_at"] > now


async def test_log_interaction_with_another_users_contact_writes_nothing(
    conn: asyncpg.Connection, me: Actor, stranger: Actor
) -> None:
    mine = await new_contact(conn, me, "Ada")
    theirs = await new_contact(conn, stranger, "Mallory")
    await refused_without_trace(
        conn,
        [me, stranger],
        interactions.log_interaction(
            conn, me, participant_ids=[mine, theirs], type="call", occurred_at=at(3)
        ),
        NotFound,
        "participantIds",
    )
    await refused_without_trace(
        conn,
        [me, stranger],
        interactions.log_interaction(
            conn, stranger, participant_ids=[mine], type="call", occurred_at=at(3)
        ),
        NotFound,
        "participantIds",
    )


# -- interests ----------------------------------------------------------------


async def test_add_interest_inserts_then_reinforces(conn: asyncpg.Connection, me: Actor) -> None:
    ada = await new_contact(conn, me, "Ada")
    first = await interests.add_interest(conn, me, ada, " Tech ", " Rust ")
    assert (first["category"], first["topic"]) == ("tech", "rust")
    assert first["confidence"] == pytest.approx(0.5)
    assert first["evidence_count"] == 1
    second = await interests.add_interest(conn, me, ada, "TECH", "rust", confidence=0.8)
    assert second["id"] == first["id"]
    assert second["evidence_count"] == 2
    assert second["confidence"] == pytest.approx(0.8)
    assert second["first_detected_at"] == first["first_detected_at"]
    assert second["last_reinforced_at"] > first["last_reinforced_at"]
    # weaker evidence never lowers the confidence; no confidence keeps it
    third = await interests.add_interest(conn, me, ada, "tech", "rust", confidence=0.2)
    fourth = await interests.add_interest(conn, me, ada, "tech", "rust")
    assert third["confidence"] == pytest.approx(0.8) == fourth["confidence"]
    assert fourth["evidence_count"] == 4
    other = await interests.add_interest(conn, me, ada, "tech", "go", confidence=0.1)
    assert other["id"] != first["id"] and other["confidence"] == pytest.approx(0.1)
    entries = [e for e in await audit_entries(conn, me) if e["operation"] == "add_interest"]
    assert len(entries) == 5
    assert entries[0]["old_values"] is None
    assert entries[1]["old_values"]["evidence_count"] == 1
    assert entries[1]["new_values"]["evidence_count"] == 2
    assert entries[0]["target_ids"] == [first["id"], ada]


async def test_add_interest_refuses_bad_input(
    conn: asyncpg.Connection, me: Actor, stranger: Actor
) -> None:
    ada = await new_contact(conn, me, "Ada")
    for args, field in (
        (("  ", "rust", None), "category"),
        (("tech", "", None), "topic"),
        (("x" * 101, "rust", None), "category"),
        (("tech", "x" * 201, None), "topic"),
        (("tech", "rust", 1.2), "confidence"),
    ):
        await refused_without_trace(
            conn,
            [me],
            interests.add_interest(conn, me, ada, *args),
            InvalidInput,
            field,
        )
    await refused_without_trace(
        conn,
        [me, stranger],
        interests.add_interest(conn, stranger, ada, "tech", "rust"),
        NotFound,
        "contactId",
    )


async def test_remove_interest(conn: asyncpg.Connection, me: Actor, stranger: Actor) -> None:
    ada = await new_contact(conn, me, "Ada")
    interest = await interests.add_interest(conn, me, ada, "tech", "rust")
    await refused_without_trace(
        conn,
        [me, stranger],
        interests.remove_interest(conn, stranger, interest["id"]),
        NotFound,
        "id",
    )
    assert await interests.remove_interest(conn, me, interest["id"]) == interest["id"]
    assert await conn.fetch(SELECT_INTERESTS, me.user_id) == []
    entry = (await audit_entries(conn, me))[-1]
    assert entry["operation"] == "remove_interest" and entry["old_values"]["topic"] == "rust"
    await refused_without_trace(
        conn, [me], interests.remove_interest(conn, me, interest["id"]), NotFound, "id"
    )


# -- memories -----------------------------------------------------------------


async def test_create_memory_with_sources(conn: asyncpg.Connection, me: Actor) -> None:
    ada = await new_contact(conn, me, "Ada")
    call = await interactions.log_interaction(
        conn, me, participant_ids=[ada], type="call", occurred_at=at(1)
    )
    row = await memories.create_memory(
        conn,
        me,
        content="  Prefers mornings  ",
        contact_id=ada,
        type="insight",
        title="Scheduling",
        tags=["Habits"],
        importance=0.9,
        source_interaction_ids=[call["id"]],
    )
    assert row["content"] == "Prefers mornings"
    assert row["contact_id"] == ada and row["type"] == "insight"
    assert row["tags"] == ["habits"] and row["importance"] == pytest.approx(0.9)
    assert row["embedding"] is None and row["embedding_model"] is None
    assert row["search_vector"]
    sources = await conn.fetch(SELECT_MEMORY_SOURCES, me.user_id, row["id"])
    assert [s["interaction_id"] for s in sources] == [call["id"]]
    entry = (await audit_entries(conn, me))[-1]
    assert entry["operation"] == "create_memory"
    assert entry["target_ids"] == [row["id"], ada]
    network = await memories.create_memory(conn, me, content="The team grew")
    assert network["contact_id"] is None
    assert network["type"] == "note" and network["importance"] == pytest.approx(0.5)
    assert network["tags"] == []
    assert await conn.fetch(SELECT_MEMORY_SOURCES, me.user_id, network["id"]) == []


async def test_create_memory_refuses_bad_input(
    conn: asyncpg.Connection, me: Actor, stranger: Actor
) -> None:
    ada = await new_contact(conn, me, "Ada")
    call = await interactions.log_interaction(
        conn, me, participant_ids=[ada], type="call", occurred_at=at(1)
    )
    for change, field in (
        ({"content": "  "}, "content"),
        ({"content": "x" * 20_001}, "content"),
        ({"type": "diary"}, "type"),
        ({"importance": 1.5}, "importance"),
        ({"title": "x" * 201}, "title"),
        ({"tags": [" "]}, "tags"),
        ({"source_interaction_ids": [call["id"], call["id"]]}, "sourceInteractionIds"),
    ):
        arguments: dict[str, Any] = {"content": "fine"} | change
        await refused_without_trace(
            conn,
            [me],
            memories.create_memory(conn, me, **arguments),
            InvalidInput,
            field,
        )
    assert (await memories.create_memory(conn, me, content="x" * 20_000))["content"]
    theirs = await new_contact(conn, stranger, "Mallory")
    await refused_without_trace(
        conn,
        [me, stranger],
        memories.create_memory(conn, me, content="about them", contact_id=theirs),
        NotFound,
        "contactId",
    )
    await refused_without_trace(
        conn,
        [me, stranger],
        memories.create_memory(
            conn, stranger, content="from their call", source_interaction_ids=[call["id"]]
        ),
        NotFound,
        "sourceInteractionIds",
    )


async def test_update_memory(conn: asyncpg.Connection, me: Actor, stranger: Actor) -> None:
    ada = await new_contact(conn, me, "Ada")
    grace = await new_contact(conn, me, "Grace")
    created = await memories.create_memory(conn, me, content="Likes tea", contact_id=ada)
    await conn.execute(SET_EMBEDDING, me.user_id, created["id"], [0.1] * 384)

    retyped = await memories.update_memory(
        conn, me, created["id"], {"type": "talking_point", "importance": 0.7, "tags": ["Tea"]}
    )
    assert retyped["type"] == "talking_point" and retyped["tags"] == ["tea"]
    # text unchanged: the embedding still holds
    assert retyped["embedding"] is not None and retyped["embedding_model"] == "test-model"

    moved = await memories.update_memory(
        conn, me, created["id"], {"content": "Likes coffee", "contact_id": grace}
    )
    assert moved["content"] == "Likes coffee" and moved["contact_id"] == grace
    # the text changed: the old embedding is stale and cleared
    assert moved["embedding"] is None and moved["embedding_model"] is None
    assert moved["updated_at"] > created["updated_at"]
    entry = (await audit_entries(conn, me))[-1]
    assert entry["operation"] == "update_memory"
    assert entry["target_ids"] == [created["id"], ada, grace]
    assert entry["old_values"] == {"content": "Likes tea", "contact_id": str(ada)}
    assert entry["new_values"] == {"content": "Likes coffee", "contact_id": str(grace)}

    network = await memories.update_memory(conn, me, created["id"], {"contact_id": None})
    assert network["contact_id"] is None

    for fields, field in (
        ({"content": None}, "content"),
        ({"importance": None}, "importance"),
        ({"type": "diary"}, "type"),
        ({"embedding": [0.0]}, "embedding"),
    ):
        await refused_without_trace(
            conn,
            [me],
            memories.update_memory(conn, me, created["id"], fields),
            InvalidInput,
            field,
        )
    theirs = await new_contact(conn, stranger, "Mallory")
    await refused_without_trace(
        conn,
        [me, stranger],
        memories.update_memory(conn, me, created["id"], {"contact_id": theirs}),
        NotFound,
        "contactId",
    )
    await refused_without_trace(
        conn,
        [me, stranger],
        memories.update_memory(conn, stranger, created["id"], {"title": "mine now"}),
        NotFound,
        "id",
    )


async def test_delete_memory(conn: asyncpg.Connection, me: Actor, stranger: Actor) -> None:
    ada = await new_contact(conn, me, "Ada")
    created = await memories.create_memory(conn, me, content="Likes tea", contact_id=ada)
    await refused_without_trace(
        conn,
        [me, stranger],
        memories.delete_memory(conn, stranger, created["id"]),
        NotFound,
        "id",
    )
    assert await memories.delete_memory(conn, me, created["id"]) == created["id"]
    assert (await snapshot(conn, me.user_id))["memories"] == []
    entry = (await audit_entries(conn, me))[-1]
    assert entry["operation"] == "delete_memory"
    assert entry["target_ids"] == [created["id"], ada]
    assert entry["old_values"]["content"] == "Likes tea"


# -- merge --------------------------------------------------------------------


async def test_merge_contacts_folds_duplicates_into_the_primary(
    conn: asyncpg.Connection, me: Actor
) -> None:
    user = me.user_id
    primary = await new_contact(conn, me, "Ada Lovelace", company="Acme", tags=["a"])
    first = await new_contact(
        conn,
        me,
        "A. Lovelace",
        email="ada@example.com",
        phone="123",
        company="Other",
        tags=["b", "a"],
    )
    second = await new_contact(conn, me, "Ada L", bio="Poet's daughter", tags=["c"])
    x = await new_contact(conn, me, "Xavier")
    y = await new_contact(conn, me, "Yvonne")
    z = await new_contact(conn, me, "Zed")
    duplicates = [first, second]

    # relationships
    await relationships.create_relationship(conn, me, primary, x, "friend", 0.2)
    await relationships.create_relationship(
        conn, me, first, x, "colleague", 0.7
    )  # same pair as P-X
    await relationships.create_relationship(conn, me, first, y, "mentor", 0.4)  # moves to P-Y
    await conn.execute(
        INSERT_INFERRED_RELATIONSHIP, user, second, y, "friend"
    )  # collides, inferred
    await relationships.create_relationship(conn, me, primary, first, "family")  # becomes a loop
    await relationships.create_relationship(conn, me, first, second, "family")  # becomes a loop
    await relationships.create_relationship(conn, me, z, second, "client", 0.9)  # moves to P-Z
    await relationships.create_relationship(conn, me, x, y, "vendor")  # untouched

    # interactions
    together = await interactions.log_interaction(
        conn, me, participant_ids=[primary, first], type="meeting", occurred_at=at(1)
    )
    with_x = await interactions.log_interaction(
        conn, me, participant_ids=[first, x], type="email", occurred_at=at(9)
    )
    both = await interactions.log_interaction(
        conn, me, participant_ids=[first, second], type="call", occurred_at=at(2)
    )

    # interests
    kept = await conn.fetchval(
        INSERT_INTEREST, user, primary, "tech", "rust", 0.4, 2, at(100), at(200)
    )
    await conn.execute(INSERT_INTEREST, user, first, "tech", "rust", 0.9, 3, at(50), at(150))
    await conn.execute(INSERT_INTEREST, user, second, "tech", "rust", 0.1, 1, at(300), at(400))
    earliest_jazz = await conn.fetchval(
        INSERT_INTEREST, user, first, "music", "jazz", 0.3, 1, at(10), at(20)
    )
    await conn.execute(INSERT_INTEREST, user, second, "music", "jazz", 0.6, 4, at(30), at(40))
    golf = await conn.fetchval(INSERT_INTEREST, user, second, "sport", "golf", 0.5, 1, at(5), at(6))

    # memories
    note = await memories.create_memory(conn, me, content="Met at the salon", contact_id=first)
    audit_before = len(await audit_entries(conn, me))

    row = await contacts.merge_contacts(conn, me, primary, duplicates)

    assert row["id"] == primary
    assert row["full_name"] == "Ada Lovelace"
    assert row["company"] == "Acme"  # the primary's own value wins
    assert row["email"] == "ada@example.com"  # gaps are filled
    assert row["phone"] == "123"
    assert row["bio"] == "Poet's daughter"
    assert row["tags"] == ["a", "b", "c"]
    assert row["last_interaction_at"] == at(9)

    remaining = {r["id"] for r in await conn.fetch(TENANT_TABLES["contacts"], user)}
    assert remaining == {primary, x, y, z}

    pairs = {
        (r["contact_a_id"], r["contact_b_id"]): (r["type"], r["manual_strength"], r["source"])
        for r in await conn.fetch(SELECT_PAIRS, user)
    }
    assert set(pairs) == {
        ordered(primary, x),
        ordered(primary, y),
        ordered(primary, z),
        ordered(x, y),
    }
    assert pairs[ordered(primary, x)][:2] == ("friend", pytest.approx(0.7))
    assert pairs[ordered(primary, y)] == ("mentor", pytest.approx(0.4), "manual")
    assert pairs[ordered(primary, z)][:2] == ("client", pytest.approx(0.9))
    assert pairs[ordered(x, y)][0] == "vendor"

    async def participants(interaction_id: UUID) -> list[UUID]:
        rows = await conn.fetch(SELECT_PARTICIPANTS, user, interaction_id)
        return sorted(r["contact_id"] for r in rows)

    assert await participants(together["id"]) == [primary]
    assert await participants(with_x["id"]) == sorted([primary, x])
    assert await participants(both["id"]) == [primary]

    merged = {(r["category"], r["topic"]): r for r in await conn.fetch(SELECT_INTERESTS, user)}
    assert set(merged) == {("tech", "rust"), ("music", "jazz"), ("sport", "golf")}
    rust = merged["tech", "rust"]
    assert rust["id"] == kept and rust["contact_id"] == primary
    assert rust["evidence_count"] == 6
    assert rust["confidence"] == pytest.approx(0.9)
    assert (rust["first_detected_at"], rust["last_reinforced_at"]) == (at(50), at(400))
    jazz = merged["music", "jazz"]
    assert jazz["id"] == earliest_jazz and jazz["contact_id"] == primary
    assert (jazz["evidence_count"], jazz["confidence"]) == (5, pytest.approx(0.6))
    assert (jazz["first_detected_at"], jazz["last_reinforced_at"]) == (at(10), at(40))
    assert merged["sport", "golf"]["id"] == golf
    assert merged["sport", "golf"]["contact_id"] == primary

    [memory] = await conn.fetch(TENANT_TABLES["memories"], user)
    assert memory["id"] == note["id"] and memory["contact_id"] == primary

    entries = await audit_entries(conn, me)
    assert len(entries) == audit_before + 1
    entry = entries[-1]
    assert entry["operation"] == "merge_contacts"
    assert entry["target_ids"] == [primary, first, second]
    assert entry["request_id"] == "req-me"
    assert entry["old_values"]["primary"]["email"] is None
    assert entry["new_values"]["primary"]["email"] == "ada@example.com"
    assert [d["id"] for d in entry["old_values"]["duplicates"]] == [str(first), str(second)]


async def test_merge_keeps_the_primarys_participation_once(
    conn: asyncpg.Connection, me: Actor
) -> None:
    primary = await new_contact(conn, me, "Ada")
    duplicate = await new_contact(conn, me, "Ada 2")
    other = await new_contact(conn, me, "Ada 3")
    meeting = await interactions.log_interaction(
        conn, me, participant_ids=[primary, duplicate, other], type="meeting", occurred_at=at(1)
    )
    await contacts.merge_contacts(conn, me, primary, [duplicate, other])
    rows = await conn.fetch(SELECT_PARTICIPANTS, me.user_id, meeting["id"])
    assert [r["contact_id"] for r in rows] == [primary]


async def test_deleting_a_merged_contact_forgets_the_duplicates_history_too(
    conn: asyncpg.Connection, me: Actor
) -> None:
    primary = await new_contact(conn, me, "Ada Lovelace")
    duplicate = await new_contact(conn, me, "Augusta King", email="augusta@example.com")
    await interests.add_interest(conn, me, duplicate, "poetry", "byron")
    await contacts.merge_contacts(conn, me, primary, [duplicate])
    await contacts.delete_contact(conn, me, primary)
    for entry in await audit_entries(conn, me):
        text = orjson.dumps([entry["old_values"], entry["new_values"]]).decode()
        for personal in ("Ada", "Augusta", "augusta@example.com", "byron"):
            assert personal not in text, entry["operation"]


@pytest.mark.parametrize(
    "duplicates",
    [
        lambda p, d: [],
        lambda p, d: [p],
        lambda p, d: [d, p],
        lambda p, d: [d, d],
        lambda p, d: [d] + [uuid4() for _ in range(20)],
    ],
    ids=["none", "primary-only", "includes-primary", "repeated", "too-many"],
)
async def test_merge_refuses_bad_duplicate_lists(
    conn: asyncpg.Connection, me: Actor, duplicates: Callable[[UUID, UUID], list[UUID]]
) -> None:
    primary = await new_contact(conn, me, "Ada")
    duplicate = await new_contact(conn, me, "Ada 2")
    await refused_without_trace(
        conn,
        [me],
        contacts.merge_contacts(conn, me, primary, duplicates(primary, duplicate)),
        InvalidInput,
        "duplicateIds",
    )


async def test_merge_with_a_foreign_or_missing_contact_changes_nothing(
    conn: asyncpg.Connection, me: Actor, stranger: Actor
) -> None:
    primary = await new_contact(conn, me, "Ada")
    duplicate = await new_contact(conn, me, "Ada 2", email="ada@example.com")
    await interests.add_interest(conn, me, duplicate, "tech", "rust")
    await interactions.log_interaction(
        conn, me, participant_ids=[duplicate], type="call", occurred_at=at(1)
    )
    theirs = await new_contact(conn, stranger, "Mallory")
    for duplicate_ids in ([duplicate, theirs], [duplicate, uuid4()]):
        await refused_without_trace(
            conn,
            [me, stranger],
            contacts.merge_contacts(conn, me, primary, duplicate_ids),
            NotFound,
            "duplicateIds",
        )
    await refused_without_trace(
        conn,
        [me, stranger],
        contacts.merge_contacts(conn, me, theirs, [duplicate]),
        NotFound,
        "primaryId",
    )
    # the stranger can merge neither my contacts nor theirs into mine
    await refused_without_trace(
        conn,
        [me, stranger],
        contacts.merge_contacts(conn, stranger, primary, [duplicate]),
        NotFound,
        "primaryId",
    )
    await refused_without_trace(
        conn,
        [me, stranger],
        contacts.merge_contacts(conn, stranger, theirs, [duplicate]),
        NotFound,
        "duplicateIds",
    )


FAIL_ON_DELETE_FUNCTION = """
    create function merge_test_refuse_delete() returns trigger
    language plpgsql as $$
    begin
        raise exception 'refusing to delete %', old.full_name;
    end
    $$
"""
FAIL_ON_DELETE_TRIGGER = """
    create trigger merge_test_refuse_delete
    before delete on contacts
    for each row when (old.full_name = 'Refuses deletion')
    execute function merge_test_refuse_delete()
"""


async def test_a_merge_failing_at_its_last_step_leaves_everything_unchanged(
    conn: asyncpg.Connection, me: Actor
) -> None:
    primary = await new_contact(conn, me, "Ada")
    duplicate = await new_contact(conn, me, "Refuses deletion", email="ada@example.com")
    x = await new_contact(conn, me, "Xavier")
    await relationships.create_relationship(conn, me, duplicate, x, "friend")
    await interests.add_interest(conn, me, duplicate, "tech", "rust")
    await interactions.log_interaction(
        conn, me, participant_ids=[duplicate, x], type="call", occurred_at=at(1)
    )
    await memories.create_memory(conn, me, content="note", contact_id=duplicate)

    # the trigger exists only inside this transaction, which is rolled back at the end;
    # the merge runs in a savepoint within it and fails deleting the duplicate, after
    # every move has been made
    outer = conn.transaction()
    await outer.start()
    try:
        await conn.execute(FAIL_ON_DELETE_FUNCTION)
        await conn.execute(FAIL_ON_DELETE_TRIGGER)
        before = await snapshot(conn, me.user_id)
        with pytest.raises(asyncpg.RaiseError, match="refusing to delete"):
            await contacts.merge_contacts(conn, me, primary, [duplicate])
        assert await snapshot(conn, me.user_id) == before
    finally:
        await outer.rollback()


async def test_domain_writes_join_the_callers_transaction(
    conn: asyncpg.Connection, me: Actor
) -> None:
    before = await snapshot(conn, me.user_id)
    with pytest.raises(RuntimeError):
        async with conn.transaction():
            await new_contact(conn, me, "Ada")
            raise RuntimeError("the caller gives up")
    assert await snapshot(conn, me.user_id) == before
