"""Row versions, and the change log that lets a branch office sync with head office.

* ``customer`` and ``family_member`` gain ``version`` (an edit names the version it began
  from, so two agents editing one record are caught) and ``updated_by``.
* ``request`` gains ``confirmation``: a quota-limited request filed at a branch is
  provisional until head office has counted it.
* ``sync_site``, ``sync_applying``, ``sync_change``, ``sync_conflict`` (see db.tables).
* Capture triggers: every INSERT, and every UPDATE that changes more than the timestamps,
  of a synced table writes a ``sync_change`` row in the same transaction, but only while
  the database takes part in sync (a ``sync_site`` row with ``capture``) and not while a
  sync is applying the other side's changes (a ``sync_applying`` row). A database on its
  own, such as the 1,000,000-customer demo being generated, records nothing.

The column lists are spelled out as they were when shipped: a later migration that adds a
column to a synced table must create its triggers again (and on SQLite any
``batch_alter_table`` that rebuilds a table loses them).

Revision ID: 0008
Revises: 0007
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# table: (the customer the row belongs to, its columns)
TABLES: dict[str, tuple[str, tuple[str, ...]]] = {
    'customer': (
        'NEW.id',
        ('id', 'created_at', 'updated_at', 'name', 'id_type', 'id_number', 'birth_date', 'sex', 'mobile', 'email', 'region', 'address', 'name_pinyin', 'name_initials', 'id_last4', 'id_last6', 'mobile_last4', 'needs_update', 'version', 'updated_by'),
    ),
    'family_member': (
        'NEW.customer_id',
        ('id', 'created_at', 'updated_at', 'customer_id', 'name', 'relation', 'id_type', 'id_number', 'birth_date', 'sex', 'version', 'updated_by'),
    ),
    'policy': (
        'NEW.insured_id',
        ('id', 'created_at', 'updated_at', 'policy_number', 'product', 'insured_id', 'holder_id', 'effective_date', 'status', 'termination_date', 'illness_list'),
    ),
    'service_period': (
        '(SELECT insured_id FROM policy WHERE id = NEW.policy_id)',
        ('id', 'created_at', 'updated_at', 'policy_id', 'kind', 'starts_on', 'ends_on', 'granted_by', 'reason'),
    ),
    'request': (
        'NEW.customer_id',
        ('id', 'created_at', 'updated_at', 'number', 'policy_id', 'service_period_id', 'customer_id', 'service_code', 'beneficiary_member_id', 'beneficiary_name', 'channel', 'state', 'submitted_at', 'created_by', 'details', 'confirmation'),
    ),
    'request_event': (
        '(SELECT customer_id FROM request WHERE id = NEW.request_id)',
        ('id', 'created_at', 'updated_at', 'request_id', 'at', 'from_state', 'to_state', 'agent_id', 'reason', 'data'),
    ),
    'request_step': (
        '(SELECT customer_id FROM request WHERE id = NEW.request_id)',
        ('id', 'created_at', 'updated_at', 'request_id', 'service_code', 'step_code', 'started_at', 'due_at', 'done_at', 'assigned_to', 'calendar_unknown_after'),
    ),
    'usage_event': (
        '(SELECT insured_id FROM policy WHERE id = NEW.policy_id)',
        ('id', 'created_at', 'updated_at', 'policy_id', 'service_period_id', 'service_code', 'request_id', 'kind', 'at', 'agent_id', 'reason'),
    ),
    'call': (
        'NEW.customer_id',
        ('id', 'created_at', 'updated_at', 'customer_id', 'agent_id', 'caller_number', 'started_at', 'ended_at', 'verified_facts', 'wrap_up_code'),
    ),
    'call_note': (
        '(SELECT customer_id FROM call WHERE id = NEW.call_id)',
        ('id', 'created_at', 'updated_at', 'call_id', 'at', 'agent_id', 'text'),
    ),
    'complaint': (
        'NEW.customer_id',
        ('id', 'created_at', 'updated_at', 'customer_id', 'request_id', 'supplier_id', 'received_at', 'summary', 'complex_case', 'marked_complex_by', 'due_at', 'state', 'decided_at', 'decision', 'assigned_to'),
    ),
    'rating': (
        '(SELECT customer_id FROM request WHERE id = NEW.request_id)',
        ('id', 'created_at', 'updated_at', 'request_id', 'timeliness', 'quality', 'attitude', 'comment', 'at'),
    ),
    'audit_event': (
        'NULL',
        ('id', 'created_at', 'updated_at', 'at', 'agent_id', 'action', 'subject_type', 'subject_id', 'reason', 'detail'),
    ),
}
JSON_COLUMNS = ('data', 'detail', 'details', 'verified_facts')
# Only the timestamps changing (service_period's updated_at is bumped to take a row lock
# before counting uses) is not a change anyone needs to receive.
TIMESTAMPS = ("created_at", "updated_at")
# The advisory lock key of the change log's order: "desk" in ASCII.
CHANGE_ORDER_LOCK = 0x6465736B
CAPTURE_WHEN = "EXISTS (SELECT 1 FROM sync_site WHERE capture) AND NOT EXISTS (SELECT 1 FROM sync_applying)"


def _uuid() -> sa.types.TypeEngine:
    return sa.Uuid()


def upgrade() -> None:
    with op.batch_alter_table("customer") as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
        batch_op.add_column(sa.Column("updated_by", _uuid(), nullable=True))
    with op.batch_alter_table("family_member") as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
        batch_op.add_column(sa.Column("updated_by", _uuid(), nullable=True))
    with op.batch_alter_table("request") as batch_op:
        batch_op.add_column(sa.Column("confirmation", sa.String(length=12), nullable=False, server_default=""))

    def row_columns() -> list[sa.Column]:
        return [
            sa.Column("id", _uuid(), primary_key=True),
            sa.Column("created_at", sa.DateTime(), nullable=False),
            sa.Column("updated_at", sa.DateTime(), nullable=False),
        ]

    op.create_table(
        "sync_site",
        *row_columns(),
        sa.Column("role", sa.String(length=8), nullable=False),
        sa.Column("capture", sa.Boolean(), nullable=False),
        sa.Column("head_site_id", _uuid(), nullable=True),
        sa.Column("remote_url", sa.String(length=512), nullable=False),
        sa.Column("scope", sa.JSON(), nullable=False),
        sa.Column("pulled_to", sa.BigInteger(), nullable=False, server_default="0"),
        sa.Column("last_sync_at", sa.DateTime(), nullable=True),
        sa.Column("schema_revision", sa.String(length=32), nullable=False),
    )
    op.create_table("sync_applying", sa.Column("id", _uuid(), primary_key=True))
    op.create_table(
        "sync_change",
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=True),
        sa.Column("change_id", _uuid(), nullable=False, unique=True),
        sa.Column("origin", _uuid(), nullable=True),
        sa.Column("table_name", sa.String(length=32), nullable=False),
        sa.Column("row_id", _uuid(), nullable=False),
        sa.Column("op", sa.String(length=8), nullable=False),
        sa.Column("customer_id", _uuid(), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("old", sa.JSON(), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
    )
    op.create_index("ix_sync_change_customer", "sync_change", ["customer_id"])
    op.create_index(
        "ix_sync_change_outbox", "sync_change", ["seq"],
        sqlite_where=sa.text("origin IS NULL AND sent_at IS NULL"),
        postgresql_where=sa.text("origin IS NULL AND sent_at IS NULL"),
    )
    op.create_table(
        "sync_conflict",
        *row_columns(),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("table_name", sa.String(length=32), nullable=False),
        sa.Column("row_id", _uuid(), nullable=False),
        sa.Column("customer_id", _uuid(), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.Column("resolved_by", _uuid(), nullable=True),
        sa.Column("resolution", sa.String(length=512), nullable=False),
    )
    op.create_index("ix_sync_conflict_open", "sync_conflict", ["resolved_at", "at"])
    if op.get_bind().dialect.name == "postgresql":
        # Many agents write at once, so change numbers are taken in one order and
        # committed in another: a reader could see 11 before 10 commits and pass 10 by.
        # Every statement that adds changes first takes a shared lock held to its commit;
        # a reader takes the lock exclusively for an instant, which waits for every
        # writer in flight, and below the highest number it then sees, none is missing
        # (db.repositories.sync.SyncRepository.cutoff).
        op.execute(
            f"""
            CREATE FUNCTION desk_change_order() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                PERFORM pg_advisory_xact_lock_shared({CHANGE_ORDER_LOCK});
                RETURN NULL;
            END
            $$
            """
        )
        op.execute(
            "CREATE TRIGGER sync_change_order BEFORE INSERT ON sync_change "
            "FOR EACH STATEMENT EXECUTE FUNCTION desk_change_order()"
        )
        for table, (customer, columns) in TABLES.items():
            _postgres_capture(table, customer, columns)
    else:
        for table, (customer, columns) in TABLES.items():
            _sqlite_capture(table, customer, columns)


def _changed(columns: Sequence[str], differ: str, json_cast: str = "") -> str:
    # PostgreSQL has no equality for json: its columns are compared as text.
    def side(row: str, column: str) -> str:
        return f"{row}.{column}{json_cast}" if column in JSON_COLUMNS else f"{row}.{column}"

    return " OR ".join(
        f"{side('OLD', c)} {differ} {side('NEW', c)}" for c in columns if c not in TIMESTAMPS
    )


def _postgres_capture(table: str, customer: str, columns: Sequence[str]) -> None:
    op.execute(
        f"""
        CREATE FUNCTION desk_capture_{table}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            -- The change log's order lock, shared, before anything is decided: a write
            -- that began before head office's capture was switched on is still waited
            -- for by a reader's cutoff (db.repositories.sync.SyncRepository.cutoff).
            PERFORM pg_advisory_xact_lock_shared({CHANGE_ORDER_LOCK});
            IF NOT EXISTS (SELECT 1 FROM sync_site WHERE capture)
               OR EXISTS (SELECT 1 FROM sync_applying) THEN
                RETURN NULL;
            END IF;
            INSERT INTO sync_change (change_id, table_name, row_id, op, customer_id, data, old, at)
            VALUES (gen_random_uuid(), TG_TABLE_NAME, NEW.id, lower(TG_OP), {customer}, to_json(NEW),
                    CASE WHEN TG_OP = 'UPDATE' THEN to_json(OLD) END, NEW.updated_at);
            RETURN NULL;
        END
        $$
        """
    )
    op.execute(
        f"CREATE TRIGGER {table}_capture_insert AFTER INSERT ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION desk_capture_{table}()"
    )
    op.execute(
        f"CREATE TRIGGER {table}_capture_update AFTER UPDATE ON {table} "
        f"FOR EACH ROW WHEN ({_changed(columns, 'IS DISTINCT FROM', '::text')}) "
        f"EXECUTE FUNCTION desk_capture_{table}()"
    )


def _sqlite_json(prefix: str, columns: Sequence[str]) -> str:
    pairs = ", ".join(
        f"'{c}', " + (f"json({prefix}.{c})" if c in JSON_COLUMNS else f"{prefix}.{c}") for c in columns
    )
    return f"json_object({pairs})"


def _sqlite_capture(table: str, customer: str, columns: Sequence[str]) -> None:
    insert = (
        "INSERT INTO sync_change (change_id, table_name, row_id, op, customer_id, data, old, at) "
        "VALUES (lower(hex(randomblob(16))), '{table}', NEW.id, '{op}', {customer}, {data}, {old}, NEW.updated_at);"
    )
    op.execute(
        f"CREATE TRIGGER {table}_capture_insert AFTER INSERT ON {table} WHEN {CAPTURE_WHEN} BEGIN "
        + insert.format(table=table, op="insert", customer=customer, data=_sqlite_json("NEW", columns), old="NULL")
        + " END"
    )
    op.execute(
        f"CREATE TRIGGER {table}_capture_update AFTER UPDATE ON {table} "
        f"WHEN {CAPTURE_WHEN} AND ({_changed(columns, 'IS NOT')}) BEGIN "
        + insert.format(table=table, op="update", customer=customer, data=_sqlite_json("NEW", columns),
                        old=_sqlite_json("OLD", columns))
        + " END"
    )


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for table in TABLES:
        for kind in ("insert", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_capture_{kind}" + (f" ON {table}" if postgres else ""))
        if postgres:
            op.execute(f"DROP FUNCTION IF EXISTS desk_capture_{table}()")
    if postgres:
        op.execute("DROP TRIGGER IF EXISTS sync_change_order ON sync_change")
        op.execute("DROP FUNCTION IF EXISTS desk_change_order()")
    for name in ("sync_conflict", "sync_change", "sync_applying", "sync_site"):
        op.drop_table(name)
    op.drop_column("request", "confirmation")
    for table in ("family_member", "customer"):
        op.drop_column(table, "updated_by")
        op.drop_column(table, "version")
