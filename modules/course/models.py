"""The course as typed values: what content/README.md documents, field for field.

Each field carries its documentation in `metadata["doc"]`: the JSON Schema and the test that
keeps the authoring guide complete are both built from it. `line` and `lines` record where the
value came from so any problem can be reported at its line; they are not part of the content.
"""

from __future__ import annotations

import dataclasses
import re
import types
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal, Union, get_args, get_origin

Quality = Literal["best", "okay", "poor"]
QUALITIES: tuple[Quality, ...] = ("best", "okay", "poor")
QUALITY_SCORE: Mapping[str, float] = {"best": 1.0, "okay": 0.5, "poor": 0.0}

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
SLUG_MAX = 64


def doc(
    text: str,
    *,
    default: Any = dataclasses.MISSING,
    markdown: bool = False,
    slug: bool = False,
    minimum: int | None = None,
) -> Any:
    """A documented content field; `markdown` text may hold citations, `slug` values are ids.

    `minimum` is the smallest number allowed, for the JSON Schema (the rules check it too).
    """
    metadata = {"doc": text, "markdown": markdown, "slug": slug, "minimum": minimum}
    if isinstance(default, list | tuple):
        return field(default_factory=lambda: type(default)(default), metadata=metadata)
    return field(default=default, metadata=metadata)


def _position() -> Any:
    return field(default=0, compare=False, repr=False, metadata={"position": True})


def _positions() -> Any:
    return field(default_factory=dict, compare=False, repr=False, metadata={"position": True})


@dataclass(frozen=True, kw_only=True)
class Located:
    """Where a mapping was read: its own line and the line of each field's value."""

    KIND: ClassVar[str] = ""
    line: int = _position()
    lines: Mapping[str, int] = _positions()

    def line_of(self, name: str) -> int:
        return self.lines.get(name, self.line)

    def item_line(self, name: str, index: int) -> int:
        """The line of item `index` of the list field `name`."""
        return self.lines.get(f"{name}[{index}]", self.line_of(name))


@dataclass(frozen=True, kw_only=True)
class Misconception(Located):
    KIND = "misconception"
    id: str = doc("slug; choices tag the misconception with it", slug=True)
    name: str = doc("short name shown to facilitators")
    description: str = doc("one sentence saying what the belief is")


@dataclass(frozen=True, kw_only=True)
class Source(Located):
    KIND = "source"
    id: str = doc("slug; cited in markdown as [@id]", slug=True)
    citation: str = doc("the full reference text shown in the bibliography")
    url: str | None = doc("link to the source", default=None)


@dataclass(frozen=True, kw_only=True)
class Course(Located):
    KIND = "course"
    id: str = doc("slug of the course", slug=True)
    title: str = doc("shown everywhere the course is named")
    summary: str = doc("one paragraph for the landing page", markdown=True)
    language: str = doc("BCP 47 language tag", default="en")
    modules: tuple[str, ...] = doc("module ids in the order learners are offered them", slug=True)
    self_assessment: str | None = doc(
        "id of a module made only of survey steps, taken before and after the course",
        default=None,
        slug=True,
    )
    misconceptions: tuple[Misconception, ...] = doc(
        "beliefs that scenario choices may be tagged with", default=()
    )
    sources: tuple[Source, ...] = doc("the course bibliography", default=())
    allow: tuple[str, ...] = doc(
        "lint rules silenced for the warnings course.yaml draws (course-wide best-longest,"
        " unused-source)",
        default=(),
    )


@dataclass(frozen=True, kw_only=True)
class Step(Located):
    """Fields every step has; `type` picks the subclass."""

    TYPE: ClassVar[str] = ""
    id: str = doc("slug, unique in its module", slug=True)
    title: str | None = doc("heading shown to learners", default=None)
    required: bool = doc("whether the module needs this step to be complete", default=True)
    allow: tuple[str, ...] = doc("lint rules silenced for this step", default=())

    @property
    def label(self) -> str:
        return f"{self.TYPE} '{self.id}'"


@dataclass(frozen=True, kw_only=True)
class Lesson(Step):
    KIND = TYPE = "lesson"
    body: str = doc("the lesson text", markdown=True)


@dataclass(frozen=True, kw_only=True)
class Choice(Located):
    KIND = "choice"
    id: str = doc("slug, unique in its node", slug=True)
    text: str = doc("what the learner would do or say")
    quality: Quality = doc("best, okay or poor; scored 1, 0.5 and 0")
    feedback: str = doc("the consequence the learner sees", markdown=True)
    next: str = doc("id of the node this choice leads to", slug=True)
    misconception: str | None = doc(
        "id of a course misconception this choice reflects", default=None, slug=True
    )


@dataclass(frozen=True, kw_only=True)
class Decision(Located):
    KIND = "node"
    id: str = doc("slug, unique in its scenario", slug=True)
    text: str = doc("what happens at this point", markdown=True)
    choices: tuple[Choice, ...] = doc("at least two choices")


@dataclass(frozen=True, kw_only=True)
class Ending(Located):
    KIND = "ending"
    id: str = doc("slug, unique in its scenario", slug=True)
    text: str = doc("how the story ends", markdown=True)
    ending: Quality = doc("best, okay or poor")
    coaching: str | None = doc(
        "what to take from it, shown with the path review", default=None, markdown=True
    )


Node = Decision | Ending


@dataclass(frozen=True, kw_only=True)
class Scenario(Step):
    KIND = TYPE = "scenario"
    intro: str = doc("the situation and the learner's role", markdown=True)
    start: str = doc("id of the first node, a decision", slug=True)
    nodes: tuple[Node, ...] = doc("the decisions and endings")
    shuffle: bool = doc("show choices in an order shuffled once per attempt", default=True)

    def node(self, node_id: str) -> Node | None:
        return next((n for n in self.nodes if n.id == node_id), None)


@dataclass(frozen=True, kw_only=True)
class Option(Located):
    KIND = "option"
    id: str = doc("slug, unique in its question", slug=True)
    text: str = doc("the answer as shown")
    correct: bool = doc("true for a right answer")
    feedback: str | None = doc("shown when the learner chose it", default=None, markdown=True)


@dataclass(frozen=True, kw_only=True)
class Question(Located):
    KIND = "question"
    id: str = doc("slug, unique in its quiz", slug=True)
    text: str = doc("the question", markdown=True)
    multiple: bool = doc("true when several options may be right", default=False)
    options: tuple[Option, ...] = doc("the answers to choose from")
    explanation: str | None = doc(
        "why the right answer is right, shown with the right answers", default=None, markdown=True
    )


@dataclass(frozen=True, kw_only=True)
class Quiz(Step):
    KIND = TYPE = "quiz"
    pass_mark: float = doc("fraction 0-1 of questions that must be right", default=0.8)
    reveal_after: int = doc(
        "failed attempts after which the right answers are shown anyway", default=2, minimum=0
    )
    questions: tuple[Question, ...] = doc("the questions")
    shuffle: bool = doc("show options in an order shuffled once per attempt", default=True)


@dataclass(frozen=True, kw_only=True)
class Reflection(Step):
    KIND = TYPE = "reflection"
    prompt: str = doc("the question to reflect on", markdown=True)
    min_words: int = doc("words needed to complete the step", default=0)


@dataclass(frozen=True, kw_only=True)
class Commitment(Step):
    KIND = TYPE = "commitment"
    prompt: str = doc("what to plan", markdown=True)
    suggestions: tuple[str, ...] = doc("if-then plans the learner may start from", default=())
    check_in_days: int = doc("days until the check-in, offered as the target date", default=30)


@dataclass(frozen=True, kw_only=True)
class SurveyItem(Located):
    KIND = "item"
    id: str = doc("slug, unique in its survey", slug=True)
    text: str = doc("one statement about one behavior")


@dataclass(frozen=True, kw_only=True)
class Survey(Step):
    KIND = TYPE = "survey"
    scale: tuple[str, ...] = doc("2-11 labels, lowest first, scored 1..N")
    items: tuple[SurveyItem, ...] = doc("the statements")
    retrospective: bool = doc(
        "the after phase also asks, looking back, how often before the course", default=False
    )


STEP_TYPES: Mapping[str, type[Step]] = {
    cls.TYPE: cls for cls in (Lesson, Scenario, Quiz, Reflection, Commitment, Survey)
}


@dataclass(frozen=True, kw_only=True)
class Module(Located):
    KIND = "module"
    id: str = doc("slug, equal to the file name", slug=True)
    title: str = doc("shown in the catalogue and the player")
    summary: str = doc("one or two sentences for the catalogue", markdown=True)
    minutes: int = doc("estimated time, a positive integer")
    objectives: tuple[str, ...] = doc("what the learner will be able to do")
    facilitator_notes: str | None = doc(
        "debrief questions and guidance, shown only to facilitators", default=None, markdown=True
    )
    steps: tuple[Step, ...] = doc("the steps, taken in order")
    allow: tuple[str, ...] = doc("lint rules silenced for the whole module", default=())

    def step(self, step_id: str) -> Step | None:
        return next((s for s in self.steps if s.id == step_id), None)


@dataclass(frozen=True)
class CourseContent:
    """A loaded content directory: the course and the modules that validated."""

    course: Course
    modules: Mapping[str, Module]
    versions: Mapping[str, str]

    @property
    def listed_modules(self) -> tuple[Module, ...]:
        return tuple(self.modules[m] for m in self.course.modules if m in self.modules)

    @property
    def self_assessment(self) -> Module | None:
        sid = self.course.self_assessment
        return self.modules.get(sid) if sid else None


ALL_MODELS: tuple[type[Located], ...] = (
    Course,
    Misconception,
    Source,
    Module,
    Step,
    Lesson,
    Scenario,
    Decision,
    Ending,
    Choice,
    Quiz,
    Question,
    Option,
    Reflection,
    Commitment,
    Survey,
    SurveyItem,
)


def content_fields(cls: type[Located]) -> list[dataclasses.Field[Any]]:
    """The documented fields of a model, in order, without position bookkeeping."""
    return [f for f in dataclasses.fields(cls) if "doc" in f.metadata]


def own_fields(cls: type[Located]) -> list[dataclasses.Field[Any]]:
    """Documented fields a step type adds to the common step fields."""
    inherited = {f.name for f in content_fields(Step)} if issubclass(cls, Step) else set()
    if cls is Step:
        inherited = set()
    return [f for f in content_fields(cls) if f.name not in inherited]


def is_required(spec: dataclasses.Field[Any]) -> bool:
    return spec.default is dataclasses.MISSING and spec.default_factory is dataclasses.MISSING


def unwrap_optional(hint: Any) -> tuple[bool, Any]:
    """(True, X) for `X | None`, else (False, hint)."""
    if get_origin(hint) in (Union, types.UnionType) and type(None) in get_args(hint):
        rest = [a for a in get_args(hint) if a is not type(None)]
        return True, rest[0] if len(rest) == 1 else Union[tuple(rest)]  # noqa: UP007
    return False, hint
