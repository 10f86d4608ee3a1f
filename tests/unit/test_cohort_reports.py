"""The dashboard, the debrief and reminders, built from plain records of a small cohort."""

from __future__ import annotations

import dataclasses
import inspect
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any, get_args, get_origin, get_type_hints
from zoneinfo import ZoneInfo

import pytest

from modules.cohorts.cohort import CohortError, CohortSettings
from modules.cohorts.debrief import basis_note
from modules.cohorts.privacy import Guarded, ThresholdError, check_threshold, guard, withheld
from modules.cohorts.records import (
    NO_BASIS,
    Assignment,
    Basis,
    FirstChoiceCount,
    FirstQuizAnswerCount,
    Member,
    ModuleProgress,
    SelfAssessmentMean,
)
from modules.cohorts.reports import (
    Dashboard,
    Debrief,
    LearnerRow,
    Status,
    build_dashboard,
    build_debrief,
    reminders,
    required_steps,
)
from modules.course.models import CourseContent, Decision, Module, Scenario

NOW = datetime(2025, 3, 15, 12, 0, tzinfo=UTC)
JOINED = NOW - timedelta(days=30)
REQUIRED = 5  # the sample module's required steps
SAM = Member(1, "sam@hospital.org", "Sam Jones", JOINED)
ANA = Member(2, "ana@hospital.org", "Ana Diaz", JOINED)


def settings(time_zone: str = "UTC", days: int = 14, min_group: int = 5) -> CohortSettings:
    return CohortSettings("Spring leaders", time_zone, days, min_group)


def progress(
    user_id: int = 1, steps: int = REQUIRED, done: datetime | None = NOW, module: str = "sample"
) -> ModuleProgress:
    return ModuleProgress(user_id, module, NOW - timedelta(days=20), steps, done)


def dashboard(
    content: CourseContent,
    *,
    cohort: CohortSettings | None = None,
    members: Sequence[Member] = (SAM,),
    rows: Sequence[ModuleProgress] = (),
    assignments: Sequence[Assignment] = (),
    last_activity: Mapping[int, datetime] | None = None,
    means: Sequence[SelfAssessmentMean] = (),
    now: datetime = NOW,
    basis: Basis = NO_BASIS,
) -> Dashboard:
    return build_dashboard(
        cohort or settings(),
        content,
        members=members,
        progress=rows,
        assignments=assignments,
        last_activity=last_activity if last_activity is not None else {},
        self_assessment=means,
        now=now,
        self_assessment_basis=basis,
    )


# Privacy and settings


@pytest.mark.parametrize(
    ("count", "threshold", "hidden"),
    [(4, 5, True), (5, 5, False), (6, 5, False), (0, 5, True), (2, 3, True), (3, 3, False)],
)
def test_withheld_below_the_threshold(count: int, threshold: int, hidden: bool) -> None:
    assert withheld(count, threshold) is hidden
    shown = guard(count, threshold, lambda: "value")
    assert (shown.withheld, shown.value) == (hidden, None if hidden else "value")
    assert bool(shown.notice) is hidden


@pytest.mark.parametrize("value", [2, 0, -5, True, 4.5, "5"])
def test_threshold_never_below_the_floor(value: Any) -> None:
    with pytest.raises(ThresholdError):
        check_threshold(value)


def test_withheld_aggregate_is_never_computed() -> None:
    def explode() -> str:
        raise AssertionError("computed over too few learners")

    assert guard(4, 5, explode) == Guarded(4, 5, None)


@pytest.mark.parametrize(
    ("name", "time_zone", "days", "min_group", "gist"),
    [
        ("", "UTC", 14, 5, "needs a name"),
        ("x" * 121, "UTC", 14, 5, "at most 120"),
        ("Spring", "Mars/Olympus", 14, 5, "not a known time zone"),
        ("Spring", "", 14, 5, "not a known time zone"),
        ("Spring", "UTC", 0, 5, "Inactive after"),
        ("Spring", "UTC", 366, 5, "Inactive after"),
        ("Spring", "UTC", 14, 2, "at least 3"),
    ],
)
def test_invalid_cohort_settings(
    name: str, time_zone: str, days: int, min_group: int, gist: str
) -> None:
    with pytest.raises(ValueError, match=gist) as raised:
        CohortSettings(name, time_zone, days, min_group)
    assert isinstance(raised.value, CohortError | ThresholdError)


# Dashboard: the status matrix


@pytest.mark.parametrize(
    ("row", "status", "completed_at"),
    [
        (None, Status.NOT_STARTED, None),
        (progress(steps=0, done=None), Status.IN_PROGRESS, None),
        (progress(steps=REQUIRED - 1), Status.IN_PROGRESS, None),
        (progress(steps=REQUIRED), Status.COMPLETED, NOW),
        (progress(module="retired-module"), Status.NOT_STARTED, None),
        (progress(user_id=99), Status.NOT_STARTED, None),
    ],
)
def test_status_matrix(
    content: CourseContent, row: ModuleProgress | None, status: Status, completed_at: Any
) -> None:
    board = dashboard(content, rows=[row] if row else [])
    (learner,) = board.learners
    (cell,) = learner.cells
    assert (cell.module_id, cell.status, cell.completed_at) == ("sample", status, completed_at)
    assert [m.module_id for m in board.modules] == ["sample"]  # the self-assessment is not listed


DUE = date(2025, 3, 14)


@pytest.mark.parametrize(
    ("time_zone", "now", "steps", "overdue"),
    [
        ("UTC", datetime(2025, 3, 14, 23, 59, 59, tzinfo=UTC), 0, False),
        ("UTC", datetime(2025, 3, 15, 0, 0, 0, tzinfo=UTC), 0, True),
        ("America/New_York", datetime(2025, 3, 15, 3, 30, tzinfo=UTC), 0, False),  # 23:30 on 14th
        ("America/New_York", datetime(2025, 3, 15, 4, 30, tzinfo=UTC), 0, True),  # 00:30 on 15th
        ("Pacific/Auckland", datetime(2025, 3, 14, 10, 30, tzinfo=UTC), 0, False),  # 23:30 on 14th
        ("Pacific/Auckland", datetime(2025, 3, 14, 11, 30, tzinfo=UTC), 0, True),  # 00:30 on 15th
        ("UTC", datetime(2025, 3, 20, tzinfo=UTC), REQUIRED, False),  # completed, even if late
        ("UTC", datetime(2025, 3, 20, tzinfo=UTC), 2, True),  # started is not done
        ("UTC", datetime(2025, 3, 15, 6, tzinfo=None), 0, True),  # naive means UTC
    ],
)
def test_overdue_by_the_cohort_time_zone(
    content: CourseContent, time_zone: str, now: datetime, steps: int, overdue: bool
) -> None:
    rows = [progress(steps=steps)] if steps else []
    board = dashboard(
        content,
        cohort=settings(time_zone),
        rows=rows,
        assignments=[Assignment("sample", DUE)],
        last_activity={1: NOW},
        now=now,
    )
    (learner,) = board.learners
    assert learner.cells[0].overdue is overdue
    assert board.totals.overdue_learners == int(overdue)
    assert board.modules[0].due_date == DUE


def test_unassigned_module_is_never_overdue(content: CourseContent) -> None:
    board = dashboard(content, now=NOW + timedelta(days=400))
    assert not board.learners[0].overdue


@pytest.mark.parametrize(
    ("last", "joined", "days", "inactive"),
    [
        (NOW - timedelta(days=13, hours=23), JOINED, 14, False),
        (NOW - timedelta(days=14), JOINED, 14, True),
        (None, NOW - timedelta(days=3), 14, False),  # new to the cohort, not idle
        (None, NOW - timedelta(days=20), 14, True),
        (NOW - timedelta(days=8), JOINED, 7, True),
    ],
)
def test_inactive_after_the_cohort_setting(
    content: CourseContent, last: datetime | None, joined: datetime, days: int, inactive: bool
) -> None:
    member = dataclasses.replace(SAM, joined_at=joined)
    activity = {1: last} if last else {}
    board = dashboard(content, cohort=settings(days=days), members=[member], last_activity=activity)
    assert (board.learners[0].inactive, board.learners[0].last_activity) == (inactive, last)
    assert board.totals.inactive_learners == int(inactive)


@pytest.mark.parametrize(
    ("time_zone", "done", "now", "weeks"),
    [
        (
            "UTC",
            [datetime(2025, 3, 3, 9, tzinfo=UTC), datetime(2025, 3, 5, 9, tzinfo=UTC)],
            NOW,
            [("2025-W10", 2, 2), ("2025-W11", 0, 2)],
        ),
        (
            "UTC",
            [datetime(2024, 12, 30, 9, tzinfo=UTC), datetime(2025, 1, 14, 9, tzinfo=UTC)],
            datetime(2025, 1, 14, 10, tzinfo=UTC),
            [("2025-W01", 1, 1), ("2025-W02", 0, 1), ("2025-W03", 1, 2)],
        ),
        (  # Monday 02:00 UTC is still Sunday evening in New York
            "America/New_York",
            [datetime(2025, 3, 17, 2, tzinfo=UTC)],
            datetime(2025, 3, 17, 3, tzinfo=UTC),
            [("2025-W11", 1, 1)],
        ),
        ("UTC", [], NOW, []),
    ],
)
def test_completions_per_iso_week(
    content: CourseContent,
    time_zone: str,
    done: list[datetime],
    now: datetime,
    weeks: list[tuple[str, int, int]],
) -> None:
    members = [Member(i, f"p{i}@h.org", f"P {i}", JOINED) for i in range(len(done))]
    rows = [progress(user_id=i, done=when) for i, when in enumerate(done)]
    board = dashboard(content, cohort=settings(time_zone), members=members, rows=rows, now=now)
    assert [(w.week, w.completed, w.cumulative) for w in board.completions] == weeks
    assert all(w.starts.weekday() == 0 for w in board.completions)


@pytest.mark.parametrize(
    ("learners", "min_group", "shown"), [(4, 5, False), (5, 5, True), (2, 3, False), (3, 3, True)]
)
def test_self_assessment_change_withheld_under_the_threshold(
    content: CourseContent, learners: int, min_group: int, shown: bool
) -> None:
    means = [SelfAssessmentMean("ask", learners, 2.5, 3.75)]
    board = dashboard(content, cohort=settings(min_group=min_group), means=means)
    ask, credit = board.self_assessment
    assert (ask.item_id, ask.text) == ("ask", "I ask for feedback.")
    assert (ask.means.learners, ask.means.withheld) == (learners, not shown)
    if shown:
        assert ask.means.value is not None and ask.means.value.change == pytest.approx(1.25)
    assert credit.means == Guarded(0, min_group, None)  # nobody answered both phases


def test_the_self_assessment_says_over_how_many_and_as_of_when(content: CourseContent) -> None:
    basis = Basis(7, NOW - timedelta(days=1))
    board = dashboard(content, means=[SelfAssessmentMean("ask", 7, 2.0, 3.0)], basis=basis)
    assert board.self_assessment_basis == basis
    assert dashboard(content).self_assessment_basis == Basis(0, None)


def test_required_steps_match_the_status_rule(content: CourseContent) -> None:
    assert required_steps(content) == {"sample": {"why", "rounds", "check", "think", "plan"}}


def test_learners_by_name_and_totals(content: CourseContent) -> None:
    board = dashboard(content, members=[SAM, ANA], rows=[progress(user_id=1)])
    assert [r.name for r in board.learners] == ["Ana Diaz", "Sam Jones"]
    totals = board.totals
    assert (totals.learners, totals.modules, totals.completed, totals.finished_course) == (
        2,
        1,
        1,
        1,
    )
    assert totals.completion_share == 0.5
    assert (board.modules[0].completed, board.modules[0].in_progress) == (1, 0)


# Debrief


def counts(*rows: tuple[str, str, int]) -> list[FirstChoiceCount]:
    return [FirstChoiceCount("rounds", node, choice, n) for node, choice, n in rows]


AS_OF = datetime(2025, 3, 10, 14, 5, tzinfo=UTC)


def debrief(
    content: CourseContent,
    module: Module | None = None,
    *,
    choices: Sequence[FirstChoiceCount] = (),
    answers: Sequence[FirstQuizAnswerCount] = (),
    outcomes: Mapping[str, int] | None = None,
    bases: Mapping[str, Basis] | None = None,
    threshold: int = 5,
) -> Debrief:
    return build_debrief(
        content.course,
        module or content.modules["sample"],
        first_choices=choices,
        first_quiz_answers=answers,
        commitment_outcomes=outcomes or {},
        bases=bases or {},
        threshold=threshold,
    )


FIRST = counts(("first", "thank", 3), ("first", "explain", 1), ("first", "later", 1))


def test_spread_of_first_choices_in_written_order(content: CourseContent) -> None:
    (scenario,) = debrief(content, choices=FIRST).scenarios
    assert [d.node_id for d in scenario.decisions] == ["first", "retry", "second", "third"]
    spread = scenario.decisions[0].choices.value
    assert spread is not None
    assert [(c.choice_id, c.quality, c.learners, c.share) for c in spread] == [
        ("thank", "best", 3, 0.6),
        ("explain", "poor", 1, 0.2),
        ("later", "okay", 1, 0.2),
    ]
    assert spread[0].text == "Thank her and ask for an example."


@pytest.mark.parametrize(
    ("learners", "threshold", "shown"), [(4, 5, False), (5, 5, True), (2, 3, False), (3, 3, True)]
)
def test_decision_withheld_at_the_boundary(
    content: CourseContent, learners: int, threshold: int, shown: bool
) -> None:
    choices = counts(("second", "plan", learners - 1), ("second", "vague", 1))
    (scenario,) = debrief(content, choices=choices, threshold=threshold).scenarios
    second = scenario.decisions[2].choices
    assert (second.learners, second.withheld) == (learners, not shown)


def test_counts_of_choices_no_longer_written_are_left_out(content: CourseContent) -> None:
    choices = [*FIRST, *counts(("first", "removed", 7), ("gone-node", "x", 9))]
    choices.append(FirstChoiceCount("other-step", "first", "thank", 50))
    (scenario,) = debrief(content, choices=choices).scenarios
    assert scenario.decisions[0].choices.learners == 5


def tag_retry(module: Module) -> Module:
    """The sample module with the 'ignore' choice at 'retry' also tagged 'not-my-place'."""
    scenario = module.step("rounds")
    assert isinstance(scenario, Scenario)
    nodes = tuple(
        dataclasses.replace(
            node,
            choices=tuple(
                dataclasses.replace(c, misconception="not-my-place") if c.id == "ignore" else c
                for c in node.choices
            ),
        )
        if isinstance(node, Decision) and node.id == "retry"
        else node
        for node in scenario.nodes
    )
    steps = tuple(
        dataclasses.replace(scenario, nodes=nodes) if s.id == "rounds" else s for s in module.steps
    )
    return dataclasses.replace(module, steps=steps)


@pytest.mark.parametrize(
    ("retry", "times"),
    [
        # 'explain' at the shown first decision, plus 'ignore' at 'retry' only when shown
        (counts(("retry", "ignore", 1), ("retry", "reopen", 1)), 1),
        (counts(("retry", "ignore", 3), ("retry", "reopen", 2)), 4),
    ],
)
def test_misconceptions_summed_over_shown_decisions(
    content: CourseContent, retry: list[FirstChoiceCount], times: int
) -> None:
    """A withheld decision adds nothing, so its spread cannot be found by subtraction."""
    result = debrief(content, tag_retry(content.modules["sample"]), choices=[*FIRST, *retry])
    assert result.misconceptions.value is not None
    (only,) = result.misconceptions.value
    assert (only.misconception_id, only.name, only.times) == ("not-my-place", "Not my place", times)


def test_misconceptions_withheld_when_few_played(content: CourseContent) -> None:
    few = counts(("first", "explain", 4))
    assert debrief(content, choices=few).misconceptions == Guarded(4, 5, None)


def test_module_without_tagged_choices_has_no_misconceptions(
    content: CourseContent,
) -> None:
    survey = content.modules["survey"]
    result = debrief(content, survey)
    assert (result.scenarios, result.quizzes, result.misconceptions.value) == ((), (), ())


Attempt = dict[str, tuple[str, ...]]  # question id -> the options one learner selected


def answers(q1: tuple[str, ...], q2: tuple[str, ...]) -> Attempt:
    return {"q1": q1, "q2": q2}


def quiz_debrief(content: CourseContent, attempts: Sequence[Attempt]) -> Any:
    """The quiz's debrief from first attempts, as the tallies hold them: counts per answer."""
    counts = Counter((q, selected) for a in attempts for q, selected in a.items())
    rows = [FirstQuizAnswerCount("check", q, sel, n) for (q, sel), n in counts.items()]
    bases = {"check": Basis(len(attempts), AS_OF)}
    (quiz,) = debrief(content, answers=rows, bases=bases).quizzes
    return quiz


RIGHT, WRONG = (("a",), ("a", "c")), (("b",), ("a",))


@pytest.mark.parametrize(
    ("attempts", "order", "withheld_"),
    [
        (
            [answers(RIGHT[0], WRONG[1])] * 4 + [answers(WRONG[0], RIGHT[1])],
            [("q2", 1, 0.2), ("q1", 4, 0.8)],
            False,
        ),
        ([answers(*RIGHT)] * 5, [("q1", 5, 1.0), ("q2", 5, 1.0)], False),  # ties: written order
        ([answers(*RIGHT)] * 4, [], True),
        (  # a question no longer in the quiz is left out; the learner's others still count
            [answers(*RIGHT)] * 4 + [{"q9": ("a",)}],
            [("q1", 4, 0.8), ("q2", 4, 0.8)],
            False,
        ),
        ([answers(*RIGHT)] * 4 + [{}], [("q1", 4, 0.8)], False),  # unanswered: not right
        (  # an option no longer written cannot be the right answer
            [answers(*RIGHT)] * 4 + [answers(("gone",), RIGHT[1])],
            [("q1", 4, 0.8), ("q2", 5, 1.0)],
            False,
        ),
    ],
)
def test_quiz_questions_by_difficulty(
    content: CourseContent,
    attempts: list[Attempt],
    order: list[tuple[str, int, float]],
    withheld_: bool,
) -> None:
    quiz = quiz_debrief(content, attempts)
    assert quiz.questions.withheld is withheld_
    found = [(q.question_id, q.right, q.share_right) for q in quiz.questions.value or ()]
    assert found[: len(order)] == order


@pytest.mark.parametrize(
    ("outcomes", "shown"),
    [
        ({"done": 2, "partly": 1, "not_yet": 1}, None),
        (
            {"done": 2, "partly": 2, "not_yet": 1},
            [("done", 2), ("partly", 2), ("not_yet", 1)],
        ),
        ({"no_check_in": 5}, None),  # commitments count once checked in, not before
    ],
)
def test_commitments_only_as_counts_of_first_check_ins(
    content: CourseContent, outcomes: dict[str, int], shown: list[tuple[str, int]] | None
) -> None:
    result = debrief(content, outcomes=outcomes).commitments
    value = None if result.value is None else [(o.outcome, o.commitments) for o in result.value]
    assert value == shown


def test_each_figure_says_over_how_many_learners_and_as_of_when(
    content: CourseContent,
) -> None:
    later = AS_OF + timedelta(days=2)
    bases = {"rounds": Basis(5, AS_OF), "check": Basis(6, later), "plan": Basis(7, AS_OF)}
    result = debrief(content, choices=FIRST, bases=bases)
    assert [s.basis for s in result.scenarios] == [Basis(5, AS_OF)]
    assert [q.basis for q in result.quizzes] == [Basis(6, later)]
    assert result.misconceptions_basis == Basis(5, AS_OF)
    assert result.commitments_basis == Basis(7, AS_OF)
    nothing = debrief(content)
    assert nothing.scenarios[0].basis == nothing.commitments_basis == Basis(0, None)


@pytest.mark.parametrize(
    ("basis", "zone", "note"),
    [
        (Basis(0, None), "UTC", "Shown once 5 learners have finished it."),
        (Basis(4, AS_OF), "UTC", "Shown once 5 learners have finished it."),  # too few to show
        (
            Basis(12, AS_OF),
            "America/Chicago",
            "Over 12 learners, as of 10 March 2025, 09:05 CDT. Updated once 5 more have finished.",
        ),
        (Basis(5, AS_OF), "Pacific/Auckland", "Over 5 learners, as of 11 March 2025, 03:05 NZDT."),
    ],
)
def test_a_figures_basis_in_words(basis: Basis, zone: str, note: str) -> None:
    assert basis_note(basis, 5, ZoneInfo(zone)).startswith(note)


def test_facilitator_notes_and_no_reflection_step(content: CourseContent) -> None:
    result = debrief(content)
    assert result.facilitator_notes == "Ask the group what made the resident speak up.\n"
    steps = {s.step_id for s in result.scenarios} | {q.step_id for q in result.quizzes}
    assert steps == {"rounds", "check"}  # not 'think', the reflection


# What a report can carry at all


def report_fields(cls: type[Any], seen: set[type[Any]] | None = None) -> dict[str, set[Any]]:
    """'Class.field' -> the types it may hold, for every field reachable from dataclass `cls`."""
    seen = seen if seen is not None else set()
    if cls in seen:
        return {}
    seen.add(cls)
    found: dict[str, set[Any]] = {}
    for name, hint in get_type_hints(cls).items():
        found[f"{cls.__name__}.{name}"] = set(leaves(hint))
        for leaf in leaves(hint):
            if dataclasses.is_dataclass(leaf) and isinstance(leaf, type):
                found |= report_fields(leaf, seen)
    return found


def string_fields(cls: type[Any]) -> set[str]:
    return {name for name, kinds in report_fields(cls).items() if str in kinds}


def leaves(hint: Any) -> list[Any]:
    """The types inside `hint`: X | None, tuple[X, ...], Guarded[X] (with Guarded itself)."""
    origin = get_origin(hint)
    if origin is None:
        return [hint]
    parts = [origin] if dataclasses.is_dataclass(origin) else []
    return parts + [leaf for arg in get_args(hint) if arg is not Ellipsis for leaf in leaves(arg)]


# Every text a report can hold, and where it comes from. A new text field must be added here
# after checking it cannot carry a reflection or tie a learner to an answer.
DASHBOARD_TEXT = {
    "Dashboard.cohort_name",  # cohort setting
    "Dashboard.course_title",  # content
    "ModuleColumn.module_id",  # content
    "ModuleColumn.title",  # content
    "ModuleCell.module_id",  # content
    "LearnerRow.name",  # member
    "LearnerRow.email",  # member
    "WeekCount.week",  # computed
    "StatementChange.item_id",  # content
    "StatementChange.text",  # content
}
DEBRIEF_TEXT = {
    "Debrief.module_id",
    "Debrief.title",
    "Debrief.facilitator_notes",
    "ScenarioDebrief.step_id",
    "ScenarioDebrief.title",
    "DecisionSpread.node_id",
    "DecisionSpread.text",
    "ChoiceShare.choice_id",
    "ChoiceShare.text",
    "ChoiceShare.misconception",
    "MisconceptionCount.misconception_id",
    "MisconceptionCount.name",
    "MisconceptionCount.description",
    "QuizDebrief.step_id",
    "QuizDebrief.title",
    "QuestionDifficulty.question_id",
    "QuestionDifficulty.text",
    "OutcomeCount.label",
}  # all from content


@pytest.mark.parametrize(
    ("report", "allowed"), [(Dashboard, DASHBOARD_TEXT), (Debrief, DEBRIEF_TEXT)]
)
def test_no_report_field_can_carry_reflection_text(report: type[Any], allowed: set[str]) -> None:
    assert string_fields(report) == allowed


@pytest.mark.parametrize("build", [build_dashboard, build_debrief])
def test_reports_take_no_reflections(build: Any) -> None:
    hints = get_type_hints(build)
    assert not [name for name in inspect.signature(build).parameters if "reflect" in name]
    assert "Reflection" not in repr(hints)


def test_debrief_never_names_a_learner() -> None:
    fields = report_fields(Debrief)
    identity = {"user_id", "email", "display_name", "learner", "joined_at", "last_activity"}
    assert not {f for f in fields if f.split(".")[1] in identity}
    assert not {f for f, kinds in fields.items() if kinds & {Member, LearnerRow}}


# Reminders


def two_modules(content: CourseContent) -> CourseContent:
    second = dataclasses.replace(content.modules["sample"], id="second", title="Second module")
    course = dataclasses.replace(content.course, modules=("sample", "second"))
    return dataclasses.replace(
        content, course=course, modules={**content.modules, "second": second}
    )


def test_reminder_names_module_and_due_date(content: CourseContent) -> None:
    board = dashboard(
        content,
        members=[SAM, ANA],
        rows=[progress(user_id=2)],
        assignments=[Assignment("sample", DUE)],
    )
    (reminder,) = reminders(board, sender="Dr Lee")
    assert (reminder.user_id, reminder.email) == (1, "sam@hospital.org")
    assert reminder.message.startswith("Hi Sam Jones,\n")
    assert '"A sample module" was due on Friday 14 March 2025' in reminder.message
    assert "about 15 minutes" in reminder.message
    assert reminder.message.endswith("Thank you,\nDr Lee")


@pytest.mark.parametrize(
    ("rows", "now", "listed"),
    [
        ([], NOW, True),
        ([progress(steps=2)], NOW, True),  # started: still listed
        ([progress()], NOW, False),  # done: drops off the list
        ([], datetime(2025, 3, 14, 20, tzinfo=UTC), True),  # due today: due soon
        ([], datetime(2025, 3, 11, 20, tzinfo=UTC), True),  # due in 3 days: due soon
        ([], datetime(2025, 3, 10, 20, tzinfo=UTC), False),  # due in 4 days: not yet
        ([progress()], datetime(2025, 3, 14, 20, tzinfo=UTC), False),  # done before it is due
    ],
)
def test_reminder_list_drops_learners_once_done(
    content: CourseContent, rows: list[ModuleProgress], now: datetime, listed: bool
) -> None:
    board = dashboard(content, rows=rows, assignments=[Assignment("sample", DUE)], now=now)
    assert bool(reminders(board)) is listed


def test_reminder_for_several_modules(content: CourseContent) -> None:
    due = [Assignment("second", DUE - timedelta(days=7)), Assignment("sample", DUE)]
    board = dashboard(two_modules(content), rows=[progress(steps=1)], assignments=due)
    (reminder,) = reminders(board)
    assert [m.module_id for m in reminder.modules] == ["second", "sample"]
    assert '- "Second module", was due Friday 7 March 2025' in reminder.message
    assert "about 30 minutes. You can pick up where you left off." in reminder.message


@pytest.mark.parametrize(
    ("today", "soon_days", "overdue", "soon", "says"),
    [
        (date(2025, 3, 15), 3, ["sample"], [], '"A sample module" was due on Friday 14 March'),
        (date(2025, 3, 14), 3, [], ["sample"], '"A sample module" is due today.'),
        (date(2025, 3, 12), 3, [], ["sample"], '"A sample module" is due on Friday 14 March'),
        (date(2025, 3, 12), 2, [], ["sample"], '"A sample module" is due on Friday 14 March'),
        (date(2025, 3, 12), 1, [], [], None),
        (date(2025, 3, 14), 0, [], ["sample"], "is due today"),
        (date(2025, 3, 13), 0, [], [], None),
    ],
)
def test_reminders_cover_overdue_and_due_soon_modules(
    content: CourseContent,
    today: date,
    soon_days: int,
    overdue: list[str],
    soon: list[str],
    says: str | None,
) -> None:
    now = datetime.combine(today, datetime.min.time(), tzinfo=UTC) + timedelta(hours=12)
    board = dashboard(content, assignments=[Assignment("sample", DUE)], now=now)
    found = reminders(board, soon_days=soon_days)
    if says is None:
        assert found == []
        return
    (reminder,) = found
    assert [m.module_id for m in reminder.overdue] == overdue
    assert [m.module_id for m in reminder.due_soon] == soon
    assert says in reminder.message


def test_a_reminder_links_each_module_it_names(content: CourseContent) -> None:
    due = [Assignment("second", DUE - timedelta(days=7)), Assignment("sample", DUE + timedelta(1))]
    board = dashboard(two_modules(content), assignments=due)  # NOW: 15 March
    (reminder,) = reminders(board, course_url="https://ally.example.org/")
    assert [(m.module_id, m.overdue) for m in reminder.modules] == [
        ("second", True),
        ("sample", False),
    ]
    lines = reminder.message.splitlines()
    assert "these modules are past their due date or due soon." in lines[2]
    assert lines[4:8] == [
        '- "Second module", was due Friday 7 March 2025',
        "  https://ally.example.org/player?module=second",
        '- "A sample module", due Saturday 15 March 2025',
        "  https://ally.example.org/player?module=sample",
    ]
    (alone,) = reminders(dashboard(content, assignments=due[1:]), course_url="https://a.org")
    assert "Open it here: https://a.org/player?module=sample" in alone.message


def test_overdue_reminders_come_before_due_soon_ones(content: CourseContent) -> None:
    due = [Assignment("second", DUE - timedelta(days=7)), Assignment("sample", DUE + timedelta(1))]
    board = dashboard(
        two_modules(content),
        members=[SAM, ANA],
        rows=[progress(user_id=2, module="second")],  # Ana finished the overdue one
        assignments=due,
    )
    sam, ana = reminders(board)  # not by name: Sam is overdue, Ana only has one due soon
    assert (sam.name, [m.module_id for m in sam.overdue]) == ("Sam Jones", ["second"])
    assert (ana.name, ana.overdue, [m.module_id for m in ana.due_soon]) == (
        "Ana Diaz",
        (),
        ["sample"],
    )
