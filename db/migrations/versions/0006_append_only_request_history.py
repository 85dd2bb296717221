"""A request's history only grows: the database refuses UPDATE and DELETE on request_event.

Who moved a request, when, from which state to which and why is the record an agent or a
supervisor is answerable to; a correction is a new transition, never an edit. Nothing in
desk updates or deletes these rows (the demo generator only bulk-inserts them), so the
triggers of 0004 are extended to this table, with the same function on PostgreSQL.

What they do not stop is the same as in 0004: TRUNCATE on PostgreSQL (the test suite
empties its database with it) and the table's owner dropping a trigger. On SQLite, a
later ``batch_alter_table`` on ``request_event`` rebuilds it and loses its triggers:
such a migration must create them again (``create_sqlite_triggers`` of 0004).

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "request_event"
# Created by 0004, which this revision comes after: the downgrade leaves it in place.
FUNCTION = "desk_refuse_rewrite"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
            f"FOR EACH ROW EXECUTE FUNCTION {FUNCTION}()"
        )
    else:
        # Spelled out rather than imported from 0004: a revision file is not a module
        # Alembic lets one import, and the SQL must stay as it was when shipped.
        for operation in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {TABLE}_no_{operation.lower()} BEFORE {operation} ON {TABLE} "
                f"BEGIN SELECT RAISE(ABORT, '{TABLE} is append-only: {operation} refused'); END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE}")
    else:
        for operation in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {TABLE}_no_{operation}")
