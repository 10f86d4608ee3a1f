"""Content authors' commands: `python -m modules validate|schema|readability`."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from modules.course import lint, readability
from modules.course.duration import course_minutes
from modules.course.models import CourseContent, Lesson
from modules.course.problems import plural
from modules.course.schema import course_schema, module_schema
from modules.course.validation import validate_path

DEFAULT_CONTENT = Path("content")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m modules", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("validate", help="check a content directory or one module file")
    check.add_argument(
        "path",
        nargs="?",
        type=Path,
        default=DEFAULT_CONTENT,
        help="a content directory (default: content/) or a module file",
    )
    output = check.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="print the problems as JSON")
    output.add_argument(
        "--stats",
        action="store_true",
        help="also print how often the best option is the longest or shortest, against chance",
    )
    schema = commands.add_parser("schema", help="write JSON Schemas for YAML-aware editors")
    schema.add_argument(
        "directory",
        nargs="?",
        type=Path,
        default=Path("schema"),
        help="where to write course.schema.json and module.schema.json (default: schema/)",
    )
    levels = commands.add_parser("readability", help="the reading grade of every lesson")
    levels.add_argument("path", nargs="?", type=Path, default=DEFAULT_CONTENT)
    course_map = commands.add_parser("course-map", help="print the course map as a markdown table")
    course_map.add_argument("path", nargs="?", type=Path, default=DEFAULT_CONTENT)
    args = parser.parse_args(argv)
    try:
        if args.command == "validate":
            return _validate(args.path, args.json, args.stats)
        if args.command == "schema":
            return _schema(args.directory)
        if args.command == "course-map":
            return _course_map(args.path)
        return _readability(args.path)
    except (OSError, RecursionError, MemoryError) as exc:  # never a traceback for authors
        print(f"{getattr(args, 'path', '')}: {exc}", file=sys.stderr)
        return 1


def _validate(path: Path, as_json: bool, stats: bool) -> int:
    result = validate_path(path)
    if as_json:
        print(json.dumps([p.as_json() for p in result.problems], indent=2))
    else:
        for problem in result.problems:
            print(problem.format())
        if stats and result.lengths is not None:
            if result.problems:
                print()
            _print_lengths(result.lengths)
        errors, warnings = len(result.errors), len(result.warnings)
        print(
            f"{plural(errors, 'error')}, {plural(warnings, 'warning')} in {path}", file=sys.stderr
        )
    return 1 if result.errors else 0


def _print_lengths(figures: lint.LengthFigures) -> None:
    """The best-longest figures: best (or correct) options that are the longest or shortest."""
    print("best-longest: how often the best option (a quiz's correct one) is the longest or the")
    print("shortest of its options, in characters, ties included, against chance (sum of 1/n):")
    header = ("", "count", "longest", "shortest", "chance", "limit")
    print(f"{header[0]:30}" + "".join(f"{h:>10}" for h in header[1:]))
    marked = False
    for name, tally in (
        ("scenario decisions", figures.decisions),
        ("single-answer quiz questions", figures.questions),
    ):
        cells = [str(tally.count)]
        for times in (tally.longest, tally.shortest):
            over = times > tally.limit
            marked = marked or over
            cells.append(f"{times}{'*' if over else ''}")
        cells += [f"{float(tally.chance):.1f}", f"{float(tally.limit):.1f}"]
        print(f"{name:30}" + "".join(f"{c:>10}" for c in cells))
    print(
        f"limit = chance x {float(lint.CHANCE_FACTOR)} + {lint.CHANCE_ALLOWANCE}"
        + ("; * above the limit, which a course warns of at course.yaml:1" if marked else "")
    )


def _schema(directory: Path) -> int:
    directory.mkdir(parents=True, exist_ok=True)
    for name, schema in (("course", course_schema()), ("module", module_schema())):
        target = directory / f"{name}.schema.json"
        target.write_text(json.dumps(schema, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {target}")
    return 0


def _valid_content(path: Path) -> CourseContent | None:
    result = validate_path(path)
    if result.content is None:
        print(
            f"{path}: fix the errors that `python -m modules validate` reports first",
            file=sys.stderr,
        )
    return result.content


def _course_map(path: Path) -> int:
    content = _valid_content(path)
    if content is None:
        return 1
    print("| # | module | the learner will | minutes |")
    print("|---|---|---|---|")
    survey = content.self_assessment
    if survey is not None:
        print(
            f"| 0 | **{survey.title}** (`{survey.id}`), before the first module and after the"
            f" last | {'<br>'.join(survey.objectives)} | {survey.minutes} |"
        )
    for number, module in enumerate(content.listed_modules, start=1):
        print(
            f"| {number} | **{module.title}** (`{module.id}`) | {'<br>'.join(module.objectives)}"
            f" | {module.minutes} |"
        )
    print(f"| | **Total** | | {course_minutes(content)} |")
    return 0


def _readability(path: Path) -> int:
    content = _valid_content(path)
    if content is None:
        return 1
    print(f"{'module':36} {'lesson':28} {'words':>6} {'words/sentence':>15} {'grade':>6}")
    for module in content.modules.values():
        for step in module.steps:
            if isinstance(step, Lesson):
                m = readability.measure(step.body)
                print(
                    f"{module.id:36} {step.id:28} {m.words:6} {m.words / m.sentences:15.1f}"
                    f" {m.grade:6.1f}"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
