"""The pending-SLA queue: complaints can be assigned and read by deadline; a step's due
time remembers when it ran past the known working calendar.

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("request_step", schema=None) as batch_op:
        batch_op.add_column(sa.Column("calendar_unknown_after", sa.Date(), nullable=True))
    with op.batch_alter_table("complaint", schema=None) as batch_op:
        batch_op.add_column(sa.Column("assigned_to", sa.Uuid(), nullable=True))
        batch_op.create_foreign_key("fk_complaint_assigned_to_agent", "agent", ["assigned_to"], ["id"])
        batch_op.create_index("ix_complaint_state_due", ["state", "due_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("complaint", schema=None) as batch_op:
        batch_op.drop_index("ix_complaint_state_due")
        batch_op.drop_constraint("fk_complaint_assigned_to_agent", type_="foreignkey")
        batch_op.drop_column("assigned_to")
    with op.batch_alter_table("request_step", schema=None) as batch_op:
        batch_op.drop_column("calendar_unknown_after")
