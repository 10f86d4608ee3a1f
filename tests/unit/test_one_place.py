""" "One place" rules hold only while a test fails the day someone adds a second place.

Roles are named once, permission is refused in one module, steps complete through one rule,
every service use case checks its caller, and pages never touch the database layer.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CODE = [p for d in ("modules", "progress") for p in (ROOT / d).rglob("*.py")]
ROLE_NAMES = {"learner", "facilitator", "admin"}
# Files where these words are not role names: CSV column headers a roster or an export uses.
NOT_ROLES = {"modules/cohorts/roster.py", "modules/cohorts/export.py"}
ROLES_HOME = "progress/tables/accounts.py"


def relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def calls(node: ast.AST, name: str) -> Iterator[ast.Call]:
    for found in ast.walk(node):
        if isinstance(found, ast.Call):
            func = found.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if called == name:
                yield found


def test_role_names_are_written_once() -> None:
    found = [
        f"{relative(path)}:{node.lineno}: {node.value!r}"
        for path in CODE
        if "migrations" not in path.parts and relative(path) not in NOT_ROLES | {ROLES_HOME}
        for node in ast.walk(tree(path))
        if isinstance(node, ast.Constant) and node.value in ROLE_NAMES
    ]
    assert found == [], f"use the constants of {ROLES_HOME}"


def test_permission_is_refused_in_one_module() -> None:
    found = [
        f"{relative(path)}:{call.lineno}"
        for path in CODE
        if relative(path) != "modules/services/authz.py"
        for call in calls(tree(path), "PermissionDenied")
    ]
    assert found == [], "refuse through modules/services/authz.py"


@pytest.mark.parametrize(
    ("name", "home"),
    [("mark_completed", "complete_if_done"), ("step_complete", None)],
)
def test_steps_complete_through_one_rule(name: str, home: str | None) -> None:
    """The repository call that completes a step is made in one method, after the domain's rule."""
    places = []
    for path in (ROOT / "modules").rglob("*.py"):
        for function in ast.walk(tree(path)):
            if isinstance(function, ast.FunctionDef) and any(calls(function, name)):
                places.append(f"{relative(path)}:{function.name}")
    if home is None:  # the domain's rule is asked by the one completion method and the overview
        assert places == [
            "modules/services/learning.py:_phases_taken",
            "modules/services/learning.py:complete_if_done",
        ]
    else:
        assert places == [f"modules/services/learning.py:{home}"]


SERVICES = {
    "modules/services/learning.py": "LearningService",
    "modules/services/practice.py": "Practice",
    "modules/services/cohorts.py": "CohortService",
}
# Methods that read only the course content (or work inside a caller's checked unit of work).
CONTENT_ONLY = {
    "module", "step", "ref", "version", "scenario", "quiz", "default_target_date", "overview_of",
    "self_assessment_answers_of", "record_in", "complete_if_done", "commitments_due",
    "settings_of", "managed", "overview", "self_assessment_answers", "preview_roster",
    "reporter_for", "looking_back_of", "open_in",
}  # fmt: skip
CHECKS = {"current", "learner", "facilitator", "admin", "managed", "record", "standing"}


@pytest.mark.parametrize("path", SERVICES)
def test_every_service_use_case_checks_its_caller(path: str) -> None:
    (cls,) = [
        n
        for n in tree(ROOT / path).body
        if isinstance(n, ast.ClassDef) and n.name == SERVICES[path]
    ]
    unchecked = [
        method.name
        for method in cls.body
        if isinstance(method, ast.FunctionDef)
        and not method.name.startswith("_")
        and method.name not in CONTENT_ONLY
        and not any(any(calls(method, check)) for check in CHECKS)
    ]
    assert unchecked == [], "call modules.services.authz (or self.managed) in the unit of work"


@pytest.mark.parametrize(
    "path", sorted({*(ROOT / "modules" / "ui").rglob("*.py"), ROOT / "app.py"}), ids=relative
)
def test_pages_never_import_the_database_layer(path: Path) -> None:
    imported = [
        (node.module if isinstance(node, ast.ImportFrom) else alias.name) or ""
        for node in ast.walk(tree(path))
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    ]
    assert [m for m in imported if m.split(".")[0] in ("sqlalchemy", "progress")] == []


def test_check_in_outcomes_are_written_once() -> None:
    home = "modules/course/check_ins.py"
    found = [
        f"{relative(path)}:{node.lineno}: {node.value!r}"
        for path in CODE
        if "migrations" not in path.parts and relative(path) != home
        for node in ast.walk(tree(path))
        if isinstance(node, ast.Constant) and node.value in {"partly", "not_yet"}
    ]
    assert found == [], f"use the outcomes of {home}"
