"""Reading a roster CSV (email, name) as a dry run: what importing each row would do, and why.

Real files come from Excel, Outlook and HR systems: UTF-8 with or without a BOM, Windows-1252,
UTF-16 ("Unicode text"), comma, semicolon or tab delimiters, a header row or none, extra columns.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Literal

from modules.cohorts.cohort import CohortError

RosterStatus = Literal["add", "already", "rejected"]

MAX_ROWS = 2000
MAX_BYTES = 2_000_000
EMAIL_MAX = 254
LOCAL_MAX = 64
NAME_MAX = 100
DELIMITERS = (",", ";", "\t")
FORMULA_START = ("=", "+", "-", "@")
SAMPLE_LINES = 50

EMAIL = re.compile(
    r"[a-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}"
)
SEP_LINE = re.compile(r"sep=(.)", re.IGNORECASE)  # Excel's hint naming the delimiter
ANGLE_ADDRESS = re.compile(r"^[^<>]*<([^<>]+)>$")  # Outlook's "Sam Jones <sam@x.org>"

EMAIL_HEADERS = frozenset({"email", "emailaddress", "mail", "workemail", "emailid"})
NAME_HEADERS = frozenset(
    {"name", "fullname", "displayname", "learner", "learnername", "participant", "participantname"}
)
FIRST_HEADERS = frozenset({"firstname", "givenname", "forename", "first"})
LAST_HEADERS = frozenset({"lastname", "surname", "familyname", "last"})
KNOWN_HEADERS = EMAIL_HEADERS | NAME_HEADERS | FIRST_HEADERS | LAST_HEADERS


class RosterError(CohortError):
    """The file is not a roster at all; the message says what to do instead."""


@dataclass(frozen=True)
class RosterRow:
    """One row of the file: what importing it would do. `reason` explains already/rejected."""

    line: int
    email: str
    name: str
    status: RosterStatus
    reason: str = ""
    new_account: bool = False  # an "add" whose email has no account yet


@dataclass(frozen=True)
class _Columns:
    email: int
    name: tuple[int, ...]  # joined with a space: a full name, or first and last name


Record = tuple[int, list[str]]  # (line the record starts on, cells)


def read_roster(
    data: bytes, existing_members: Collection[str], existing_accounts: Collection[str]
) -> list[RosterRow]:
    """Classify every row of a roster file; raise RosterError when it is not a roster."""
    text = _decode(data)
    records = _records(text, _delimiter(text))
    if not records:
        raise RosterError("The file is empty.")
    columns, has_header = _columns(records)
    rows = records[1:] if has_header else records
    if len(rows) > MAX_ROWS:
        raise RosterError(
            f"The file has {len(rows):,} rows; import at most {MAX_ROWS:,} at a time."
        )
    members = {_normal(e) for e in existing_members}
    accounts = {_normal(e) for e in existing_accounts}
    seen: dict[str, int] = {}
    return [_row(line, cells, columns, seen, members, accounts) for line, cells in rows]


def _decode(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise RosterError(f"The file is over {MAX_BYTES // 1_000_000} MB: a roster is smaller.")
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise RosterError(
            "This is an Excel workbook, not a CSV file: in Excel choose Save As, "
            "CSV UTF-8, and import that file."
        )
    try:
        text = _text(data)
    except UnicodeDecodeError as error:
        raise RosterError("The file is not text in UTF-8 or Windows-1252.") from error
    controls = sum(1 for c in text if _is_control(c))
    if controls > max(10, len(text) / 100):
        raise RosterError("This is not a text file: export the roster as CSV.")
    if not text.strip():
        raise RosterError("The file is empty.")
    return text


def _text(data: bytes) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    if _looks_binary(data):
        raise RosterError("This is not a text file: export the roster as CSV.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252")


def _looks_binary(data: bytes) -> bool:
    """More than a stray NUL or two: an image, or UTF-16 without its BOM (NUL every other byte).

    A stray NUL in a cell rejects its row instead, like any other control character.
    """
    return data.count(b"\x00") > max(2, len(data) // 1000)


def _delimiter(text: str) -> str:
    """Excel's `sep=` hint, or the delimiter under which most sample rows hold an email."""
    sample = [line for line in text.splitlines() if line.strip()][:SAMPLE_LINES]
    hint = SEP_LINE.fullmatch(_clean(sample[0])) if sample else None
    if hint:
        return hint.group(1)

    def score(delimiter: str) -> tuple[int, int, int]:
        rows = list(csv.reader(sample, delimiter=delimiter))
        emails = sum(any(_is_email(_clean(c)) for c in row) for row in rows)
        return emails, sum(len(row) > 1 for row in rows), -DELIMITERS.index(delimiter)

    return max(DELIMITERS, key=score)


def _records(text: str, delimiter: str) -> list[Record]:
    """Records with the line each starts on; blank records at either end dropped."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records: list[Record] = []
    line = 1
    try:
        for cells in reader:
            records.append((line, cells))
            line = reader.line_num + 1
    except csv.Error as error:
        raise RosterError(f"Line {line} cannot be read as CSV ({error}).") from error
    while records and _blank(records[-1][1]):
        records.pop()
    while records and (
        _blank(records[0][1]) or SEP_LINE.fullmatch(_clean(delimiter.join(records[0][1])))
    ):
        records.pop(0)
    return records


def _columns(records: Sequence[Record]) -> tuple[_Columns, bool]:
    """Where the email and the name are, and whether the first record is a header row."""
    first = records[0][1]
    keys = [_header_key(c) for c in first]
    if any(k in KNOWN_HEADERS for k in keys) and not any(_is_email(_clean(c)) for c in first):
        return _header_columns(first, keys), True
    return _guessed_columns([cells for _, cells in records[:SAMPLE_LINES]]), False


def _header_columns(cells: Sequence[str], keys: Sequence[str]) -> _Columns:
    email = next((i for i, k in enumerate(keys) if k in EMAIL_HEADERS), None)
    if email is None:
        found = ", ".join(_clean(c) for c in cells if _clean(c))
        raise RosterError(f"The header row has no email column (it has: {found}).")
    name = next((i for i, k in enumerate(keys) if k in NAME_HEADERS), None)
    if name is not None:
        return _Columns(email, (name,))
    parts = tuple(
        i for group in (FIRST_HEADERS, LAST_HEADERS) for i, k in enumerate(keys) if k in group
    )[:2]
    if not parts:
        raise RosterError("The header row has no name column (Name, or First name and Last name).")
    return _Columns(email, parts)


def _guessed_columns(sample: Sequence[Sequence[str]]) -> _Columns:
    width = max(len(cells) for cells in sample)

    def filled(index: int, test: bool) -> int:
        cells = (_clean(r[index]) for r in sample if index < len(r))
        return sum(bool(c) and _is_email(c) == test for c in cells)

    email = max(range(width), key=lambda i: (filled(i, True), -i))
    if filled(email, True) == 0:
        raise RosterError("No column holds email addresses: a roster has an email and a name.")
    others = [i for i in range(width) if i != email and filled(i, False)]
    if not others:
        raise RosterError("No column holds names: a roster has an email and a name on each row.")
    return _Columns(email, (max(others, key=lambda i: (filled(i, False), -i)),))


def _row(
    line: int,
    cells: Sequence[str],
    columns: _Columns,
    seen: dict[str, int],
    members: Collection[str],
    accounts: Collection[str],
) -> RosterRow:
    raw = _clean(cells[columns.email]) if columns.email < len(cells) else ""
    name_cells = " ".join(cells[i] for i in columns.name if i < len(cells))
    name = " ".join(name_cells.split())  # a line break inside a cell (Alt+Enter) is a space
    problem = "empty row" if _blank(cells) else _controls(cells, columns) or _problem(raw, name)
    if problem:
        return RosterRow(line, raw, name, "rejected", problem)
    email = _address(raw)
    if email in seen:
        return RosterRow(line, email, name, "rejected", f"duplicate of line {seen[email]}")
    seen[email] = line
    if email in members:
        return RosterRow(line, email, name, "already", "already a member of this cohort")
    return RosterRow(line, email, name, "add", new_account=email not in accounts)


def _controls(cells: Sequence[str], columns: _Columns) -> str | None:
    """A control character in the email or the name cell, looked for before spaces collapse.

    (str.split() would quietly turn U+0085 and U+001C-U+001F into spaces.)
    """
    for field, index in (("email", columns.email), *(("name", i) for i in columns.name)):
        cell = cells[index] if index < len(cells) else ""
        bad = next((c for c in cell if _is_control(c)), None)
        if bad is not None:
            return f"junk row: the {field} holds a control character (U+{ord(bad):04X})"
    return None


def _problem(raw: str, name: str) -> str | None:
    """Why a row cannot be imported, in a facilitator's words; None when it can."""
    if any(_is_control(c) for c in raw + name):
        return "junk row: it holds control characters"
    if "@" not in raw and not any(c.isalpha() for c in name):
        return "empty or junk row: no email address or name"
    if len(raw) > EMAIL_MAX or len(name) > NAME_MAX:
        field, limit = ("email", EMAIL_MAX) if len(raw) > EMAIL_MAX else ("name", NAME_MAX)
        return f"too long: the {field} has over {limit} characters"
    if raw.startswith(FORMULA_START) or name.startswith(FORMULA_START):
        return "looks like a spreadsheet formula"
    if not raw:
        return "no email address"
    email_problem = _email_problem(_address(raw))
    if email_problem:
        return f"bad email: {email_problem}"
    if not any(c.isalpha() for c in name):
        return "empty name"
    return None


def _email_problem(email: str) -> str | None:
    if any(c.isspace() for c in email):
        return "it has a space"
    if email.count("@") != 1:
        return "it needs exactly one @"
    local, domain = email.split("@")
    if not local or len(local) > LOCAL_MAX:
        return f"the part before @ needs 1 to {LOCAL_MAX} characters"
    if "." not in domain:
        return "the part after @ needs a dot, as in name@hospital.org"
    if domain.rstrip(".").endswith(".invalid"):
        return "an .invalid address is never a real one"
    if not _is_email(email):
        return "not an address like name@hospital.org"
    return None


def _is_email(text: str) -> bool:
    address = _address(text)
    return len(address) <= EMAIL_MAX and EMAIL.fullmatch(address) is not None


def _address(text: str) -> str:
    """The lowercase address in a cell: 'Sam <SAM@x.org>' and 'mailto:sam@x.org' give sam@x.org."""
    match = ANGLE_ADDRESS.match(text)
    address = match.group(1) if match else text
    address = address.strip().removeprefix("mailto:").removeprefix("MAILTO:")
    return address.lower()


def _normal(email: str) -> str:
    return email.strip().lower()


def _clean(cell: str) -> str:
    return cell.strip().strip("\u200b\ufeff").strip()


def _blank(cells: Sequence[str]) -> bool:
    return not any(_clean(c) for c in cells)


def _header_key(cell: str) -> str:
    return re.sub(r"[^a-z]", "", _clean(cell).casefold())


def _is_control(char: str) -> bool:
    return char not in "\t\r\n" and unicodedata.category(char) == "Cc"
