"""My data: everything the course holds about the learner, as a zip of JSON and CSV.

One JSON file holds every table's rows as stored (the account, progress, every attempt and
choice, reflections, plans and check-ins, self-assessments, certificates, cohort places,
sign-in sessions, xAPI statements waiting to be sent); one CSV per table says the same for a
spreadsheet, every text cell made inert against formulas. Password and token hashes are left
out: they are not about him, and they would help no one but an attacker.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import datetime
from typing import Any

from modules.cohorts.export import inert
from modules.services import authz
from modules.services.actors import Actor
from modules.services.runtime import Runtime
from progress.database import as_utc
from progress.people_repo import SqlPeopleRepository
from progress.personal_data_repo import TableRows, personal_rows, plain_value

# What each file holds, for the README inside the zip; a table not named here is listed too.
ABOUT = {
    "users": "your account: address, name, when it was made",
    "user_roles": "your roles (learner, facilitator, administrator)",
    "auth_sessions": "the browsers signed in as you, and until when",
    "password_resets": "reset and invitation links made for you (not the links themselves)",
    "step_progress": "each step you started and completed",
    "learner_positions": "where you last were, for the Continue button",
    "scenario_attempts": "every play of a scenario: start, end, score",
    "scenario_choices": "every choice you made in those plays",
    "quiz_attempts": "every knowledge-check attempt: your answers, score, pass or not",
    "reflections": "your private reflections",
    "commitments": "your if-then plans",
    "commitment_check_ins": "how each plan went, with your notes",
    "survey_answers": "your self-assessment ratings, before and after",
    "survey_phases": "when you completed each self-assessment",
    "certificates": "your certificate of completion and its code",
    "cohort_members": "the cohorts you joined, and when",
    "cohort_facilitators": "the cohorts you facilitate",
}


def export_my_data(rt: Runtime, actor: Actor, now: datetime | None = None) -> bytes:
    """The zip of the signed-in person's own records (only his: no one else can ask)."""
    with rt.transaction() as session:
        actor = authz.current(SqlPeopleRepository(session), actor)
        tables = personal_rows(session, actor.user_id)
    moment = as_utc(now)
    document = {
        "exported_at": moment.isoformat(),
        "tables": {t.table: [_row_object(t, row) for row in t.rows] for t in tables},
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", _readme(tables, moment))
        archive.writestr("my-data.json", json.dumps(document, indent=2, ensure_ascii=False))
        for table in tables:
            archive.writestr(f"csv/{table.table}.csv", table_csv(table))
    return buffer.getvalue()


def table_csv(table: TableRows) -> bytes:
    """RFC 4180 CSV in UTF-8 with a BOM (Excel reads it as such), CRLF line ends."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([name.replace("_", " ") for name in table.columns])
    writer.writerows([_cell(value) for value in row] for row in table.rows)
    return out.getvalue().encode("utf-8-sig")


def _row_object(table: TableRows, row: tuple[Any, ...]) -> dict[str, Any]:
    return {name: plain_value(value) for name, value in zip(table.columns, row, strict=True)}


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict | list):
        return inert(json.dumps(value, ensure_ascii=False, sort_keys=True))
    if isinstance(value, int | float):
        return str(value)
    return inert(str(plain_value(value)))


def _readme(tables: list[TableRows], moment: datetime) -> str:
    lines = [
        "Leading as an Ally: everything the course holds about you",
        f"Exported {moment:%Y-%m-%d %H:%M} UTC.",
        "",
        "my-data.json has every record as stored; csv/ has one spreadsheet per kind of record.",
        "Times are in UTC. Anonymous cohort counts hold no name or account and are not here.",
        "",
    ]
    for table in tables:
        about = ABOUT.get(table.table, "records kept about you")
        lines.append(f"csv/{table.table}.csv: {about} ({len(table.rows)} rows)")
    return "\r\n".join(lines) + "\r\n"
