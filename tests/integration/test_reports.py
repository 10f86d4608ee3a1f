"""Cohort reports: per-learner status, the published anonymous figures, one statement each.

The attacks on the anonymous figures (remove and compare, one more learner, playing on,
deleting accounts) are in test_figure_privacy.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from progress import report_repo, tally_repo
from progress.cohort_repo import add_member, create_cohort, remove_member
from progress.journal_repo import check_in, save_commitment, save_reflection
from progress.quiz_repo import start_quiz_attempt, submit_quiz_attempt
from progress.report_repo import FigureBasisRow, ModuleStatusRow
from progress.scenario_repo import finish_scenario_attempt, record_choice, start_scenario_attempt
from progress.step_repo import StepRef, mark_step_completed, mark_step_started
from progress.survey_repo import save_survey_answers

from .conftest import add_user, counted_statements

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
COURSE = "ally"
REQUIRED = {"m1": {"s1", "s2"}, "m2": {"s1"}, "unused": set[str]()}
STORY = StepRef(COURSE, "m1", "story")
CHECK = StepRef(COURSE, "m1", "check")
SURVEY = StepRef(COURSE, "self-assessment", "how-often")
ITEMS = ("i1", "i2")
MIN_GROUP = 3  # the smallest ALLY_MIN_GROUP: figures publish in steps of 3 learners here


def at(hours: int) -> datetime:
    return T0 + timedelta(hours=hours)


@dataclass(frozen=True)
class Cohort:
    id: int
    a1: int
    a2: int
    a3: int


def choose(
    session: Session,
    user: int,
    path: list[tuple[str, str]],
    *,
    preview: bool = False,
    when: datetime = T0,
    finish: bool = True,
) -> None:
    attempt = start_scenario_attempt(session, user, STORY, "v1", 1, is_preview=preview, now=when)
    for position, (node, choice) in enumerate(path):
        record_choice(
            session,
            user,
            attempt.id,
            position,
            node_id=node,
            choice_id=choice,
            quality="best",
            now=when,
        )
    if finish:
        finish_scenario_attempt(session, user, attempt.id, "end", 1.0, now=when)


def answer_quiz(
    session: Session,
    user: int,
    answers: dict[str, list[str]],
    score: float,
    *,
    step: StepRef = CHECK,
    preview: bool = False,
    when: datetime = T0,
) -> None:
    attempt = start_quiz_attempt(session, user, step, "v1", 1, is_preview=preview, now=when)
    submit_quiz_attempt(
        session, user, attempt.id, answers, score=score, passed=score >= 0.8, now=when
    )


def commit(
    session: Session, user: int, module: str, outcomes: list[str], *, preview: bool = False
) -> None:
    step = StepRef(COURSE, module, "plan")
    commitment = save_commitment(
        session,
        user,
        step,
        cue="When",
        action="I will",
        target_date=date(2026, 4, 1),
        content_version="v1",
        is_preview=preview,
        now=T0,
    )
    for day, outcome in enumerate(outcomes, start=1):
        check_in(session, user, commitment.id, outcome, now=T0 + timedelta(days=day))


def rate(
    session: Session, user: int, phase: str, ratings: dict[str, int], *, preview: bool = False
) -> None:
    save_survey_answers(
        session,
        user,
        SURVEY,
        phase=phase,
        answers=ratings,
        items=ITEMS,
        content_version="v1",
        is_preview=preview,
        now=T0,
    )


@pytest.fixture
def cohort(session: Session) -> Cohort:
    """Three members and one who played, then left; an outsider and previews add noise.

    The figures are published (three learners or more each) unless a test says otherwise.
    """
    owner = add_user(session, "owner@example.org")
    mine = create_cohort(session, course_id=COURSE, name="A", time_zone="UTC", owner_id=owner)
    other = create_cohort(session, course_id=COURSE, name="B", time_zone="UTC", owner_id=owner)
    a1, a2, a3, gone, outsider = (
        add_user(session, f"{name}@example.org") for name in ("a1", "a2", "a3", "gone", "out")
    )
    for user in (a1, a2, a3, gone):
        add_member(session, mine.id, user)
    add_member(session, other.id, outsider)
    fill_steps(session, a1, a2, noise=(outsider,))
    fill_scenarios(session, a1, a2, a3, gone, outsider)
    fill_quizzes(session, a1, a2, a3, gone, outsider)
    fill_journal(session, a1, a2, a3, gone, outsider)
    remove_member(session, mine.id, gone)  # after he played: his values stay in the figures
    mark_step_completed(session, gone, StepRef(COURSE, "m1", "s1"), "v1", now=at(50))
    tally_repo.publish_ready(session, mine.id, MIN_GROUP, now=at(100))
    return Cohort(mine.id, a1, a2, a3)


def fill_steps(session: Session, a1: int, a2: int, noise: tuple[int, ...]) -> None:
    mark_step_started(session, a1, StepRef(COURSE, "m1", "s1"), "v1", now=at(0))
    mark_step_completed(session, a1, StepRef(COURSE, "m1", "s1"), "v1", now=at(1))
    mark_step_completed(session, a1, StepRef(COURSE, "m1", "s2"), "v1", now=at(3))
    mark_step_completed(session, a1, StepRef(COURSE, "m1", "extra"), "v1", now=at(4))
    mark_step_completed(session, a1, StepRef(COURSE, "m2", "s1"), "v1", is_preview=True, now=at(30))
    mark_step_started(session, a2, StepRef(COURSE, "m1", "s1"), "v1", now=at(2))
    mark_step_completed(session, a2, StepRef("other-course", "m1", "s1"), "v1", now=at(40))
    for user in noise:
        mark_step_completed(session, user, StepRef(COURSE, "m1", "s1"), "v1", now=at(50))


def fill_scenarios(session: Session, a1: int, a2: int, a3: int, gone: int, outsider: int) -> None:
    choose(session, a1, [("n1", "c7")], when=at(1), finish=False)  # abandoned: not counted
    choose(session, a1, [("n1", "c1"), ("n2", "c2")], when=at(1))  # his first finished one
    choose(session, a1, [("n1", "c3")], when=at(2))
    choose(session, a1, [("n1", "c9")], preview=True, when=at(31))
    choose(session, a2, [("n1", "c3")], when=at(5))
    choose(session, a3, [("n1", "c1")], when=at(1))
    choose(session, gone, [("n1", "c5")], when=at(6))
    choose(session, outsider, [("n1", "c1")], when=at(50))


def fill_quizzes(session: Session, a1: int, a2: int, a3: int, gone: int, outsider: int) -> None:
    answer_quiz(session, a1, {"q1": ["a"]}, 0.5, when=at(1))
    answer_quiz(session, a1, {"q1": ["b"]}, 1.0, when=at(2))
    start_quiz_attempt(session, a2, CHECK, "v1", 1, now=at(1))
    answer_quiz(session, a2, {"q1": ["b"], "q2": ["y", "x"]}, 0.8, when=at(2))
    answer_quiz(session, a3, {"q1": ["a"]}, 1.0, step=StepRef(COURSE, "m2", "q"), preview=True)
    answer_quiz(session, a3, {"q1": ["a"]}, 0.25, step=StepRef(COURSE, "m2", "q"), when=at(6))
    answer_quiz(session, gone, {"q1": ["z"]}, 0.0, when=at(7))
    answer_quiz(session, outsider, {"q1": ["z"]}, 1.0, when=at(50))


def fill_journal(session: Session, a1: int, a2: int, a3: int, gone: int, outsider: int) -> None:
    commit(session, a1, "m1", ["not_yet", "done"])  # first check-in: not yet; the last at day 2
    commit(session, a2, "m1", ["done"])
    commit(session, gone, "m1", ["done"])
    commit(session, a3, "m2", ["partly"])  # one learner alone: never published
    commit(session, a1, "m2", ["done"], preview=True)
    save_reflection(session, a2, StepRef(COURSE, "m1", "r"), "private", "v1", now=at(500))
    rate(session, a1, "before", {"i1": 2, "i2": 1})
    rate(session, a1, "after", {"i1": 4, "i2": 2})
    rate(session, a2, "before", {"i1": 3, "i2": 2})
    rate(session, a2, "after", {"i1": 5, "i2": 3})
    rate(session, gone, "before", {"i1": 4, "i2": 3})
    rate(session, gone, "after", {"i1": 3, "i2": 1})
    rate(session, a3, "before", {"i1": 1, "i2": 1})
    rate(session, a3, "after", {"i1": 5})  # not every statement: not counted
    rate(session, a3, "after", {"i1": 5, "i2": 5}, preview=True)
    commit(session, outsider, "m1", ["done"])
    rate(session, outsider, "before", {"i1": 5, "i2": 5})
    rate(session, outsider, "after", {"i1": 1, "i2": 1})


def test_module_status_counts_required_completed_steps(session: Session, cohort: Cohort) -> None:
    assert report_repo.module_status(session, cohort.id, COURSE, REQUIRED) == [
        ModuleStatusRow(cohort.a1, "m1", at(0), 2, at(3)),
        ModuleStatusRow(cohort.a2, "m1", at(2), 0, None),
    ]


def test_module_status_with_nothing_required(session: Session, cohort: Cohort) -> None:
    rows = report_repo.module_status(session, cohort.id, COURSE, {})
    assert [(r.user_id, r.completed_steps, r.last_completed_at) for r in rows] == [
        (cohort.a1, 0, None),
        (cohort.a2, 0, None),
    ]


def test_last_activity_is_the_latest_of_every_kind(session: Session, cohort: Cohort) -> None:
    assert report_repo.last_activity(session, cohort.id, COURSE) == {
        cohort.a1: T0 + timedelta(days=2),  # a check-in; previews and reflections never count
        cohort.a2: T0 + timedelta(days=1),  # a check-in, after his choice at hour 5
        cohort.a3: T0 + timedelta(days=1),  # a check-in, after the quiz at hour 6
    }


def test_best_quiz_scores(session: Session, cohort: Cohort) -> None:
    assert report_repo.best_quiz_scores(session, cohort.id, COURSE) == {
        (cohort.a1, "m1"): 1.0,
        (cohort.a2, "m1"): 0.8,
        (cohort.a3, "m2"): 0.25,
    }


def test_first_choice_counts_use_each_learners_first_finished_attempt(
    session: Session, cohort: Cohort
) -> None:
    """Removed after playing, 'gone' still counts ('c5'): taking him out would name him."""
    assert report_repo.first_choice_counts(session, cohort.id, COURSE, "m1") == [
        ("story", "n1", "c1", 2),
        ("story", "n1", "c3", 1),
        ("story", "n1", "c5", 1),
        ("story", "n2", "c2", 1),
    ]
    assert report_repo.first_choice_counts(session, cohort.id, COURSE, "m2") == []


def test_first_quiz_answer_counts_use_the_first_submitted_attempt(
    session: Session, cohort: Cohort
) -> None:
    assert report_repo.first_quiz_answer_counts(session, cohort.id, COURSE, "m1") == [
        ("check", "q1", ("a",), 1),
        ("check", "q1", ("b",), 1),
        ("check", "q1", ("z",), 1),
        ("check", "q2", ("x", "y"), 1),
    ]
    # One learner's first attempt of m2's quiz waits, unpublished, for two more.
    assert report_repo.first_quiz_answer_counts(session, cohort.id, COURSE, "m2") == []


def test_commitment_outcomes_by_first_check_in(session: Session, cohort: Cohort) -> None:
    expected = {"done": 2, "partly": 0, "not_yet": 1}  # m2's one check-in is not published
    assert report_repo.commitment_outcomes(session, cohort.id, COURSE) == expected
    assert report_repo.commitment_outcomes(session, cohort.id, COURSE, "m1") == expected
    assert set(report_repo.commitment_outcomes(session, cohort.id, COURSE, "m2").values()) == {0}


def test_self_assessment_means_over_learners_who_answered_both_in_full(
    session: Session, cohort: Cohort
) -> None:
    assert report_repo.self_assessment_means(session, cohort.id, COURSE, "self-assessment") == [
        ("i1", 3, pytest.approx(3.0), pytest.approx(4.0)),
        ("i2", 3, pytest.approx(2.0), pytest.approx(2.0)),
    ]


def test_each_published_figure_says_over_how_many_learners_and_as_of_when(
    session: Session, cohort: Cohort
) -> None:
    assert report_repo.figure_bases(session, cohort.id, COURSE, "m1") == [
        FigureBasisRow("commitment", "plan", 3, at(100)),
        FigureBasisRow("quiz", "check", 3, at(100)),
        FigureBasisRow("scenario", "story", 4, at(100)),
    ]
    assert report_repo.figure_bases(session, cohort.id, COURSE, "m2") == []
    survey = report_repo.figure_bases(session, cohort.id, COURSE, "self-assessment")
    assert survey == [FigureBasisRow("self_assessment", "how-often", 3, at(100))]


def test_an_empty_cohort_reports_nothing(session: Session, cohort: Cohort) -> None:
    empty = create_cohort(session, course_id=COURSE, name="E", time_zone="UTC", owner_id=1)
    assert report_repo.module_status(session, empty.id, COURSE, REQUIRED) == []
    assert report_repo.last_activity(session, empty.id, COURSE) == {}
    assert report_repo.best_quiz_scores(session, empty.id, COURSE) == {}
    assert report_repo.first_choice_counts(session, empty.id, COURSE, "m1") == []
    assert report_repo.first_quiz_answer_counts(session, empty.id, COURSE, "m1") == []
    assert set(report_repo.commitment_outcomes(session, empty.id, COURSE).values()) == {0}
    assert report_repo.self_assessment_means(session, empty.id, COURSE, "self-assessment") == []
    assert report_repo.figure_bases(session, empty.id, COURSE, "m1") == []


REPORTS: dict[str, Callable[[Session, int], Any]] = {
    "module_status": lambda s, c: report_repo.module_status(s, c, COURSE, REQUIRED),
    "last_activity": lambda s, c: report_repo.last_activity(s, c, COURSE),
    "best_quiz_scores": lambda s, c: report_repo.best_quiz_scores(s, c, COURSE),
    "first_choice_counts": lambda s, c: report_repo.first_choice_counts(s, c, COURSE, "m1"),
    "first_quiz_answer_counts": lambda s, c: report_repo.first_quiz_answer_counts(
        s, c, COURSE, "m1"
    ),
    "commitment_outcomes": lambda s, c: report_repo.commitment_outcomes(s, c, COURSE),
    "self_assessment_means": lambda s, c: report_repo.self_assessment_means(
        s, c, COURSE, "self-assessment"
    ),
    "figure_bases": lambda s, c: report_repo.figure_bases(s, c, COURSE, "m1"),
}


def cohort_of(session: Session, learners: int) -> int:
    """A cohort whose every learner has a record of each kind the reports read."""
    owner = add_user(session, f"owner{learners}@example.org")
    cohort = create_cohort(
        session, course_id=COURSE, name=f"{learners}", time_zone="UTC", owner_id=owner
    )
    for n in range(learners):
        user = add_user(session, f"l{learners}-{n}@example.org")
        add_member(session, cohort.id, user)
        mark_step_completed(session, user, StepRef(COURSE, "m1", "s1"), "v1", now=at(n))
        choose(session, user, [("n1", f"c{n % 3}")], when=at(n))
        answer_quiz(session, user, {"q1": [f"o{n % 2}"]}, 1.0, when=at(n))
        commit(session, user, "m1", ["done"] if n % 2 else ["partly"])
        rate(session, user, "before", {"i1": 2, "i2": 3})
        rate(session, user, "after", {"i1": 4, "i2": 3})
    tally_repo.publish_ready(session, cohort.id, MIN_GROUP)
    return cohort.id


@pytest.mark.parametrize("report", sorted(REPORTS))
def test_a_report_runs_one_statement_whatever_the_cohort_size(
    engine: Engine, session: Session, report: str
) -> None:
    small, large = cohort_of(session, 5), cohort_of(session, 25)
    session.flush()
    counts = []
    for cohort_id, learners in ((small, 5), (large, 25)):
        with counted_statements(engine) as sent:
            result = REPORTS[report](session, cohort_id)
        assert result, f"{report} found nothing for {learners} learners"
        counts.append(len(sent))
    assert counts == [1, 1]
