"""Shared fixtures: the valid sample course in tests/data/valid, loaded once."""

from __future__ import annotations

from pathlib import Path

import pytest

from modules.course.models import CourseContent, Module, Quiz, Scenario, Survey
from modules.course.validation import validate_directory

VALID = Path(__file__).parent.parent / "data" / "valid"


@pytest.fixture(scope="session")
def content() -> CourseContent:
    result = validate_directory(VALID)
    assert result.content is not None, [p.format() for p in result.problems]
    return result.content


@pytest.fixture(scope="session")
def sample(content: CourseContent) -> Module:
    return content.modules["sample"]


@pytest.fixture(scope="session")
def scenario(sample: Module) -> Scenario:
    step = sample.step("rounds")
    assert isinstance(step, Scenario)
    return step


@pytest.fixture(scope="session")
def quiz(sample: Module) -> Quiz:
    step = sample.step("check")
    assert isinstance(step, Quiz)
    return step


@pytest.fixture(scope="session")
def survey(content: CourseContent) -> Survey:
    module = content.self_assessment
    assert module is not None and isinstance(module.steps[0], Survey)
    return module.steps[0]
