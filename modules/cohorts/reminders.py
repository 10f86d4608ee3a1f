"""Friendly reminders for learners with overdue modules, ready to copy into an email."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from modules.cohorts.dashboard import Dashboard, LearnerRow, ModuleColumn, Status

DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


@dataclass(frozen=True)
class OverdueModule:
    module_id: str
    title: str
    due_date: date
    started: bool


@dataclass(frozen=True)
class Reminder:
    user_id: int
    name: str
    email: str
    modules: tuple[OverdueModule, ...]  # earliest due first
    message: str


def reminders(dashboard: Dashboard, *, sender: str = "") -> list[Reminder]:
    """Learners with an assigned module past due and not completed, most overdue first."""
    columns = {m.module_id: m for m in dashboard.modules}
    found = [_reminder(r, columns, dashboard.course_title, sender) for r in dashboard.learners]
    due = [r for r in found if r is not None]
    return sorted(due, key=lambda r: (r.modules[0].due_date, r.name.casefold()))


def long_date(day: date) -> str:
    """'Friday 14 March 2025', whatever the server's locale."""
    return f"{DAYS[day.weekday()]} {day.day} {MONTHS[day.month - 1]} {day.year}"


def _reminder(
    learner: LearnerRow, columns: dict[str, ModuleColumn], course: str, sender: str
) -> Reminder | None:
    modules = sorted(
        (
            OverdueModule(
                c.module_id,
                columns[c.module_id].title,
                due,
                c.status is Status.IN_PROGRESS,
            )
            for c in learner.overdue
            if (due := columns[c.module_id].due_date) is not None
        ),
        key=lambda m: m.due_date,
    )
    if not modules:
        return None
    minutes = sum(columns[m.module_id].minutes for m in modules)
    message = _message(learner.name, modules, course, minutes, sender)
    return Reminder(learner.user_id, learner.name, learner.email, tuple(modules), message)


def _message(
    name: str, modules: list[OverdueModule], course: str, minutes: int, sender: str
) -> str:
    lines = [f"Hi {name},", ""]
    if len(modules) == 1:
        only = modules[0]
        lines.append(
            f'A friendly reminder from {course}: "{only.title}" was due on '
            f"{long_date(only.due_date)} and is not finished yet."
        )
    else:
        lines.append(f"A friendly reminder from {course}: these modules are past their due date.")
        lines += [""] + [f'- "{m.title}", due {long_date(m.due_date)}' for m in modules]
    resume = " You can pick up where you left off." if any(m.started for m in modules) else ""
    lines += ["", f"It takes about {minutes} minutes.{resume}", "", "Thank you,"]
    if sender:
        lines.append(sender)
    return "\n".join(lines)
