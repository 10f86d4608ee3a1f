"""Each design rule warns with its name, and `allow:` silences it where a person decided."""

from __future__ import annotations

from pathlib import Path

import pytest

from modules.course.validation import validate_directory
from tests.unit.test_malformed import SAMPLE, SURVEY, Case, apply_case, expected_line

LONG = " ".join(["word"] * 26)

# (edit, rule expected) -- the locator is where the warning must point
WARNINGS: dict[str, tuple[Case, str]] = {
    "objective verb": (
        Case(
            SAMPLE,
            "  - Ask a colleague",
            "  - Understand a colleague",
            "  - Understand",
            "not a behavior",
        ),
        "objective-verb",
    ),
    "two options": (
        Case(
            SAMPLE,
            "          - id: joke\n            text: Make a light joke about"
            " the pace.\n            quality: poor\n            feedback: Nobody "
            "laughs.\n            next: flat-end\n",
            "",
            "      - id: retry",
            "2 options (goal: 3-4)",
        ),
        "option-count",
    ),
    "best option much longer": (
        Case(
            SAMPLE,
            "text: Thank her and ask for an example.",
            "text: Thank her warmly, then ask for one concrete example of when it happened.",
            "text: Thank her warmly",
            "over 1.5x the others' mean",
        ),
        "option-length",
    ),
    "verdict feedback": (
        Case(
            SAMPLE,
            "feedback: She tells you about the second case.",
            "feedback: Correct! She tells you about the second case.",
            "feedback: Correct!",
            "opens with a verdict",
        ),
        "verdict-feedback",
    ),
    "verdict well done": (
        Case(
            SAMPLE,
            "feedback: She writes it on the board.",
            "feedback: Well done. She writes it on the board.",
            "feedback: Well done",
            "opens with a verdict",
        ),
        "verdict-feedback",
    ),
    "no recovery": (
        Case(
            SAMPLE,
            "feedback: She agrees, but seems unsure.\n            next: second",
            "feedback: She agrees, but seems unsure.\n            next: okay-end",
            "    nodes:",
            "no poor or okay choice",
            more=(
                (
                    "feedback: She relaxes and gives you details.\n            next: second",
                    "feedback: She relaxes and gives you details.\n            next: flat-end",
                ),
            ),
        ),
        "no-recovery",
    ),
    "best path too short": (
        Case(
            SAMPLE,
            "feedback: She tells you about the second case.\n            next: second",
            "feedback: She tells you about the second case.\n            next: third",
            "start: first",
            "the best path has 2 decisions",
        ),
        "scenario-size",
    ),
    "no reflection": (
        Case(
            SAMPLE,
            "  - id: think\n    type: reflection\n    prompt: Whom could you"
            " ask for feedback this week?\n    min_words: 3\n",
            "",
            "steps:",
            "no reflection",
        ),
        "module-shape",
    ),
    "survey item with and": (
        Case(
            SURVEY,
            "text: I ask for feedback.",
            "text: I ask for feedback and act on it.",
            "I ask for feedback",
            "one idea per statement",
        ),
        "survey-item",
    ),
    "survey item with always": (
        Case(
            SURVEY,
            "text: I credit ideas by name.",
            "text: I always credit ideas by name.",
            "I always",
            "'always'/'never'",
        ),
        "survey-item",
    ),
    "long sentence": (
        Case(
            SAMPLE,
            "Where men take part, most women see progress",
            f"Where {LONG} men take part, most women see progress",
            "Where word",
            "a sentence of",
        ),
        "readability",
    ),
    "hard lesson": (
        Case(
            SAMPLE,
            "Allies ask for feedback and admit mistakes",
            "Organizational accountability necessitates institutionalized "
            "considerations regarding administrative responsibilities",
            "    body: |",
            "reads at grade",
        ),
        "readability",
    ),
    "hard prompt": (
        Case(
            SAMPLE,
            "prompt: Whom could you ask for feedback this week?",
            "prompt: Which organizational relationships necessitate deliberate "
            "solicitation of evaluative commentary?",
            "prompt: Which",
            "the prompt reads at grade",
        ),
        "readability",
    ),
    "compliance framing": (
        Case(
            SAMPLE,
            "intro: You lead rounds.",
            "intro: You lead rounds on a mandatory training day.",
            "intro:",
            "'mandatory' frames equity",
        ),
        "framing",
    ),
    "blame of men": (
        Case(
            SAMPLE,
            "text: Things improve a little.",
            "text: Things improve a little, as all men should learn.",
            "text: Things improve",
            "'all men'",
        ),
        "framing",
    ),
    "unlisted module": (
        Case(
            "modules/extra.yaml",
            "",
            (
                VALID_SURVEY := "id: extra\ntitle: E\n"
                "summary: S.\nminutes: 5\nobjectives: [Rate]\nsteps:\n  - id: s\n"
                "    type: survey\n    scale: [Low, High]\n    items:\n"
                "      - {id: a, text: I ask.}\n"
            ),
            "id: extra",
            "neither listed",
        ),
        "unlisted-module",
    ),
}


def _write_extra(case: Case, root: Path) -> Path:
    path = root / case.file
    if not path.exists():
        import shutil

        from tests.unit.conftest import VALID

        shutil.copytree(VALID, root)
        assert isinstance(case.new, str)
        path.write_text(case.new, encoding="utf-8")
        return path
    return apply_case(case, root)


@pytest.mark.parametrize("name", list(WARNINGS))
def test_rule_warns_at_its_line(name: str, tmp_path: Path) -> None:
    case, rule = WARNINGS[name]
    root = tmp_path / "content"
    path = _write_extra(case, root) if case.file.endswith("extra.yaml") else apply_case(case, root)
    result = validate_directory(root)
    assert result.errors == [], [p.format() for p in result.errors]
    found = [p for p in result.warnings if p.rule == rule and case.gist in p.message]
    assert found, [p.format() for p in result.warnings]
    assert expected_line(path, case.locator) in {p.line for p in found}
    assert all(": warning: " in p.format() and p.format().endswith(f"[{rule}]") for p in found)


@pytest.mark.parametrize("name", [n for n in WARNINGS if n != "unlisted module"])
def test_allow_on_the_module_silences_the_rule(name: str, tmp_path: Path) -> None:
    case, rule = WARNINGS[name]
    root = tmp_path / "content"
    path = apply_case(case, root)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("steps:\n", f"allow: [{rule}]  # reviewed\nsteps:\n", 1))
    result = validate_directory(root)
    assert [p for p in result.warnings if p.rule == rule] == []


def test_allow_on_a_step_silences_only_that_step(tmp_path: Path) -> None:
    root = tmp_path / "content"
    case = Case(
        SAMPLE, "intro: You lead rounds.", "intro: You lead rounds on a mandatory day.", "", ""
    )
    path = apply_case(case, root)
    text = path.read_text(encoding="utf-8")
    text = text.replace(
        "prompt: Plan one request for feedback.", "prompt: Plan one mandatory request for feedback."
    )
    text = text.replace("    type: scenario\n", "    type: scenario\n    allow: [framing]\n")
    path.write_text(text, encoding="utf-8")
    warnings = [p for p in validate_directory(root).warnings if p.rule == "framing"]
    assert len(warnings) == 1 and "commitment 'plan'" in warnings[0].message


def test_unused_source_warns_at_the_source(tmp_path: Path) -> None:
    case = Case(SAMPLE, " [@krentz-2017]", "", None, "")
    root = tmp_path / "content"
    apply_case(case, root)
    warnings = [p for p in validate_directory(root).warnings if p.rule == "unused-source"]
    assert [p.file for p in warnings] == [str(root / "course.yaml")]
    assert "krentz-2017" in warnings[0].message
