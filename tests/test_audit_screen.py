"""The audit log screen (F4): a supervisor browses and narrows the log; an agent may not."""

from __future__ import annotations

import uuid
from datetime import datetime

import pytest
from textual.widgets import DataTable, Input, Static
from textual.widgets._footer import FooterKey

from db.tables import Agent, AuditEvent
from desk.use_cases.audit_log import AuditFilter, read_audit_log, read_audit_page
from desk.use_cases.database import open_database
from screens import audit
from screens.app import DeskApp
from screens.audit import AuditPromptScreen, AuditScreen
from tests.callers import NOW, rows
from tests.pilot import press_settled, settle

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((160, 48), id="160x48")]
CUSTOMER = uuid.UUID("6f1c2a3b-4d5e-4f60-8a71-92b3c4d5e6f7")
REQUEST = uuid.UUID("0a1b2c3d-4e5f-4061-8273-94a5b6c7d8e9")
MEMBER = uuid.UUID("9e8d7c6b-5a49-4837-a625-140f2e3d4c5b")
ID_NUMBER = "110101199003071234"
MOBILE = "13812345678"


def add_log(url: str) -> None:
    """Two agents and five events at fixed times, one a day, none at NOW."""
    database = open_database(url)
    with database.unit_of_work() as uow:
        supervisor = uow.agents.add(Agent(login="supervisor01", name="主管", role="supervisor"))
        agent = uow.agents.add(Agent(login="agent01", name="坐席一", role="agent"))
        for event in (
            AuditEvent(at=datetime(2026, 11, 20, 9, 15), agent_id=agent.id, action="reveal_id_number",
                       subject_type="customer", subject_id=CUSTOMER, reason=f"客户要求核对 {ID_NUMBER}",
                       detail={"note": f"回拨 {MOBILE}"}),
            AuditEvent(at=datetime(2026, 11, 21, 14, 2), agent_id=supervisor.id, action="override_refusal",
                       subject_type="request", subject_id=REQUEST, reason="病情紧急，主管放行",
                       detail={"refusal": "额度已用完", "service": "smoking"}),
            AuditEvent(at=datetime(2026, 11, 22, 16, 45), agent_id=agent.id, action="family_edit",
                       subject_type="family_member", subject_id=MEMBER,
                       detail={"relation": "spouse", "id_number_masked": "110101********1234",
                               "changed": ["mobile", "name"]}),
            AuditEvent(at=datetime(2026, 11, 23, 11, 20), agent_id=agent.id, action="reveal_mobile",
                       subject_type="customer", subject_id=CUSTOMER, reason="回访"),
            AuditEvent(at=datetime(2026, 11, 24, 9, 0), agent_id=supervisor.id, action="calendar_edit",
                       subject_type="calendar", detail={"day": "2026-11-25", "kind": "holiday", "recomputed": 3}),
        ):
            uow.audit.add(event)
        uow.commit()
    database.close()


def app_for(url: str, login: str) -> DeskApp:
    return DeskApp(database_url=url, clock=lambda: NOW, agent_login=login)


@pytest.fixture
def log_url(database_url: str) -> str:
    add_log(database_url)
    return database_url


async def read(pilot) -> None:
    """Wait until the reading last asked for is on screen."""
    for _ in range(50):
        await settle(pilot)
        screen = pilot.app.screen
        if not isinstance(screen, AuditScreen) or screen.reading_shown:
            return
    raise AssertionError("the audit log was never read")


async def open_audit(pilot) -> AuditScreen:
    await settle(pilot)
    await pilot.press("f4")
    await read(pilot)
    assert isinstance(pilot.app.screen, AuditScreen)
    return pilot.app.screen


async def prompt(pilot, key: str, text: str) -> None:
    """Press ``key``, type ``text`` over what the prompt offers, press Enter."""
    await press_settled(pilot, key)
    assert isinstance(pilot.app.screen, AuditPromptScreen)
    pilot.app.screen.query_one(Input).value = ""
    await pilot.press(*text, "enter")
    await read(pilot)


def table(screen: AuditScreen) -> list[list[str]]:
    cells = screen.query_one("#audit-table", DataTable)
    return [[str(cell) for cell in cells.get_row_at(i)] for i in range(cells.row_count)]


def column(screen: AuditScreen, index: int) -> list[str]:
    return [row[index] for row in table(screen)]


def text(screen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


def reads(url: str) -> list[AuditEvent]:
    database = open_database(url)
    try:
        return [event for event in rows(database, AuditEvent) if event.action == "read_audit"]
    finally:
        database.close()


async def test_a_supervisor_sees_the_newest_events_first_with_identity_masked(log_url):
    app = app_for(log_url, "supervisor01")
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_audit(pilot)
        assert column(screen, 0) == ["2026-11-24 09:00", "2026-11-23 11:20", "2026-11-22 16:45",
                                     "2026-11-21 14:02", "2026-11-20 09:15"]
        assert column(screen, 1) == ["supervisor01", "agent01", "agent01", "supervisor01", "agent01"]
        assert column(screen, 2) == ["修改日历", "查看手机全号", "修改家庭成员", "主管放行", "查看证件全号"]
        assert "显示 5 / 共 5 条" in text(screen, "#audit-head")
        shown = str(table(screen)) + text(screen, "#audit-row")
        assert ID_NUMBER not in shown and MOBILE not in shown
        oldest = table(screen)[-1]
        assert oldest[4] == "客户要求核对 110101********1234"
        assert oldest[5] == "note=回拨 138****5678"
        assert table(screen)[2][5] == "relation=spouse id_number_masked=110101********1234 changed=mobile,name"
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, AuditScreen)


async def test_filtering_by_agent_and_by_action_narrows_the_rows(log_url):
    app = app_for(log_url, "supervisor01")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_audit(pilot)
        await prompt(pilot, "a", "agent01")
        assert app.screen is screen
        assert set(column(screen, 1)) == {"agent01"} and len(table(screen)) == 3
        assert "坐席=agent01" in text(screen, "#audit-head")
        assert "显示 3 / 共 3 条" in text(screen, "#audit-head")
        # The first action desk knows is the full ID shown: one of agent01's three.
        await pilot.press("t")
        await read(pilot)
        assert screen.audit_filter.action == "reveal_id_number"
        assert column(screen, 2) == ["查看证件全号"]
        assert "操作=查看证件全号" in text(screen, "#audit-head")
        await pilot.press("t")
        await read(pilot)
        assert column(screen, 2) == ["查看手机全号"]
        await pilot.press("x")
        await read(pilot)
        # Cleared: the five, and the readings made since the screen opened, newest first.
        assert screen.audit_filter == AuditFilter()
        assert column(screen, 2)[:4] == ["查看审计日志"] * 4
        assert len(table(screen)) == 9


async def test_a_bad_date_and_an_unknown_login_are_said_and_the_filter_stays(log_url):
    app = app_for(log_url, "supervisor01")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_audit(pilot)
        before = table(screen)
        await prompt(pilot, "a", "nobody")
        assert app.screen is screen
        assert text(screen, "#audit-status") == "没有登录名为 nobody 的坐席，筛选未变"
        assert screen.audit_filter.agent is None and table(screen) == before
        # What was typed is offered again.
        await press_settled(pilot, "a")
        assert app.screen.query_one(Input).value == "nobody"
        await press_settled(pilot, "escape")
        assert app.screen is screen

        await prompt(pilot, "d", "2026-13-01")
        # Said under the field, where the supervisor is typing; the prompt keeps the text.
        assert isinstance(app.screen, AuditPromptScreen)
        assert "2026-13-01 不是有效日期" in text(app.screen, "#audit-prompt-error")
        assert app.screen.query_one(Input).value == "2026-13-01"
        await press_settled(pilot, "escape")
        assert app.screen is screen and screen.audit_filter.since is None and table(screen) == before

        await prompt(pilot, "d", "2026-11-22")
        assert screen.audit_filter.since == datetime(2026, 11, 22)
        assert "起始=2026-11-22" in text(screen, "#audit-head")
        assert all(cell >= "11-22" for cell in column(screen, 0))
        assert "11-22 16:45" in column(screen, 0) and "11-21 14:02" not in column(screen, 0)


async def test_each_reading_is_recorded_with_its_filter(log_url):
    app = app_for(log_url, "supervisor01")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_audit(pilot)
        await prompt(pilot, "a", "agent01")
    first, second = reads(log_url)
    supervisor = next(a for a in rows(app.database, Agent) if a.login == "supervisor01")
    assert (first.agent_id, first.at, first.subject_type) == (supervisor.id, NOW, "audit_log")
    assert first.detail == {"since": None, "agent": None, "action": None, "format": "screen", "rows": 5, "total": 5}
    assert second.detail["agent"] == "agent01" and second.detail["rows"] == 3


async def test_only_the_newest_events_are_read_with_the_total(log_url, monkeypatch):
    monkeypatch.setattr(audit, "LIMIT", 2)
    app = app_for(log_url, "supervisor01")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_audit(pilot)
        assert column(screen, 0) == ["11-24 09:00", "11-23 11:20"]
        assert "显示 2 / 共 5 条" in text(screen, "#audit-head")
        assert text(screen, "#audit-status").startswith("只显示最新 2 条")
    (reading,) = reads(log_url)
    assert (reading.detail["rows"], reading.detail["total"]) == (2, 5)


async def test_an_agent_is_told_the_supervisor_role_is_needed(log_url):
    app = app_for(log_url, "agent01")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f4")
        await settle(pilot)
        assert not any(isinstance(screen, AuditScreen) for screen in app.screen_stack)
        assert [n.message for n in app._notifications] == ["查看审计日志需要主管权限"]
    # The app refuses before reading: nothing was read, so nothing is recorded as read.
    assert reads(log_url) == []


async def test_every_key_fits_80_columns_and_no_row_runs_off_the_edge(log_url):
    app = app_for(log_url, "supervisor01")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_audit(pilot)
        keys = list(screen.query(FooterKey))
        assert {key.key_display for key in keys} >= {"a", "t", "d", "x", "r", "esc", "f1"}
        assert [key.description for key in keys if key.region.right > 80 or key.region.width == 0] == []
        cells = screen.query_one("#audit-table", DataTable)
        assert cells.virtual_size.width <= cells.size.width


def test_the_command_line_still_reads_oldest_first_and_a_page_newest_first(database_url):
    add_log(database_url)
    database = open_database(database_url)
    try:
        with database.unit_of_work() as uow:
            lines = read_audit_log(uow, reader="supervisor01", audit_filter=AuditFilter(), at=NOW, output="table")
        with database.unit_of_work() as uow:
            page = read_audit_page(uow, reader="supervisor01", audit_filter=AuditFilter(agent="agent01"), at=NOW,
                                   output="screen", limit=2)
    finally:
        database.close()
    assert [line.at.day for line in lines] == [20, 21, 22, 23, 24]
    assert ([line.at.day for line in page.lines], page.total) == ([23, 22], 3)


# --- Snapshots ---------------------------------------------------------------------------


@pytest.fixture
def snapshot_url(migrated_sqlite_url: str) -> str:
    add_log(migrated_sqlite_url)
    return migrated_sqlite_url


def steps(*keys: str):
    async def run(pilot) -> None:
        await open_audit(pilot)
        for key in keys:
            await pilot.press(key)
            await read(pilot)

    return run


@pytest.mark.parametrize("size", SIZES)
def test_audit_log(snap_compare, snapshot_url, size):
    assert snap_compare(app_for(snapshot_url, "supervisor01"), terminal_size=size, run_before=steps())


def test_audit_log_filtered_by_action(snap_compare, snapshot_url):
    # The highlighted override's reason and detail whole under the table.
    keys = ("t", "t", "t")
    assert snap_compare(app_for(snapshot_url, "supervisor01"), terminal_size=(80, 24), run_before=steps(*keys))
