"""`best-longest`: length must not point to the best option, in a scenario, a quiz or the course.

Each table row is a small synthetic course. A decision is written as its options, each a
quality letter (b best, o okay, p poor) and a length in characters: "b9 p5 o5" is a decision
whose best option (9 characters) is the longest. A quiz question is written the same way with
c (correct) and w (wrong); a leading "*" makes it a multi-select question.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
import yaml

from modules.course import lint
from modules.course.models import Choice, Decision, Option, Quality, Question
from modules.course.problems import Problem
from modules.course.validation import Validation, validate_directory
from tests.unit.conftest import VALID

QUALITY = {"b": "best", "o": "okay", "p": "poor"}


def _options(spec: str) -> list[tuple[str, int]]:
    return [(item[0], int(item[1:])) for item in spec.lstrip("*").split()]


def _scenario(step_id: str, decisions: Sequence[str]) -> dict[str, Any]:
    nodes: list[dict[str, Any]] = []
    for index, spec in enumerate(decisions):
        following = f"d{index + 1}" if index + 1 < len(decisions) else "good-end"
        choices = [
            {
                "id": f"c{number}",
                "text": "x" * length,
                "quality": QUALITY[letter],
                "feedback": "Something happens.",
                "next": following,
            }
            for number, (letter, length) in enumerate(_options(spec))
        ]
        nodes.append({"id": f"d{index}", "text": "You decide.", "choices": choices})
    nodes.append({"id": "good-end", "ending": "best", "text": "It works."})
    return {"id": step_id, "type": "scenario", "intro": "You lead.", "start": "d0", "nodes": nodes}


def _quiz(step_id: str, questions: Sequence[str]) -> dict[str, Any]:
    return {
        "id": step_id,
        "type": "quiz",
        "questions": [
            {
                "id": f"q{index}",
                "text": "Which one?",
                "multiple": spec.startswith("*"),
                "options": [
                    {"id": f"o{number}", "text": "x" * length, "correct": letter == "c"}
                    for number, (letter, length) in enumerate(_options(spec))
                ],
            }
            for index, spec in enumerate(questions)
        ],
    }


def module_text(
    module_id: str,
    scenarios: Sequence[Sequence[str]] = (),
    quizzes: Sequence[Sequence[str]] = (),
    step_allow: dict[str, list[str]] | None = None,
    allow: Sequence[str] = (),
) -> str:
    steps = [_scenario(f"s{i}", decisions) for i, decisions in enumerate(scenarios)]
    steps += [_quiz(f"k{i}", questions) for i, questions in enumerate(quizzes)]
    for step in steps:
        if step["id"] in (step_allow or {}):
            step["allow"] = (step_allow or {})[step["id"]]
    module: dict[str, Any] = {
        "id": module_id,
        "title": "A module",
        "summary": "A summary.",
        "minutes": 10,
        "objectives": ["Ask a colleague"],
        "steps": steps,
    }
    if allow:
        module["allow"] = list(allow)
    return yaml.safe_dump(module, sort_keys=False, width=1000)


def write_course(
    root: Path, modules: dict[str, str], listed: Sequence[str] | None = None, allow: str = ""
) -> Path:
    (root / "modules").mkdir(parents=True)
    ids = list(modules) if listed is None else list(listed)
    course = "id: c\ntitle: C\nsummary: A course.\nmodules: [" + ", ".join(ids) + "]\n"
    (root / "course.yaml").write_text(course + allow, encoding="utf-8")
    for module_id, text in modules.items():
        (root / "modules" / f"{module_id}.yaml").write_text(text, encoding="utf-8")
    return root


def tells(result: Validation) -> list[Problem]:
    assert result.errors == [], [p.format() for p in result.errors]
    return [p for p in result.warnings if p.rule == "best-longest"]


def extreme(problem: Problem) -> str:
    return "longest" if " is the longest " in problem.message else "shortest"


def line_of(path: Path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if text in line)


MIDDLE = "b5 p3 o9"  # the best option neither the longest nor the shortest
LONGEST = "b9 p3 o5"
SHORTEST = "b3 p9 o5"

# decisions of one scenario -> the extremes it warns of
SCENARIOS: dict[str, tuple[list[str], set[str]]] = {
    "3 of 4 longest": ([LONGEST] * 3 + [MIDDLE], {"longest"}),
    "2 of 4 longest is only half": ([LONGEST] * 2 + [MIDDLE] * 2, set()),
    "3 of 3 longest: too few decisions to judge": ([LONGEST] * 3, set()),
    "3 of 5 longest": ([LONGEST] * 3 + [MIDDLE] * 2, {"longest"}),
    "3 of 6 longest is only half": ([LONGEST] * 3 + [MIDDLE] * 3, set()),
    "4 of 6 longest": ([LONGEST] * 4 + [MIDDLE] * 2, {"longest"}),
    "3 of 4 shortest": ([SHORTEST] * 3 + [MIDDLE], {"shortest"}),
    "2 longest, 2 shortest": ([LONGEST] * 2 + [SHORTEST] * 2, set()),
    "ties count as longest": (["b9 p9 o5"] * 3 + [MIDDLE], {"longest"}),
    "ties count as shortest": (["b3 p3 o5"] * 3 + [MIDDLE], {"shortest"}),
    "all options one length: longest and shortest": (["b5 p5 o5"] * 4, {"longest", "shortest"}),
    "four options": (["b9 p3 o5 p7"] * 3 + ["b5 p3 o9 p7"], {"longest"}),
    "the longest of several best options counts": (["b3 b9 p5"] * 3 + [MIDDLE], {"longest"}),
    "a shorter second best option does not count": (["b5 b3 p9"] * 4, set()),
}


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_a_scenario_warns_at_its_line(name: str, tmp_path: Path) -> None:
    decisions, expected = SCENARIOS[name]
    root = write_course(tmp_path, {"m": module_text("m", scenarios=[decisions])})
    path = root / "modules" / "m.yaml"
    found = [p for p in tells(validate_directory(root)) if p.file == str(path)]
    assert {extreme(p) for p in found} == expected
    assert len(found) == len(expected)
    for problem in found:
        assert problem.line == line_of(path, "- id: s0")
        assert problem.message.startswith("scenario 's0': the best option is the ")
        assert problem.format().endswith("[best-longest]")


def test_the_count_is_in_characters_as_the_learner_sees_them(tmp_path: Path) -> None:
    text = module_text("m", scenarios=[["b5 p5 o9"] * 4])
    # Trailing spaces and a block's final newline are not part of what the learner reads.
    text = text.replace("text: xxxxx\n", "text: 'xxxxx     '\n")
    root = write_course(tmp_path, {"m": text})
    assert {extreme(p) for p in tells(validate_directory(root)) if "m.yaml" in p.file} == {
        "shortest"
    }


CORRECT_LONGEST = "c9 w3 w5"
CORRECT_MIDDLE = "c5 w3 w9"

# questions of one quiz -> the extremes it warns of
QUIZZES: dict[str, tuple[list[str], set[str]]] = {
    "3 of 4 longest": ([CORRECT_LONGEST] * 3 + [CORRECT_MIDDLE], {"longest"}),
    "2 of 4 longest is only half": ([CORRECT_LONGEST] * 2 + [CORRECT_MIDDLE] * 2, set()),
    "3 of 3: too few questions to judge": ([CORRECT_LONGEST] * 3, set()),
    "3 of 4 shortest": (["c3 w9 w5"] * 3 + [CORRECT_MIDDLE], {"shortest"}),
    "ties count": (["c9 w9 w5"] * 3 + [CORRECT_MIDDLE], {"longest"}),
    "multi-select questions are not counted": (
        [CORRECT_LONGEST] * 3 + ["*c9 c9 w3"] * 3,
        set(),
    ),
    "two-option questions": (["c9 w3"] * 3 + ["c3 w9"], {"longest"}),
}


@pytest.mark.parametrize("name", list(QUIZZES))
def test_a_quiz_warns_at_its_line(name: str, tmp_path: Path) -> None:
    questions, expected = QUIZZES[name]
    root = write_course(tmp_path, {"m": module_text("m", quizzes=[questions])})
    path = root / "modules" / "m.yaml"
    found = [p for p in tells(validate_directory(root)) if p.file == str(path)]
    assert {extreme(p) for p in found} == expected
    assert len(found) == len(expected)
    for problem in found:
        assert problem.line == line_of(path, "- id: k0")
        assert problem.message.startswith("quiz 'k0': the correct option is the ")


# 16 decisions (or questions) of 4 options: chance 16 x 1/4 = 4, limit 4 x 1.25 + 1 = 6.
FOUR_LONGEST = "b9 p3 o5 p7"
FOUR_SHORTEST = "b3 p9 o5 p7"
FOUR_MIDDLE = "b5 p3 o9 p7"
Q_LONGEST = "c9 w3 w5 w7"
Q_MIDDLE = "c5 w3 w9 w7"


def _of(times: int, spec: str, rest: str, count: int = 16) -> list[str]:
    return [spec] * times + [rest] * (count - times)


# (decisions, questions) across the course -> the (items, extreme) pairs it warns of
COURSE: dict[str, tuple[list[str], list[str], set[tuple[str, str]]]] = {
    "6 of 16 longest is at the limit": (_of(6, FOUR_LONGEST, FOUR_MIDDLE), [], set()),
    "7 of 16 longest is above it": (
        _of(7, FOUR_LONGEST, FOUR_MIDDLE),
        [],
        {("scenario decisions", "longest")},
    ),
    "7 of 16 shortest": (
        _of(7, FOUR_SHORTEST, FOUR_MIDDLE),
        [],
        {("scenario decisions", "shortest")},
    ),
    "7 of 16 ties for longest": (
        _of(7, "b9 p9 o5 p7", FOUR_MIDDLE),
        [],
        {("scenario decisions", "longest")},
    ),
    # 4 x 1/2 + 4 x 1/4 = 3 by chance; the limit is 3 x 1.25 + 1 = 4.75
    "mixed sizes: 4 of 8 at the limit": (
        ["b9 p3"] * 4 + [FOUR_MIDDLE] * 4,
        [],
        set(),
    ),
    "mixed sizes: 5 of 8 above it": (
        ["b9 p3"] * 4 + [FOUR_LONGEST] + [FOUR_MIDDLE] * 3,
        [],
        {("scenario decisions", "longest")},
    ),
    "6 of 16 quiz questions is at the limit": ([], _of(6, Q_LONGEST, Q_MIDDLE), set()),
    "7 of 16 quiz questions is above it": (
        [],
        _of(7, Q_LONGEST, Q_MIDDLE),
        {("single-answer quiz questions", "longest")},
    ),
    "decisions and questions are counted apart": (
        _of(7, FOUR_LONGEST, FOUR_MIDDLE),
        _of(0, Q_LONGEST, Q_MIDDLE),
        {("scenario decisions", "longest")},
    ),
    "multi-select questions are not counted": (
        [],
        _of(6, Q_LONGEST, Q_MIDDLE) + ["*c9 w3 w5 w7"] * 4,
        set(),
    ),
    "both kinds above": (
        _of(7, FOUR_LONGEST, FOUR_MIDDLE),
        _of(7, Q_LONGEST, Q_MIDDLE),
        {("scenario decisions", "longest"), ("single-answer quiz questions", "longest")},
    ),
}


def _spread(items: list[str]) -> list[list[str]]:
    """Three to a scenario or quiz, too few for the local rule, so only the course counts."""
    return [items[i : i + 3] for i in range(0, len(items), 3)]


def _course_modules(decisions: list[str], questions: list[str]) -> dict[str, str]:
    """The decisions over two modules, the questions in the second."""
    half = len(_spread(decisions)) // 2
    modules = {"two": module_text("two", _spread(decisions)[half:], _spread(questions))}
    if half:
        modules["one"] = module_text("one", scenarios=_spread(decisions)[:half])
    return modules


@pytest.mark.parametrize("name", list(COURSE))
def test_the_course_warns_at_line_1_of_course_yaml(name: str, tmp_path: Path) -> None:
    decisions, questions, expected = COURSE[name]
    root = write_course(tmp_path, _course_modules(decisions, questions))
    found = tells(validate_directory(root))
    assert all(p.file == str(root / "course.yaml") and p.line == 1 for p in found), found
    kinds = {
        (items, extreme(p))
        for p in found
        for items in ("scenario decisions", "single-answer quiz questions")
        if items in p.message
    }
    assert kinds == expected
    assert len(found) == len(expected)


def test_the_course_message_gives_the_figures(tmp_path: Path) -> None:
    root = write_course(tmp_path, _course_modules(_of(7, FOUR_LONGEST, FOUR_MIDDLE), []))
    (problem,) = tells(validate_directory(root))
    assert problem.format() == (
        f"{root / 'course.yaml'}:1: warning: across the course the best option is the longest"
        " (ties included) in 7 of 16 scenario decisions, above the limit of 6.0 (chance 4.0,"
        " times 1.25, plus 1); vary which option is longest (see `python -m modules validate"
        " --stats`) [best-longest]"
    )


def test_the_figures_are_exact(tmp_path: Path) -> None:
    decisions = ["b9 p3"] * 4 + [FOUR_SHORTEST] * 2 + ["b5 p5 p5"]
    root = write_course(tmp_path, _course_modules(decisions, ["c9 w3 w5", "*c1 w3"]))
    figures = validate_directory(root).lengths
    assert figures is not None
    assert figures.decisions == lint.Tally(
        count=7, longest=5, shortest=3, chance=Fraction(4, 2) + Fraction(2, 4) + Fraction(1, 3)
    )
    assert figures.decisions.limit == Fraction(17, 6) * Fraction(5, 4) + 1
    assert figures.questions == lint.Tally(count=1, longest=1, shortest=0, chance=Fraction(1, 3))


def test_only_listed_modules_count(tmp_path: Path) -> None:
    modules = _course_modules(_of(7, FOUR_LONGEST, FOUR_MIDDLE), [])
    modules["draft"] = module_text("draft", scenarios=[[FOUR_LONGEST] * 3] * 3)
    root = write_course(tmp_path, modules, listed=["one", "two"])
    result = validate_directory(root)
    assert result.lengths is not None
    assert (result.lengths.decisions.count, result.lengths.decisions.longest) == (16, 7)
    assert "unlisted-module" in {p.rule for p in result.warnings if "draft" in p.file}


def _choice(quality: Quality, text: str) -> Choice:
    return Choice(id="c", text=text, quality=quality, feedback="f", next="n")


def _option(correct: bool, text: str) -> Option:
    return Option(id="o", text=text, correct=correct)


def test_ranks_of_single_items() -> None:
    node = Decision(id="d", text="t", choices=(_choice("best", "aa"), _choice("poor", "aa")))
    assert lint.decision_rank(node) == lint.Rank(options=2, longest=True, shortest=True)
    no_best = Decision(id="d", text="t", choices=(_choice("okay", "a"), _choice("poor", "bb")))
    assert lint.decision_rank(no_best) is None
    options = (_option(True, "aaa"), _option(False, "a"), _option(False, "aaaa"))
    assert lint.question_rank(Question(id="q", text="t", options=options)) == lint.Rank(
        options=3, longest=False, shortest=False
    )
    multi = Question(id="q", text="t", multiple=True, options=options)
    assert lint.question_rank(multi) is None


# -- allow: the counterpart of every warning above


def _over_everywhere(step_allow: dict[str, list[str]] | None = None, allow: str = "") -> str:
    """Two scenarios and a quiz over the local limit; the course over it twice (8 of 16
    decisions, 4 of 4 questions)."""
    return module_text(
        "m",
        scenarios=[[LONGEST] * 4, [LONGEST] * 4, [MIDDLE] * 8],
        quizzes=[[CORRECT_LONGEST] * 4],
        step_allow=step_allow,
        allow=[allow] if allow else (),
    )


def _scopes(result: Validation) -> list[str]:
    """Where each best-longest warning is: a step id, or "course"."""
    scopes = []
    for problem in tells(result):
        if problem.file.endswith("course.yaml"):
            scopes.append("course")
        else:
            scopes.append(problem.message.split("'")[1])
    return sorted(scopes)


def test_without_allow_every_scope_warns(tmp_path: Path) -> None:
    root = write_course(tmp_path, {"m": _over_everywhere()})
    assert _scopes(validate_directory(root)) == ["course", "course", "k0", "s0", "s1"]


def test_allow_on_the_module_silences_its_scenarios_and_quizzes_not_the_course(
    tmp_path: Path,
) -> None:
    root = write_course(tmp_path, {"m": _over_everywhere(allow="best-longest")})
    assert _scopes(validate_directory(root)) == ["course", "course"]


def test_allow_on_a_step_silences_only_that_step(tmp_path: Path) -> None:
    text = _over_everywhere(step_allow={"s1": ["best-longest"], "k0": ["best-longest"]})
    root = write_course(tmp_path, {"m": text})
    assert _scopes(validate_directory(root)) == ["course", "course", "s0"]


def test_allow_on_the_course_silences_only_the_course(tmp_path: Path) -> None:
    root = write_course(
        tmp_path, {"m": _over_everywhere()}, allow="allow: [best-longest]  # reviewed\n"
    )
    result = validate_directory(root)
    assert _scopes(result) == ["k0", "s0", "s1"]
    assert result.lengths is not None and result.lengths.decisions.longest == 8


def test_allow_on_the_course_names_a_lint_rule(tmp_path: Path) -> None:
    root = write_course(tmp_path, {"m": _over_everywhere()}, allow="allow: [best-longer]\n")
    errors = validate_directory(root).errors
    assert [(p.file, p.line, p.rule) for p in errors] == [(str(root / "course.yaml"), 5, "allow")]
    assert "'best-longer' is not a lint rule" in errors[0].message


def test_allow_on_the_course_silences_unused_sources(tmp_path: Path) -> None:
    root = tmp_path / "content"
    shutil.copytree(VALID, root)
    sample = root / "modules" / "sample.yaml"
    sample.write_text(sample.read_text().replace(" [@krentz-2017]", ""), encoding="utf-8")
    assert [p.rule for p in validate_directory(root).warnings] == ["unused-source"]
    course = root / "course.yaml"
    course.write_text(course.read_text() + "allow: [unused-source]  # cited next term\n")
    assert validate_directory(root).warnings == []
