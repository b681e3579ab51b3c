"""The distribution invariant (issue #15): what lets every tenant table become
`create_distributed_table(..., 'user_id')` on Citus with co-located joins.

Two halves, both pure functions so a test can feed them a deliberately bad table or
statement and watch them fail:

- `catalog_violations(conn)`: read pg_constraint and pg_index. Every primary key and
  unique constraint (or unique index) of a tenant table starts with `user_id`; every
  foreign key between tenant tables includes `user_id` on both sides, at the same
  position; every B-tree index leads with `user_id`. Index methods that cannot take a
  uuid as a leading column (HNSW, GIN without btree_gin) are listed apart, with why they
  are still fine sharded: on Citus each shard builds its own, over one shard's tenants.
- `statement_violations(sql, tenant_tables)`: parse a statement with PostgreSQL's own
  parser (pglast, libpg_query) and check that every tenant table it reads or writes is
  pinned by an equality `alias.user_id = <parameter>` or to another alias that is, the
  same parameter throughout: a statement touching the rows of `$1` only. `current_tenant()`
  counts as the parameter (row-level security's function).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import asyncpg
from pglast import ast, parse_sql
from pglast.enums import A_Expr_Kind, BoolExprType

# The auth layer, read before the tenant is known: a token is looked up by its hash.
# On Citus these become reference tables (replicated to every node), not distributed.
REFERENCE_TABLES = frozenset({"users", "api_tokens"})

# Index methods whose first column cannot be a uuid here (pgvector's HNSW indexes one
# vector; GIN would need btree_gin). Within a shard they cover only its tenants, and
# every statement using them also filters `user_id = $1`.
PER_SHARD_METHODS = frozenset({"hnsw", "ivfflat", "gin", "gist"})

TENANT_TABLES = """
    select c.oid, c.relname
      from pg_class c
      join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = current_schema() and c.relkind in ('r', 'p') and not c.relispartition
       and exists (select 1 from pg_attribute a
                    where a.attrelid = c.oid and a.attname = 'user_id' and not a.attisdropped)
     order by c.relname"""

# constraint keys as column names in key order
CONSTRAINTS = """
    select k.conname, k.contype::text as contype, c.relname as table_name,
           array(select a.attname::text from unnest(k.conkey) with ordinality as u(attnum, n)
                  join pg_attribute a on a.attrelid = k.conrelid and a.attnum = u.attnum
                 order by u.n) as columns,
           f.relname as referenced_table,
           array(select a.attname::text from unnest(k.confkey) with ordinality as u(attnum, n)
                  join pg_attribute a on a.attrelid = k.confrelid and a.attnum = u.attnum
                 order by u.n) as referenced_columns
      from pg_constraint k
      join pg_class c on c.oid = k.conrelid
      left join pg_class f on f.oid = k.confrelid
     where k.conrelid = any($1::oid[]) and k.contype in ('p', 'u', 'f')
       and k.conparentid = 0"""

# indexes with their method and key columns (0 = an expression)
INDEXES = """
    select i.relname as index_name, c.relname as table_name, m.amname as method,
           x.indisunique as is_unique, x.indisprimary as is_primary,
           array(select coalesce(a.attname::text, '(expression)')
                   from unnest(x.indkey::int2[]) with ordinality as u(attnum, n)
                   left join pg_attribute a on a.attrelid = x.indrelid and a.attnum = u.attnum
                  where u.n <= x.indnkeyatts
                  order by u.n) as columns
      from pg_index x
      join pg_class i on i.oid = x.indexrelid
      join pg_class c on c.oid = x.indrelid
      join pg_am m on m.oid = i.relam
     where x.indrelid = any($1::oid[])"""


@dataclass(frozen=True)
class Catalog:
    tenant_tables: frozenset[str]
    per_shard_indexes: tuple[str, ...]
    violations: tuple[str, ...]


async def read_catalog(conn: asyncpg.Connection) -> Catalog:
    tables = await conn.fetch(TENANT_TABLES)
    by_name = {t["relname"]: t["oid"] for t in tables if t["relname"] not in REFERENCE_TABLES}
    oids = list(by_name.values())
    violations: list[str] = []
    for k in await conn.fetch(CONSTRAINTS, oids):
        columns = list(k["columns"])
        kind = {"p": "primary key", "u": "unique constraint", "f": "foreign key"}[k["contype"]]
        if k["contype"] in ("p", "u") and columns[:1] != ["user_id"]:
            violations.append(
                f"{k['table_name']}.{k['conname']}: {kind} {columns} does not start with user_id"
            )
        if k["contype"] == "f" and k["referenced_table"] in by_name:
            referenced = list(k["referenced_columns"])
            if "user_id" not in columns or referenced[columns.index("user_id")] != "user_id":
                violations.append(
                    f"{k['table_name']}.{k['conname']}: foreign key {columns} -> "
                    f"{k['referenced_table']}{referenced} does not carry user_id to user_id"
                )
    per_shard: list[str] = []
    for i in await conn.fetch(INDEXES, oids):
        columns = list(i["columns"])
        leads = columns[:1] == ["user_id"]
        if i["method"] in PER_SHARD_METHODS and not i["is_unique"]:
            if not leads:
                per_shard.append(f"{i['table_name']}.{i['index_name']} ({i['method']})")
            continue
        if not leads:
            what = "unique index" if i["is_unique"] else f"{i['method']} index"
            violations.append(
                f"{i['table_name']}.{i['index_name']}: {what} {columns} does not lead with user_id"
            )
    return Catalog(frozenset(by_name), tuple(sorted(per_shard)), tuple(sorted(violations)))


# --- statements -------------------------------------------------------------------------


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, key: str) -> str:
        self.parent.setdefault(key, key)
        while self.parent[key] != key:
            self.parent[key] = self.parent[self.parent[key]]
            key = self.parent[key]
        return key

    def union(self, a: str, b: str) -> None:
        self.parent[self.find(a)] = self.find(b)


@dataclass
class _Level:
    """One query level (a SELECT, UPDATE, DELETE or INSERT's own FROM items)."""

    number: int
    tables: dict[str, str] = field(default_factory=dict)  # alias -> tenant table
    others: set[str] = field(default_factory=set)  # aliases of anything else


STATEMENT_TYPES = (ast.SelectStmt, ast.UpdateStmt, ast.DeleteStmt, ast.InsertStmt)


def _children(node: Any) -> Iterator[Any]:
    if isinstance(node, tuple | list):
        for item in node:
            yield from _children(item)
    elif isinstance(node, ast.Node):
        for name in node.__slots__:
            value = getattr(node, name)
            if isinstance(value, ast.Node | tuple | list):
                yield value


def _conjuncts(node: Any) -> Iterator[Any]:
    if isinstance(node, ast.BoolExpr) and node.boolop == BoolExprType.AND_EXPR:
        for arg in node.args:
            yield from _conjuncts(arg)
    elif node is not None:
        yield node


class _Checker:
    def __init__(self, tenant_tables: frozenset[str]) -> None:
        self.tenant_tables = tenant_tables
        self.links = _UnionFind()
        self.pinned: list[tuple[str, str]] = []  # (key, "table alias") every tenant use
        self.levels = 0
        self.ctes: set[str] = set()

    def key(self, level: _Level, alias: str) -> str:
        return f"{level.number}:{alias}"

    def operand(self, node: Any, scopes: list[_Level]) -> str | None:
        while isinstance(node, ast.TypeCast):
            node = node.arg
        if isinstance(node, ast.ParamRef):
            return f"${node.number}"
        if (
            isinstance(node, ast.FuncCall)
            and [s.sval for s in node.funcname][-1] == "current_tenant"
        ):
            return "$tenant"
        if isinstance(node, ast.ColumnRef):
            names = [getattr(f, "sval", "*") for f in node.fields]
            if names[-1] != "user_id":
                return None
            for level in scopes:
                if len(names) == 2 and names[0] in level.tables:
                    return self.key(level, names[0])
                if len(names) == 2 and names[0] in level.others:
                    return f"{level.number}:other:{names[0]}"
                if len(names) == 1 and len(level.tables) == 1:
                    return self.key(level, next(iter(level.tables)))
        return None

    def equalities(self, condition: Any, scopes: list[_Level]) -> None:
        for term in _conjuncts(condition):
            if (
                isinstance(term, ast.A_Expr)
                and term.kind == A_Expr_Kind.AEXPR_OP
                and [s.sval for s in term.name] == ["="]
            ):
                left = self.operand(term.lexpr, scopes)
                right = self.operand(term.rexpr, scopes)
                if left is not None and right is not None:
                    self.links.union(left, right)

    def from_item(
        self, item: Any, level: _Level, scopes: list[_Level], conditions: list[Any]
    ) -> None:
        if isinstance(item, ast.RangeVar):
            alias = item.alias.aliasname if item.alias else item.relname
            if item.relname in self.tenant_tables and item.relname not in self.ctes:
                level.tables[alias] = item.relname
                self.pinned.append((self.key(level, alias), f"{item.relname} {alias}"))
            else:
                level.others.add(alias)
        elif isinstance(item, ast.JoinExpr):
            self.from_item(item.larg, level, scopes, conditions)
            self.from_item(item.rarg, level, scopes, conditions)
            conditions.append(item.quals)
            using = [s.sval for s in item.usingClause or ()]
            if "user_id" in using:
                left, right = (
                    self._first_table(item.larg, level),
                    self._first_table(item.rarg, level),
                )
                if left and right:
                    self.links.union(self.key(level, left), self.key(level, right))
        elif isinstance(item, ast.RangeSubselect):
            if item.alias:
                level.others.add(item.alias.aliasname)
            self.statement(item.subquery, scopes if item.lateral else scopes[1:])
        elif isinstance(item, ast.RangeFunction):
            if item.alias:
                level.others.add(item.alias.aliasname)
            self.walk(item.functions, scopes)

    def _first_table(self, item: Any, level: _Level) -> str | None:
        if isinstance(item, ast.RangeVar):
            alias = item.alias.aliasname if item.alias else item.relname
            return alias if alias in level.tables else None
        if isinstance(item, ast.JoinExpr):
            return self._first_table(item.larg, level) or self._first_table(item.rarg, level)
        return None

    def statement(self, node: Any, outer: list[_Level]) -> None:
        self.levels += 1
        level = _Level(self.levels)
        scopes = [level, *outer]
        with_clause = getattr(node, "withClause", None)
        if with_clause is not None:
            for cte in with_clause.ctes:
                self.ctes.add(cte.ctename)
                self.statement(cte.ctequery, outer)
        conditions: list[Any] = []
        items: list[Any] = []
        if isinstance(node, ast.SelectStmt):
            items = list(node.fromClause or ())
        elif isinstance(node, ast.UpdateStmt):
            items = [node.relation, *(node.fromClause or ())]
        elif isinstance(node, ast.DeleteStmt):
            items = [node.relation, *(node.usingClause or ())]
        elif isinstance(node, ast.InsertStmt):
            # the row written carries its user_id as a value (and row-level security's
            # WITH CHECK refuses another tenant's): what it reads is what is checked
            if node.selectStmt is not None:
                self.statement(node.selectStmt, outer)
            if node.onConflictClause is not None:
                self.walk(node.onConflictClause, outer)
            return
        for item in items:
            self.from_item(item, level, scopes, conditions)
        conditions.append(getattr(node, "whereClause", None))
        for condition in conditions:
            self.equalities(condition, scopes)
        skip = {"fromClause", "relation", "usingClause", "withClause"}
        for name in node.__slots__:
            if name not in skip:
                self.walk(getattr(node, name), scopes)
        for condition in conditions[:-1]:  # the joins' (the WHERE clause was walked above)
            self.walk(condition, scopes)

    def walk(self, node: Any, scopes: list[_Level]) -> None:
        if isinstance(node, STATEMENT_TYPES):
            self.statement(node, scopes)
            return
        for child in _children(node):
            self.walk(child, scopes)


def statement_violations(sql: str, tenant_tables: frozenset[str]) -> list[str]:
    """What in `sql` reads or writes tenant rows not pinned to one tenant parameter."""
    checker = _Checker(tenant_tables)
    for raw in parse_sql(sql):
        checker.walk(raw.stmt, [])
    problems: list[str] = []
    tenants: set[str] = set()
    for key, table in checker.pinned:
        root = checker.links.find(key)
        params = {
            k for k in checker.links.parent if k.startswith("$") and checker.links.find(k) == root
        }
        if not params:
            problems.append(f"{table}: not pinned by user_id to a parameter")
        tenants |= params
    if len(tenants - {"$tenant"}) > 1:
        problems.append(f"rows of several tenants joined: user_id = {sorted(tenants)}")
    return problems
