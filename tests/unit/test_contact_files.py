"""Contact files parsed as exported: the sample files in tests/data/contacts, line numbers,
encodings, and the files refused as a whole."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from graph_api.domain import contact_files
from graph_api.errors import InvalidInput

DATA = Path(__file__).resolve().parents[1] / "data" / "contacts"


def read(name: str, file_format: str) -> contact_files.ParsedFile:
    text, encoding, recoded = contact_files.decode((DATA / name).read_bytes())
    parsed = contact_files.parse(text, file_format)
    parsed.encoding, parsed.recoded_lines = encoding, recoded
    return parsed


def test_google_csv_rows_start_on_their_own_lines_even_after_a_multiline_note() -> None:
    parsed = read("google.csv", "GOOGLE_CSV")
    by_line = {row.line: row for row in parsed.rows}
    priya = by_line[2]
    assert priya.full_name == "Priya Raman"
    assert priya.notes == "Met at the climate summit.\nWants intros to seed investors."
    assert priya.tags == ["Investors", "Climate"]  # Google's "myContacts" is not a label
    assert priya.phones == ["+44 20 7946 0958"]
    # the note spans lines 2-3, so the next person starts on line 4
    assert by_line[4].full_name == "José María Núñez"
    assert by_line[5].emails == ["ZOE@Nordlys.no", "zoe.private@example.no"]
    assert by_line[8].full_name == "李 小龙"
    assert 6 not in by_line  # the empty row
    assert parsed.refused == []


def test_linkedin_preamble_is_skipped_and_connected_on_parsed_or_refused() -> None:
    parsed = read("linkedin.csv", "LINKEDIN_CSV")
    assert [row.line for row in parsed.rows] == [5, 6, 8]
    assert parsed.rows[0].connected_on == datetime(2023, 3, 15, tzinfo=UTC)
    assert parsed.rows[0].job_title == "Founder & CEO"
    assert [(r.line, r.field) for r in parsed.refused] == [(7, "Connected On")]
    assert "31 Feb 2024" in parsed.refused[0].reason


def test_windows_1252_and_bom_files_read_without_mojibake() -> None:
    latin = read("outlook-windows-1252.csv", "OUTLOOK_CSV")
    assert [row.full_name for row in latin.rows] == ["François Lefèvre", "María García"]
    assert latin.rows[0].company == "Société Générale"
    assert latin.recoded_lines == [2, 3]
    bom = read("google-bom.csv", "GOOGLE_CSV")
    assert bom.encoding == "utf-8-sig"
    assert bom.rows[0].full_name == "Björk Guðmundsdóttir"


def test_mixed_utf8_and_latin1_lines_each_read_right() -> None:
    data = "First Name,Last Name\nZoë,Ødegård\n".encode() + "Jérôme,Lefèvre\n".encode("latin-1")
    text, encoding, recoded = contact_files.decode(data)
    assert recoded == [3]
    assert "windows-1252" in encoding
    rows = contact_files.parse(text, "OUTLOOK_CSV").rows
    assert [row.full_name for row in rows] == ["Zoë Ødegård", "Jérôme Lefèvre"]


def test_vcards_3_and_4_and_a_broken_line_refuses_only_its_card() -> None:
    parsed = read("contacts.vcf", "VCARD")
    assert [(row.line, row.full_name) for row in parsed.rows] == [
        (1, "Priya Raman"),
        (12, "Ngozi Okonjo-Iweala"),
        (29, "Jürgen Müller"),  # no FN: the structured N
    ]
    priya, ngozi, _ = parsed.rows
    assert priya.company == "SolarBloom"
    assert priya.tags == ["Investors", "Climate"]
    assert priya.notes == "Prefers mornings, and tea."
    assert ngozi.phones == ["+234-1-555-0101"]  # vCard 4's tel: URI
    assert ngozi.notes == "Long note folded over two lines."
    assert [(r.line, r.reason.split(":")[0]) for r in parsed.refused] == [
        (26, "a broken vCard line"),
        (34, "a vCard that never ends (no END"),
    ]


@pytest.mark.parametrize(
    ("text", "file_format", "field", "fragment"),
    [
        ("BEGIN:VCARD\nFN:A\nEND:VCARD\n", "GOOGLE_CSV", "format", "vCard"),
        ("First Name,Last Name\nA,B\n", "VCARD", "data", "not a vCard"),
        ("Name,Email\nA,a@example.com\n", "LINKEDIN_CSV", "data", '"First Name", "Last Name"'),
        ("Priya,Raman,priya@example.com\n", "OUTLOOK_CSV", "data", "no header row"),
        ("", "GOOGLE_CSV", "data", "empty"),
        ("x", "JSON", "format", "format must be one of"),
    ],
)
def test_a_file_that_is_not_its_declared_format_is_one_coded_error(
    text: str, file_format: str, field: str, fragment: str
) -> None:
    with pytest.raises(InvalidInput) as raised:
        contact_files.parse(text, file_format)
    assert raised.value.field == field
    assert fragment in raised.value.message


def test_a_file_over_the_cap_is_refused_before_parsing() -> None:
    with pytest.raises(InvalidInput, match="MB"):
        contact_files.decode(b"x" * (contact_files.MAX_BYTES + 1))


def test_a_row_with_too_many_values_is_refused_with_its_line() -> None:
    parsed = contact_files.parse("First Name,Last Name\nA,B\nC,D,E,F\n", "OUTLOOK_CSV")
    assert [row.full_name for row in parsed.rows] == ["A B"]
    assert [refusal.line for refusal in parsed.refused] == [3]


def test_formats_are_guessed_from_content() -> None:
    assert contact_files.guess_format((DATA / "linkedin.csv").read_text()) == "LINKEDIN_CSV"
    assert contact_files.guess_format((DATA / "google.csv").read_text()) == "GOOGLE_CSV"
    assert contact_files.guess_format((DATA / "outlook.csv").read_text()) == "OUTLOOK_CSV"
    assert contact_files.guess_format((DATA / "contacts.vcf").read_text()) == "VCARD"
    assert contact_files.guess_format("a,b\n1,2\n") is None
