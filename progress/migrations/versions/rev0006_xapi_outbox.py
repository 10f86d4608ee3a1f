"""The xAPI outbox: statements written in the same transaction as the progress they report.

xapi_outbox holds one row per xAPI statement, keyed by its stable id, until a sender has
posted it to the learning record store (status sent) or the store refused it (rejected).
A learner's rows go with his account; the voiding statements written when an account is
deleted have no user_id and outlive it.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 01:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0006'
down_revision: str | Sequence[str] | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('xapi_outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('statement_id', sa.String(length=36), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('statement', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('available_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('claim_token', sa.String(length=32), nullable=True),
    sa.Column('claimed_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.String(length=500), nullable=True),
    sa.CheckConstraint("status IN ('pending', 'sent', 'rejected')", name=op.f('ck_xapi_outbox_status')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_xapi_outbox_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_xapi_outbox')),
    sa.UniqueConstraint('statement_id', name=op.f('uq_xapi_outbox_statement_id'))
    )
    with op.batch_alter_table('xapi_outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_xapi_outbox_status_available_at'), ['status', 'available_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_xapi_outbox_user_id'), ['user_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('xapi_outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_xapi_outbox_user_id'))
        batch_op.drop_index(batch_op.f('ix_xapi_outbox_status_available_at'))

    op.drop_table('xapi_outbox')
