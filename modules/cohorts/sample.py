"""The sample cohort's made-up learners: who they are, how far they got, how they answer.

Pure and seeded, so the same plan gives the same cohort: `modules.services.sample_cohort`
plays it through the real services. Twelve learners, so that with the default
ALLY_MIN_GROUP of 5 every module's debrief and the before/after chart have enough of them.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from modules.course.check_ins import OUTCOMES, Outcome
from modules.course.models import Choice, Option, Question, SurveyItem

SAMPLE_COHORT_NAME = "Sample cohort (made-up learners)"
DAYS_BETWEEN_DUE_DATES = 6


@dataclass(frozen=True)
class SampleLearner:
    name: str
    modules_done: int  # modules finished, in course order
    steps_into_next: int  # steps taken in the module after those (0: not started)
    joined_days_ago: int  # when he joined and took the baseline self-assessment
    days_per_module: float
    skill: float  # 0-1: how often his first instinct is the strong move

    def finished_days_ago(self, module_index: int) -> int:
        """When he finished the module at `module_index` (0 first), in days before today."""
        return max(1, round(self.joined_days_ago - (module_index + 1) * self.days_per_module))

    def last_days_ago(self) -> int:
        """When he last did something."""
        if self.steps_into_next:
            return self.finished_days_ago(self.modules_done)
        if self.modules_done:
            return self.finished_days_ago(self.modules_done - 1)
        return self.joined_days_ago


LEARNERS: tuple[SampleLearner, ...] = (
    SampleLearner("Dr. Alan Reyes", 8, 0, 44, 5.0, 0.75),
    SampleLearner("Dr. Ben Okafor", 8, 0, 44, 4.6, 0.6),
    SampleLearner("Carlos Mendes, RN", 8, 0, 43, 5.0, 0.55),
    SampleLearner("Dr. David Cho", 8, 0, 42, 4.8, 0.7),
    SampleLearner("Ethan Brooks, MBA", 8, 0, 41, 4.5, 0.45),
    SampleLearner("Dr. Farid Haddad", 8, 0, 40, 4.6, 0.65),
    SampleLearner("Greg Lindqvist", 7, 2, 43, 5.3, 0.5),
    SampleLearner("Dr. Hiro Tanaka", 6, 0, 42, 6.0, 0.6),
    SampleLearner("Ian McAllister, RN", 5, 3, 44, 7.0, 0.4),
    SampleLearner("Dr. Jamal Wright", 3, 0, 44, 6.0, 0.5),
    SampleLearner("Kevin O'Neill", 1, 2, 40, 8.0, 0.35),
    SampleLearner("Dr. Luis Ortega", 0, 0, 44, 6.0, 0.5),
)


def email_of(learner: SampleLearner, cohort_id: int, domain: str) -> str:
    """An address no real person has: the name's letters, the cohort, a reserved domain."""
    slug = ".".join(
        "".join(c for c in part if c.isalpha()).lower()
        for part in learner.name.split(",")[0].split()
        if part.rstrip(".").lower() != "dr"
    )
    return f"{slug}.{cohort_id:d}@{domain}"


def due_days_from_today(module_index: int, modules: int) -> int:
    """Due dates a week or so apart: the last module due in 3 days, the one before 2 days ago."""
    if module_index == modules - 1:
        return 3
    return -2 - DAYS_BETWEEN_DUE_DATES * (modules - 2 - module_index)


def pick_choice(choices: Sequence[Choice], skill: float, rng: random.Random) -> Choice:
    """A first instinct: the strong move with probability `skill`, else a weaker one."""
    weights = {"best": skill, "okay": (1 - skill) * 0.6, "poor": (1 - skill) * 0.4}
    return rng.choices(list(choices), [weights[c.quality] for c in choices])[0]


def quiz_answers(
    questions: Sequence[Question],
    options: Mapping[str, Sequence[Option]],
    accuracy: float,
    rng: random.Random,
) -> dict[str, set[str]]:
    """Answers to each question: right with probability `accuracy`, else one plausible slip."""
    answers = {}
    for question in questions:
        shown = options[question.id]
        right = {o.id for o in shown if o.correct}
        wrong = [o.id for o in shown if not o.correct]
        if rng.random() < accuracy or not wrong:
            answers[question.id] = right
        elif question.multiple and len(right) > 1 and rng.random() < 0.5:
            answers[question.id] = right - {rng.choice(sorted(right))}
        else:
            answers[question.id] = {rng.choice(wrong)}
    return answers


def ratings_before(items: Sequence[SurveyItem], points: int, rng: random.Random) -> dict[str, int]:
    """Baseline self-ratings: mostly 'Rarely' to 'Sometimes' on a five-point scale."""
    low = max(1, round(points * 0.4))
    return {item.id: min(points, max(1, low + rng.choice((-1, 0, 0, 1)))) for item in items}


def ratings_after(before: Mapping[str, int], points: int, rng: random.Random) -> dict[str, int]:
    """The same statements after the course: most a point higher, some the same, a few two."""
    lifts = (0, 1, 1, 1, 2)
    return {item: min(points, value + rng.choice(lifts)) for item, value in before.items()}


def ratings_then(before: Mapping[str, int], rng: random.Random) -> dict[str, int]:
    """Looking back at the end, how often he did it before: often lower than he first said."""
    drops = (0, 0, 1, 1, 1)
    return {item: max(1, value - rng.choice(drops)) for item, value in before.items()}


def check_in_outcome(skill: float, rng: random.Random) -> Outcome:
    done = 0.3 + 0.5 * skill
    return rng.choices(OUTCOMES, (done, (1 - done) * 0.6, (1 - done) * 0.4))[0]


def reflection_text(min_words: int) -> str:
    """A private note (facilitators never see reflections), long enough for the step."""
    opening = (
        "A made-up reflection of a sample learner: I noticed where I explain before I ask,"
        " and I will try asking first at the next staff meeting."
    )
    filler = " I will check how it went with someone who was there."
    text = opening
    while len(text.split()) < min_words + 2:
        text += filler
    return text
