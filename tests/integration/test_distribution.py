"""The distribution invariant, read from the catalog and the statement constants: every
tenant table could become `create_distributed_table(..., 'user_id')` with co-located
joins (docs/scaling.md). A migration that breaks it fails here; so do the deliberately
bad table and statements below, which show the checks can fail."""

from __future__ import annotations

import importlib
import logging
import pkgutil
import re
from typing import Any

import asyncpg
import pytest
from aiohttp.test_utils import TestClient

import graph_api
import loaders
from graph_api.keys import GRAPHQL_ENDPOINT
from graph_api.seed import seed_network
from graph_api.types.node import global_id
from tests.conftest import Account
from tests.distribution import read_catalog, statement_violations
from tests.integration.test_compiled import DOCUMENTS, NOW, README_QUERIES, readme_variables

SQL = re.compile(r"^\s*(--[^\n]*\n\s*)*(select|insert|update|delete|with)\b", re.I)


def statement_constants() -> dict[str, str]:
    """Every module-level SQL constant of graph_api and loaders, by `module.NAME`."""
    found: dict[str, str] = {}
    names = ["loaders", "graph_api"]
    for package in (graph_api, loaders):
        names += [m.name for m in pkgutil.walk_packages(package.__path__, f"{package.__name__}.")]
    for name in names:
        if name.endswith("__main__"):
            continue
        for constant, value in vars(importlib.import_module(name)).items():
            if constant.isupper() and isinstance(value, str) and SQL.match(value):
                found[f"{name}.{constant}"] = value
    return found


async def test_every_tenant_key_foreign_key_and_btree_index_starts_with_user_id(
    pool: asyncpg.Pool,
) -> None:
    async with pool.acquire() as conn:
        catalog = await read_catalog(conn)
    assert {"contacts", "relationships", "audit_log", "mentions"} <= catalog.tenant_tables
    assert catalog.violations == ()
    # what cannot lead with a uuid (vector and full-text indexes), named so a new one is seen
    assert set(catalog.per_shard_indexes) == {
        "audit_log.audit_log_target_ids_idx (gin)",
        "contact_profiles.contact_profiles_embedding_idx (hnsw)",
        "contacts.contacts_tags_idx (gin)",
        "document_chunks.document_chunks_embedding_idx (hnsw)",
        "document_chunks.document_chunks_search_vector_idx (gin)",
        "interactions.interactions_embedding_idx (hnsw)",
        "interactions.interactions_search_vector_idx (gin)",
        "memories.memories_embedding_idx (hnsw)",
        "memories.memories_search_vector_idx (gin)",
        "memories.memories_tags_idx (gin)",
    }


async def test_a_migration_breaking_the_invariant_is_caught(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute(
            """create table bad_tenant_things (
                   user_id uuid not null references users (id),
                   id uuid primary key,
                   contact_id uuid,
                   code text,
                   foreign key (user_id, contact_id) references contacts (user_id, id),
                   unique (code, user_id));
               create table bad_tenant_children (
                   user_id uuid not null, id uuid, thing_id uuid references bad_tenant_things (id),
                   primary key (user_id, id));
               create index bad_tenant_things_contact_idx on bad_tenant_things (contact_id);
               create index bad_tenant_children_fine_idx on bad_tenant_children (user_id, thing_id)"""
        )
        catalog = await read_catalog(conn)
        # the same function, now seeing the bad tables: each break named
        assert "bad_tenant_things" in catalog.tenant_tables
        bad = [v for v in catalog.violations if v.startswith("bad_tenant")]
        assert any("bad_tenant_things_pkey: primary key ['id']" in v for v in bad), bad
        assert any("unique constraint ['code', 'user_id']" in v for v in bad), bad
        assert any(
            "bad_tenant_children_thing_id_fkey: foreign key ['thing_id']" in v for v in bad
        ), bad
        assert any("bad_tenant_things_contact_idx: btree index ['contact_id']" in v for v in bad), (
            bad
        )
        assert not any("bad_tenant_children_fine_idx" in v for v in bad)
        assert not any("contact_id_fkey" in v for v in bad), "a composite key is fine"
        await conn.execute("rollback; begin")  # leave nothing behind (the block's own end)


@pytest.fixture(scope="module")
async def tenant_tables(pool: asyncpg.Pool) -> frozenset[str]:
    async with pool.acquire() as conn:
        return (await read_catalog(conn)).tenant_tables


async def test_every_statement_constant_touches_one_tenants_rows(
    tenant_tables: frozenset[str],
) -> None:
    statements = statement_constants()
    assert len(statements) > 100, "the constants were not found"
    broken = {
        name: p
        for name, sql in statements.items()
        if (p := statement_violations(sql, tenant_tables))
    }
    assert broken == {}


@pytest.mark.parametrize(
    ("sql", "problem"),
    [
        ("select * from contacts c join relationships r on r.contact_a_id = c.id where c.user_id = $1",
         "relationships r: not pinned"),
        ("select * from contacts c, interests i where c.user_id = $1 and i.user_id = $2",
         "rows of several tenants joined"),
        ("select * from contacts c where c.user_id = $1 and exists "
         "(select 1 from interests i where i.contact_id = c.id)", "interests i: not pinned"),
        ("update contacts set notes = '' where id = $1", "contacts contacts: not pinned"),
        ("delete from contacts where user_id = $1 or id = $2", "contacts contacts: not pinned"),
        ("select count(*) from audit_log", "audit_log audit_log: not pinned"),
    ],
)  # fmt: skip
async def test_a_statement_reaching_another_tenant_is_caught(
    tenant_tables: frozenset[str], sql: str, problem: str
) -> None:
    assert any(problem in p for p in statement_violations(sql, tenant_tables))


@pytest.mark.parametrize(
    "sql",
    [
        "select * from contacts c join relationships r on r.user_id = c.user_id "
        "and r.contact_a_id = c.id where c.user_id = $1",
        "select * from contacts c join interests i using (user_id) where c.user_id = $1::uuid",
        "select * from contacts where user_id = current_tenant()",
        "insert into contacts (user_id, full_name) select $1, n from unnest($2::text[]) n",
    ],
)
async def test_a_statement_pinned_to_one_tenant_passes(
    tenant_tables: frozenset[str], sql: str
) -> None:
    assert statement_violations(sql, tenant_tables) == []


class StatementLog(logging.Handler):
    """Every statement the app's pools run, as text (graph_api.db.pool's query logger)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.sql: dict[str, str] = {}

    def emit(self, record: logging.LogRecord) -> None:
        text = getattr(record, "sql", None)
        if text:
            self.sql.setdefault(" ".join(text.split()), text)


@pytest.fixture
async def network(pool: asyncpg.Pool, account: Account) -> tuple[Account, dict[str, str]]:
    """test_compiled's network, without waiting for its memories' embeddings (the
    statements are what is read here, not the answers)."""
    async with pool.acquire() as conn:
        await seed_network(conn, account.user.id, 60, 11, NOW)
        contacts = await conn.fetch(
            "select id from contacts where user_id = $1 order by full_name, id limit 2",
            account.user.id,
        )
        memory = await conn.fetchval(
            "select id from memories where user_id = $1 order by id limit 1", account.user.id
        )
    ids = [global_id("Contact", row["id"]) for row in contacts]
    return account, {"$contact": ids[0], "$other": ids[1], "$memory": global_id("Memory", memory)}


async def test_every_statement_the_readme_queries_run_touches_one_tenants_rows(
    client: TestClient[Any, Any],
    network: tuple[Account, dict[str, str]],
    tenant_tables: frozenset[str],
) -> None:
    """The statements built at run time too (the SQL plan, pages, searches, filters):
    every README query and the compiled-path documents, on each execution path."""
    account, values = network
    endpoint = client.app[GRAPHQL_ENDPOINT]
    log = StatementLog()
    sql_logger = logging.getLogger("graph_api.sql")
    level = sql_logger.level
    sql_logger.setLevel(logging.DEBUG)
    sql_logger.addHandler(log)
    try:
        documents = [(q, readme_variables(q, values)) for q in README_QUERIES] + [
            (q, {k: values.get(v, v) if isinstance(v, str) else v for k, v in vs.items()})
            for q, vs in DOCUMENTS.values()
        ]
        for compiled, sql in ((False, False), (True, False), (True, True)):
            endpoint.compiled, endpoint.compiled_sql = compiled, sql
            for query, variables in documents:
                await client.post(
                    "/graphql",
                    json={"query": query, "variables": variables},
                    headers=account.headers,
                )
    finally:
        endpoint.compiled = endpoint.compiled_sql = True
        sql_logger.removeHandler(log)
        sql_logger.setLevel(level)
    assert len(log.sql) > 40, "the statements were not captured"
    broken = {
        text[:300]: problems
        for text in log.sql.values()
        if (problems := statement_violations(text, tenant_tables))
    }
    assert broken == {}
