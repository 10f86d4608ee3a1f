"""One defect per case, each reported at its file and line with the gist of the problem.

Every case edits a copy of tests/data/valid (which validates with no problems). The expected
line is found in the edited file by a locator text, so the table states where a person would
look for the defect rather than a line number that drifts when the sample changes.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from modules.course.validation import validate_directory
from tests.unit.conftest import VALID


@dataclass(frozen=True)
class Case:
    file: str  # relative to the content directory
    old: str  # text replaced (must occur in the file); "" replaces the whole file
    new: str | bytes
    locator: str | None  # the edited file's first line holding this is where the problem is
    gist: str
    more: tuple[tuple[str, str], ...] = ()  # further (old, new) edits of the same defect


SAMPLE = "modules/sample.yaml"
SURVEY = "modules/survey.yaml"
COURSE = "course.yaml"

CASES: dict[str, Case] = {
    # The file as a whole
    "empty file": Case(SAMPLE, "", "", None, "the file is empty"),
    "only comments": Case(SAMPLE, "", "# nothing yet\n", None, "the file is empty"),
    "a list, not a mapping": Case(SAMPLE, "", "- id: sample\n- title: x\n", None, "holds a list"),
    "a single value": Case(SAMPLE, "", "just text\n", None, "holds a single value"),
    "not UTF-8": Case(SAMPLE, "", "id: caf\xe9\n".encode("latin-1"), None, "not UTF-8"),
    "python object tag": Case(
        SAMPLE,
        "title: A sample module",
        "title: !!python/object/apply:os.system ['echo owned']",
        "!!python",
        "tag '!!python/object/apply:os.system' is not allowed",
    ),
    "unknown local tag": Case(
        SAMPLE,
        "minutes: 15",
        "minutes: !duration 15",
        "!duration",
        "tag '!duration' is not allowed",
    ),
    "unclosed quote": Case(
        SAMPLE, "title: A sample module", 'title: "A sample module', 'title: "A', "never closed"
    ),
    "colon in plain text": Case(
        SAMPLE,
        "    title: Why ask",
        "    title: Why: ask",
        "title: Why: ask",
        "text holding ': ' must be in quotes",
    ),
    "unquoted citation first": Case(
        SAMPLE,
        "    intro: You lead rounds.",
        "    intro: [@smith-johnson-2020] You lead rounds.",
        "intro: [@",
        "[@...] must be in quotes",
    ),
    "tab indentation": Case(
        SAMPLE, "    title: Why ask", "\ttitle: Why ask", "\ttitle", "not tabs"
    ),
    "duplicate key": Case(
        SAMPLE,
        "    title: Why ask",
        "    title: Why ask\n    title: Why",
        "title: Why\n",
        "appears twice",
    ),
    # Module fields
    "unknown module field": Case(
        SAMPLE, "minutes: 15", "minutes: 15\nduration: 20", "duration:", "unknown field 'duration'"
    ),
    "typo in step field": Case(
        SAMPLE, "    body: |", "    bdy: |", "bdy:", "unknown field 'bdy'; did you mean 'body'"
    ),
    "missing title": Case(
        SAMPLE, "title: A sample module\n", "", "id: sample", "missing required field 'title'"
    ),
    "minutes as words": Case(
        SAMPLE, "minutes: 15", "minutes: fifteen", "minutes:", "'minutes' must be a whole number"
    ),
    "minutes zero": Case(
        SAMPLE, "minutes: 15", "minutes: 0", "minutes:", "'minutes' must be a positive"
    ),
    "id not a slug": Case(
        SAMPLE, "id: sample\n", "id: Sample_Module\n", "id: Sample", "is not a valid id"
    ),
    "id differs from file name": Case(
        SAMPLE, "id: sample\n", "id: other\n", "id: other", "differs from the file name"
    ),
    "title reads as boolean": Case(
        SAMPLE, "title: A sample module", "title: Yes", "title: Yes", "true/false: put it in quotes"
    ),
    "title reads as number": Case(
        SAMPLE,
        "title: A sample module",
        "title: 2020",
        "title: 2020",
        "as a number: put it in quotes",
    ),
    "title reads as date": Case(
        SAMPLE,
        "title: A sample module",
        "title: 2020-01-01",
        "title: 2020",
        "as a date: put it in quotes",
    ),
    "objectives empty": Case(
        SAMPLE,
        "objectives:\n  - Ask a colleague for specific feedback\n  - Thank people for critical"
        " feedback",
        "objectives: []",
        "objectives:",
        "'objectives' is empty",
    ),
    "steps empty": Case(
        SAMPLE,
        "",
        "id: sample\ntitle: T\nsummary: S.\nminutes: 5\nobjectives: [Ask]\nsteps: []\n",
        "steps:",
        "'steps' is empty",
    ),
    "unknown allow rule": Case(
        SAMPLE,
        "    type: lesson",
        "    type: lesson\n    allow: [nope]",
        "allow:",
        "'nope' is not a lint rule",
    ),
    # Steps
    "unknown step type": Case(
        SAMPLE, "type: reflection", "type: journal", "type: journal", "'journal' is not a step type"
    ),
    "step type missing": Case(
        SAMPLE, "    type: reflection\n", "", "id: think", "missing required field 'type'"
    ),
    "duplicate step id": Case(
        SAMPLE,
        "  - id: think",
        "  - id: why",
        "  - id: why\n    type: ref",
        "step id 'why' is used twice",
    ),
    "shuffle on a lesson": Case(
        SAMPLE,
        "    type: lesson",
        "    type: lesson\n    shuffle: false",
        "shuffle:",
        "unknown field 'shuffle'",
    ),
    "lesson body missing": Case(
        SAMPLE,
        "    title: Why ask\n",
        "    title: Why ask\n    bod: x\n",
        "bod:",
        "unknown field 'bod'",
    ),
    # Scenarios
    "next names no node": Case(
        SAMPLE, "next: retry", "next: n9", "next: n9", "next 'n9' is not a node of this scenario"
    ),
    "start names no node": Case(
        SAMPLE, "start: first", "start: zero", "start: zero", "start 'zero' is not a node"
    ),
    "start is an ending": Case(
        SAMPLE, "start: first", "start: good-end", "start: good-end", "start must be a decision"
    ),
    "unreachable node": Case(
        SAMPLE,
        "      - id: good-end",
        "      - id: orphan\n        text: Nobody gets here.\n        choices:\n"
        "          - {id: a, text: A, quality: best, feedback: F, next: good-end}\n"
        "          - {id: b, text: B, quality: poor, feedback: F, next: flat-end}\n"
        "      - id: good-end",
        "id: orphan",
        "no path from start 'first' leads here",
    ),
    "dead end loop": Case(
        SAMPLE,
        "      - id: flat-end\n        ending: poor\n        text: Nothing changes.\n"
        "        coaching: Explaining closes the door.",
        "      - id: flat-end\n        text: Round and round.\n        choices:\n"
        "          - {id: a, text: A, quality: best, feedback: F, next: flat-end}\n"
        "          - {id: b, text: B, quality: poor, feedback: F, next: flat-end}",
        "id: flat-end",
        "no ending can be reached from here",
    ),
    "decision without best": Case(
        SAMPLE,
        "text: Ask her if the change is working.\n            quality: best",
        "text: Ask her if the change is working.\n            quality: okay",
        "      - id: third",
        "no choice has quality 'best'",
    ),
    "best path ends okay": Case(
        SAMPLE,
        "feedback: She says the residents noticed.\n            next: good-end",
        "feedback: She says the residents noticed.\n            next: okay-end",
        "start: first",
        "ends at 'okay-end', an okay ending",
    ),
    "best path revisits": Case(
        SAMPLE,
        "feedback: She writes it on the board.\n            next: third",
        "feedback: She writes it on the board.\n            next: first",
        "start: first",
        "comes back to node 'first'",
    ),
    "quality not a grade": Case(
        SAMPLE,
        "quality: okay",
        "quality: good",
        "quality: good",
        "'quality' must be one of best, okay, poor",
    ),
    "ending not a grade": Case(
        SAMPLE,
        "ending: okay",
        "ending: fine",
        "ending: fine",
        "'ending' must be one of best, okay, poor",
    ),
    "coaching on a decision": Case(
        SAMPLE,
        "        text: She waits for your answer.",
        "        text: She waits for your answer.\n        coaching: Listen.",
        "coaching: Listen",
        "'coaching' belongs on an ending",
    ),
    "choices on an ending": Case(
        SAMPLE,
        "        ending: poor",
        "        ending: poor\n        choices: []",
        "choices: []",
        "unknown field 'choices'",
    ),
    "choice text is a mapping": Case(
        SAMPLE,
        "            text: Thank her and ask for an example.",
        "            text:\n              thank: her",
        "text:\n",
        "must be text, not a mapping",
    ),
    "duplicate choice id": Case(
        SAMPLE,
        "          - id: later",
        "          - id: thank",
        "          - id: thank\n            text: Say",
        "choice id 'thank' is used twice",
    ),
    "duplicate node id": Case(
        SAMPLE,
        "      - id: third",
        "      - id: second",
        "      - id: second\n        text: A week",
        "node id 'second' is used twice",
    ),
    "unknown misconception": Case(
        SAMPLE,
        "misconception: not-my-place",
        "misconception: not-a-thing",
        "misconception:",
        "tag 'not-a-thing' is not a misconception of the course",
    ),
    "unknown citation": Case(
        SAMPLE,
        "[@krentz-2017]",
        "[@krentz-2018]",
        "[@krentz-2018]",
        "citation '[@krentz-2018]' is not a source",
    ),
    # Quizzes
    "single answer with two correct": Case(
        SAMPLE,
        "text: Explaining your reasons\n            correct: false",
        "text: Explaining your reasons\n            correct: true",
        "      - id: q1",
        "2 options are correct",
    ),
    "single answer with none correct": Case(
        SAMPLE,
        "text: Thanking the person\n            correct: true",
        "text: Thanking the person\n            correct: false",
        "      - id: q1",
        "0 options are correct",
    ),
    "pass mark as percent": Case(
        SAMPLE, "pass_mark: 0.5", "pass_mark: 80", "pass_mark:", "fraction from 0 to 1"
    ),
    "reveal_after negative": Case(
        SAMPLE,
        "pass_mark: 0.5",
        "pass_mark: 0.5\n    reveal_after: -1",
        "reveal_after:",
        "'reveal_after' is a number of failed attempts, 0 or more",
    ),
    "reveal_after a fraction": Case(
        SAMPLE,
        "pass_mark: 0.5",
        "pass_mark: 0.5\n    reveal_after: 1.5",
        "reveal_after:",
        "'reveal_after' must be a whole number, but YAML reads 1.5 as a number",
    ),
    "reveal_after true": Case(
        SAMPLE,
        "pass_mark: 0.5",
        "pass_mark: 0.5\n    reveal_after: yes",
        "reveal_after:",
        "'reveal_after' must be a whole number, but YAML reads this value as true/false",
    ),
    "reveal_after as text": Case(
        SAMPLE,
        "pass_mark: 0.5",
        "pass_mark: 0.5\n    reveal_after: twice",
        "reveal_after:",
        "'reveal_after' must be a whole number, not 'twice'",
    ),
    "reveal_after empty": Case(
        SAMPLE,
        "pass_mark: 0.5",
        "pass_mark: 0.5\n    reveal_after:",
        "reveal_after:",
        "'reveal_after' is empty",
    ),
    "reveal_after misspelt": Case(
        SAMPLE,
        "pass_mark: 0.5",
        "pass_mark: 0.5\n    reveal_afer: 2",
        "reveal_afer:",
        "did you mean 'reveal_after'?",
    ),
    "retrospective not boolean": Case(
        SURVEY,
        "scale: [Never",
        "retrospective: sometimes\n    scale: [Never",
        "retrospective:",
        "'retrospective' must be true or false, not 'sometimes'",
    ),
    "retrospective on a quiz": Case(
        SAMPLE,
        "pass_mark: 0.5",
        "pass_mark: 0.5\n    retrospective: true",
        "retrospective:",
        "unknown field 'retrospective'",
    ),
    "correct not boolean": Case(
        SAMPLE, "correct: true", "correct: maybe", "correct: maybe", "must be true or false"
    ),
    "duplicate option id": Case(
        SAMPLE,
        "          - id: c",
        "          - id: a",
        "          - id: a\n            text: Did",
        "option id 'a' is used twice",
    ),
    # Reflections and commitments
    "min_words negative": Case(
        SAMPLE, "min_words: 3", "min_words: -1", "min_words:", "'min_words' is negative"
    ),
    "check-in after zero days": Case(
        SAMPLE, "check_in_days: 14", "check_in_days: 0", "check_in_days:", "positive number of days"
    ),
    "suggestions not a list": Case(
        SAMPLE,
        "suggestions:\n      - When rounds end, I will ask one resident for feedback.",
        "suggestions: When rounds end I will ask.",
        "suggestions:",
        "'suggestions' must be a list",
    ),
    # Surveys and the self-assessment
    "scale of one label": Case(
        SURVEY,
        "scale: [Never, Rarely, Sometimes, Often, Always]",
        "scale: [Never]",
        "scale:",
        "'scale' has 1 label;",
    ),
    "duplicate survey item": Case(
        SURVEY,
        "      - id: credit",
        "      - id: ask",
        "      - id: ask\n        text: I credit",
        "item id 'ask' is used twice",
    ),
    "self-assessment with a lesson": Case(
        SURVEY,
        "steps:\n",
        "steps:\n  - id: intro\n    type: lesson\n    body: Hello.\n",
        "steps:",
        "every step must be a survey",
    ),
    # The course
    "listed module has no file": Case(
        COURSE,
        "  - sample\n",
        "  - sample\n  - missing\n",
        "  - missing",
        "no file modules/missing.yaml",
    ),
    "self-assessment also listed": Case(
        COURSE,
        "  - sample\n",
        "  - sample\n  - survey\n",
        "self_assessment:",
        "also listed in 'modules'",
    ),
    "duplicate source id": Case(
        COURSE,
        "  - id: krentz-2017",
        "  - id: smith-johnson-2020",
        "  - id: smith-johnson-2020\n    citation: Krentz",
        "source id 'smith-johnson-2020' is used twice",
    ),
    "course summary cites unknown source": Case(
        COURSE,
        "[@smith-johnson-2020].",
        "[@nobody-2020].",
        "summary:",
        "citation '[@nobody-2020]' names no source",
    ),
    "misconception without description": Case(
        COURSE,
        "    description: Equity is a women's issue.\n",
        "",
        "  - id: not-my-place",
        "missing required field 'description'",
    ),
}


def apply_case(case: Case, root: Path) -> Path:
    shutil.copytree(VALID, root)
    path = root / case.file
    if case.old == "":
        if isinstance(case.new, bytes):
            path.write_bytes(case.new)
        else:
            path.write_text(case.new, encoding="utf-8")
        return path
    text = path.read_text(encoding="utf-8")
    assert isinstance(case.new, str)
    for old, new in ((case.old, case.new), *case.more):
        assert old in text, f"the sample no longer holds {old!r}"
        text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")
    return path


def expected_line(path: Path, locator: str | None) -> int:
    if locator is None:
        return 1
    text = path.read_text(encoding="utf-8")
    index = text.find(locator)
    assert index >= 0, f"locator {locator!r} is not in the edited file"
    return text.count("\n", 0, index) + 1 + (1 if locator.startswith("\n") else 0)


def test_the_sample_is_valid() -> None:
    assert validate_directory(VALID).problems == []


def test_there_are_at_least_forty_cases() -> None:
    assert len(CASES) >= 40


@pytest.mark.parametrize("name", list(CASES))
def test_defect_is_reported_at_its_line(name: str, tmp_path: Path) -> None:
    case = CASES[name]
    root = tmp_path / "content"
    path = apply_case(case, root)
    result = validate_directory(root)
    errors = [p for p in result.errors if p.file == str(path)]
    line = expected_line(path, case.locator)
    matching = [p for p in errors if case.gist in p.message]
    assert matching, f"no error mentions {case.gist!r}; got: {[p.format() for p in errors]}"
    assert line in {p.line for p in matching}, [p.format() for p in matching]
    assert all(p.format().startswith(f"{path}:{p.line}: ") for p in errors)
