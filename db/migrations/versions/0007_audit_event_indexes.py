"""Index the audit log by time, and by agent and by action within time.

The supervisors' audit screen reads the newest events first, filtered by agent or action,
a page at a time; without these each reading scanned and sorted the whole log, which
gains an event for every sign-in, export and reveal of a hundred agents.

Revision ID: 0007
Revises: 0006
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = {
    "ix_audit_event_at": ["at"],
    "ix_audit_event_agent_at": ["agent_id", "at"],
    "ix_audit_event_action_at": ["action", "at"],
}


def upgrade() -> None:
    for name, columns in INDEXES.items():
        op.create_index(name, "audit_event", columns, unique=False)


def downgrade() -> None:
    for name in INDEXES:
        op.drop_index(name, table_name="audit_event")
