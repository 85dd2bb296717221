"""A branch's quota filings and head office's verdict: worked cases from domain.md's quotas."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import pytest

from db.sync.rows import BY_NAME, decoded, encoded
from desk.rules.catalogue import benefit
from desk.rules.confirmation import Confirmation, on_count, on_filing


@pytest.mark.parametrize(
    ("code", "at_branch", "expected"),
    [
        ("escort", True, Confirmation.PROVISIONAL),  # once a service year
        ("smoking", True, Confirmation.PROVISIONAL),  # 12 a service year
        ("ai_consult", True, Confirmation.NONE),  # unlimited: nothing to run out
        ("escort", False, Confirmation.NONE),  # head office sees every office's uses
    ],
)
def test_only_a_use_that_can_run_out_waits_for_head_office(code, at_branch, expected):
    assert on_filing(benefit(code), at_branch=at_branch) is expected


@pytest.mark.parametrize(
    ("code", "uses", "expected"),
    [
        ("escort", 1, Confirmation.CONFIRMED),  # this filing is the year's one use
        ("escort", 2, Confirmation.CONFLICT),  # another office used it too
        ("smoking", 12, Confirmation.CONFIRMED),
        ("smoking", 13, Confirmation.CONFLICT),
        ("ai_consult", 500, Confirmation.CONFIRMED),
    ],
)
def test_head_office_confirms_within_the_quota_and_flags_past_it(code, uses, expected):
    assert on_count(benefit(code), uses) is expected


def test_a_change_reads_the_same_from_sqlite_and_postgresql_spellings():
    """SQLite's trigger writes 32 hex digits, 0/1 and a space; PostgreSQL's to_json dashes,
    true/false and a T: both are the same row."""
    table = BY_NAME["customer"]
    row_id = uuid.uuid4()
    sqlite = {"id": row_id.hex, "birth_date": "1990-03-07", "needs_update": 0, "version": 2,
              "updated_at": "2026-09-28 10:00:00.123456", "name": "张三"}
    postgres = {"id": str(row_id), "birth_date": "1990-03-07", "needs_update": False, "version": 2,
                "updated_at": "2026-09-28T10:00:00.123456", "name": "张三"}
    expected = {"id": row_id, "birth_date": date(1990, 3, 7), "needs_update": False, "version": 2,
                "updated_at": datetime(2026, 9, 28, 10, 0, 0, 123456), "name": "张三"}
    assert decoded(table, sqlite) == decoded(table, postgres) == expected
    assert decoded(table, encoded(expected)) == expected


def test_the_change_logs_lock_key_is_the_one_the_migration_installed():
    """The migration spells its SQL as shipped, so the key stands in two places."""
    import importlib.util
    from pathlib import Path

    import db.repositories.sync as sync_repository

    path = next(Path(sync_repository.__file__).parents[1].glob("migrations/versions/0008_*.py"))
    spec = importlib.util.spec_from_file_location("migration_0008", path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    assert migration.CHANGE_ORDER_LOCK == sync_repository.CHANGE_ORDER_LOCK


def test_a_field_conflict_lists_mobile_and_id_numbers_masked():
    from db.tables import SyncConflict
    from desk.use_cases.sync_conflicts import conflict_line

    def line(field: str, kept: str, set_aside: str) -> str:
        return conflict_line(SyncConflict(
            kind="field", table_name="customer", row_id=uuid.uuid4(), at=datetime(2026, 9, 28, 10),
            detail={"field": field, "kept": kept, "kept_at": "2026-09-28T11:00:00",
                    "set_aside": set_aside, "set_aside_at": "2026-09-28T09:00:00"},
        ))

    mobile = line("mobile", "13922220000", "13811110000")
    assert "13922220000" not in mobile and "13811110000" not in mobile
    assert "139****0000" in mobile and "138****0000" in mobile
    assert "2026-09-28 11:00" in mobile and "2026-09-28 09:00" in mobile
    number = line("id_number", "110105199003071235", "11010519900307123X")
    assert "110105199003071235" not in number and "11010519900307123X" not in number
