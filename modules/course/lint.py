"""Warnings for the design rules of curriculum.md that a program can check.

Each warning names its rule; `allow: [rule]` on the module or the step silences it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from statistics import fmean

from modules.course import readability, scenarios
from modules.course.models import (
    Commitment,
    Decision,
    Lesson,
    Located,
    Module,
    Reflection,
    Scenario,
    Step,
    Survey,
    content_fields,
)
from modules.course.problems import Report, plural, where
from modules.course.rules import text_line, walk

RULES: dict[str, str] = {
    "objective-verb": "objectives name on-the-job behaviors, not understand/know/learn",
    "option-count": "a decision offers 3-4 options",
    "option-length": "options of similar length; the best one is not the longest by far",
    "verdict-feedback": "scenario feedback shows a consequence, never opens with a verdict",
    "no-recovery": "some poor or okay choice still leads to where a best ending is reachable",
    "scenario-size": "3-6 decisions on the best path and 2-5 endings",
    "module-shape": "a course module has a lesson, a scenario, and a reflection after them",
    "survey-item": "a self-assessment statement holds one idea, without always/never",
    "readability": "lessons grade 10 or below, options and prompts grade 8, sentences < 25 words",
    "framing": "no compliance framing and no blame of men as a group",
    "unlisted-module": "every module file is listed in course.yaml or is its self-assessment",
    "unused-source": "every source of the bibliography is cited somewhere",
}

LESSON_GRADE = 10.0
OPTION_GRADE = 8.0
SENTENCE_WORDS = 25

_OBJECTIVE_VERBS = re.compile(r"^\s*(understand|know|learn|appreciate|be aware)\b", re.I)
_VERDICT = re.compile(
    r"^\W*(?:(?:correct|incorrect|wrong|try again|well done|good job|great job|nice work)\b"
    r"|right\s*[!.,;:])",
    re.I,
)
_FRAMING = re.compile(
    r"\b(mandatory|required by law|liability|disciplinary|all men|men always|men never)\b", re.I
)
_SURVEY_JOINED = re.compile(r"\s(and|or)\s", re.I)
_SURVEY_ABSOLUTE = re.compile(r"\b(always|never)\b", re.I)
_NOT_LEARNER_FACING = {"facilitator_notes", "quality", "ending", "url", "allow"}


@dataclass(frozen=True)
class Finding:
    line: int
    rule: str
    message: str
    step: Step | None


def lint_module(module: Module, report: Report, *, course_module: bool) -> None:
    """Add the module's warnings to `report`, less those its `allow` lists silence."""
    for finding in _findings(module, course_module):
        allowed = set(module.allow) | set(finding.step.allow if finding.step else ())
        if finding.rule not in allowed:
            report.warning(finding.line, finding.rule, finding.message)


def _findings(module: Module, course_module: bool) -> Iterator[Finding]:
    for objective_index, objective in enumerate(module.objectives):
        if _OBJECTIVE_VERBS.match(objective):
            yield Finding(
                module.item_line("objectives", objective_index),
                "objective-verb",
                f"objective {objective_index + 1} starts with a verb that is not a "
                f"behavior ('{objective.split()[0]}'): name what the learner will do, "
                "like 'ask', 'nominate' or 'interrupt'",
                None,
            )
    if course_module:
        yield from _module_shape(module)
    yield from _text_rules(module)
    for step in module.steps:
        if isinstance(step, Scenario):
            yield from _scenario_rules(step)
        elif isinstance(step, Survey):
            yield from _survey_rules(step)
        elif isinstance(step, Lesson):
            grade = readability.measure(step.body).grade
            if grade > LESSON_GRADE:
                yield Finding(
                    step.line_of("body"),
                    "readability",
                    f"{step.label}: reads at grade {grade:.1f} (goal: "
                    f"{LESSON_GRADE:.0f} or below); use shorter sentences and words",
                    step,
                )
        elif isinstance(step, Reflection | Commitment):
            grade = readability.measure(step.prompt).grade
            if grade > OPTION_GRADE:
                yield Finding(
                    step.line_of("prompt"),
                    "readability",
                    f"{step.label}: the prompt reads at grade {grade:.1f} (goal: "
                    f"{OPTION_GRADE:.0f} or below)",
                    step,
                )


def _module_shape(module: Module) -> Iterator[Finding]:
    kinds = [s.TYPE for s in module.steps]
    missing = [k for k in ("lesson", "scenario", "reflection") if k not in kinds]
    if missing:
        yield Finding(
            module.line_of("steps"),
            "module-shape",
            f"the module has no {' and no '.join(missing)} step",
            None,
        )
    elif max(i for i, k in enumerate(kinds) if k == "reflection") < max(
        i for i, k in enumerate(kinds) if k == "scenario"
    ):
        yield Finding(
            module.line_of("steps"),
            "module-shape",
            "put a reflection after the module's scenarios",
            None,
        )


def _text_rules(module: Module) -> Iterator[Finding]:
    """Framing and sentence length in every learner-facing text of the module."""
    yield from _texts(module, "", None)
    for step in module.steps:
        for obj, context in walk(step, step.label):
            yield from _texts(obj, context, step)


def _texts(obj: Located, context: str, step: Step | None) -> Iterator[Finding]:
    for spec in content_fields(type(obj)):
        if spec.name in _NOT_LEARNER_FACING or spec.metadata.get("slug"):
            continue
        value = getattr(obj, spec.name)
        texts = value if isinstance(value, tuple) else (value,)
        for index, text in enumerate(texts):
            if not isinstance(text, str):
                continue
            for match in _FRAMING.finditer(text):
                yield Finding(
                    _line(obj, spec.name, index, text, match.start()),
                    "framing",
                    f"{where(context, spec.name)}: '{match.group(0)}' "
                    "frames equity as compliance or blames men as a group; say what "
                    "leaders can do instead",
                    step,
                )
            for sentence in readability.long_sentences(text, SENTENCE_WORDS):
                count = len(readability.words(sentence))
                offset = text.find(sentence.split()[0])
                yield Finding(
                    _line(obj, spec.name, index, text, max(0, offset)),
                    "readability",
                    f"{where(context, spec.name)}: a sentence of "
                    f"{count} words (goal: under {SENTENCE_WORDS}): "
                    f"'{sentence[:50]}...'",
                    step,
                )


def _line(obj: Located, name: str, index: int, text: str, offset: int) -> int:
    if isinstance(getattr(obj, name), tuple):
        return obj.item_line(name, index)
    return text_line(obj, name, text, offset)


def _scenario_rules(scenario: Scenario) -> Iterator[Finding]:
    label = scenario.label
    for node in scenario.nodes:
        if isinstance(node, Decision):
            yield from _decision_rules(scenario, node)
    path = scenarios.best_path(scenario)
    if path.reaches_best_ending and not 3 <= len(path.steps) <= 6:
        yield Finding(
            scenario.line_of("start"),
            "scenario-size",
            f"{label}: the best path has {plural(len(path.steps), 'decision')} (goal: 3-6)",
            scenario,
        )
    count = len(scenarios.endings(scenario))
    if not 2 <= count <= 5:
        yield Finding(
            scenario.line_of("nodes"),
            "scenario-size",
            f"{label}: {plural(count, 'ending')} (goal: 2-5)",
            scenario,
        )
    best_reach = scenarios.reaching(scenario, (e.id for e in scenarios.endings(scenario, "best")))
    recoverable = any(
        c.quality != "best" and c.next in best_reach
        for n in scenario.nodes
        if isinstance(n, Decision)
        for c in n.choices
    )
    if not recoverable:
        yield Finding(
            scenario.line_of("nodes"),
            "no-recovery",
            f"{label}: no poor or okay choice leads anywhere a best ending can still "
            "be reached; let learners recover from a mistake",
            scenario,
        )
    choice_text = "\n\n".join(
        c.text for n in scenario.nodes if isinstance(n, Decision) for c in n.choices
    )
    grade = readability.measure(choice_text).grade
    if grade > OPTION_GRADE:
        yield Finding(
            scenario.line_of("nodes"),
            "readability",
            f"{label}: the choices read at grade {grade:.1f} (goal: {OPTION_GRADE:.0f} or below)",
            scenario,
        )


def _decision_rules(scenario: Scenario, node: Decision) -> Iterator[Finding]:
    context = where(scenario.label, f"node '{node.id}'")
    line = node.line
    if not 3 <= len(node.choices) <= 4:
        yield Finding(
            line,
            "option-count",
            f"{context}: {plural(len(node.choices), 'option')} (goal: 3-4)",
            scenario,
        )
    lengths = {c.id: len(c.text) for c in node.choices}
    if len(lengths) >= 2 and max(lengths.values()) > 2 * min(lengths.values()):
        yield Finding(
            line,
            "option-length",
            f"{context}: the longest option ({max(lengths.values())} characters) is "
            f"more than twice the shortest ({min(lengths.values())})",
            scenario,
        )
    for choice in node.choices:
        others = [n for cid, n in lengths.items() if cid != choice.id]
        if choice.quality == "best" and others and lengths[choice.id] > 1.5 * fmean(others):
            yield Finding(
                choice.line_of("text"),
                "option-length",
                f"{where(context, f'choice {choice.id!r}')}: the best option is "
                f"{lengths[choice.id]} characters, over 1.5x the others' mean "
                f"({fmean(others):.0f}); learners learn to pick the longest",
                scenario,
            )
        if _VERDICT.match(choice.feedback):
            yield Finding(
                choice.line_of("feedback"),
                "verdict-feedback",
                f"{where(context, f'choice {choice.id!r}')}: feedback opens with a "
                "verdict; show what happens next and leave the coaching to the ending",
                scenario,
            )


def _survey_rules(survey: Survey) -> Iterator[Finding]:
    for item in survey.items:
        context = where(survey.label, f"item '{item.id}'")
        if _SURVEY_JOINED.search(item.text):
            yield Finding(
                item.line_of("text"),
                "survey-item",
                f"{context}: 'and'/'or' may join two behaviors; keep one idea per statement",
                survey,
            )
        if _SURVEY_ABSOLUTE.search(item.text):
            yield Finding(
                item.line_of("text"),
                "survey-item",
                f"{context}: leave 'always'/'never' to the scale labels",
                survey,
            )
