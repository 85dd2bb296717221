"""What an agent at a branch office sees of the sync: a provisional filing says so."""

from __future__ import annotations

from datetime import datetime

import pytest
from textual.widgets import Static

from db.tables import SyncSite
from desk.use_cases.database import open_database
from desk.use_cases.requests import NewRequest, file_request
from tests.callers import add_callers
from tests.test_request_view import open_request


def _branch_with_escort(url: str) -> None:
    database = open_database(url)
    add_callers(database)
    with database.unit_of_work() as uow:
        uow.sync.save_site(SyncSite(role="branch", remote_url="postgresql://desk@head/desk", scope={},
                                    last_sync_at=datetime(2026, 11, 24, 8, 5)))
        uow.commit()
    with database.unit_of_work() as uow:
        policy = uow.policies.by_number("XK202601100001")
        file_request(uow, NewRequest(policy.id, "escort", suspected_illness="S01"), agent_id=None,
                     at=datetime(2026, 11, 23, 10))
    database.close()


async def test_a_quota_request_filed_at_a_branch_says_it_awaits_head_office(migrated_sqlite_url):
    from tests.pilot import desk_app

    _branch_with_escort(migrated_sqlite_url)
    app = desk_app(migrated_sqlite_url)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_request(pilot)
        details = str(screen.query_one("#request-details-text", Static).render())
        assert "待总部确认" in details


SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((160, 48), id="160x48")]


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_a_branchs_lookup_says_since_when_it_works_on_its_own(snap_compare, migrated_sqlite_url, size):
    from tests.pilot import desk_app, settle, still_cursor

    _branch_with_escort(migrated_sqlite_url)

    async def run_before(pilot) -> None:
        await settle(pilot)
        still_cursor(pilot)

    assert snap_compare(desk_app(migrated_sqlite_url), terminal_size=size, run_before=run_before)


async def test_f9_at_a_branch_syncs_with_head_office_and_the_header_moves_on(
    empty_pg_url, sqlite_template, tmp_path
):
    from db.tables import Request
    from tests.callers import rows
    from tests.pilot import desk_app, settle
    from tests.sync_sites import branch_office, file_escort, head_office, sync

    head = head_office(empty_pg_url)
    branch = branch_office(sqlite_template, tmp_path, "branch")
    try:
        sync(branch, empty_pg_url, first=True)  # at 2026-09-28 10:00
        request_id = file_escort(branch)
        url = str(branch.engine.url)
        app = desk_app(url)
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            assert "离线自 09-28 10:00" in app.sub_title
            await pilot.press("f9")
            await settle(pilot)
            await app.workers.wait_for_complete()
            await settle(pilot)
            said = " ".join(str(n.message) for n in app._notifications)
            assert "同步完成" in said and "总部确认 1 件" in said
            assert "离线自 11-24 10:30" in app.sub_title
        assert request_id in {r.id for r in rows(head, Request)}
    finally:
        branch.close()
        head.close()


async def test_f9_on_head_offices_database_says_there_is_nothing_to_sync(callers_url):
    from tests.pilot import desk_app, settle

    app = desk_app(callers_url)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("f9")
        await settle(pilot)
        said = " ".join(str(n.message) for n in app._notifications)
        assert "不是分支数据库" in said
