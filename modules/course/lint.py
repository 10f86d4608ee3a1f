"""Warnings for the design rules of curriculum.md that a program can check.

Each warning names its rule; `allow: [rule]` on the module or the step silences it, and on the
course the warnings course.yaml draws (the course-wide figures of `best-longest`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from statistics import fmean

from modules.course import readability, scenarios
from modules.course.models import (
    Commitment,
    Course,
    Decision,
    Lesson,
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
from modules.course.problems import Report, plural, where
from modules.course.rules import text_line, walk

RULES: dict[str, str] = {
    "objective-verb": "objectives name on-the-job behaviors, not understand/know/learn",
    "option-count": "a decision offers 3-4 options",
    "option-length": "options of similar length; the best one is not the longest by far",
    "best-longest": "the best option is the longest, or the shortest, no more often than chance",
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
        elif isinstance(step, Quiz):
            yield from _quiz_rules(step)
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
    yield from _length_tells(
        scenario,
        (decision_rank(n) for n in scenario.nodes if isinstance(n, Decision)),
        "the best option",
        "decision",
    )
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


def _quiz_rules(quiz: Quiz) -> Iterator[Finding]:
    # A quiz is judged on its own as a scenario is: it is what an author writes and revises in
    # one sitting and what a learner takes in one go, so a cue repeated inside it is learnt
    # there. With 4 single-answer questions of 3 options, 3 or more longest correct options
    # happen by chance 11% of the time, as in a scenario of 4 such decisions; a quiz with fewer
    # single-answer questions is left to the course-wide figures.
    yield from _length_tells(
        quiz,
        (question_rank(q) for q in quiz.questions),
        "the correct option",
        "single-answer question",
    )


# best-longest: where the best option (a quiz's correct one) ranks by length among its options.
# When length tells nothing, a decision of n options has its best option the longest with
# chance 1/n, and the shortest with chance 1/n.
LOCAL_MINIMUM = 4  # decisions (or questions) a scenario (or quiz) needs before its share counts
CHANCE_FACTOR = Fraction(5, 4)
CHANCE_ALLOWANCE = 1


@dataclass(frozen=True)
class Rank:
    """The length rank of the best (or correct) option of one decision (or question)."""

    options: int
    longest: bool  # ties included
    shortest: bool  # ties included


def option_length(text: str) -> int:
    """Length in characters, as the learner sees the text."""
    return len(text.strip())


def _rank(options: Iterable[tuple[str, bool]]) -> Rank | None:
    lengths = [(option_length(text), marked) for text, marked in options]
    marked = [length for length, is_marked in lengths if is_marked]
    if not marked:
        return None  # no best or correct option: an error reported elsewhere
    pick = max(marked)  # the longest of several best (or correct) options
    every = [length for length, _ in lengths]
    return Rank(len(every), pick >= max(every), pick <= min(every))


def decision_rank(node: Decision) -> Rank | None:
    """The rank of the longest best choice of `node`."""
    return _rank((c.text, c.quality == "best") for c in node.choices)


def question_rank(question: Question) -> Rank | None:
    """The rank of the correct option of a single-answer question; None for a multi-select one."""
    if question.multiple:
        return None
    return _rank((o.text, o.correct) for o in question.options)


@dataclass(frozen=True)
class Tally:
    """How often the best option is the longest or the shortest, against chance."""

    count: int = 0
    longest: int = 0
    shortest: int = 0
    chance: Fraction = Fraction(0)  # the sum of 1/n: expected longest (or shortest) by chance

    @property
    def limit(self) -> Fraction:
        """The most longest (or shortest) best options the course may have without a warning."""
        return self.chance * CHANCE_FACTOR + CHANCE_ALLOWANCE


def tally(ranks: Iterable[Rank | None]) -> Tally:
    known = [r for r in ranks if r is not None]
    return Tally(
        count=len(known),
        longest=sum(r.longest for r in known),
        shortest=sum(r.shortest for r in known),
        chance=sum((Fraction(1, r.options) for r in known), Fraction(0)),
    )


@dataclass(frozen=True)
class LengthFigures:
    """The course-wide figures of best-longest: scenario decisions and single-answer questions."""

    decisions: Tally
    questions: Tally


def length_figures(modules: Iterable[Module]) -> LengthFigures:
    steps = [step for module in modules for step in module.steps]
    return LengthFigures(
        decisions=tally(
            decision_rank(node)
            for step in steps
            if isinstance(step, Scenario)
            for node in step.nodes
            if isinstance(node, Decision)
        ),
        questions=tally(
            question_rank(question)
            for step in steps
            if isinstance(step, Quiz)
            for question in step.questions
        ),
    )


def lint_course(course: Course, modules: Iterable[Module], report: Report) -> LengthFigures:
    """Warn at course.yaml's line 1 where the course as a whole cues the best option by length.

    Every decision of the listed modules counts, also where a module or step allows
    best-longest: those silence the local warning, while the learner still meets the cue. Only
    the course's own `allow` silences the course-wide warning.
    """
    figures = length_figures(modules)
    if "best-longest" in course.allow:
        return figures
    for figure, owner, items in (
        (figures.decisions, "the best option", "scenario decisions"),
        (figures.questions, "the correct option", "single-answer quiz questions"),
    ):
        for extreme, times in (("longest", figure.longest), ("shortest", figure.shortest)):
            if times > figure.limit:
                report.warning(
                    1,
                    "best-longest",
                    f"across the course {owner} is the {extreme} (ties included) in "
                    f"{times} of {figure.count} {items}, above the limit of "
                    f"{float(figure.limit):.1f} (chance {float(figure.chance):.1f}, times "
                    f"{float(CHANCE_FACTOR)}, plus {CHANCE_ALLOWANCE}); vary which option is "
                    f"{extreme} (see `python -m modules validate --stats`)",
                )
    return figures


def _length_tells(
    step: Scenario | Quiz, ranks: Iterable[Rank | None], owner: str, item: str
) -> Iterator[Finding]:
    figure = tally(ranks)
    if figure.count < LOCAL_MINIMUM:
        return
    for extreme, times in (("longest", figure.longest), ("shortest", figure.shortest)):
        if 2 * times > figure.count:
            yield Finding(
                step.line,
                "best-longest",
                f"{step.label}: {owner} is the {extreme} (ties included) in {times} of "
                f"{plural(figure.count, item)}; vary which option is {extreme} so that length "
                "does not point to the answer",
                step,
            )
