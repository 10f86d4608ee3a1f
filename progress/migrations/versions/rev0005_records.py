"""Reserved: certificates, and what deleting an account needs (issue 12: certificates, my data). No change yet.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 01:40:00.000000
"""

from collections.abc import Sequence


revision: str = '0005'
down_revision: str | Sequence[str] | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
