"""Synthetic accounts and sample cohorts (issue 11: the facilitator's sample cohort).

users.synthetic marks the made-up learners of `python -m progress demo`: they have no
password, cannot sign in and are left out of account lists, exports, xAPI and certificates.
cohorts.is_sample marks the cohort they are members of. Existing rows are real (false).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 01:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0007'
down_revision: str | Sequence[str] | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('synthetic', sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    with op.batch_alter_table('cohorts', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('is_sample', sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table('cohorts', schema=None) as batch_op:
        batch_op.drop_column('is_sample')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('synthetic')
