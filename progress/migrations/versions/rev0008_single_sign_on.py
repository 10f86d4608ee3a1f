"""Single sign-on (OIDC): identities linked to accounts, flows under way, fresh sign-ins.

sso_identities maps an identity provider's (issuer, subject) to an account; sso_logins holds a
sign-in sent to the provider until its callback spends it (state hash, nonce, PKCE verifier,
where to go next), so that any replica can finish it; sso_reauthentications records when the
person of a browser session last signed in afresh at the provider (deleting an account asks
for one). users.password_hash is already nullable (invitations), as single sign-on needs.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 01:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0008'
down_revision: str | Sequence[str] | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('sso_identities',
    sa.Column('issuer', sa.String(length=500), nullable=False),
    sa.Column('subject', sa.String(length=255), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_sign_in_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_sso_identities_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('issuer', 'subject', name=op.f('pk_sso_identities'))
    )
    with op.batch_alter_table('sso_identities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sso_identities_user_id'), ['user_id'], unique=False)

    op.create_table('sso_logins',
    sa.Column('state_hash', sa.String(length=64), nullable=False),
    sa.Column('nonce', sa.String(length=128), nullable=False),
    sa.Column('code_verifier', sa.String(length=128), nullable=False),
    sa.Column('next_path', sa.String(length=2000), nullable=False),
    sa.Column('purpose', sa.String(length=20), nullable=False),
    sa.Column('session_hash', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("purpose IN ('sign_in', 'reauth')", name=op.f('ck_sso_logins_purpose')),
    sa.ForeignKeyConstraint(['session_hash'], ['auth_sessions.id_hash'], name=op.f('fk_sso_logins_session_hash_auth_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('state_hash', name=op.f('pk_sso_logins'))
    )
    with op.batch_alter_table('sso_logins', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sso_logins_expires_at'), ['expires_at'], unique=False)

    op.create_table('sso_reauthentications',
    sa.Column('session_hash', sa.String(length=64), nullable=False),
    sa.Column('authenticated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['session_hash'], ['auth_sessions.id_hash'], name=op.f('fk_sso_reauthentications_session_hash_auth_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('session_hash', name=op.f('pk_sso_reauthentications'))
    )


def downgrade() -> None:
    op.drop_table('sso_reauthentications')
    with op.batch_alter_table('sso_logins', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sso_logins_expires_at'))

    op.drop_table('sso_logins')
    with op.batch_alter_table('sso_identities', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sso_identities_user_id'))

    op.drop_table('sso_identities')
