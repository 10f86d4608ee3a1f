"""The retrospective self-assessment's 'then' ratings (issue 11), and their cohort figure.

survey_answers.rating tells a rating of how often now ('now', every rating so far) from one
given in the after phase looking back to before the course ('then'); the unique key gains it.
cohort_figures.kind gains 'retrospective': the before, then and after ratings of the learners
who gave 'then' ratings, a figure of its own so that it, too, moves only in steps of
ALLY_MIN_GROUP learners. Existing ratings become 'now' ratings and every figure is kept.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 01:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0009'
down_revision: str | Sequence[str] | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STEP_KEY = ['user_id', 'course_id', 'module_id', 'step_id', 'is_preview']
KINDS_BEFORE = "kind IN ('scenario', 'quiz', 'self_assessment', 'commitment')"
KINDS_AFTER = "kind IN ('scenario', 'quiz', 'self_assessment', 'commitment', 'retrospective')"


def upgrade() -> None:
    with op.batch_alter_table('survey_answers', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('rating', sa.String(length=10), server_default='now', nullable=False)
        )
        batch_op.drop_constraint('uq_survey_answers_learner_item', type_='unique')
        batch_op.create_unique_constraint(
            'uq_survey_answers_learner_item', [*STEP_KEY, 'phase', 'item_id', 'rating']
        )
        batch_op.create_check_constraint(
            op.f('ck_survey_answers_rating'), "rating IN ('now', 'then')"
        )
        batch_op.create_check_constraint(
            op.f('ck_survey_answers_then_after'), "rating = 'now' OR phase = 'after'"
        )
    with op.batch_alter_table('cohort_figures', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_cohort_figures_kind'), type_='check')
        batch_op.create_check_constraint(op.f('ck_cohort_figures_kind'), KINDS_AFTER)


def downgrade() -> None:
    """Back to one rating per item and phase: the 'then' ratings and their figures go."""
    op.execute("DELETE FROM cohort_tallies WHERE kind = 'retrospective'")
    op.execute("DELETE FROM cohort_figures WHERE kind = 'retrospective'")
    op.execute("DELETE FROM survey_answers WHERE rating = 'then'")
    with op.batch_alter_table('cohort_figures', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_cohort_figures_kind'), type_='check')
        batch_op.create_check_constraint(op.f('ck_cohort_figures_kind'), KINDS_BEFORE)
    with op.batch_alter_table('survey_answers', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_survey_answers_then_after'), type_='check')
        batch_op.drop_constraint(op.f('ck_survey_answers_rating'), type_='check')
        batch_op.drop_constraint('uq_survey_answers_learner_item', type_='unique')
        batch_op.create_unique_constraint(
            'uq_survey_answers_learner_item', [*STEP_KEY, 'phase', 'item_id']
        )
        batch_op.drop_column('rating')
