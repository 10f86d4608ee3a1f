"""Anonymous cohort figures: counters per cohort and figure, holding no user id at all.

A learner's values are added to a figure's `pending` counters once, when he finishes what the
figure counts (or joins the cohort having finished it), and only ever move on to `published`
(what facilitators see) together with at least ALLY_MIN_GROUP other learners' values. Nothing
here says who entered a figure or when: removing a member or deleting an account cannot
change a tally. See progress/tally_repo.py.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from progress.tables.base import ID_LENGTH, Base, one_of

# scenario: first choices; quiz: first answers; self_assessment: before and after ratings;
# commitment: first check-ins; retrospective: before, then and after ratings of the learners
# who gave "then" ratings (a figure of its own, so that it moves in steps of min_group too).
FIGURE_KINDS = ("scenario", "quiz", "self_assessment", "commitment", "retrospective")


class FigureKey:
    """Which figure: a cohort and one step of the course (a scenario, quiz, survey or plan)."""

    cohort_id: Mapped[int] = mapped_column(
        ForeignKey("cohorts.id", ondelete="CASCADE"), primary_key=True, sort_order=-5
    )
    kind: Mapped[str] = mapped_column(String(20), primary_key=True, sort_order=-4)
    course_id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True, sort_order=-3)
    module_id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True, sort_order=-2)
    step_id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True, sort_order=-1)


class CohortFigureRow(FigureKey, Base):
    """How many learners a figure holds: shown (published) and waiting for enough others."""

    __tablename__ = "cohort_figures"
    __table_args__ = (CheckConstraint(one_of("kind", FIGURE_KINDS), name="kind"),)

    pending_learners: Mapped[int] = mapped_column(Integer, default=0)
    published_learners: Mapped[int] = mapped_column(Integer, default=0)
    # When the published counters last changed: the figure's "as of". Never a learner's time.
    published_at: Mapped[datetime | None]


class CohortTallyRow(FigureKey, Base):
    """One counter of a figure, e.g. how many first chose `detail` at decision `subject`."""

    __tablename__ = "cohort_tallies"

    # scenario: node id / choice id; quiz: question id / the selected option ids, space
    # separated; self_assessment: statement id / "before", "after" (sums) or "learners";
    # retrospective: statement id / "before", "then", "after" (sums) or "learners";
    # commitment: the outcome / "".
    subject: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    detail: Mapped[str] = mapped_column(Text, primary_key=True)
    pending: Mapped[int] = mapped_column(Integer, default=0)
    published: Mapped[int] = mapped_column(Integer, default=0)
