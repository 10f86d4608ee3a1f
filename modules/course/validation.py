"""Validate a content directory or one module file: every problem at once, sorted."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from modules.course import lint
from modules.course.loading import LoadError, Mapping, load_file
from modules.course.models import Course, CourseContent, Module, Step, Survey
from modules.course.problems import Problem, Report
from modules.course.reading import read_course, read_module
from modules.course.rules import CITATION, check_module, references, unique_ids
from modules.course.version import content_version

COURSE_FILE = "course.yaml"
MODULES_DIR = "modules"


@dataclass
class Validation:
    """The outcome: all problems, and the course with the modules that have no errors."""

    problems: list[Problem] = field(default_factory=list)
    content: CourseContent | None = None
    lengths: lint.LengthFigures | None = None  # best-longest figures of the modules checked

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]


def validate_path(path: Path) -> Validation:
    """A directory is checked as a whole course; a file as one module on its own."""
    if path.is_dir():
        return validate_directory(path)
    if not path.exists():
        return Validation([Problem(str(path), 1, "error", "file", "no such file or directory")])
    report = Report(str(path))
    module = _module_file(path, report)
    if module is None:
        return Validation(sorted(report.problems))
    lint.lint_module(module, report, course_module=not _is_survey_module(module))
    return Validation(sorted(report.problems), lengths=lint.length_figures([module]))


def validate_directory(root: Path) -> Validation:
    course_report = Report(str(root / COURSE_FILE))
    course = _course_file(root / COURSE_FILE, course_report)
    reports = [course_report]
    modules: dict[str, Module] = {}
    parsed: list[Module] = []
    listed_modules: list[Module] = []
    module_dir = root / MODULES_DIR
    module_files = sorted(module_dir.glob("*.y*ml")) if module_dir.is_dir() else []
    for path in module_files:
        report = Report(str(path))
        reports.append(report)
        if path.suffix != ".yaml":
            report.warning(1, "unlisted-module", "ignored: module files end in .yaml")
            continue
        module = _module_file(path, report)
        if module is None:
            continue
        parsed.append(module)
        listed = course is None or module.id in course.modules
        if listed:
            listed_modules.append(module)
        if course is not None:
            _check_against_course(module, course, report)
        lint.lint_module(module, report, course_module=listed and not _is_survey_module(module))
        if not report.has_errors:
            modules[module.id] = module
    if course is not None:
        _check_course_modules(
            course, {p.stem for p in module_files if p.suffix == ".yaml"}, course_report
        )
        _check_sources_used(course, parsed, course_report)
        lengths = lint.lint_course(course, listed_modules, course_report)
    else:
        lengths = lint.length_figures(listed_modules)
    problems = sorted(p for r in reports for p in r.problems)
    if course is None or course_report.has_errors:
        return Validation(problems, lengths=lengths)
    versions = {m.id: content_version(m) for m in modules.values()}
    return Validation(problems, CourseContent(course, modules, versions), lengths)


def _course_file(path: Path, report: Report) -> Course | None:
    if not path.is_file():
        report.error(
            1,
            "file",
            f"no {COURSE_FILE} here; a content directory needs one (see content/README.md)",
        )
        return None
    data = _load(path, report)
    course = read_course(data, report) if data is not None else None
    if course is None:
        return None
    unique_ids(report, course.misconceptions, "misconception", "")
    unique_ids(report, course.sources, "source", "")
    _check_allow((course,), report)
    for match in CITATION.finditer(course.summary):
        if match.group(1) not in {s.id for s in course.sources}:
            report.error(
                course.line_of("summary"),
                "citation",
                f"summary: citation '[@{match.group(1)}]' names no source of the course",
            )
    return course


def _load(path: Path, report: Report) -> Mapping | None:
    try:
        return load_file(path)
    except LoadError as exc:
        report.error(exc.line, "yaml", exc.message)
        return None


def _module_file(path: Path, report: Report) -> Module | None:
    data = _load(path, report)
    module = read_module(data, report) if data is not None else None
    if module is None:
        return None
    if module.id != path.stem:
        report.error(
            module.line_of("id"),
            "file-name",
            f"id '{module.id}' differs from the file name '{path.name}'; name the file "
            f"'{module.id}.yaml' or change the id",
        )
    check_module(module, report)
    _check_allow((module, *module.steps), report)
    return module


def _check_allow(owners: Iterable[Course | Module | Step], report: Report) -> None:
    for allow_owner in owners:
        for rule in allow_owner.allow:
            if rule not in lint.RULES:
                report.error(
                    allow_owner.line_of("allow"),
                    "allow",
                    f"allow: '{rule}' is not a lint rule (rules: {', '.join(lint.RULES)})",
                )


def _check_against_course(module: Module, course: Course, report: Report) -> None:
    known = {
        "source": {s.id for s in course.sources},
        "misconception": {m.id for m in course.misconceptions},
    }
    for ref in references(module):
        if ref.id not in known[ref.kind]:
            where = f"{ref.context}: " if ref.context else ""
            what = f"citation '[@{ref.id}]'" if ref.kind == "source" else f"tag '{ref.id}'"
            report.error(
                ref.line,
                "citation" if ref.kind == "source" else "misconception",
                f"{where}{what} is not a {ref.kind} of the course (course.yaml)",
            )
    if module.id == course.self_assessment and not _is_survey_module(module):
        report.error(
            module.line_of("steps"),
            "self-assessment",
            "this module is the course's self-assessment, so every step must be a survey",
        )
    if module.id not in course.modules and module.id != course.self_assessment:
        if "unlisted-module" not in module.allow:
            report.warning(
                module.line,
                "unlisted-module",
                f"module '{module.id}' is neither listed in course.yaml 'modules' nor "
                "its self_assessment, so learners never see it",
            )


def _check_course_modules(course: Course, files: set[str], report: Report) -> None:
    if not course.modules:
        report.error(course.line_of("modules"), "required", "'modules' is empty")
    seen: set[str] = set()
    for index, module_id in enumerate(course.modules):
        line = course.item_line("modules", index)
        if module_id in seen:
            report.error(line, "duplicate-id", f"modules: '{module_id}' is listed twice")
        seen.add(module_id)
        if module_id not in files:
            report.error(line, "reference", f"modules: no file {MODULES_DIR}/{module_id}.yaml")
    sid = course.self_assessment
    if sid is not None:
        line = course.line_of("self_assessment")
        if sid not in files:
            report.error(line, "reference", f"self_assessment: no file {MODULES_DIR}/{sid}.yaml")
        if sid in course.modules:
            report.error(
                line,
                "self-assessment",
                f"self_assessment: '{sid}' is also listed in "
                "'modules'; it is taken before and after the course, not as a module",
            )


def _check_sources_used(course: Course, modules: Iterable[Module], report: Report) -> None:
    cited = {r.id for m in modules for r in references(m) if r.kind == "source"}
    cited |= {m.group(1) for m in CITATION.finditer(course.summary)}
    if "unused-source" in course.allow:
        return
    for source in course.sources:
        if source.id not in cited:
            report.warning(
                source.line_of("id"),
                "unused-source",
                f"source '{source.id}' is never cited; cite it as [@{source.id}] or remove it",
            )


def _is_survey_module(module: Module) -> bool:
    return bool(module.steps) and all(isinstance(s, Survey) for s in module.steps)
