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
        batch_op.add_column(sa.Column("service_code", sa.String(length=24), nullable=False, server_default=""))
    op.execute(
        "UPDATE request_step SET service_code = "
        "(SELECT request.service_code FROM request WHERE request.id = request_step.request_id)"
    )
    with op.batch_alter_table("request_step", schema=None) as batch_op:
        # The queue's pages and counts read only the index (see db/repositories/queue.py).
        batch_op.drop_index("ix_request_step_open_due")
        batch_op.create_index(
            "ix_request_step_open_due", ["done_at", "due_at", "id", "step_code", "assigned_to", "service_code"],
            unique=False,
        )
        batch_op.create_index(
            "ix_request_step_open_queue", ["due_at", "id", "step_code", "assigned_to", "service_code"], unique=False,
            postgresql_where=sa.text("done_at IS NULL"), sqlite_where=sa.text("done_at IS NULL"),
        )
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
        batch_op.drop_index("ix_request_step_open_queue")
        batch_op.drop_index("ix_request_step_open_due")
        batch_op.create_index("ix_request_step_open_due", ["done_at", "due_at"], unique=False)
        batch_op.drop_column("service_code")
        batch_op.drop_column("calendar_unknown_after")
