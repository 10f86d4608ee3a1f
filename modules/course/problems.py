"""Problems found in content, reported as `path:line: message`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    line: int
    severity: Severity
    rule: str
    message: str

    def format(self) -> str:
        if self.severity == "warning":
            return f"{self.file}:{self.line}: warning: {self.message} [{self.rule}]"
        return f"{self.file}:{self.line}: {self.message}"

    def as_json(self) -> dict[str, str | int]:
        return {
            "file": self.file,
            "line": self.line,
            "severity": self.severity,
            "rule": self.rule,
            "message": self.message,
        }


@dataclass
class Report:
    """Collects the problems of one file."""

    file: str
    problems: list[Problem] = field(default_factory=list)

    def error(self, line: int, rule: str, message: str) -> None:
        self.problems.append(Problem(self.file, line, "error", rule, message))

    def warning(self, line: int, rule: str, message: str) -> None:
        self.problems.append(Problem(self.file, line, "warning", rule, message))

    @property
    def has_errors(self) -> bool:
        return any(p.severity == "error" for p in self.problems)


def where(*labels: str) -> str:
    """Join context labels: "scenario 'x', node 'y'"."""
    return ", ".join(label for label in labels if label)


def located(context: str, message: str) -> str:
    return f"{context}: {message}" if context else message


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"
