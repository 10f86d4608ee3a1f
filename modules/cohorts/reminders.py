"""Friendly reminders, ready to copy into an email: for modules overdue and modules due soon.

Each message links to the assigned module (`<course_url>/player?module=<id>`); a learner who
is signed out goes through sign-in and comes back to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import quote

from modules.cohorts.dashboard import Dashboard, LearnerRow, ModuleColumn, Status

DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


@dataclass(frozen=True)
class DueModule:
    """An assigned module the learner has not finished: past its due date, or due soon."""

    module_id: str
    title: str
    due_date: date
    started: bool
    overdue: bool
    link: str  # the module in the app; "" when no course address was given


@dataclass(frozen=True)
class Reminder:
    user_id: int
    name: str
    email: str
    modules: tuple[DueModule, ...]  # earliest due first
    message: str

    @property
    def overdue(self) -> tuple[DueModule, ...]:
        return tuple(m for m in self.modules if m.overdue)

    @property
    def due_soon(self) -> tuple[DueModule, ...]:
        return tuple(m for m in self.modules if not m.overdue)


def reminders(
    dashboard: Dashboard, *, sender: str = "", course_url: str = "", soon_days: int = 3
) -> list[Reminder]:
    """Learners with an assigned module not finished that is past due or due within `soon_days`
    days (0: today) in the cohort's time zone; the overdue first, most overdue first.
    """
    columns = {m.module_id: m for m in dashboard.modules}
    last_soon = dashboard.today + timedelta(days=soon_days)
    found = [
        _reminder(row, columns, dashboard, sender, course_url, last_soon)
        for row in dashboard.learners
    ]
    due = [r for r in found if r is not None]
    return sorted(due, key=lambda r: (not r.overdue, r.modules[0].due_date, r.name.casefold()))


def module_link(course_url: str, module_id: str) -> str:
    """Where a learner opens the module: the app's address and /player?module=<id>."""
    if not course_url:
        return ""
    return f"{course_url.rstrip('/')}/player?module={quote(module_id, safe='')}"


def long_date(day: date) -> str:
    """'Friday 14 March 2025', whatever the server's locale."""
    return f"{DAYS[day.weekday()]} {day.day} {MONTHS[day.month - 1]} {day.year}"


def _reminder(
    learner: LearnerRow,
    columns: dict[str, ModuleColumn],
    dashboard: Dashboard,
    sender: str,
    course_url: str,
    last_soon: date,
) -> Reminder | None:
    modules = []
    for cell in learner.cells:
        due = columns[cell.module_id].due_date
        if due is None or cell.status is Status.COMPLETED or due > last_soon:
            continue
        overdue = due < dashboard.today
        title = columns[cell.module_id].title
        link = module_link(course_url, cell.module_id)
        started = cell.status is Status.IN_PROGRESS
        modules.append(DueModule(cell.module_id, title, due, started, overdue, link))
    if not modules:
        return None
    modules.sort(key=lambda m: m.due_date)
    minutes = sum(columns[m.module_id].minutes for m in modules)
    message = _message(learner.name, modules, dashboard, minutes, sender)
    return Reminder(learner.user_id, learner.name, learner.email, tuple(modules), message)


def _message(
    name: str, modules: list[DueModule], dashboard: Dashboard, minutes: int, sender: str
) -> str:
    course = dashboard.course_title
    lines = [f"Hi {name},", ""]
    if len(modules) == 1:
        only = modules[0]
        lines.append(f"A friendly reminder from {course}: {_one(only, dashboard.today)}")
        if only.link:
            lines += ["", f"Open it here: {only.link}"]
    else:
        lines.append(f"A friendly reminder from {course}: these modules are {_which(modules)}.")
        lines.append("")
        for module in modules:
            when = "was due" if module.overdue else "due"
            lines.append(f'- "{module.title}", {when} {long_date(module.due_date)}')
            if module.link:
                lines.append(f"  {module.link}")
    resume = " You can pick up where you left off." if any(m.started for m in modules) else ""
    lines += ["", f"It takes about {minutes} minutes.{resume}", "", "Thank you,"]
    if sender:
        lines.append(sender)
    return "\n".join(lines)


def _one(module: DueModule, today: date) -> str:
    if module.overdue:
        return f'"{module.title}" was due on {long_date(module.due_date)} and is not finished yet.'
    if module.due_date == today:
        return f'"{module.title}" is due today.'
    return f'"{module.title}" is due on {long_date(module.due_date)}.'


def _which(modules: list[DueModule]) -> str:
    overdue = sum(m.overdue for m in modules)
    if overdue == len(modules):
        return "past their due date"
    if overdue == 0:
        return "due soon"
    return "past their due date or due soon"
