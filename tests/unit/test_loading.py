"""Loading keeps lines and refuses hostile YAML quickly and clearly."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from modules.course.loading import LiteralText, LoadError, Mapping, Sequence, load_file, load_text
from modules.course.problems import Report
from modules.course.reading import read_module

BOMB = "\n".join(
    [
        'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]',
        *(
            f"{name}: &{name} [{', '.join(['*' + prev] * 9)}]"
            for prev, name in zip("abcdefgh", "bcdefghi", strict=True)
        ),
    ]
)


def test_lines_of_mappings_lists_and_scalars() -> None:
    data = load_text("id: x\nobjectives:\n  - Ask\n  - Listen\nbody: |\n  one\n  two\n")
    assert isinstance(data, Mapping)
    assert data.line == 1
    assert data.line_of("objectives") == 2
    objectives = data["objectives"]
    assert isinstance(objectives, Sequence)
    assert objectives.item_lines == [3, 4]
    body = data["body"]
    assert isinstance(body, LiteralText) and body.first_line == 6


@pytest.mark.parametrize(
    ("text", "gist"),
    [
        (
            "a: !!python/object/apply:os.system ['echo owned']\n",
            "'!!python/object/apply:os.system'",
        ),
        ("a: !!python/name:os.system\n", "'!!python/name:os.system'"),
        ("!!python/object:collections.OrderedDict {a: 1}\n", "'!!python/object:"),
        ("a: !!binary aGVsbG8=\n", "'!!binary'"),
        ("a: !!set {x, y}\n", "'!!set'"),
        ("a: &x [*x]\n", "refers to a value that contains it"),
        ("base: &b {x: 1}\nother:\n  <<: *b\n", "merge keys"),
    ],
)
def test_unsafe_yaml_is_refused(text: str, gist: str) -> None:
    with pytest.raises(LoadError) as caught:
        load_text(text)
    assert gist in caught.value.message


def test_alias_bomb_ends_within_a_second_with_an_error() -> None:
    started = time.perf_counter()
    with pytest.raises(LoadError) as caught:
        load_text(BOMB)
    elapsed = time.perf_counter() - started
    assert "aliases" in caught.value.message
    assert elapsed < 1.0, f"took {elapsed:.2f} s"


@pytest.mark.parametrize(
    ("content", "gist"),
    [
        (b"", "empty"),
        (b"   \n\n", "empty"),
        (b"# only a comment\n", "empty"),
        (b"- a\n- b\n", "holds a list"),
        (b"hello\n", "holds a single value"),
        (b"title: caf\xe9\n", "not UTF-8"),
        (b"\xff\xfe\x00t\x00i", "not UTF-8"),
    ],
)
def test_whole_file_problems_are_clear(tmp_path: Path, content: bytes, gist: str) -> None:
    path = tmp_path / "m.yaml"
    path.write_bytes(content)
    with pytest.raises(LoadError) as caught:
        load_file(path)
    assert gist in caught.value.message
    assert caught.value.line >= 1


def test_utf8_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_bytes("\ufeffid: x\n".encode())
    assert load_file(path)["id"] == "x"


def _big_module(target_bytes: int) -> str:
    lines = [
        "id: big",
        "title: Big",
        "summary: A large module.",
        "minutes: 20",
        "objectives: [Ask]",
        "steps:",
    ]
    index = 0
    while sum(len(line) + 1 for line in lines) < target_bytes:
        lines += [
            f"  - id: lesson-{index}",
            "    type: lesson",
            "    body: |",
            *(["      Allies ask colleagues for feedback every week."] * 20),
        ]
        index += 1
    return "\n".join(lines) + "\n"


def test_a_one_megabyte_module_loads() -> None:
    text = _big_module(1_000_000)
    assert len(text.encode()) >= 1_000_000
    report = Report("big.yaml")
    module = read_module(load_text(text), report)
    assert report.problems == []
    assert module is not None and len(module.steps) > 900
