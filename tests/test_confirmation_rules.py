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
