"""Records: certificates (and the throttle of their lookups); assignments outlive who set them.

certificates holds one row per learner and course completed, as printed on his PDF, with a
random verification code; certificate_lookups is the per-address bucket that throttles
GET /verify/<code>. assignments.assigned_by becomes nullable, ON DELETE SET NULL: deleting a
facilitator's account keeps the assignments he made, shown as made by "a former facilitator".

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 01:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0005'
down_revision: str | Sequence[str] | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ASSIGNED_BY_FK = 'fk_assignments_assigned_by_users'


def upgrade() -> None:
    op.create_table('certificates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.String(length=64), nullable=False),
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('holder_name', sa.String(length=200), nullable=False),
    sa.Column('course_title', sa.String(length=200), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('completed_on', sa.Date(), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['revoked_by'], ['users.id'], name=op.f('fk_certificates_revoked_by_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_certificates_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificates')),
    sa.UniqueConstraint('code', name=op.f('uq_certificates_code')),
    sa.UniqueConstraint('user_id', 'course_id', name=op.f('uq_certificates_user_id_course_id'))
    )
    op.create_table('certificate_lookups',
    sa.Column('client', sa.String(length=64), nullable=False),
    sa.Column('drained_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('client', name=op.f('pk_certificate_lookups'))
    )
    with op.batch_alter_table('certificate_lookups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_certificate_lookups_drained_at'), ['drained_at'], unique=False)

    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.drop_constraint(ASSIGNED_BY_FK, type_='foreignkey')
        batch_op.alter_column('assigned_by', existing_type=sa.Integer(), nullable=True)
        batch_op.create_foreign_key(
            ASSIGNED_BY_FK, 'users', ['assigned_by'], ['id'], ondelete='SET NULL'
        )


def downgrade() -> None:
    # Assignments whose facilitator is gone cannot point at anyone again: they go too.
    op.execute('DELETE FROM assignments WHERE assigned_by IS NULL')
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.drop_constraint(ASSIGNED_BY_FK, type_='foreignkey')
        batch_op.alter_column('assigned_by', existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key(ASSIGNED_BY_FK, 'users', ['assigned_by'], ['id'])

    with op.batch_alter_table('certificate_lookups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_certificate_lookups_drained_at'))

    op.drop_table('certificate_lookups')
    op.drop_table('certificates')
