"""The cohort's progress as a CSV file that opens cleanly in Excel and cannot run a formula."""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from modules.cohorts.cohort import CohortSettings
from modules.cohorts.dashboard import Dashboard

HEADER = (
    "learner",
    "email",
    "module",
    "status",
    "started",
    "completed",
    "best knowledge-check score (%)",
    "certificate (course completed on)",
)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class ProgressRow:
    """One learner in one module; scenarios count only towards the module's status."""

    learner: str
    email: str
    module: str
    status: str
    started: date | None
    completed: date | None
    best_score: float | None  # best knowledge-check score, 0-1; None when none was submitted
    certificate: date | None = None  # when the course was completed, if he holds a certificate


def progress_rows(
    cohort: CohortSettings,
    dashboard: Dashboard,
    best_scores: Mapping[tuple[int, str], float],
    certificates: Mapping[int, date] | None = None,
) -> list[ProgressRow]:
    """One row per learner and listed module, dates in the cohort's time zone.

    `certificates`: who holds a valid certificate (user id: course completed on).
    """
    held = certificates or {}

    def day(moment: datetime | None) -> date | None:
        return cohort.local_date(moment) if moment is not None else None

    titles = {m.module_id: m.title for m in dashboard.modules}
    return [
        ProgressRow(
            learner=learner.name,
            email=learner.email,
            module=titles[cell.module_id],
            status=cell.status.label,
            started=day(cell.started_at),
            completed=day(cell.completed_at),
            best_score=best_scores.get((learner.user_id, cell.module_id)),
            certificate=held.get(learner.user_id),
        )
        for learner in dashboard.learners
        for cell in learner.cells
    ]


def progress_csv(rows: Iterable[ProgressRow]) -> bytes:
    """RFC 4180 CSV in UTF-8 with a BOM and CRLF line ends, every text cell made inert."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(HEADER)
    for row in rows:
        writer.writerow(
            (
                inert(row.learner),
                inert(row.email),
                inert(row.module),
                inert(row.status),
                row.started.isoformat() if row.started else "",
                row.completed.isoformat() if row.completed else "",
                "" if row.best_score is None else f"{round(row.best_score * 100)}",
                row.certificate.isoformat() if row.certificate else "",
            )
        )
    return buffer.getvalue().encode("utf-8-sig")


def inert(cell: str) -> str:
    """`cell` prefixed with ' when a spreadsheet could read it as a formula.

    Invisible format characters in front (a direction mark, a zero-width space) are looked
    past too: a name may start with one, and some spreadsheets drop them.
    """
    visible = cell.lstrip()
    while visible and unicodedata.category(visible[0]) == "Cf":
        visible = visible[1:].lstrip()
    if cell.startswith(FORMULA_START) or visible.startswith(FORMULA_START):
        return "'" + cell
    return cell
