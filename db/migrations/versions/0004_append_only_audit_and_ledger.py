"""The audit log and the usage ledger only grow: the database itself refuses UPDATE and DELETE.

Quotas are derived from the ledger and the audit log is the record of who saw or changed
what; a correction is a new event (a refund, a new audit entry), never an edit. The
repositories already only append; these triggers make it true for any SQL too.

What the triggers do not stop: TRUNCATE on PostgreSQL (row triggers do not fire, and the
test suite empties its database with it), nor the table's owner dropping a trigger. Keep
the application's role from owning these tables where that matters.

On SQLite, a later ``batch_alter_table`` on either table rebuilds it and loses its
triggers: such a migration must create them again (``create_sqlite_triggers``).

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("audit_event", "usage_event")
FUNCTION = "desk_refuse_rewrite"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"""
            CREATE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
                    USING ERRCODE = 'restrict_violation';
            END
            $$
            """
        )
        for table in TABLES:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION {FUNCTION}()"
            )
    else:
        create_sqlite_triggers(TABLES)


def create_sqlite_triggers(tables: Sequence[str]) -> None:
    for table in tables:
        for operation in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{operation.lower()} BEFORE {operation} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {operation} refused'); END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        op.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}()")
    else:
        for table in TABLES:
            for operation in ("update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{operation}")
