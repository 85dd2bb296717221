"""Agents sign in: a salted scrypt hash of the password, and a lock after repeated failures.

``password_hash`` holds the hash with its parameters (``desk.use_cases.passwords``); an
agent without one cannot sign in until an admin sets it. ``failed_sign_ins`` counts wrong
passwords since the last success, ``locked_until`` is when a lock ends
(``desk.rules.sign_in``).

SQLite: only columns are added, with a plain-string server default, so the batch adds
them with ALTER TABLE and never rebuilds ``agent`` (a rebuild would drop a table that
every audit event and request refers to). The downgrade drops them with SQLite's own
DROP COLUMN (3.35 and later), for the same reason.

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("locked_until", "failed_sign_ins", "password_hash")


def upgrade() -> None:
    with op.batch_alter_table("agent", schema=None) as batch_op:
        batch_op.add_column(sa.Column("password_hash", sa.String(length=255), nullable=True))
        # A string default, not sa.text(): a SQL expression would make Alembic rebuild the table.
        batch_op.add_column(sa.Column("failed_sign_ins", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("locked_until", sa.DateTime(), nullable=True))


def downgrade() -> None:
    for column in COLUMNS:
        op.drop_column("agent", column)
