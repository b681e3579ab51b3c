"""Contact files as people export them: Google, LinkedIn and Outlook CSV, vCard 3 and 4.

Pure: bytes or text in, rows out, each with the line it starts on. A problem with the
file as a whole (not the declared format, no header, too big) raises `InvalidInput`
naming `data` or `format`; a problem with one row refuses that row, with its line,
and the others go on. CSV is read with the standard library; vCards with `vobject`,
one card at a time, so a broken line refuses its card rather than the file.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import vobject

from graph_api.errors import InvalidInput

FORMATS = ("GOOGLE_CSV", "LINKEDIN_CSV", "OUTLOOK_CSV", "VCARD")
# a contact file of 20 MB holds ~100,000 people: far more than anyone's address book
MAX_BYTES = 20_000_000
MAX_ROWS = 100_000
BOM = "\ufeff"


@dataclass
class ContactRow:
    """One person from a file, values as given (trimmed; validated later)."""

    line: int
    full_name: str | None = None
    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    company: str | None = None
    job_title: str | None = None
    notes: str | None = None
    tags: list[str] = field(default_factory=list)
    # LinkedIn's "Connected On": when the tie began (the first interaction)
    connected_on: datetime | None = None


@dataclass(frozen=True)
class Refusal:
    line: int
    reason: str
    field: str | None = None


@dataclass
class ParsedFile:
    format: str
    encoding: str
    rows: list[ContactRow]
    refused: list[Refusal]
    # lines that were not UTF-8 and were read as Windows-1252 instead
    recoded_lines: list[int] = field(default_factory=list)


# --- encodings ---------------------------------------------------------------------------


def decode(data: bytes) -> tuple[str, str, list[int]]:
    """Text, the encoding's name and the lines decoded otherwise. UTF-8 (a BOM is
    dropped); a line that is not UTF-8 is read as Windows-1252 (Latin-1's superset,
    what Outlook and Excel write), so a file mixing both loses nothing."""
    if len(data) > MAX_BYTES:
        raise too_big(len(data))
    encoding = "utf-8"
    if data.startswith(b"\xef\xbb\xbf"):
        data, encoding = data[3:], "utf-8-sig"
    try:
        return data.decode("utf-8"), encoding, []
    except UnicodeDecodeError:
        pass
    lines, recoded = [], []
    for number, raw in enumerate(data.split(b"\n"), start=1):
        try:
            lines.append(raw.decode("utf-8"))
        except UnicodeDecodeError:
            # cp1252 leaves five bytes undefined; latin-1 maps every byte
            lines.append(
                raw.decode("cp1252", errors="strict") if _cp1252(raw) else raw.decode("latin-1")
            )
            recoded.append(number)
    name = "windows-1252" if len(recoded) == len(lines) else f"{encoding} with windows-1252 lines"
    return "\n".join(lines), name, recoded


def _cp1252(raw: bytes) -> bool:
    try:
        raw.decode("cp1252")
    except UnicodeDecodeError:
        return False
    return True


def too_big(size: int) -> InvalidInput:
    return InvalidInput(
        f"the file is {size / 1e6:.1f} MB; at most {MAX_BYTES / 1e6:.0f} MB can be imported at once "
        "(split it)",
        field="data",
    )


# --- the formats -------------------------------------------------------------------------


def parse(text: str, file_format: str) -> ParsedFile:
    if file_format not in FORMATS:
        raise InvalidInput(f"format must be one of {', '.join(FORMATS)}", field="format")
    if len(text.encode("utf-8", errors="replace")) > MAX_BYTES:
        raise too_big(len(text.encode("utf-8", errors="replace")))
    text = text.removeprefix(BOM)
    looks_like_vcard = bool(re.match(r"\s*BEGIN:VCARD", text, re.IGNORECASE))
    if file_format == "VCARD":
        if not looks_like_vcard:
            raise InvalidInput(
                "this is not a vCard file: it does not start with BEGIN:VCARD", field="data"
            )
        return _parse_vcards(text)
    if looks_like_vcard:
        raise InvalidInput(
            f"this is a vCard file, not {file_format}: import it with format VCARD", field="format"
        )
    return _parse_csv(text, file_format)


def guess_format(text: str) -> str | None:
    """The format a file's content says it is in, for the CLI; None when unsure."""
    head = text.removeprefix(BOM)[:4000]
    if re.match(r"\s*BEGIN:VCARD", head, re.IGNORECASE):
        return "VCARD"
    lowered = head.lower()
    if "connected on" in lowered:
        return "LINKEDIN_CSV"
    if "e-mail 1 - value" in lowered or "given name" in lowered:
        return "GOOGLE_CSV"
    if "e-mail address" in lowered:
        return "OUTLOOK_CSV"
    return None


@dataclass(frozen=True)
class CsvLayout:
    label: str
    # the header must have one of these (name columns)
    required: tuple[tuple[str, ...], ...]
    name: tuple[str, ...]
    first_last: tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]
    emails: tuple[str, ...]
    phones: tuple[str, ...]
    company: tuple[str, ...]
    job_title: tuple[str, ...]
    notes: tuple[str, ...]
    tags: tuple[str, ...]
    connected_on: tuple[str, ...] = ()


def _numbered(template: str, count: int = 5) -> tuple[str, ...]:
    return tuple(template.format(n) for n in range(1, count + 1))


GOOGLE = CsvLayout(
    label="a Google Contacts CSV",
    required=(("Name",), ("First Name", "Last Name"), ("Given Name", "Family Name")),
    name=("Name",),
    first_last=(
        ("First Name", "Given Name"),
        ("Middle Name", "Additional Name"),
        ("Last Name", "Family Name"),
    ),
    emails=_numbered("E-mail {} - Value"),
    phones=_numbered("Phone {} - Value"),
    company=("Organization Name", "Organization 1 - Name"),
    job_title=("Organization Title", "Organization 1 - Title"),
    notes=("Notes",),
    tags=("Labels", "Group Membership"),
)
LINKEDIN = CsvLayout(
    label="a LinkedIn connections CSV",
    required=(("First Name", "Last Name"),),
    name=(),
    first_last=(("First Name",), (), ("Last Name",)),
    emails=("Email Address",),
    phones=(),
    company=("Company",),
    job_title=("Position",),
    notes=(),
    tags=(),
    connected_on=("Connected On",),
)
OUTLOOK = CsvLayout(
    label="an Outlook CSV",
    required=(("First Name", "Last Name"), ("Name",)),
    name=("Name", "Display Name"),
    first_last=(("First Name",), ("Middle Name",), ("Last Name",)),
    emails=("E-mail Address", "E-mail 2 Address", "E-mail 3 Address"),
    phones=("Mobile Phone", "Business Phone", "Home Phone", "Primary Phone", "Other Phone"),
    company=("Company",),
    job_title=("Job Title",),
    notes=("Notes",),
    tags=("Categories",),
)
LAYOUTS = {"GOOGLE_CSV": GOOGLE, "LINKEDIN_CSV": LINKEDIN, "OUTLOOK_CSV": OUTLOOK}
# LinkedIn puts a "Notes:" preamble above its header; look this far for the header
HEADER_SEARCH_LINES = 10


def _parse_csv(text: str, file_format: str) -> ParsedFile:
    layout = LAYOUTS[file_format]
    lines = text.splitlines(keepends=True)
    header_at = _find_header(lines, layout)
    reader = csv.reader(io.StringIO("".join(lines[header_at:]), newline=""))
    header = [column.strip().removeprefix(BOM) for column in next(reader)]
    index = {name: position for position, name in reversed(list(enumerate(header)))}
    rows: list[ContactRow] = []
    refused: list[Refusal] = []
    # the reader counts physical lines (a quoted value may span several): a row
    # starts on the line after the one the previous row ended on
    ended = reader.line_num
    try:
        for values in reader:
            line = header_at + ended + 1
            ended = reader.line_num
            if not any(value.strip() for value in values):
                continue
            if len(rows) + len(refused) >= MAX_ROWS:
                raise InvalidInput(
                    f"the file has more than {MAX_ROWS:,} rows; split it", field="data"
                )
            if len(values) > len(header) and any(v.strip() for v in values[len(header) :]):
                refused.append(
                    Refusal(
                        line, f"{len(values)} values for {len(header)} columns (a stray comma?)"
                    )
                )
                continue
            row = _csv_row(line, values, index, layout)
            if isinstance(row, Refusal):
                refused.append(row)
            else:
                rows.append(row)
    except csv.Error as error:
        refused.append(Refusal(header_at + ended + 1, f"unreadable CSV from here on: {error}"))
    return ParsedFile(format=file_format, encoding="utf-8", rows=rows, refused=refused)


def _find_header(lines: list[str], layout: CsvLayout) -> int:
    for position, line in enumerate(lines[:HEADER_SEARCH_LINES]):
        try:
            columns = {c.strip().removeprefix(BOM) for c in next(csv.reader([line]))}
        except (csv.Error, StopIteration):
            continue
        if any(all(name in columns for name in names) for names in layout.required):
            return position
    if not lines or not lines[0].strip():
        raise InvalidInput("the file is empty", field="data")
    wanted = " or ".join(", ".join(f'"{n}"' for n in names) for names in layout.required)
    raise InvalidInput(
        f"this is not {layout.label}: no header row with {wanted} in its first "
        f"{HEADER_SEARCH_LINES} lines",
        field="data",
    )


def _csv_row(
    line: int, values: list[str], index: dict[str, int], layout: CsvLayout
) -> ContactRow | Refusal:
    def get(*names: str) -> str | None:
        for name in names:
            position = index.get(name)
            if position is not None and position < len(values) and values[position].strip():
                return values[position].strip()
        return None

    name = get(*layout.name)
    if name is None:
        first, middle, last = (get(*names) for names in layout.first_last)
        name = " ".join(part for part in (first, middle, last) if part) or None
    row = ContactRow(
        line=line,
        full_name=name,
        emails=_split_values([get(n) for n in layout.emails]),
        phones=_split_values([get(n) for n in layout.phones]),
        company=get(*layout.company),
        job_title=get(*layout.job_title),
        notes=get(*layout.notes),
        tags=_tags(get(*layout.tags)),
    )
    if layout.connected_on:
        when = get(*layout.connected_on)
        if when is not None:
            moment = _date(when)
            if moment is None:
                return Refusal(line, f'"Connected On" is not a date: {when!r}', "Connected On")
            row.connected_on = moment
    return row


def _split_values(values: list[str | None]) -> list[str]:
    # Google writes several values in one cell separated by " ::: "
    found: list[str] = []
    for value in values:
        for part in (value or "").split(":::"):
            if part.strip() and part.strip() not in found:
                found.append(part.strip())
    return found


def _tags(value: str | None) -> list[str]:
    """Google's "* myContacts ::: Friends", Outlook's "Friends;Work": the labels a person chose."""
    if not value:
        return []
    tags: list[str] = []
    for part in re.split(r":::|;", value):
        tag = part.strip().lstrip("* ").strip()
        # Google's system groups are not the user's labels
        if tag and tag.lower() not in {"mycontacts", "starred"} and tag not in tags:
            tags.append(tag)
    return tags


DATE_FORMATS = ("%d %b %Y", "%Y-%m-%d", "%m/%d/%Y", "%d %B %Y", "%b %d, %Y")


def _date(value: str) -> datetime | None:
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(value.strip(), pattern).replace(tzinfo=UTC)
        except ValueError:
            continue
    return None


# --- vCard -------------------------------------------------------------------------------


def _cards(text: str) -> Iterator[tuple[int, str] | Refusal]:
    """Each BEGIN:VCARD … END:VCARD block with the line it starts on; text between
    cards, or a card never ended, is refused with its line."""
    start: int | None = None
    block: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        marker = line.strip().upper()
        if start is None:
            if marker == "BEGIN:VCARD":
                start, block = number, [line]
            elif marker:
                yield Refusal(number, "text outside a vCard (BEGIN:VCARD … END:VCARD)")
            continue
        block.append(line)
        if marker == "END:VCARD":
            yield start, "\n".join(block) + "\n"
            start = None
        elif marker == "BEGIN:VCARD":
            yield Refusal(start, "a vCard that never ends (no END:VCARD before the next card)")
            start, block = number, [line]
    if start is not None:
        yield Refusal(start, "a vCard that never ends (no END:VCARD)")


def _parse_vcards(text: str) -> ParsedFile:
    rows: list[ContactRow] = []
    refused: list[Refusal] = []
    for card in _cards(text):
        if isinstance(card, Refusal):
            refused.append(card)
            continue
        if len(rows) + len(refused) >= MAX_ROWS:
            raise InvalidInput(f"the file has more than {MAX_ROWS:,} cards; split it", field="data")
        line, block = card
        try:
            parsed = vobject.readOne(block, validate=False)
            rows.append(_vcard_row(line, parsed))
        except Exception as error:  # vobject raises ParseError and, for bad values, others
            refused.append(
                Refusal(
                    _broken_line(line, block, error), f"a broken vCard line: {_first_line(error)}"
                )
            )
    return ParsedFile(format="VCARD", encoding="utf-8", rows=rows, refused=refused)


def _first_line(error: Exception) -> str:
    message = str(error).strip().splitlines()
    text = message[0] if message else type(error).__name__
    return re.sub(r"^At line \d+: ", "", text)[:200]


def _broken_line(start: int, block: str, error: Exception) -> int:
    """The file line vobject choked on: its own line numbers count unfolded lines
    oddly, so the line it quotes is looked up in the card."""
    quoted = re.search(
        r"Failed to parse line: (.*)$",
        str(error).strip().splitlines()[0] if str(error).strip() else "",
    )
    if quoted:
        wanted = quoted.group(1).strip()
        for offset, text in enumerate(block.split("\n")):
            if text.strip() == wanted:
                return start + offset
    return start


def _values(card: Any, name: str) -> list[Any]:
    return [item.value for item in card.contents.get(name, [])]


def _text_value(value: Any) -> str | None:
    if isinstance(value, list):
        value = " ".join(str(v) for v in value if v)
    text = str(value).strip() if value is not None else ""
    return text or None


def _vcard_row(line: int, card: Any) -> ContactRow:
    name = next((t for t in map(_text_value, _values(card, "fn")) if t), None)
    if name is None:
        for structured in _values(card, "n"):
            parts = [structured.prefix, structured.given, structured.additional, structured.family]
            name = " ".join(p for p in map(_text_value, parts) if p) or None
    organisation = next(iter(_values(card, "org")), None)
    company = _text_value(
        organisation[0] if isinstance(organisation, list) and organisation else organisation
    )
    tags: list[str] = []
    for categories in _values(card, "categories"):
        for tag in categories if isinstance(categories, list) else [categories]:
            if _text_value(tag) and _text_value(tag) not in tags:
                tags.append(str(_text_value(tag)))
    return ContactRow(
        line=line,
        full_name=name,
        emails=_unique(_values(card, "email")),
        phones=_unique(
            v.removeprefix("tel:") if isinstance(v, str) else v for v in _values(card, "tel")
        ),
        company=company,
        job_title=next((t for t in map(_text_value, _values(card, "title")) if t), None),
        notes=next((t for t in map(_text_value, _values(card, "note")) if t), None),
        tags=tags,
    )


def _unique(values: Any) -> list[str]:
    found: list[str] = []
    for value in values:
        text = _text_value(value)
        if text and text not in found:
            found.append(text)
    return found


ProgressCallback = Callable[[str, int, int], None]
