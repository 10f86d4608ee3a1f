"""The contract's rules for one module: ids, references, graph shape, quiz and survey sanity."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Protocol

from modules.course import scenarios
from modules.course.models import (
    Commitment,
    Decision,
    Ending,
    Located,
    Module,
    Question,
    Quiz,
    Reflection,
    Scenario,
    Step,
    Survey,
    content_fields,
)
from modules.course.problems import Report, located, plural, where

CITATION = re.compile(r"\[@([^\]\s]*)\]")


@dataclass(frozen=True)
class Reference:
    """An id used somewhere in a module that must exist in the course."""

    kind: str  # "source" or "misconception"
    id: str
    line: int
    context: str


def check_module(module: Module, report: Report) -> None:
    """Report every rule of the contract that the module breaks on its own."""
    if module.minutes <= 0:
        report.error(module.line_of("minutes"), "value", "'minutes' must be a positive number")
    if not module.objectives:
        report.error(module.line_of("objectives"), "required", "'objectives' is empty")
    unique_ids(report, module.steps, "step", "")
    for step in module.steps:
        if isinstance(step, Scenario):
            check_scenario(step, report)
        elif isinstance(step, Quiz):
            check_quiz(step, report)
        elif isinstance(step, Survey):
            _check_survey(step, report)
        elif isinstance(step, Reflection) and step.min_words < 0:
            report.error(
                step.line_of("min_words"), "value", f"{step.label}: 'min_words' is negative"
            )
        elif isinstance(step, Commitment) and step.check_in_days <= 0:
            report.error(
                step.line_of("check_in_days"),
                "value",
                f"{step.label}: 'check_in_days' must be a positive number of days",
            )


def check_scenario(scenario: Scenario, report: Report) -> None:
    label = scenario.label
    unique_ids(report, scenario.nodes, "node", label)
    ids = {n.id for n in scenario.nodes}
    start = scenario.node(scenario.start)
    if start is None:
        report.error(
            scenario.line_of("start"),
            "reference",
            f"{label}: start '{scenario.start}' is not a node of this scenario",
        )
    elif isinstance(start, Ending):
        report.error(
            scenario.line_of("start"),
            "reference",
            f"{label}: start must be a decision, but '{start.id}' is an ending",
        )
    for node in scenario.nodes:
        if isinstance(node, Decision):
            _check_decision(label, node, ids, report)
    if start is None or not ids:
        return
    reachable = scenarios.reachable(scenario, scenario.start)
    for node in scenario.nodes:
        if node.id not in reachable:
            report.error(
                node.line,
                "unreachable",
                f"{where(label, f'node {node.id!r}')}: "
                f"no path from start '{scenario.start}' leads here",
            )
    to_ending = scenarios.reaching(scenario, (e.id for e in scenarios.endings(scenario)))
    for node in scenario.nodes:
        if node.id in reachable and node.id not in to_ending:
            report.error(
                node.line,
                "dead-end",
                f"{where(label, f'node {node.id!r}')}: "
                "no ending can be reached from here (a dead end or a closed loop)",
            )
    _check_best_path(scenario, report)


def _check_decision(label: str, node: Decision, ids: set[str], report: Report) -> None:
    context = where(label, f"node '{node.id}'")
    unique_ids(report, node.choices, "choice", context)
    if len(node.choices) < 2:
        report.error(
            node.line_of("choices"), "choices", f"{context}: a decision needs at least 2 choices"
        )
    if not any(c.quality == "best" for c in node.choices):
        report.error(node.line, "best-choice", f"{context}: no choice has quality 'best'")
    for choice in node.choices:
        if choice.next not in ids:
            report.error(
                choice.line_of("next"),
                "reference",
                f"{where(context, f'choice {choice.id!r}')}: next '{choice.next}' "
                "is not a node of this scenario",
            )


def _check_best_path(scenario: Scenario, report: Report) -> None:
    path = scenarios.best_path(scenario)
    if path.reaches_best_ending or not all(
        any(c.quality == "best" for c in n.choices)
        for n in scenario.nodes
        if isinstance(n, Decision)
    ):
        return  # the missing best choice is already reported
    end = path.end
    if path.revisited:
        why = f"comes back to node '{path.revisited}'"
    elif isinstance(end, Ending):
        why = f"ends at '{end.id}', {'an' if end.ending == 'okay' else 'a'} {end.ending} ending"
    else:
        return  # a broken reference, already reported
    report.error(
        scenario.line_of("start"),
        "best-path",
        f"{scenario.label}: the best path (the first best choice at each decision) {why}; "
        "it must reach a best ending without revisiting a node",
    )


def check_quiz(quiz: Quiz, report: Report) -> None:
    if not 0 <= quiz.pass_mark <= 1:
        report.error(
            quiz.line_of("pass_mark"),
            "value",
            f"{quiz.label}: 'pass_mark' is a fraction from 0 to 1, like 0.8",
        )
    if quiz.reveal_after < 0:
        report.error(
            quiz.line_of("reveal_after"),
            "value",
            f"{quiz.label}: 'reveal_after' is a number of failed attempts, 0 or more, like 2",
        )
    if not quiz.questions:
        report.error(quiz.line_of("questions"), "required", f"{quiz.label}: 'questions' is empty")
    unique_ids(report, quiz.questions, "question", quiz.label)
    for question in quiz.questions:
        _check_question(quiz.label, question, report)


def _check_question(label: str, question: Question, report: Report) -> None:
    context = where(label, f"question '{question.id}'")
    unique_ids(report, question.options, "option", context)
    line = question.line
    correct = sum(o.correct for o in question.options)
    if len(question.options) < 2:
        report.error(line, "quiz", f"{context}: a question needs at least 2 options")
    if question.multiple and correct == 0:
        report.error(
            line, "quiz", f"{context}: no option is correct; mark at least one 'correct: true'"
        )
    elif not question.multiple and correct != 1:
        report.error(
            line,
            "quiz",
            f"{context}: {correct} options are correct, but a question "
            "without 'multiple: true' needs exactly one",
        )


def _check_survey(survey: Survey, report: Report) -> None:
    if not 2 <= len(survey.scale) <= 11:
        report.error(
            survey.line_of("scale"),
            "survey",
            f"{survey.label}: 'scale' has {plural(len(survey.scale), 'label')};"
            " use 2 to 11, lowest first",
        )
    if not survey.items:
        report.error(survey.line_of("items"), "required", f"{survey.label}: 'items' is empty")
    unique_ids(report, survey.items, "item", survey.label)


class _Identified(Protocol):
    @property
    def id(self) -> str: ...

    def line_of(self, name: str) -> int: ...


def unique_ids(report: Report, items: Iterable[_Identified], kind: str, context: str) -> None:
    first: dict[str, int] = {}
    for item in items:
        item_id = item.id
        if item_id in first:
            report.error(
                item.line_of("id"),
                "duplicate-id",
                located(
                    context, f"{kind} id '{item_id}' is used twice (first at line {first[item_id]})"
                ),
            )
        else:
            first[item_id] = item.line_of("id")


def references(module: Module) -> Iterator[Reference]:
    """Every citation and misconception tag in the module, for checking against the course."""
    for obj, context in walk(module):
        for spec in content_fields(type(obj)):
            value = getattr(obj, spec.name)
            if spec.metadata.get("markdown") and isinstance(value, str):
                for match in CITATION.finditer(value):
                    line = text_line(obj, spec.name, value, match.start())
                    yield Reference("source", match.group(1), line, context)
        misconception = getattr(obj, "misconception", None)
        if misconception:
            yield Reference("misconception", misconception, obj.line_of("misconception"), context)


def walk(root: Located, context: str = "") -> Iterator[tuple[Located, str]]:
    """Every model inside `root` (itself included) with the context label used in messages."""
    yield root, context
    for spec in content_fields(type(root)):
        value = getattr(root, spec.name)
        for child in value if isinstance(value, tuple) else (value,):
            if isinstance(child, Located):
                yield from walk(child, where(context, _label(child)))


def _label(obj: Located) -> str:
    if isinstance(obj, Step):
        return obj.label
    return f"{obj.KIND} '{getattr(obj, 'id', '')}'"


def text_line(obj: Located, name: str, value: str, offset: int) -> int:
    """The line of character `offset` of a text field, exact inside literal blocks (|)."""
    first = getattr(value, "first_line", None)
    if first is None:
        return obj.line_of(name)
    return int(first) + value.count("\n", 0, offset)
