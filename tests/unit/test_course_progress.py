"""How far through the course Home's top bar says a learner is: required steps, not modules."""

from __future__ import annotations

from pathlib import Path

import pytest

from modules.course.completion import course_progress, required_steps
from modules.course.models import Module
from modules.course.validation import validate_directory

ROOT = Path(__file__).resolve().parents[2]


def modules() -> list[Module]:
    content = validate_directory(ROOT / "content").content
    assert content is not None
    return list(content.listed_modules)


def test_it_counts_required_steps_across_the_listed_modules() -> None:
    course = modules()
    total = sum(len(required_steps(m)) for m in course)
    first = course[0]
    done = sorted(required_steps(first))[:2]
    progress = [(m, done if m is first else ()) for m in course]
    assert course_progress(progress) == pytest.approx(2 / total)


def test_optional_steps_and_unknown_ids_do_not_count() -> None:
    course = modules()
    optional = [s.id for m in course for s in m.steps if not s.required]
    progress = [(m, [*optional, "no-such-step"]) for m in course]
    assert course_progress(progress) == 0.0


@pytest.mark.parametrize(("finished", "expected"), [(0, 0.0), (8, 1.0)])
def test_none_and_all(finished: int, expected: float) -> None:
    course = modules()
    progress = [(m, [s.id for s in m.steps] if i < finished else []) for i, m in enumerate(course)]
    assert course_progress(progress) == expected


def test_a_course_with_no_listed_modules_is_not_under_way() -> None:
    assert course_progress([]) == 0.0
