"""notification params: what the web client needs to word a notification in either language

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 02:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Existing rows get {}: the client shows their stored (Vietnamese) title and body.
    with op.batch_alter_table("notification") as batch:
        batch.add_column(sa.Column("params", sa.JSON(), nullable=False, server_default="{}"))


def downgrade() -> None:
    with op.batch_alter_table("notification") as batch:
        batch.drop_column("params")
