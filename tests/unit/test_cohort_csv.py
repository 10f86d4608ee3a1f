"""The progress export: read back with the csv module as Excel would see it, and never a formula."""

from __future__ import annotations

import codecs
import csv
import io
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from modules.cohorts.cohort import CohortSettings
from modules.cohorts.records import Member, ModuleProgress
from modules.cohorts.reports import (
    ProgressRow,
    build_dashboard,
    inert,
    progress_csv,
    progress_rows,
)
from modules.course.models import CourseContent

HEADER = [
    "learner",
    "email",
    "module",
    "status",
    "started",
    "completed",
    "best knowledge-check score (%)",
    "certificate (course completed on)",
]


def read_back(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def row(learner: str = "Sam Jones", **changes: object) -> ProgressRow:
    values: dict[str, object] = {
        "learner": learner,
        "email": "sam@hospital.org",
        "module": "A sample module",
        "status": "Completed",
        "started": date(2025, 3, 1),
        "completed": date(2025, 3, 3),
        "best_score": 0.8,
    }
    values.update(changes)
    return ProgressRow(**values)  # type: ignore[arg-type]


INJECTION: dict[str, tuple[str, str]] = {
    "equals": ("=1+1", "'=1+1"),
    "plus": ("+SUM(A1:A9)", "'+SUM(A1:A9)"),
    "minus": ("-2+3", "'-2+3"),
    "at": ("@SUM(1,2)", "'@SUM(1,2)"),
    "tab first": ("\t=1+1", "'\t=1+1"),
    "carriage return first": ("\r=1+1", "'\r=1+1"),
    "space then equals": (" =1+1", "' =1+1"),
    "DDE payload": ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
    "hyperlink with quotes": (
        '=HYPERLINK("http://evil.example","Click")',
        '\'=HYPERLINK("http://evil.example","Click")',
    ),
    "direction mark first": ("\u200f=1+1", "'\u200f=1+1"),
    "override and zero-width space first": ("\u202e \u200b@SUM(1)", "'\u202e \u200b@SUM(1)"),
    "right-to-left name": ("محمد الأحمد", "محمد الأحمد"),
    "plain name": ("Sam Jones", "Sam Jones"),
    "apostrophe inside": ("Sam O'Brien", "Sam O'Brien"),
    "hyphen inside": ("Ana Diaz-Lopez", "Ana Diaz-Lopez"),
    "comma": ("Jones, Sam", "Jones, Sam"),
    "quote": ('Sam "Doc" Jones', 'Sam "Doc" Jones'),
    "newline inside": ("Sam\nJones", "Sam\nJones"),
    "accents": ("Zoë Müller-Łukasz", "Zoë Müller-Łukasz"),
    "empty": ("", ""),
}


@pytest.mark.parametrize(("cell", "expected"), INJECTION.values(), ids=INJECTION.keys())
def test_every_text_cell_is_inert(cell: str, expected: str) -> None:
    assert inert(cell) == expected
    data = progress_csv([row(cell, email=cell, module=cell, status=cell)])
    (_, back) = read_back(data)
    assert back[:4] == [expected] * 4
    assert not any(c.startswith(("=", "+", "-", "@", "\t", "\r")) for c in back)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({}, ["2025-03-01", "2025-03-03", "80"]),
        ({"best_score": None}, ["2025-03-01", "2025-03-03", ""]),
        ({"best_score": 1.0}, ["2025-03-01", "2025-03-03", "100"]),
        ({"best_score": 0.0}, ["2025-03-01", "2025-03-03", "0"]),
        ({"best_score": 2 / 3}, ["2025-03-01", "2025-03-03", "67"]),
        ({"started": None, "completed": None, "best_score": None}, ["", "", ""]),
    ],
)
def test_dates_and_scores(changes: dict[str, Any], expected: list[str]) -> None:
    (_, back) = read_back(progress_csv([row(**changes)]))
    assert back[4:7] == expected
    assert back[7] == ""  # no certificate


def test_a_certificate_holder_shows_the_day_he_completed_the_course() -> None:
    (_, back) = read_back(progress_csv([row(certificate=date(2025, 3, 9))]))
    assert back[7] == "2025-03-09"


def test_opens_cleanly_in_excel() -> None:
    data = progress_csv([row(), row("Ana, Diaz")])
    assert data.startswith(codecs.BOM_UTF8)
    assert data.count(b"\r\n") == 3 and b"\n" not in data.replace(b"\r\n", b"")
    assert data.decode("utf-8-sig").splitlines()[2].startswith('"Ana, Diaz",')
    assert read_back(data)[0] == HEADER


def test_empty_cohort_is_a_header_only() -> None:
    assert read_back(progress_csv([])) == [HEADER]


def test_rows_from_the_dashboard_in_the_cohort_time_zone(content: CourseContent) -> None:
    cohort = CohortSettings("Spring", "America/New_York")
    joined = datetime(2025, 1, 1, tzinfo=UTC)
    members = [Member(1, "sam@hospital.org", "=Sam", joined), Member(2, "a@h.org", "Ana", joined)]
    late_evening = datetime(2025, 3, 4, 2, 30, tzinfo=UTC)  # 3 March, 21:30 in New York
    progress = [ModuleProgress(1, "sample", late_evening - timedelta(days=2), 5, late_evening)]
    board = build_dashboard(
        cohort,
        content,
        members=members,
        progress=progress,
        assignments=[],
        last_activity={},
        self_assessment=[],
        now=datetime(2025, 3, 10, tzinfo=UTC),
    )
    rows = progress_rows(
        cohort, board, {(1, "sample"): 0.5, (2, "survey"): 1.0}, {1: date(2025, 3, 3)}
    )
    back = read_back(progress_csv(rows))
    assert back[1:] == [
        [
            "'=Sam",
            "sam@hospital.org",
            "A sample module",
            "Completed",
            "2025-03-01",
            "2025-03-03",
            "50",
            "2025-03-03",
        ],
        ["Ana", "a@h.org", "A sample module", "Not started", "", "", "", ""],
    ]
