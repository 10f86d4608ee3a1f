"""The facilitator reports in one place: dashboard, debrief, CSV export and reminders."""

from __future__ import annotations

from modules.cohorts.dashboard import (
    CohortTotals,
    Dashboard,
    LearnerRow,
    MeanChange,
    ModuleCell,
    ModuleColumn,
    StatementChange,
    Status,
    WeekCount,
    build_dashboard,
    required_steps,
    status_of,
)
from modules.cohorts.debrief import (
    ChoiceShare,
    Debrief,
    DecisionSpread,
    MisconceptionCount,
    OutcomeCount,
    QuestionDifficulty,
    QuizDebrief,
    ScenarioDebrief,
    build_debrief,
)
from modules.cohorts.export import ProgressRow, inert, progress_csv, progress_rows
from modules.cohorts.reminders import DueModule, Reminder, long_date, module_link, reminders

__all__ = [
    "ChoiceShare",
    "CohortTotals",
    "Dashboard",
    "Debrief",
    "DueModule",
    "DecisionSpread",
    "LearnerRow",
    "MeanChange",
    "MisconceptionCount",
    "ModuleCell",
    "ModuleColumn",
    "OutcomeCount",
    "ProgressRow",
    "QuestionDifficulty",
    "QuizDebrief",
    "Reminder",
    "ScenarioDebrief",
    "StatementChange",
    "Status",
    "WeekCount",
    "build_dashboard",
    "build_debrief",
    "inert",
    "long_date",
    "module_link",
    "progress_csv",
    "progress_rows",
    "reminders",
    "required_steps",
    "status_of",
]
