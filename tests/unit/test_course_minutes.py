"""The course's length follows one rule (the listed modules, the self-assessment once), and
the README states that figure (the welcome page and Home: tests/ui/test_home.py).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from modules.course.duration import course_minutes
from modules.course.models import CourseContent
from modules.course.validation import validate_directory

ROOT = Path(__file__).resolve().parents[2]
RULE_HOME = "modules/course/duration.py"


def load(folder: Path) -> CourseContent:
    content = validate_directory(folder).content
    assert content is not None
    return content


@pytest.mark.parametrize("folder", [ROOT / "content", ROOT / "tests" / "data" / "valid"])
def test_the_listed_modules_count_and_the_self_assessment_counts_once(folder: Path) -> None:
    content = load(folder)
    survey = content.self_assessment
    assert survey is not None
    modules = sum(m.minutes for m in content.listed_modules)
    assert survey.id not in content.course.modules
    assert course_minutes(content) == modules + survey.minutes


def test_the_readme_states_the_course_minutes() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    expected = course_minutes(load(ROOT / "content"))
    (total,) = re.findall(r"^\| \| \*\*Total\*\* \| \| (\d+) \|$", readme, re.MULTILINE)
    assert int(total) == expected
    # Any other statement of the course's length (an hour or more) says the same.
    lengths = [int(n) for n in re.findall(r"\b(\d+) minutes\b", readme) if int(n) >= 60]
    assert all(n == expected for n in lengths), lengths


def test_the_course_minutes_are_added_up_in_one_place() -> None:
    """A second sum of the course's modules' minutes outside the rule's module fails here.

    (A sum over some modules, such as a reminder's due ones, is another figure.)
    """
    found = []
    for path in (ROOT / "modules").rglob("*.py"):
        if path.relative_to(ROOT).as_posix() == RULE_HOME:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "sum":
                inside = {n.attr for n in ast.walk(node) if isinstance(n, ast.Attribute)}
                if {"minutes", "listed_modules"} <= inside:
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert found == [], f"use modules.course.duration.course_minutes ({RULE_HOME})"
