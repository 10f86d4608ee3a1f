"""Branching scenarios: playing a path of choices, scoring it, and the graph facts behind it."""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from statistics import fmean
from typing import TypeVar

from modules.course.models import QUALITY_SCORE, Choice, Decision, Ending, Node, Scenario

T = TypeVar("T")


class ScenarioError(ValueError):
    """A choice that the scenario does not offer at that point."""


@dataclass(frozen=True)
class PathStep:
    """One decision taken: where the learner was and what they chose."""

    node: Decision
    choice: Choice


@dataclass(frozen=True)
class ScenarioState:
    """Where a learner stands after a sequence of choices."""

    node: Node
    path: tuple[PathStep, ...]

    @property
    def ended(self) -> bool:
        return isinstance(self.node, Ending)

    @property
    def ending(self) -> Ending | None:
        return self.node if isinstance(self.node, Ending) else None

    @property
    def feedback(self) -> str | None:
        """The consequence of the latest choice, shown before the next node."""
        return self.path[-1].choice.feedback if self.path else None

    @property
    def score(self) -> float | None:
        return score_path(step.choice for step in self.path) if self.path else None


def score_path(choices: Iterable[Choice]) -> float:
    """Mean quality of the choices made: best 1, okay 0.5, poor 0."""
    return fmean(QUALITY_SCORE[c.quality] for c in choices)


def play(scenario: Scenario, choice_ids: Sequence[str]) -> ScenarioState:
    """Replay `choice_ids` from the start; raise ScenarioError at the first one not on offer."""
    node = _node(scenario, scenario.start)
    path: list[PathStep] = []
    for position, choice_id in enumerate(choice_ids, start=1):
        if not isinstance(node, Decision):
            raise ScenarioError(
                f"choice {position} ('{choice_id}') comes after the ending '{node.id}'"
            )
        choice = next((c for c in node.choices if c.id == choice_id), None)
        if choice is None:
            raise ScenarioError(f"node '{node.id}' has no choice '{choice_id}'")
        path.append(PathStep(node, choice))
        node = _node(scenario, choice.next)
    return ScenarioState(node, tuple(path))


def choice_order(scenario: Scenario, node: Decision, seed: str) -> tuple[Choice, ...]:
    """The node's choices in the order shown for one attempt: shuffled by `seed`, stable."""
    return shuffled(node.choices, f"{seed}:{scenario.id}:{node.id}", scenario.shuffle)


def shuffled(items: Sequence[T], seed: str, shuffle: bool = True) -> tuple[T, ...]:
    """A copy of `items` in an order fixed by `seed` (str seeds are stable across processes)."""
    result = list(items)
    if shuffle:
        random.Random(seed).shuffle(result)
    return tuple(result)


def _node(scenario: Scenario, node_id: str) -> Node:
    node = scenario.node(node_id)
    if node is None:
        raise ScenarioError(f"the scenario has no node '{node_id}'")
    return node


# Graph facts, used by validation and lint. They tolerate broken references.


def successors(scenario: Scenario) -> Mapping[str, tuple[str, ...]]:
    """Each node's directly reachable node ids (only ids that exist)."""
    ids = {n.id for n in scenario.nodes}
    return {
        n.id: tuple(c.next for c in n.choices if c.next in ids) if isinstance(n, Decision) else ()
        for n in scenario.nodes
    }


def reachable(scenario: Scenario, start: str) -> set[str]:
    graph = successors(scenario)
    seen = {start} if start in graph else set()
    frontier = list(seen)
    while frontier:
        for nxt in graph[frontier.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                frontier.append(nxt)
    return seen


def reaching(scenario: Scenario, targets: Iterable[str]) -> set[str]:
    """Ids of the nodes from which some node in `targets` can be reached (targets included)."""
    predecessors: dict[str, list[str]] = {n.id: [] for n in scenario.nodes}
    for source, nexts in successors(scenario).items():
        for nxt in nexts:
            predecessors[nxt].append(source)
    seen = {t for t in targets if t in predecessors}
    frontier = list(seen)
    while frontier:
        for prev in predecessors[frontier.pop()]:
            if prev not in seen:
                seen.add(prev)
                frontier.append(prev)
    return seen


def endings(scenario: Scenario, grade: str | None = None) -> list[Ending]:
    return [n for n in scenario.nodes if isinstance(n, Ending) and grade in (None, n.ending)]


@dataclass(frozen=True)
class BestPath:
    """The path from start always taking the first best choice."""

    steps: tuple[PathStep, ...]
    end: Node | None
    revisited: str | None

    @property
    def reaches_best_ending(self) -> bool:
        return isinstance(self.end, Ending) and self.end.ending == "best" and not self.revisited


def best_path(scenario: Scenario) -> BestPath:
    node = scenario.node(scenario.start)
    steps: list[PathStep] = []
    seen: set[str] = set()
    while isinstance(node, Decision):
        if node.id in seen:
            return BestPath(tuple(steps), node, node.id)
        seen.add(node.id)
        choice = next((c for c in node.choices if c.quality == "best"), None)
        if choice is None:
            return BestPath(tuple(steps), node, None)
        steps.append(PathStep(node, choice))
        node = scenario.node(choice.next)
    return BestPath(tuple(steps), node, None)
