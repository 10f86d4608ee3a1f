"""The authoring guide documents every field of the models, and its example validates."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from modules.course import lint
from modules.course.models import (
    ALL_MODELS,
    Choice,
    Commitment,
    Course,
    Decision,
    Ending,
    Lesson,
    Located,
    Misconception,
    Module,
    Option,
    Question,
    Quiz,
    Reflection,
    Scenario,
    Source,
    Step,
    Survey,
    SurveyItem,
    own_fields,
)
from modules.course.validation import validate_directory
from tests.unit.conftest import VALID

ROOT = Path(__file__).parent.parent.parent
GUIDE = (ROOT / "content" / "README.md").read_text(encoding="utf-8")
README = (ROOT / "README.md").read_text(encoding="utf-8")

SECTIONS: dict[type[Located], str] = {
    Course: "## course.yaml",
    Misconception: "### Misconceptions",
    Source: "### Sources",
    Module: "## A module: modules/&lt;id&gt;.yaml",
    Step: "### Every step",
    Lesson: "### lesson",
    Scenario: "### scenario",
    Decision: "#### Decision nodes",
    Choice: "#### Choices",
    Ending: "#### Endings",
    Quiz: "### quiz",
    Question: "#### Questions",
    Option: "#### Options",
    Reflection: "### reflection",
    Commitment: "### commitment",
    Survey: "### survey",
    SurveyItem: "#### Survey items",
}


def section(heading: str) -> str:
    start = GUIDE.index(heading + "\n")
    following = re.search(r"^#{1,4} ", GUIDE[start + len(heading) :], re.MULTILINE)
    end = start + len(heading) + following.start() if following else len(GUIDE)
    return GUIDE[start:end]


def test_every_model_has_a_section() -> None:
    assert set(SECTIONS) == set(ALL_MODELS)


@pytest.mark.parametrize("model", ALL_MODELS, ids=lambda m: m.__name__)
def test_every_field_is_in_its_section_table(model: type[Located]) -> None:
    text = section(SECTIONS[model])
    documented = set(re.findall(r"^\| `([a-z_]+)` \|", text, re.MULTILINE))
    fields = {f.name for f in own_fields(model)} | ({"type"} if model is Step else set())
    assert fields <= documented, f"undocumented in {SECTIONS[model]!r}: {fields - documented}"
    assert documented <= fields, f"documented but not a field: {documented - fields}"


def test_every_lint_rule_is_in_the_guide() -> None:
    rows = set(re.findall(r"^\| `([a-z-]+)` \|", section("## Warnings"), re.MULTILINE))
    assert rows == set(lint.RULES)


def test_the_guide_example_validates_with_the_warnings_it_names(tmp_path: Path) -> None:
    example = GUIDE.split("## A complete small module")[1].split("```yaml\n")[1].split("```")[0]
    root = tmp_path / "content"
    shutil.copytree(VALID, root)
    (root / "modules" / "first-feedback-request.yaml").write_text(example, encoding="utf-8")
    course = (root / "course.yaml").read_text(encoding="utf-8")
    course = course.replace("  - sample\n", "  - sample\n  - first-feedback-request\n")
    course = course.replace(
        "misconceptions:\n",
        "misconceptions:\n  - id: intent-is-enough\n"
        "    name: Intent\n    description: Intent is enough.\n",
    )
    (root / "course.yaml").write_text(course, encoding="utf-8")
    result = validate_directory(root)
    assert result.errors == [], [p.format() for p in result.errors]
    rules = {p.rule for p in result.warnings if "first-feedback-request" in p.file}
    assert rules == {"scenario-size", "no-recovery", "option-count"}


@pytest.mark.parametrize(
    "command",
    [
        "python -m modules validate",
        "python -m modules schema",
        "python -m modules readability",
        "python -m modules course-map",
        "python -m progress migrate",
        "python -m progress create-user",
        "python -m progress revision",
        "python -m progress xapi export",
        "python -m progress xapi status",
        "python bench/content.py",
        "python bench/load.py",
        "python bench/dashboard.py",
    ],
)
def test_every_command_is_documented(command: str) -> None:
    assert command in GUIDE or command in README
