"""Roster import, dry run: each file in the table gives rows (line, email, status, reason gist).

The files are what facilitators really upload: Excel's UTF-8 with a BOM, Windows-1252, `;` in
much of Europe, tabs from "Unicode text", a header row or none, trailing blank lines, CRLF.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

import pytest

from modules.cohorts.cohort import CohortError
from modules.cohorts.roster import MAX_ROWS, RosterError, RosterRow, read_roster

MEMBERS = ("member@hospital.org",)
ACCOUNTS = ("member@hospital.org", "known@hospital.org")

Expected = tuple[int, str, str, str]  # line, email, status, reason gist ("" for add)


@dataclass(frozen=True)
class Case:
    data: bytes
    rows: tuple[Expected, ...]


def utf8(text: str) -> bytes:
    return text.encode("utf-8")


SAM = (1, "sam@hospital.org", "add", "")

CASES: dict[str, Case] = {
    # Encodings and line ends
    "plain, no header": Case(utf8("sam@hospital.org,Sam Jones\n"), (SAM,)),
    "Excel UTF-8 BOM with header, CRLF": Case(
        codecs.BOM_UTF8 + b"Email,Name\r\nsam@hospital.org,Sam Jones\r\n",
        ((2, "sam@hospital.org", "add", ""),),
    ),
    "Windows-1252 accents": Case(
        "email;name\r\nrene@hospital.org;Ren\xe9 M\xfcller\r\n".encode("cp1252"),
        ((2, "rene@hospital.org", "add", ""),),
    ),
    "UTF-16 tab-separated (Excel Unicode text)": Case(
        "E-mail\tFull name\r\nsam@hospital.org\tSam Jones\r\n".encode("utf-16"),
        ((2, "sam@hospital.org", "add", ""),),
    ),
    "old Mac CR line ends": Case(
        utf8("sam@hospital.org,Sam\rjo@hospital.org,Jo\r"),
        (SAM, (2, "jo@hospital.org", "add", "")),
    ),
    "trailing blank lines and empty cells": Case(utf8("sam@hospital.org,Sam\n\n,,\n\n"), (SAM,)),
    "leading blank lines": Case(
        utf8("\n\nsam@hospital.org,Sam\n"), ((3, "sam@hospital.org", "add", ""),)
    ),
    # Delimiters, quoting and columns
    "Excel sep= hint line": Case(
        utf8("sep=;\r\nEmail;Name\r\nsam@hospital.org;Jones, Sam\r\n"),
        ((3, "sam@hospital.org", "add", ""),),
    ),
    "semicolon with comma in name": Case(utf8("sam@hospital.org;Jones, Sam\n"), (SAM,)),
    "quoted comma in name": Case(utf8('sam@hospital.org,"Jones, Sam"\n'), (SAM,)),
    "quoted name over two lines": Case(
        utf8('sam@hospital.org,"Sam\nJones"\njo@hospital.org,Jo\n'),
        (SAM, (3, "jo@hospital.org", "add", "")),
    ),
    "name first, no header": Case(utf8("Sam Jones,sam@hospital.org\n"), (SAM,)),
    "header in any order and case": Case(
        utf8("FULL NAME,Department,E-Mail Address\nSam Jones,Surgery,sam@hospital.org\n"),
        ((2, "sam@hospital.org", "add", ""),),
    ),
    "first and last name columns": Case(
        utf8("First name,Last name,Email\nSam,Jones,sam@hospital.org\n"),
        ((2, "sam@hospital.org", "add", ""),),
    ),
    "extra columns ignored": Case(utf8("sam@hospital.org,Sam,Surgery,Chief,2024\n"), (SAM,)),
    "Outlook address and upper case": Case(utf8("Sam Jones <SAM@Hospital.ORG>,Sam\n"), (SAM,)),
    "spaces around cells": Case(utf8("  sam@hospital.org  ,  Sam   Jones \n"), (SAM,)),
    # Already there, accounts
    "already a member (any case)": Case(
        utf8("MEMBER@hospital.org,Mo\n"), ((1, "member@hospital.org", "already", "already"),)
    ),
    # Rejections
    "bad email: no @": Case(
        utf8("sam@hospital.org,Sam\nsam.hospital.org,Sam\n"),
        (SAM, (2, "sam.hospital.org", "rejected", "exactly one @")),
    ),
    "bad email: no dot in domain": Case(
        utf8("sam@hospital.org,Sam\nsam@hospital,Sam\n"),
        (SAM, (2, "sam@hospital", "rejected", "needs a dot")),
    ),
    "bad email: space": Case(
        utf8("sam@hospital.org,Sam\nsam jones@hospital.org,Sam\n"),
        (SAM, (2, "sam jones@hospital.org", "rejected", "space")),
    ),
    "bad email: two @": Case(
        utf8("sam@hospital.org,Sam\nsam@@hospital.org,Sam\n"),
        (SAM, (2, "sam@@hospital.org", "rejected", "exactly one @")),
    ),
    "bad email: double dot": Case(
        utf8("sam@hospital.org,Sam\nsam..j@hospital.org,Sam\n"),
        (SAM, (2, "sam..j@hospital.org", "rejected", "not an address")),
    ),
    "missing email": Case(
        utf8("sam@hospital.org,Sam\n,Jo Smith\n"),
        (SAM, (2, "", "rejected", "no email")),
    ),
    "duplicate in file, any case": Case(
        utf8("sam@hospital.org,Sam\nSam@Hospital.org,Samuel\n"),
        (SAM, (2, "sam@hospital.org", "rejected", "duplicate of line 1")),
    ),
    "empty name": Case(
        utf8("sam@hospital.org,Sam\njo@hospital.org,\n"),
        (SAM, (2, "jo@hospital.org", "rejected", "empty name")),
    ),
    "empty row in the middle": Case(
        utf8("sam@hospital.org,Sam\n,\njo@hospital.org,Jo\n"),
        (SAM, (2, "", "rejected", "empty row"), (3, "jo@hospital.org", "add", "")),
    ),
    "junk row": Case(
        utf8("sam@hospital.org,Sam\nTotal,----\n"),
        (SAM, (2, "Total", "rejected", "junk row")),
    ),
    "control character in the name": Case(
        utf8("sam@hospital.org,Sam\njo@hospital.org,Jo\x07\n"),
        (SAM, (2, "jo@hospital.org", "rejected", "the name holds a control character (U+0007)")),
    ),
    "stray NUL in the name": Case(
        utf8("sam@hospital.org,Sam\njo@hospital.org,Jo\x00\n"),
        (SAM, (2, "jo@hospital.org", "rejected", "the name holds a control character (U+0000)")),
    ),
    "DEL in the email": Case(
        utf8("sam@hospital.org,Sam\njo@hospital.org\x7f,Jo\n"),
        (
            SAM,
            (2, "jo@hospital.org\x7f", "rejected", "the email holds a control character (U+007F)"),
        ),
    ),
    "C1 control that str.split() would take for a space": Case(
        utf8("sam@hospital.org,Sam\njo@hospital.org,Jo\x85Smith\n"),
        (SAM, (2, "jo@hospital.org", "rejected", "the name holds a control character (U+0085)")),
    ),
    "line break inside a quoted name cell": Case(
        utf8('sam@hospital.org,Sam\njo@hospital.org,"Jo\r\nSmith"\n'),
        (SAM, (2, "jo@hospital.org", "add", "")),
    ),
    "right-to-left name and a direction control are kept": Case(
        utf8("sam@hospital.org,Sam\nm@hospital.org,محمد الأحمد\ne@hospital.org,\u202eEve\n"),
        (SAM, (2, "m@hospital.org", "add", ""), (3, "e@hospital.org", "add", "")),
    ),
    "name too long": Case(
        utf8("sam@hospital.org,Sam\njo@hospital.org," + "J" * 101 + "\n"),
        (SAM, (2, "jo@hospital.org", "rejected", "too long")),
    ),
    "email too long": Case(
        utf8("sam@hospital.org,Sam\n" + "j" * 250 + "@hospital.org,Jo\n"),
        (SAM, (2, "j" * 250 + "@hospital.org", "rejected", "too long")),
    ),
    "formula name": Case(
        utf8("sam@hospital.org,Sam\njo@hospital.org,\"=cmd|' /C calc'!A0\"\n"),
        (SAM, (2, "jo@hospital.org", "rejected", "spreadsheet formula")),
    ),
    "formula name after a tab": Case(
        utf8('sam@hospital.org,Sam\njo@hospital.org,"\t@SUM(1+1)"\n'),
        (SAM, (2, "jo@hospital.org", "rejected", "spreadsheet formula")),
    ),
    "formula email": Case(
        utf8("sam@hospital.org,Sam\n+jo@hospital.org,Jo\n"),
        (SAM, (2, "+jo@hospital.org", "rejected", "spreadsheet formula")),
    ),
}


def gist(row: RosterRow) -> Expected:
    return row.line, row.email, row.status, row.reason


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_roster_rows(case: Case) -> None:
    rows = read_roster(case.data, MEMBERS, ACCOUNTS)
    assert [r[:3] for r in map(gist, rows)] == [e[:3] for e in case.rows]
    for row, (*_, reason) in zip(rows, case.rows, strict=True):
        assert reason in row.reason
        assert (row.reason == "") == (row.status == "add")


def test_names_are_tidied() -> None:
    (row,) = read_roster(utf8('sam@hospital.org,"  Sam \u00a0 Jones\n"\n'), (), ())
    assert row.name == "Sam Jones"


def test_names_keep_their_letters_and_lose_line_breaks() -> None:
    data = utf8('email,name\na@x.org,"Jo\r\nSmith"\nb@x.org,محمد الأحمد\nc@x.org,\u202eEve\n')
    assert [row.name for row in read_roster(data, (), ())] == [
        "Jo Smith",
        "محمد الأحمد",
        "\u202eEve",  # stored as typed; the renderer isolates it wherever it is shown
    ]


def test_first_and_last_names_are_joined() -> None:
    data = utf8("Surname,Email,Given name\nJones,sam@hospital.org,Sam\n")
    (row,) = read_roster(data, (), ())
    assert row.name == "Sam Jones"


@pytest.mark.parametrize(
    ("email", "new_account"),
    [("known@hospital.org", False), ("KNOWN@hospital.org", False), ("new@hospital.org", True)],
)
def test_new_account_only_for_unknown_emails(email: str, new_account: bool) -> None:
    (row,) = read_roster(utf8(f"{email},Kim\n"), MEMBERS, ACCOUNTS)
    assert (row.status, row.new_account) == ("add", new_account)


NOT_A_ROSTER: dict[str, tuple[bytes, str]] = {
    "empty file": (b"", "empty"),
    "only blank lines": (b"\r\n\r\n  \r\n", "empty"),
    "xlsx workbook": (b"PK\x03\x04" + bytes(range(256)), "Excel workbook"),
    "old xls workbook": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(64), "Excel workbook"),
    "binary": (bytes(range(256)) * 4, "not a text file"),
    "PNG image": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a text file"),
    "UTF-16 without its BOM": ("email,name\nsam@x.org,Sam\n".encode("utf-16-le"), "not a text"),
    "no email column in header": (b"Name,Department\nSam,Surgery\n", "no email column"),
    "no name column in header": (b"Email,Department\nsam@hospital.org,Surgery\n", "no name"),
    "no email anywhere": (b"Sam,Surgery\nJo,Wards\n", "No column holds email"),
    "emails only": (b"sam@hospital.org\njo@hospital.org\n", "No column holds names"),
    "too many rows": (
        b"".join(f"p{i}@hospital.org,P {i}\n".encode() for i in range(MAX_ROWS + 1)),
        "2,001 rows",
    ),
    "too large": (b"a" * 2_000_001, "over 2 MB"),
}


@pytest.mark.parametrize(("data", "gist"), NOT_A_ROSTER.values(), ids=NOT_A_ROSTER.keys())
def test_not_a_roster(data: bytes, gist: str) -> None:
    with pytest.raises(RosterError, match=gist) as raised:
        read_roster(data, (), ())
    assert isinstance(raised.value, CohortError)


def test_exactly_the_row_limit_is_accepted() -> None:
    data = b"Email,Name\r\n" + b"".join(
        f"p{i}@hospital.org,P {i}\r\n".encode() for i in range(MAX_ROWS)
    )
    rows = read_roster(data, (), ())
    assert len(rows) == MAX_ROWS and rows[-1].line == MAX_ROWS + 1
    assert {r.status for r in rows} == {"add"}
