"""When a certificate's course was completed, and how its code is read back (pure)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from modules.course.certificate import (
    CODE_ALPHABET,
    CODE_LENGTH,
    course_completed_at,
    new_code,
    normalize_code,
    spaced,
)
from modules.course.completion import required_steps
from modules.course.models import CourseContent

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def times(module: str, steps: list[str]) -> dict[tuple[str, str], datetime]:
    """Each step completed an hour after the one before, from T0."""
    return {(module, step): T0 + timedelta(hours=n) for n, step in enumerate(steps)}


def test_the_course_is_complete_at_its_last_required_step(content: CourseContent) -> None:
    (module,) = content.listed_modules
    required = sorted(required_steps(module))
    completed = times(module.id, required)
    assert course_completed_at(content, completed) == T0 + timedelta(hours=len(required) - 1)


@pytest.mark.parametrize("missing", [0, -1])
def test_a_required_step_not_done_means_no_completion(content: CourseContent, missing: int) -> None:
    (module,) = content.listed_modules
    required = sorted(required_steps(module))
    del required[missing]
    assert course_completed_at(content, times(module.id, required)) is None


def test_the_self_assessment_is_not_needed(content: CourseContent) -> None:
    (module,) = content.listed_modules
    completed = times(module.id, sorted(required_steps(module)))
    assert content.course.self_assessment is not None
    assert course_completed_at(content, completed) is not None  # no survey step in `completed`


def test_a_hidden_module_cannot_be_complete(content: CourseContent) -> None:
    (module,) = content.listed_modules
    completed = times(module.id, sorted(required_steps(module)))
    hidden = dataclasses.replace(content, modules={})
    assert course_completed_at(hidden, completed) is None


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("7K3M-9QXZ-4TRW-8B2N", "7K3M9QXZ4TRW8B2N"),
        (" 7k3m 9qxz 4trw 8b2n ", "7K3M9QXZ4TRW8B2N"),
        ("7K3M-9QXZ-4TRW-8B2O", "7K3M9QXZ4TRW8B20"),  # O read as 0
        ("IK3M-9QXZ-4TRW-8B2L", "1K3M9QXZ4TRW8B21"),  # I and L read as 1
        ("7K3M-9QXZ-4TRW-8B2", None),  # too short
        ("7K3M-9QXZ-4TRW-8B2NN", None),  # too long
        ("7K3M-9QXZ-4TRW-8B2U", None),  # U is not in the alphabet
        ("../../etc/passwd", None),
        ("x" * 65, None),
    ],
)
def test_codes_as_typed(typed: str, stored: str | None) -> None:
    assert normalize_code(typed) == stored


def test_new_codes_are_long_random_and_print_in_groups() -> None:
    codes = {new_code() for _ in range(200)}
    assert len(codes) == 200
    assert all(len(c) == CODE_LENGTH and set(c) <= set(CODE_ALPHABET) for c in codes)
    assert CODE_LENGTH * 5 >= 64  # 32 symbols: 5 bits each
    code = next(iter(codes))
    assert spaced(code).replace("-", "") == code and spaced(code).count("-") == 3
