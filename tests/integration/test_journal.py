"""What the learner writes: reflections, commitments with check-ins, self-assessment."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from progress.errors import RecordNotFound
from progress.journal_repo import (
    check_in,
    commitments,
    reflections,
    save_commitment,
    save_reflection,
)
from progress.step_repo import StepRef
from progress.survey_repo import save_survey_answer, survey_answers

from .conftest import add_user

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
REFLECTION = StepRef("ally", "first-feedback", "your-turn")
PLAN = StepRef("ally", "first-feedback", "plan")
SURVEY = StepRef("ally", "self-assessment", "habits")


def test_a_reflection_is_kept_once_per_step_and_can_be_rewritten(
    session: Session, user_id: int
) -> None:
    save_reflection(session, user_id, REFLECTION, "First draft", "v1", now=NOW)
    later = NOW + timedelta(hours=1)
    save_reflection(session, user_id, REFLECTION, "Second thoughts", "v2", now=later)
    [reflection] = reflections(session, user_id, "ally")
    assert (reflection.text, reflection.content_version) == ("Second thoughts", "v2")
    assert (reflection.created_at, reflection.updated_at) == (NOW, later)


def test_reflections_are_the_learners_own(session: Session, user_id: int) -> None:
    other = add_user(session, "other@example.org")
    save_reflection(session, user_id, REFLECTION, "Mine", "v1")
    save_reflection(session, user_id, REFLECTION, "Preview text", "v1", is_preview=True)
    assert reflections(session, other, "ally") == []
    assert [r.text for r in reflections(session, user_id, "ally")] == ["Mine"]


def _plan(session: Session, user_id: int, action: str, target: date) -> int:
    saved = save_commitment(
        session,
        user_id,
        PLAN,
        cue="When rounds end",
        action=action,
        target_date=target,
        content_version="v1",
        now=NOW,
    )
    return saved.id


def test_a_commitment_is_updated_in_place_and_keeps_its_check_ins(
    session: Session, user_id: int
) -> None:
    first = _plan(session, user_id, "I will ask one resident for feedback", date(2026, 3, 15))
    check_in(session, user_id, first, "partly", "asked, no answer yet", now=NOW)
    second = _plan(session, user_id, "I will ask two residents", date(2026, 4, 1))
    [commitment] = commitments(session, user_id, "ally")
    assert second == first == commitment.id
    assert (commitment.action, commitment.target_date) == (
        "I will ask two residents",
        date(2026, 4, 1),
    )
    assert [c.outcome for c in commitment.check_ins] == ["partly"]


def test_one_check_in_per_day_the_last_answer_wins(session: Session, user_id: int) -> None:
    plan = _plan(session, user_id, "I will ask", date(2026, 3, 15))
    check_in(session, user_id, plan, "not_yet", now=NOW)
    check_in(session, user_id, plan, "partly", "", now=NOW + timedelta(hours=2))
    updated = check_in(session, user_id, plan, "done", "it worked", now=NOW + timedelta(days=3))
    outcomes = [(c.checked_on, c.outcome, c.note) for c in updated.check_ins]
    assert outcomes == [(date(2026, 3, 1), "partly", None), (date(2026, 3, 4), "done", "it worked")]


def test_check_ins_are_only_for_the_owner_and_known_outcomes(
    session: Session, user_id: int
) -> None:
    plan = _plan(session, user_id, "I will ask", date(2026, 3, 15))
    other = add_user(session, "other@example.org")
    with pytest.raises(RecordNotFound):
        check_in(session, other, plan, "done")
    with pytest.raises(IntegrityError):
        check_in(session, user_id, plan, "maybe")


def test_survey_answers_are_one_per_item_and_phase(session: Session, user_id: int) -> None:
    def answer(phase: str, item: str, value: int) -> None:
        save_survey_answer(
            session, user_id, SURVEY, phase=phase, item_id=item, value=value, content_version="v1"
        )

    answer("before", "listen", 2)
    answer("before", "listen", 3)
    answer("before", "credit", 1)
    answer("after", "listen", 5)
    before = survey_answers(session, user_id, "ally", "self-assessment", phase="before")
    assert {(a.item_id, a.value) for a in before} == {("listen", 3), ("credit", 1)}
    both = survey_answers(session, user_id, "ally", "self-assessment")
    assert sorted((a.phase, a.item_id, a.value) for a in both) == [
        ("after", "listen", 5),
        ("before", "credit", 1),
        ("before", "listen", 3),
    ]


def test_a_survey_phase_is_before_or_after(session: Session, user_id: int) -> None:
    with pytest.raises(IntegrityError):
        save_survey_answer(
            session, user_id, SURVEY, phase="during", item_id="x", value=1, content_version="v1"
        )
