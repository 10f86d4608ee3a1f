"""Every user text field through its service, on SQLite and PostgreSQL, with text no database
should be asked to keep and with names that only look hostile.

NUL (PostgreSQL cannot store it), BEL, DEL and NEL (U+0085, which str.split() takes for a
space) are refused with a message naming the field; nothing of the refused use case is kept,
and the same field then takes good text. CRLF and a lone CR come back as LF in the fields that
hold several lines and are refused in the one-line fields. A direction override and an Arabic
name are stored exactly as typed (the renderer isolates them; see tests/unit/test_render.py).

The learning rows (reflection, the two halves of a plan, a check-in note) go through the
LearningService that the lead wired to clean_text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import String, select

from modules.course.models import CourseContent
from modules.course.validation import validate_directory
from modules.services import accounts as account_services
from modules.services.actors import Actor
from modules.services.cohorts import CohortService
from modules.services.errors import InvalidInput
from modules.services.learning import LearningService
from modules.services.runtime import Runtime, runtime
from modules.settings import Settings
from progress import account_repo, cohort_repo
from progress.tables import Base

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "tests" / "data" / "valid"
PASSWORD = "a long enough password"
IN_TWO_WEEKS = date.today() + timedelta(days=14)

CONTROLS = {"NUL": "\x00", "BEL": "\x07", "DEL": "\x7f", "NEL": "\x85"}
LINE_BREAKS = {"CRLF": "\r\n", "lone CR": "\r"}
KEPT = {"direction override": "\u202e", "Arabic": "محمد"}


@dataclass
class World:
    rt: Runtime
    cohorts: CohortService
    learning: LearningService
    admin: Actor
    facilitator: Actor
    learner: Actor
    cohort_id: int
    plan_id: int


@dataclass(frozen=True)
class Field:
    """One place a person types text: how to type into it, and what is stored there now."""

    label: str  # how the refusal names it
    multiline: bool
    store: Callable[[World, str], object]
    stored: Callable[[World], list[str]]
    around: tuple[str, str] = ("Dev ", " Patel")  # typed: around[0] + piece + around[1]


@pytest.fixture(scope="module")
def content() -> CourseContent:
    found = validate_directory(SAMPLE).content
    assert found is not None
    return found


def person(rt: Runtime, email: str, name: str, roles: tuple[str, ...]) -> Actor:
    with rt.sessions.begin() as session:
        user = account_repo.create_user(session, email, name, None, roles=roles)
    return Actor(user.id, user.display_name, frozenset(user.roles))


@pytest.fixture
def world(database_url: str, content: CourseContent) -> Iterator[World]:
    rt = runtime(Settings(database_url=database_url, content_dir=SAMPLE))
    admin = person(rt, "ada@example.org", "Ada Admin", ("learner",))  # first: administrator
    facilitator = person(rt, "fay@example.org", "Fay Okoro", ("learner", "facilitator"))
    learner = person(rt, "lee@example.org", "Lee Learner", ("learner",))
    service = CohortService(rt, content)
    cohort = service.create(facilitator, "Medicine chiefs", "America/Chicago")
    learning = LearningService(rt.uow, content)
    plan = learning.save_commitment(
        learner, "sample", "plan", "rounds end", "ask one resident", IN_TWO_WEEKS
    )
    yield World(rt, service, learning, admin, facilitator, learner, cohort.id, plan.id)
    rt.engine.dispose()


def every_stored_text(w: World) -> list[str]:
    """Every value of every text column of every table: where a half-stored use case would be."""
    found: list[str] = []
    with w.rt.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            columns = [c for c in table.columns if isinstance(c.type, String)]
            if columns:
                rows = connection.execute(select(*columns)).all()
                found += [value for row in rows for value in row if isinstance(value, str)]
    return found


def people(w: World, email: str) -> list[account_repo.UserRecord]:
    with w.rt.sessions.begin() as session:
        return [u for u in account_repo.list_users(session) if u.email == email]


def cohort_names(w: World) -> list[str]:
    with w.rt.sessions.begin() as session:
        return sorted(c.name for c in cohort_repo.all_cohorts(session) if c.id != w.cohort_id)


def renamed(w: World) -> list[str]:
    with w.rt.sessions.begin() as session:
        found = cohort_repo.get_cohort(session, w.cohort_id)
    return [found.name] if found and found.name != "Medicine chiefs" else []


def reflections(w: World) -> list[str]:
    return [r.text for r in w.learning.record(w.learner).reflections]


def plans(w: World, part: str) -> list[str]:
    saved = w.learning.record(w.learner).commitments
    return [
        getattr(c, part)
        for c in saved
        if getattr(c, part) not in ("rounds end", "ask one resident")
    ]


def notes(w: World) -> list[str]:
    (plan,) = w.learning.record(w.learner).commitments
    return [c.note or "" for c in plan.check_ins]


def emails_of_invited(w: World) -> list[str]:
    with w.rt.sessions.begin() as session:
        return [
            u.email for u in account_repo.list_users(session) if u.email.endswith("@example.net")
        ]


FIELDS = {
    "sign-up name": Field(
        "The name",
        False,
        lambda w, text: account_services.sign_up(w.rt, "new@example.org", text, PASSWORD),
        lambda w: [u.display_name for u in people(w, "new@example.org")],
    ),
    "sign-up email": Field(
        "The email address",
        False,
        lambda w, text: account_services.sign_up(w.rt, text, "New Person", PASSWORD),
        emails_of_invited,
        ("new", "@example.net"),
    ),
    "invitation name": Field(
        "The name",
        False,
        lambda w, text: account_services.invite(w.rt, w.admin, "new@example.org", text),
        lambda w: [u.display_name for u in people(w, "new@example.org")],
    ),
    "invitation email": Field(
        "The email address",
        False,
        lambda w, text: account_services.invite(w.rt, w.admin, text, "New Person"),
        emails_of_invited,
        ("new", "@example.net"),
    ),
    "new cohort's name": Field(
        "The cohort name",
        False,
        lambda w, text: w.cohorts.create(w.facilitator, text, "America/Chicago"),
        cohort_names,
        ("Surgery ", " leads"),
    ),
    "cohort renamed": Field(
        "The cohort name",
        False,
        lambda w, text: w.cohorts.update(
            w.facilitator,
            w.cohort_id,
            name=text,
            time_zone="America/Chicago",
            inactive_after_days=14,
        ),
        renamed,
        ("Surgery ", " leads"),
    ),
    "reflection": Field(
        "Your reflection",
        True,
        lambda w, text: w.learning.save_reflection(w.learner, "sample", "think", text),
        reflections,
        ("I cut her off in rounds ", " and I will ask first next time"),
    ),
    "plan, when": Field(
        'The "When ..." part of your plan',
        True,
        lambda w, text: w.learning.save_commitment(
            w.learner, "sample", "plan", text, "ask one resident", IN_TWO_WEEKS
        ),
        lambda w: plans(w, "cue"),
        ("the huddle ", " ends"),
    ),
    "plan, I will": Field(
        'The "I will ..." part of your plan',
        True,
        lambda w, text: w.learning.save_commitment(
            w.learner, "sample", "plan", "rounds end", text, IN_TWO_WEEKS
        ),
        lambda w: plans(w, "action"),
        ("ask who ", " has not spoken"),
    ),
    "check-in note": Field(
        "Your note",
        True,
        lambda w, text: w.learning.check_in(w.learner, w.plan_id, "done", text),
        notes,
        ("It went ", " well"),
    ),
}


def typed(field: Field, piece: str) -> str:
    return field.around[0] + piece + field.around[1]


@pytest.mark.parametrize("kind", CONTROLS)
@pytest.mark.parametrize("name", FIELDS)
def test_a_control_character_is_refused_naming_the_field(
    world: World, name: str, kind: str
) -> None:
    field = FIELDS[name]
    before = field.stored(world)
    with pytest.raises(InvalidInput) as refused:
        field.store(world, typed(field, CONTROLS[kind]))
    code = f"U+{ord(CONTROLS[kind]):04X}"
    assert str(refused.value) == (
        f"{field.label} contains a control character ({code}) that cannot be stored. "
        "Remove it and try again."
    )
    assert field.stored(world) == before  # nothing half-stored, here or in any other table
    assert not [text for text in every_stored_text(world) if CONTROLS[kind] in text]
    field.store(world, typed(field, "-"))  # and the same field takes good text afterwards
    assert typed(field, "-").lower() in [s.lower() for s in field.stored(world)]


@pytest.mark.parametrize("kind", LINE_BREAKS)
@pytest.mark.parametrize("name", FIELDS)
def test_a_line_break_becomes_lf_or_is_refused_in_a_one_line_field(
    world: World, name: str, kind: str
) -> None:
    field = FIELDS[name]
    text = typed(field, LINE_BREAKS[kind])
    if field.multiline:
        field.store(world, text)
        assert typed(field, "\n") in field.stored(world)
        assert not any("\r" in s for s in field.stored(world))
        return
    before = field.stored(world)
    with pytest.raises(InvalidInput) as refused:
        field.store(world, text)
    assert str(refused.value) == (
        f"{field.label} has a line break, and it must fit on one line. "
        "Put it on one line and try again."
    )
    assert field.stored(world) == before
    assert not [text for text in every_stored_text(world) if "\r" in text or "\n" in text]


@pytest.mark.parametrize("kind", KEPT)
@pytest.mark.parametrize("name", FIELDS)
def test_direction_controls_and_right_to_left_names_are_stored_as_typed(
    world: World, name: str, kind: str
) -> None:
    field = FIELDS[name]
    text = typed(field, KEPT[kind])
    field.store(world, text)
    assert text.lower() in [s.lower() for s in field.stored(world)]


# The other entry points: a lookup by address or code, and the roster file.


@pytest.mark.parametrize("kind", CONTROLS)
def test_a_co_facilitator_address_or_a_join_code_with_a_control_character_is_refused(
    world: World, kind: str
) -> None:
    bad = CONTROLS[kind]
    code = re.escape(f"(U+{ord(bad):04X})")
    with pytest.raises(InvalidInput, match=rf"The email address contains .*{code}"):
        world.cohorts.add_facilitator(world.facilitator, world.cohort_id, f"fay{bad}@example.org")
    with pytest.raises(InvalidInput, match=rf"The join code contains .*{code}"):
        world.cohorts.join(world.learner, f"AB{bad}CD")
    with world.rt.sessions.begin() as session:
        assert cohort_repo.cohorts_of_learner(session, world.learner.user_id) == []


ROSTER_PIECES = {**CONTROLS, **LINE_BREAKS, **KEPT}


@pytest.mark.parametrize("kind", ROSTER_PIECES)
@pytest.mark.parametrize("column", ["email", "name"])
def test_a_roster_cell_with_junk_is_a_rejected_row_and_imports_nothing(
    world: World, kind: str, column: str
) -> None:
    piece = ROSTER_PIECES[kind]
    cells = {"email": "new.person@example.org", "name": "New Person"}
    cells[column] = cells[column].replace(".person" if column == "email" else " ", piece, 1)
    quoted = ",".join(f'"{cells[c]}"' for c in ("email", "name"))
    data = f"email,name\r\nsam@example.org,Sam Jones\r\n{quoted}\r\n".encode()
    rows = world.cohorts.preview_roster(world.facilitator, world.cohort_id, data)
    result = world.cohorts.import_roster(world.facilitator, world.cohort_id, data)
    added = {
        m.email: m.display_name for m in world.cohorts.members(world.facilitator, world.cohort_id)
    }
    assert rows[0].status == "add" and "sam@example.org" in added
    row = rows[1]
    if kind in CONTROLS:
        code = f"U+{ord(piece):04X}"
        assert (row.status, row.reason) == (
            "rejected",
            f"junk row: the {column} holds a control character ({code})",
        )
    elif column == "email" and kind in LINE_BREAKS:
        assert (row.status, row.reason) == ("rejected", "bad email: it has a space")
    elif column == "name" and kind in LINE_BREAKS:
        assert added[row.email] == "New Person"  # a line break in a cell is a space
    elif column == "email":  # a roster address is plain ASCII, like the addresses HR exports
        assert (row.status, row.reason[:10]) == ("rejected", "bad email:")
    else:
        assert row.status == "add" and added[row.email] == cells["name"]
    assert (row.email in added) == (row.status == "add")
    assert result.added == sum(r.status == "add" for r in rows)
