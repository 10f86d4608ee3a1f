"""The content version changes with what a module says, not with how the file is laid out."""

from __future__ import annotations

from pathlib import Path

from modules.course.validation import validate_path
from modules.course.version import content_version
from tests.unit.conftest import VALID

SAMPLE = VALID / "modules" / "sample.yaml"


def _version_of(text: str, tmp_path: Path) -> str:
    path = tmp_path / "sample.yaml"
    path.write_text(text, encoding="utf-8")
    from modules.course.loading import load_file
    from modules.course.problems import Report
    from modules.course.reading import read_module

    module = read_module(load_file(path), Report(str(path)))
    assert module is not None
    return content_version(module)


def test_comments_whitespace_and_quoting_do_not_change_the_version(tmp_path: Path) -> None:
    text = SAMPLE.read_text(encoding="utf-8")
    base = _version_of(text, tmp_path)
    relaid = "# a comment\n" + text.replace(
        "title: A sample module", 'title: "A sample module"  # x'
    )
    relaid = relaid.replace("objectives:\n  - Ask", "objectives:\n\n  - Ask")
    assert _version_of(relaid, tmp_path) == base
    assert len(base) == 16


def test_any_change_of_content_changes_the_version(tmp_path: Path) -> None:
    text = SAMPLE.read_text(encoding="utf-8")
    base = _version_of(text, tmp_path)
    edits = [
        ("Nothing changes.", "Nothing changes at all."),
        ("quality: okay", "quality: poor"),
        ("check_in_days: 14", "check_in_days: 15"),
        ("    type: reflection\n", "    type: reflection\n    required: false\n"),
    ]
    versions = {_version_of(text.replace(old, new, 1), tmp_path) for old, new in edits}
    assert base not in versions and len(versions) == len(edits)


def test_the_validated_course_carries_each_module_version() -> None:
    result = validate_path(VALID)
    assert result.content is not None
    assert set(result.content.versions) == {"sample", "survey"}
    assert result.content.versions["sample"] == content_version(result.content.modules["sample"])
