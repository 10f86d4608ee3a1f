"""`python -m modules`: exit codes, output forms, and never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

from tests.unit.conftest import VALID
from tests.unit.test_best_longest import module_text, write_course
from tests.unit.test_malformed import CASES, apply_case

ROOT = Path(__file__).parent.parent.parent


def run(*args: str | Path, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "modules", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )


def test_valid_directory_exits_zero() -> None:
    done = run("validate", VALID)
    assert done.returncode == 0
    assert done.stdout == ""
    assert "0 errors, 0 warnings" in done.stderr


def test_one_module_file_is_checked_alone() -> None:
    # Alone, citations cannot be checked against course.yaml, so this file passes.
    done = run("validate", VALID / "modules" / "sample.yaml")
    assert done.returncode == 0, done.stdout


@pytest.mark.parametrize(
    "name",
    ["python object tag", "not UTF-8", "empty file", "next names no node", "tab indentation"],
)
def test_errors_exit_one_with_path_line_message(name: str, tmp_path: Path) -> None:
    path = apply_case(CASES[name], tmp_path / "content")
    done = run("validate", tmp_path / "content")
    assert done.returncode == 1
    assert "Traceback" not in done.stdout + done.stderr
    lines = [line for line in done.stdout.splitlines() if line.startswith(str(path))]
    assert lines and all(line.split(":")[1].isdigit() for line in lines)


def test_warnings_do_not_change_the_exit_status(tmp_path: Path) -> None:
    apply_case(
        CASES["unknown citation"].__class__(
            "modules/sample.yaml",
            "feedback: Nobody laughs.",
            "feedback: Correct, nobody laughs.",
            None,
            "",
        ),
        tmp_path / "c",
    )
    done = run("validate", tmp_path / "c")
    assert done.returncode == 0
    assert ": warning: " in done.stdout and "[verdict-feedback]" in done.stdout


def test_json_output(tmp_path: Path) -> None:
    path = apply_case(CASES["next names no node"], tmp_path / "content")
    done = run("validate", "--json", tmp_path / "content")
    assert done.returncode == 1
    problems = json.loads(done.stdout)
    assert problems and set(problems[0]) == {"file", "line", "severity", "rule", "message"}
    assert {(p["file"], p["rule"]) for p in problems} >= {(str(path), "reference")}


def test_stats_prints_the_course_figures_against_chance(tmp_path: Path) -> None:
    # 16 decisions of 4 options (chance 4, limit 6), the best option the longest in 7 and the
    # shortest in 1; one single-answer question of 3 options, the correct one the shortest
    # (within its limit), and one multi-select question, which does not count.
    decisions = ["b9 p3 o5 p7"] * 7 + ["b1 p3 o5 p7"] + ["b5 p3 o9 p7"] * 8
    scenarios = [decisions[i : i + 3] for i in range(0, 16, 3)]
    text = module_text("m", scenarios=scenarios, quizzes=[["c1 w3 w5", "*c9 w3"]])
    root = write_course(tmp_path / "c", {"m": text})
    plain = run("validate", root)
    done = run("validate", "--stats", root)
    assert done.returncode == plain.returncode == 0
    assert "best-longest" not in plain.stdout.replace("[best-longest]", "")
    assert all(line.startswith(str(root)) for line in plain.stdout.splitlines())
    assert done.stdout.startswith(plain.stdout + "\n")  # the problems, then the figures
    assert done.stderr == plain.stderr
    figures = done.stdout[len(plain.stdout) :].splitlines()
    rows = {line[:30].strip(): line[30:].split() for line in figures if line[:30].strip()}
    assert rows["scenario decisions"] == ["16", "7*", "1", "4.0", "6.0"]
    assert rows["single-answer quiz questions"] == ["1", "0", "1", "0.3", "1.4"]
    assert figures[-1].startswith("limit = chance x 1.25 + 1; * above the limit")


def test_stats_of_a_course_within_the_limits() -> None:
    done = run("validate", "--stats", VALID)
    assert done.returncode == 0 and "0 errors, 0 warnings" in done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("best-longest: ")
    assert lines[-1] == "limit = chance x 1.25 + 1"
    assert "*" not in done.stdout


def test_stats_and_json_do_not_combine(tmp_path: Path) -> None:
    done = run("validate", "--stats", "--json", VALID)
    assert done.returncode == 2
    assert "not allowed with" in done.stderr and "Traceback" not in done.stderr


def test_missing_path_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    done = run("validate", tmp_path / "nowhere.yaml")
    assert done.returncode == 1
    assert "no such file" in done.stdout and "Traceback" not in done.stderr


def test_directory_without_course_file(tmp_path: Path) -> None:
    done = run("validate", tmp_path)
    assert done.returncode == 1
    assert f"{tmp_path / 'course.yaml'}:1: no course.yaml here" in done.stdout


def test_schema_describes_the_format(tmp_path: Path) -> None:
    done = run("schema", tmp_path / "schema")
    assert done.returncode == 0
    module_schema = json.loads((tmp_path / "schema" / "module.schema.json").read_text())
    course_schema = json.loads((tmp_path / "schema" / "course.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(module_schema)
    for path in (VALID / "modules").glob("*.yaml"):
        jsonschema.validate(yaml.safe_load(path.read_text()), module_schema)
    jsonschema.validate(yaml.safe_load((VALID / "course.yaml").read_text()), course_schema)
    broken = yaml.safe_load((VALID / "modules" / "sample.yaml").read_text())
    broken["steps"][0]["bdy"] = "typo"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, module_schema)


def test_readability_lists_every_lesson() -> None:
    done = run("readability", VALID)
    assert done.returncode == 0
    rows = [line.split() for line in done.stdout.splitlines()[1:]]
    assert [(r[0], r[1]) for r in rows] == [("sample", "why")]
    assert 0 < float(rows[0][-1]) < 10
