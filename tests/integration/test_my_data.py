"""My data: the zip holds every record about the learner, as the database has it, and no secret."""

from __future__ import annotations

import csv
import io
import json
import zipfile

from sqlalchemy import select

from modules.services.my_data import export_my_data
from progress.personal_data_repo import personal_tables
from progress.tables import CheckInRow, QuizAttemptRow, ReflectionRow, UserRow
from tests.integration import records_world
from tests.integration.records_world import World

world = records_world.world  # the fixture, used by name below


def open_zip(data: bytes) -> tuple[dict[str, object], zipfile.ZipFile]:
    archive = zipfile.ZipFile(io.BytesIO(data))
    return json.loads(archive.read("my-data.json")), archive


def read_csv(archive: zipfile.ZipFile, table: str) -> list[list[str]]:
    text = archive.read(f"csv/{table}.csv").decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline="")))


def test_the_zip_holds_what_the_database_holds_about_him(world: World) -> None:
    world.complete_course()
    (plan,) = world.learning.record(world.learner).commitments
    world.learning.check_in(world.learner, plan.id, "partly", "=HYPERLINK(1) asked one")
    world.certificates.issue(world.learner)
    other = world.person("ana@example.org", "Ana Other")
    world.learning.save_reflection(other, "sample", "think", "Ana's own private words here")

    document, archive = open_zip(export_my_data(world.rt, world.learner))
    tables = document["tables"]
    assert isinstance(tables, dict)
    with world.rt.transaction() as session:
        for table, column, parent in personal_tables():
            query = select(table)
            if parent is None:
                query = query.where(column == world.learner.user_id)
            else:
                owned = select(parent.c.id).where(parent.c.user_id == world.learner.user_id)
                query = query.where(column.in_(owned))
            stored = session.execute(query).all()
            assert len(tables[table.name]) == len(stored), table.name
            assert len(read_csv(archive, table.name)) == len(stored) + 1  # with its header
        reflection = session.scalars(
            select(ReflectionRow.text).where(ReflectionRow.user_id == world.learner.user_id)
        ).one()
        answers = session.scalars(
            select(QuizAttemptRow.answers).where(QuizAttemptRow.user_id == world.learner.user_id)
        ).one()
        note = session.scalars(select(CheckInRow.note)).one()
        password_hash = session.scalars(
            select(UserRow.password_hash).where(UserRow.id == world.learner.user_id)
        ).one()
    assert [r["text"] for r in tables["reflections"]] == [reflection]
    assert [r["answers"] for r in tables["quiz_attempts"]] == [answers]
    assert tables["commitment_check_ins"][0]["note"] == note
    assert tables["users"][0]["email"] == "lee@example.org"
    assert tables["certificates"][0]["holder_name"] == "Lee Learner"
    assert tables["scenario_choices"], "every choice of every attempt"
    assert tables["cohort_members"][0]["cohort_id"] == world.cohort_id
    everything = b"".join(archive.read(name) for name in archive.namelist())
    assert password_hash is not None and password_hash.encode() not in everything
    assert b"password_hash" not in everything and b"id_hash" not in everything
    assert b"Ana's own" not in everything
    check_ins = read_csv(archive, "commitment_check_ins")
    header, row = check_ins
    assert "'=HYPERLINK(1) asked one" in row  # inert in a spreadsheet
    assert "checked on" in header
    readme = archive.read("README.txt").decode()
    assert "csv/reflections.csv: your private reflections (1 rows)" in readme
