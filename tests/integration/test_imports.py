"""importContacts through GraphQL and `graph-api import` as a person runs it: the sample
files in tests/data/contacts, idempotence, the report's lines, refusals, audit rows."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import asyncpg

from graph_api.ids import parse_global_id
from tests.conftest import Account, GraphQL, error_codes

DATA = Path(__file__).resolve().parents[1] / "data" / "contacts"

IMPORT = """
mutation($input: ImportContactsInput!) {
  importContacts(input: $input) {
    report {
      format dryRun encoding rowsRead createdCount updatedCount skippedCount refusedCount
      interactionsCreated
      created { line fullName contactId }
      updated { line fullName contactId }
      skipped { line fullName contactId note }
      refused { line reason field }
      possibleDuplicates { line fullName contactId existingContactId existingName score reasons }
    }
    errors { code message field }
  }
}
"""


async def import_file(
    graphql: GraphQL,
    account: Account,
    name: str,
    file_format: str,
    *,
    dry_run: bool = False,
    data: str | None = None,
) -> dict[str, Any]:
    text = data if data is not None else (DATA / name).read_text(encoding="utf-8-sig")
    body = await graphql(
        IMPORT, {"input": {"format": file_format, "data": text, "dryRun": dry_run}}, account=account
    )
    assert "errors" not in body, body
    payload: dict[str, Any] = body["data"]["importContacts"]
    return payload


async def contacts_of(pool: asyncpg.Pool, account: Account) -> list[asyncpg.Record]:
    return list(
        await pool.fetch(
            "select * from contacts where user_id = $1 order by full_name", account.user.id
        )
    )


async def test_google_csv_import_reports_each_line_and_is_idempotent(
    graphql: GraphQL, account: Account, pool: asyncpg.Pool
) -> None:
    first = await import_file(graphql, account, "google.csv", "GOOGLE_CSV")
    assert first["errors"] == []
    report = first["report"]
    assert [(r["line"], r["fullName"]) for r in report["created"]] == [
        (2, "Priya Raman"),
        (4, "José María Núñez"),
        (5, "Zoë Ødegård"),
        (8, "李 小龙"),
        (11, "Anna Kowalska"),
    ]
    # line 7 is Priya again (same email, other case): folded into line 2, with its tag
    assert [(r["line"], r["note"]) for r in report["skipped"]] == [(7, "the same person as line 2")]
    assert [(r["line"], r["field"]) for r in report["refused"]] == [(9, "email"), (10, "fullName")]
    assert report["createdCount"] == 5 and report["refusedCount"] == 2
    rows = {row["full_name"]: row for row in await contacts_of(pool, account)}
    assert set(rows) == {
        "Priya Raman",
        "José María Núñez",
        "Zoë Ødegård",
        "李 小龙",
        "Anna Kowalska",
    }
    priya = rows["Priya Raman"]
    assert priya["email"] == "priya.raman@solarbloom.io"
    assert priya["tags"] == ["investors", "climate", "speakers"]  # tags are stored lowercase
    assert priya["source"] == "google_csv"
    assert rows["Zoë Ødegård"]["email"] == "zoe@nordlys.no"
    created = {parse_global_id(r["contactId"])[1] for r in report["created"]}  # type: ignore[index]
    assert created == {row["id"] for row in rows.values()}

    # the audit rows went in with the import: one per contact, one for the import
    audit = await pool.fetch(
        "select operation, target_ids, new_values from audit_log where user_id = $1 order by id",
        account.user.id,
    )
    assert [row["operation"] for row in audit].count("import_contact") == 5
    assert audit[-1]["operation"] == "import_contacts"
    assert '"created": 5' in audit[-1]["new_values"]

    again = await import_file(graphql, account, "google.csv", "GOOGLE_CSV")
    assert again["report"]["createdCount"] == 0
    assert again["report"]["updatedCount"] == 0
    assert again["report"]["skippedCount"] == 6
    assert len(await contacts_of(pool, account)) == 5


async def test_a_second_file_fills_gaps_never_overwrites_and_flags_lookalikes(
    graphql: GraphQL, account: Account, pool: asyncpg.Pool
) -> None:
    await import_file(graphql, account, "google.csv", "GOOGLE_CSV")
    linkedin = await import_file(graphql, account, "linkedin.csv", "LINKEDIN_CSV")
    report = linkedin["report"]
    # Priya matched by email: her title stays CEO (the user's), nothing new but the connection date
    assert [(r["line"], r["fullName"]) for r in report["updated"]] == [(5, "Priya Raman")]
    assert [(r["line"], r["fullName"]) for r in report["created"]] == [
        (6, "Marcus O'Neil"),
        (8, "Jon Smith"),
    ]
    assert [(r["line"], r["field"]) for r in report["refused"]] == [(7, "Connected On")]
    assert report["interactionsCreated"] == 3
    rows = {row["full_name"]: row for row in await contacts_of(pool, account)}
    assert rows["Priya Raman"]["job_title"] == "CEO"
    assert rows["Priya Raman"]["last_interaction_at"].year == 2023
    connected = await pool.fetchval(
        """select count(*) from interactions i join interaction_participants p
             on p.user_id = i.user_id and p.interaction_id = i.id
            where i.user_id = $1 and p.contact_id = $2 and i.subject = 'Connected on LinkedIn'""",
        account.user.id,
        rows["Priya Raman"]["id"],
    )
    assert connected == 1

    # Outlook's John Smith (another email) at Initech looks like LinkedIn's Jon Smith
    outlook = await import_file(graphql, account, "outlook.csv", "OUTLOOK_CSV")
    (duplicate,) = outlook["report"]["possibleDuplicates"]
    assert duplicate["line"] == 2
    assert duplicate["existingName"] == "Jon Smith"
    assert "SIMILAR_NAME" in duplicate["reasons"] and "SAME_COMPANY" in duplicate["reasons"]

    # the LinkedIn file again: nothing new, not even a second connection interaction
    again = await import_file(graphql, account, "linkedin.csv", "LINKEDIN_CSV")
    assert again["report"]["createdCount"] == 0
    assert again["report"]["interactionsCreated"] == 0


async def test_vcards_import_and_broken_cards_are_refused_with_their_line(
    graphql: GraphQL, account: Account, pool: asyncpg.Pool
) -> None:
    payload = await import_file(graphql, account, "contacts.vcf", "VCARD")
    report = payload["report"]
    assert [r["fullName"] for r in report["created"]] == [
        "Priya Raman", "Ngozi Okonjo-Iweala", "Jürgen Müller",
    ]  # fmt: skip
    assert [r["line"] for r in report["refused"]] == [26, 34]
    names = [row["full_name"] for row in await contacts_of(pool, account)]
    assert "Broken Card" not in names and "Never Ended" not in names


async def test_a_dry_run_reports_and_writes_nothing(
    graphql: GraphQL, account: Account, pool: asyncpg.Pool
) -> None:
    payload = await import_file(graphql, account, "google.csv", "GOOGLE_CSV", dry_run=True)
    assert payload["report"]["dryRun"] is True
    assert payload["report"]["createdCount"] == 5
    assert all(r["contactId"] is None for r in payload["report"]["created"])
    assert await contacts_of(pool, account) == []
    assert (
        await pool.fetchval("select count(*) from audit_log where user_id = $1", account.user.id)
        == 0
    )


async def test_bad_files_are_coded_errors_and_nothing_is_written(
    graphql: GraphQL, account: Account, pool: asyncpg.Pool
) -> None:
    vcard_as_csv = await import_file(
        graphql, account, "", "GOOGLE_CSV", data=(DATA / "contacts.vcf").read_text()
    )
    assert vcard_as_csv["report"] is None
    assert [(e["code"], e["field"]) for e in vcard_as_csv["errors"]] == [
        ("BAD_USER_INPUT", "format")
    ]
    headless = await import_file(graphql, account, "", "LINKEDIN_CSV", data="Priya,Raman\nA,B\n")
    assert [(e["code"], e["field"]) for e in headless["errors"]] == [("BAD_USER_INPUT", "data")]
    assert "no header row" in headless["errors"][0]["message"]
    bad_format = await graphql(IMPORT, {"input": {"format": "JSON", "data": "{}"}}, account=account)
    assert error_codes(bad_format) == ["BAD_USER_INPUT"]
    assert await contacts_of(pool, account) == []


async def test_import_is_tenant_scoped(
    graphql: GraphQL, account: Account, make_account: Any, pool: asyncpg.Pool
) -> None:
    other = await make_account()
    await import_file(graphql, other, "google.csv", "GOOGLE_CSV")
    # the same people for another user are new to this one
    payload = await import_file(graphql, account, "google.csv", "GOOGLE_CSV")
    assert payload["report"]["createdCount"] == 5
    assert payload["report"]["possibleDuplicates"] == []


async def test_the_cli_imports_with_a_report_and_refuses_a_huge_file(
    database_url: str, account: Account, pool: asyncpg.Pool, tmp_path: Path
) -> None:
    env = {"DATABASE_URL": database_url, "GRAPH_API_EMBEDDINGS": "none"}

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        import os

        return subprocess.run(
            [sys.executable, "-m", "graph_api", "import", *args],
            capture_output=True, text=True, timeout=120, env={**os.environ, **env}, check=False,
        )  # fmt: skip

    latin = cli(account.user.email, str(DATA / "outlook-windows-1252.csv"), "--dry-run")
    assert latin.returncode == 0, latin.stderr
    assert "would import" in latin.stdout and "2 created" in latin.stdout
    assert "dry run: nothing was written" in latin.stdout
    assert await contacts_of(pool, account) == []

    done = cli(account.user.email, str(DATA / "outlook-windows-1252.csv"))
    assert done.returncode == 0, done.stderr
    assert "rows/s" in done.stdout
    names = sorted(row["full_name"] for row in await contacts_of(pool, account))
    assert names == ["François Lefèvre", "María García"]

    linkedin = cli(account.user.email, str(DATA / "linkedin.csv"), "--format", "linkedin")
    assert linkedin.returncode == 0, linkedin.stderr
    assert "line 7: refused" in linkedin.stdout

    huge = tmp_path / "huge.csv"
    with huge.open("wb") as file:
        file.truncate(50_000_000)
    refused = cli(account.user.email, str(huge), "--format", "google")
    assert refused.returncode == 1
    assert "graph-api: error:" in refused.stderr and "50.0 MB" in refused.stderr
    assert "Traceback" not in refused.stderr

    unknown = tmp_path / "mystery.csv"
    unknown.write_text("a,b\n1,2\n")
    guess = cli(account.user.email, str(unknown))
    assert guess.returncode == 1 and "--format" in guess.stderr
