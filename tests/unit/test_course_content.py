"""The shipped course keeps the shape the curriculum asks for, so an edit cannot quietly break it.

See ../shared/design/curriculum.md and issue "The course itself".
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from modules.course import readability, scenarios
from modules.course.models import (
    Commitment,
    CourseContent,
    Decision,
    Lesson,
    Module,
    Option,
    Question,
    Quiz,
    Reflection,
    Scenario,
    Survey,
)
from modules.course.rules import CITATION, references, walk
from modules.course.validation import validate_directory

CONTENT = Path(__file__).parent.parent.parent / "content"
PLAN = [
    "leadership-not-a-womens-issue",
    "gender-humility",
    "admitting-mistakes",
    "asking-for-feedback",
    "mentoring-and-sponsorship",
    "fair-hiring-and-promotion",
    "speaking-up",
    "leading-the-culture",
]
# A figure: a percentage, a dollar amount, or a number with a decimal point or thousands comma.
FIGURE = re.compile(r"\d+(?:\.\d+)?\s?%|\$\s?\d|\b\d{1,3}(?:,\d{3})+\b|\b\d+\.\d+\b")

RESULT = validate_directory(CONTENT)


@pytest.fixture(scope="module")
def content() -> CourseContent:
    assert RESULT.content is not None
    return RESULT.content


def test_the_course_validates_with_no_errors_and_no_warnings() -> None:
    assert [p.format() for p in RESULT.problems] == []


def test_modules_follow_the_plan(content: CourseContent) -> None:
    assert list(content.course.modules) == PLAN
    assert set(content.modules) == {*PLAN, "self-assessment"}


def test_self_assessment(content: CourseContent) -> None:
    module = content.self_assessment
    assert module is not None
    (survey,) = module.steps
    assert isinstance(survey, Survey)
    assert 12 <= len(survey.items) <= 16
    assert list(survey.scale) == ["Never", "Rarely", "Sometimes", "Often", "Always"]


def _modules() -> list[Module]:
    assert RESULT.content is not None
    return [RESULT.content.modules[m] for m in PLAN]


@pytest.mark.parametrize("module", _modules(), ids=lambda m: m.id)
def test_module_shape(module: Module) -> None:
    kinds = [s.TYPE for s in module.steps]
    assert 1 <= kinds.count("lesson") <= 2
    assert kinds.count("scenario") == 2
    assert kinds.count("quiz") == 1
    assert kinds.count("reflection") == 1 and kinds.count("commitment") == 1
    assert 15 <= module.minutes <= 25
    assert module.facilitator_notes and module.facilitator_notes.count("?") >= 3
    titles = [str(s.title).lower() for s in module.steps if isinstance(s, Scenario)]
    notes = module.facilitator_notes.lower()
    assert all(title in notes for title in titles), "debrief questions name both scenarios"


@pytest.mark.parametrize("module", _modules(), ids=lambda m: m.id)
def test_scenarios(module: Module) -> None:
    tags = 0
    for scenario in (s for s in module.steps if isinstance(s, Scenario)):
        path = scenarios.best_path(scenario)
        assert path.reaches_best_ending and 3 <= len(path.steps) <= 6
        decisions = [n for n in scenario.nodes if isinstance(n, Decision)]
        assert all(3 <= len(n.choices) <= 4 for n in decisions)
        endings = scenarios.endings(scenario)
        assert 2 <= len(endings) <= 5
        assert {e.ending for e in endings} >= {"best", "poor"}
        assert all(e.coaching for e in endings)
        best_reach = scenarios.reaching(scenario, [e.id for e in endings if e.ending == "best"])
        assert any(
            c.quality != "best" and c.next in best_reach for n in decisions for c in n.choices
        ), "no path recovers"
        tags += sum(1 for n in decisions for c in n.choices if c.misconception)
    assert tags >= 2


@pytest.mark.parametrize("module", _modules(), ids=lambda m: m.id)
def test_knowledge_check_reflection_and_commitment(module: Module) -> None:
    (quiz,) = [s for s in module.steps if isinstance(s, Quiz)]
    assert 4 <= len(quiz.questions) <= 6
    assert all(o.feedback for q in quiz.questions for o in q.options)
    assert any(q.multiple for q in quiz.questions)
    (reflection,) = [s for s in module.steps if isinstance(s, Reflection)]
    assert reflection.min_words > 0
    (commitment,) = [s for s in module.steps if isinstance(s, Commitment)]
    assert commitment.suggestions
    assert all(re.match(r"When .+, I will .+", s) for s in commitment.suggestions)


def test_some_scenario_loops_back(content: CourseContent) -> None:
    """The browser test plays a scenario with a loop; the course must keep one."""

    def loops(scenario: Scenario) -> bool:
        return any(
            n.id in scenarios.reachable(scenario, c.next)
            for n in scenario.nodes
            if isinstance(n, Decision)
            for c in n.choices
        )

    assert any(loops(s) for m in _modules() for s in m.steps if isinstance(s, Scenario))


def _texts(obj: object) -> list[str]:
    """The text units a citation must be found in: paragraphs; a whole question with options."""
    if isinstance(obj, Option):
        return []  # checked with its question
    if isinstance(obj, Question):
        return [" ".join([obj.text, *(o.text for o in obj.options), obj.explanation or ""])]
    units = []
    for name in (
        "body",
        "text",
        "intro",
        "feedback",
        "coaching",
        "explanation",
        "prompt",
        "summary",
        "facilitator_notes",
    ):
        value = getattr(obj, name, None)
        if isinstance(value, str):
            units += re.split(r"\n\s*\n|\n\s*[-*] ", value)
    return units


def test_every_figure_is_cited() -> None:
    uncited = []
    for module in _modules():
        for obj, context in walk(module):
            for paragraph in _texts(obj):
                if FIGURE.search(paragraph) and not CITATION.search(paragraph):
                    uncited.append(f"{module.id}: {context}: {paragraph.strip()[:80]}")
    assert uncited == []


def test_citations_both_ways(content: CourseContent) -> None:
    cited = {r.id for m in content.modules.values() for r in references(m) if r.kind == "source"}
    assert cited == {s.id for s in content.course.sources}


def test_every_misconception_is_tagged_somewhere(content: CourseContent) -> None:
    tagged = {
        r.id for m in content.modules.values() for r in references(m) if r.kind == "misconception"
    }
    assert tagged == {m.id for m in content.course.misconceptions}


def test_every_allow_has_a_reason() -> None:
    for path in sorted((CONTENT / "modules").glob("*.yaml")):
        lines = path.read_text(encoding="utf-8").splitlines()
        for number, line in enumerate(lines):
            if re.match(r"\s*allow:", line):
                before = lines[number - 1].strip() if number else ""
                assert "#" in line or before.startswith("#"), f"{path.name}:{number + 1}"


def test_lessons_read_at_grade_ten_or_below() -> None:
    grades = {
        (m.id, s.id): readability.measure(s.body).grade
        for m in _modules()
        for s in m.steps
        if isinstance(s, Lesson)
    }
    assert grades and max(grades.values()) <= 10
