"""The README's examples run as printed: in order, on a seeded network, with the ids the
README says where to get (example 1's answer and its `Ids` query), each without an
error, a mutation's payload errors included."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
from aiohttp.test_utils import TestClient
from graphql import OperationDefinitionNode, OperationType, parse

from graph_api.app import SEARCH
from graph_api.seed import seed_network
from tests.conftest import Account

README = Path(__file__).resolve().parents[2] / "README.md"
EXAMPLES = re.findall(r"```graphql\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)
NOW = datetime(2026, 6, 1, tzinfo=UTC)


def payload_errors(value: Any) -> list[Any]:
    """Every non-empty `errors` list anywhere in an answer's data."""
    if isinstance(value, dict):
        found = [value["errors"]] if value.get("errors") else []
        return found + [e for v in value.values() for e in payload_errors(v)]
    if isinstance(value, list):
        return [e for v in value for e in payload_errors(v)]
    return []


async def test_every_readme_example_runs_in_order(
    client: TestClient[Any, Any], account: Account, pool: asyncpg.Pool
) -> None:
    async with pool.acquire() as conn:
        await seed_network(conn, account.user.id, 60, 14, NOW)
    client.app[SEARCH].pending.wake(pending_of=account.user.id)
    for _ in range(1800):  # the seeded memories embedded, as the demo's are (at most 180 s)
        pending = await pool.fetchval(
            "select count(*) from memories where user_id = $1 and embedding is null",
            account.user.id,
        )
        if pending == 0:
            break
        await asyncio.sleep(0.1)

    async def run(document: str, variables: dict[str, Any]) -> dict[str, Any]:
        response = await client.post(
            "/graphql", json={"query": document, "variables": variables}, headers=account.headers
        )
        body: dict[str, Any] = await response.json()
        assert "errors" not in body, (document[:80], body["errors"])
        assert payload_errors(body["data"]) == [], (document[:80], body["data"])
        return body

    [ids_query] = [e for e in EXAMPLES if e.lstrip().startswith("query Ids")]
    ids = (await run(ids_query, {}))["data"]
    strongest = [edge["node"]["id"] for edge in ids["strongest"]["edges"]]
    notes = [edge["node"]["id"] for edge in ids["notes"]["edges"]]
    assert len(strongest) == 2 and len(notes) == 2, ids
    values: dict[str, Any] = {
        "priya": strongest[0],
        "a": strongest[0],
        "b": strongest[1],
        "memory": notes[0],
        "later": notes[0],
        "earlier": notes[1],
    }
    ran = subscriptions = 0
    for example in EXAMPLES:
        document = parse(example)
        [operation] = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        if operation.operation is OperationType.SUBSCRIPTION:
            subscriptions += 1
            continue  # over the WebSocket: test_subscriptions
        wanted = [v.variable.name.value for v in operation.variable_definitions or ()]
        given = {name: values[name] for name in wanted if name in values}
        missing = set(wanted) - set(given) - {"after"}
        assert not missing, (
            f"{operation.name and operation.name.value}: where does {missing} come from?"
        )
        body = await run(example, given)
        ran += 1
        if "ada" not in values and "ada" in body["data"]:  # example 1
            data = body["data"]
            values |= {
                "ada": data["ada"]["contact"]["id"],
                "grace": data["grace"]["contact"]["id"],
                "adaAgain": data["adaAgain"]["contact"]["id"],
            }
            values |= {"id": values["grace"], "ids": [values["ada"], values["memory"]]}
    assert ran == len(EXAMPLES) - subscriptions and subscriptions <= 3  # all but those
