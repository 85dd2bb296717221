"""Signing in at the terminal, and the idle lock (issue 12), key by key.

The app opens on the sign-in screen and nothing behind it answers a key until a password
lets an agent in; five wrong ones lock the account; a session left idle locks and, with
the password, comes back exactly where it was, a half-typed form included. ``DESK_AGENT``
only fills the login box.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from textual import events
from textual.widgets import Input, Static

from db.tables import Agent, AuditEvent
from desk.rules.sign_in import LOCK_DURATION
from desk.use_cases.drafts import DraftStore
from desk.use_cases.passwords import hash_password
from screens.app import DeskApp
from screens.home import HomeScreen
from screens.main import open_tui
from screens.request_form import RequestFormScreen
from screens.sign_in import SignInScreen
from tests.callers import NOW, rows
from tests.pilot import settle, still_cursor
from tests.test_call_guards import PHARMACY, open_card_form

PASSWORD = "correct horse 12"


@pytest.fixture(scope="module")
def password_hash() -> str:
    return hash_password(PASSWORD)  # 50 ms: once for the module


def _add_agent(database_url: str, password_hash: str, login: str = "agent07", role: str = "agent") -> None:
    from desk.use_cases.database import open_database

    database = open_database(database_url)
    with database.unit_of_work() as uow:
        uow.agents.add(Agent(login=login, name="王坐席", role=role, password_hash=password_hash))
        uow.commit()
    database.close()


class IdleClock:
    """A monotonic clock the test moves on by hand."""

    def __init__(self) -> None:
        self.seconds = 1000.0

    def __call__(self) -> float:
        return self.seconds


def _app(url: str, clock: IdleClock | None = None, sign_in_as: str = "") -> DeskApp:
    return DeskApp(database_url=url, clock=lambda: NOW, sign_in_as=sign_in_as,
                   idle_clock=clock or IdleClock())


def _error(app: DeskApp) -> str:
    return str(app.screen.query_one("#sign-in-error", Static).render())


async def _sign_in(pilot, login: str, password: str) -> None:
    if login:
        await pilot.press(*login)
    await pilot.press("enter", *password, "enter")
    await settle(pilot)


async def test_the_app_opens_on_sign_in_and_nothing_behind_it_answers(database_url, password_hash):
    _add_agent(database_url, password_hash)
    app = _app(database_url)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, SignInScreen)
        assert app.focused is not None and app.focused.id == "sign-in-login"
        for key in ("f2", "f3", "f4", "ctrl+o", "ctrl+p"):
            await pilot.press(key)
            await settle(pilot)
            assert isinstance(app.screen, SignInScreen), f"{key} got past the sign-in"
        assert app.agent_id is None
        await _sign_in(pilot, "agent07", PASSWORD)
        assert isinstance(app.screen, HomeScreen)
        assert app.focused is not None and app.focused.id == "search"
        assert (app.agent_name, app.agent_role) == ("agent07", "agent")
        (agent,) = [a for a in rows(app.database, Agent) if a.login == "agent07"]
        assert app.agent_id == agent.id
    assert [e.action for e in rows(app.database, AuditEvent)] == ["sign_in"]


async def test_a_wrong_password_is_said_under_it_cleared_and_the_login_kept(database_url, password_hash):
    _add_agent(database_url, password_hash)
    app = _app(database_url)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await _sign_in(pilot, "agent07", "not the one")
        assert isinstance(app.screen, SignInScreen)
        assert "登录名或密码错误" in _error(app)
        assert app.screen.query_one("#sign-in-login", Input).value == "agent07"
        assert app.screen.query_one("#sign-in-password", Input).value == ""
        assert app.focused is not None and app.focused.id == "sign-in-password"
        # The next try needs only the password again.
        await pilot.press(*PASSWORD, "enter")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
    failed = [e for e in rows(app.database, AuditEvent) if e.action == "sign_in_failed"]
    assert [e.detail["reason"] for e in failed] == ["wrong_password"]


async def test_five_wrong_passwords_lock_the_account_even_against_the_right_one(database_url, password_hash):
    _add_agent(database_url, password_hash)
    app = _app(database_url)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press(*"agent07", "enter")
        for attempt in range(5):
            await pilot.press(*f"wrong-{attempt}", "enter")
            await settle(pilot)
        until = (NOW + LOCK_DURATION).strftime("%H:%M")
        assert "锁定" in _error(app) and until in _error(app)
        await pilot.press(*PASSWORD, "enter")
        await settle(pilot)
        assert isinstance(app.screen, SignInScreen), "the right password opened a locked account"
        assert until in _error(app)
        assert app.agent_id is None


async def test_desk_agent_fills_the_login_box_and_grants_nothing(database_url, password_hash, monkeypatch):
    _add_agent(database_url, password_hash, login="supervisor01", role="supervisor")
    monkeypatch.setenv("DESK_AGENT", "supervisor01")
    from desk.use_cases.login_offered import current_login

    app = _app(database_url, sign_in_as=current_login())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, SignInScreen)
        assert app.screen.query_one("#sign-in-login", Input).value == "supervisor01"
        assert app.focused is not None and app.focused.id == "sign-in-password"
        assert app.agent_id is None and app.agent_role == ""
        await pilot.press("f4")  # the supervisors' audit log: not before a password
        await settle(pilot)
        assert isinstance(app.screen, SignInScreen)
        await pilot.press(*PASSWORD, "enter")
        await settle(pilot)
        assert app.agent_role == "supervisor"


async def _signed_in_at_a_form(pilot, app: DeskApp) -> RequestFormScreen:
    await settle(pilot)
    await _sign_in(pilot, "agent07", PASSWORD)
    form = await open_card_form(pilot, PHARMACY)
    await pilot.press("tab", *"降压药")
    return form


async def test_an_idle_session_locks_and_the_password_brings_back_the_form_as_it_was(callers_url, password_hash):
    _add_agent(callers_url, password_hash)
    idle = IdleClock()
    app = _app(callers_url, idle)
    async with app.run_test(size=(100, 40)) as pilot:
        form = await _signed_in_at_a_form(pilot, app)
        idle.seconds += app.idle_lock.total_seconds() - 1
        app.lock_if_idle()
        assert app.screen is form, "locked before the idle time was up"
        await pilot.press("space", "backspace")  # a key: the agent is there
        idle.seconds += app.idle_lock.total_seconds() - 1
        app.lock_if_idle()
        assert app.screen is form, "a key did not count as presence"
        idle.seconds += 1
        app.lock_if_idle()
        await settle(pilot)
        lock = app.screen
        assert isinstance(lock, SignInScreen) and lock.locked
        assert lock.query_one("#sign-in-login", Input).value == "agent07"
        assert lock.query_one("#sign-in-login", Input).disabled
        # Behind the lock, keys reach nothing: not the form, not the queue.
        for key in ("f2", "ctrl+s", "escape"):
            await pilot.press(key)
            await settle(pilot)
            assert app.screen is lock
        await pilot.press(*"wrong-one", "enter")
        await settle(pilot)
        assert app.screen is lock and "登录名或密码错误" in _error(app)
        await pilot.press(*PASSWORD, "enter")
        await settle(pilot)
        assert app.screen is form
        assert form.query_one("#field-note", Input).value == "降压药"
        assert not app.locked


async def test_the_idle_timer_locks_without_anyone_calling_it(database_url, password_hash):
    _add_agent(database_url, password_hash)
    idle = IdleClock()
    app = DeskApp(database_url=database_url, clock=lambda: NOW, idle_clock=idle,
                  idle_lock=timedelta(minutes=1))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await _sign_in(pilot, "agent07", PASSWORD)
        idle.seconds += 61
        await pilot.pause(6)  # the timer looks every 5 s
        assert isinstance(app.screen, SignInScreen) and app.locked


async def test_ctrl_q_on_the_lock_keeps_the_form_as_a_draft_and_shows_nothing_of_the_call(
    callers_url, password_hash
):
    _add_agent(callers_url, password_hash)
    app = _app(callers_url)
    async with app.run_test(size=(100, 40)) as pilot:
        form = await _signed_in_at_a_form(pilot, app)
        app.lock()
        await settle(pilot)
        await pilot.press("ctrl+q")
        await settle(pilot)
        assert app.return_code == 0, "the lock asked a question that would show the caller"
    assert DraftStore().load(form.policy_id, "pharmacy")["note"] == "降压药"


async def test_signing_in_to_an_unreachable_database_says_which_and_why_and_keeps_the_password():
    app = DeskApp(database_url="postgresql://postgres:s3cret@127.0.0.1:1/desk", clock=lambda: NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await _sign_in(pilot, "agent07", PASSWORD)
        assert isinstance(app.screen, SignInScreen)
        said = _error(app)
        assert "127.0.0.1:1" in said and "Connection refused" in said and "s3cret" not in said
        assert app.screen.query_one("#sign-in-password", Input).value == PASSWORD


async def test_keys_typed_ahead_land_where_they_were_meant(database_url, password_hash):
    """Login, Enter, password, Enter sent at once (a paste, a password manager): each
    letter lands in its box and the sign-in checks the whole password."""
    _add_agent(database_url, password_hash)
    app = _app(database_url)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        # Posted without waiting between keys, as a terminal delivers a burst.
        for character in ["agent07", "\r", PASSWORD, "\r"]:
            for typed in character:
                name = {"\r": "enter", " ": "space"}.get(typed, typed)
                app.post_message(events.Key(name, None if typed == "\r" else typed))
        await settle(pilot)
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen), _error(app) if isinstance(app.screen, SignInScreen) else ""


async def test_a_name_typed_straight_after_the_password_goes_to_the_search_box(database_url, password_hash):
    """Password, Enter and the caller's name at once: the name's letters went into the
    password box (still focused while the password was checked) and the sign-in was
    refused. They are kept aside and put into the search box once in."""
    _add_agent(database_url, password_hash)
    app = _app(database_url, sign_in_as="agent07")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for typed in [*PASSWORD, "\r", *"zhang"]:
            app.post_message(events.Key("enter" if typed == "\r" else typed, None if typed == "\r" else typed))
        await settle(pilot)
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen), _error(app) if isinstance(app.screen, SignInScreen) else ""
        assert app.screen.query_one("#search", Input).value == "zhang"


async def test_tab_moves_between_the_boxes_before_sign_in(database_url, password_hash):
    _add_agent(database_url, password_hash)
    app = _app(database_url, sign_in_as="root")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.focused is not None and app.focused.id == "sign-in-password"
        await pilot.press("shift+tab")
        assert app.focused.id == "sign-in-login", "Tab refused before sign-in: the login box out of reach"
        await pilot.press(*["backspace"] * 4, *"agent07", "tab", *PASSWORD, "enter")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)


async def test_enter_while_the_database_opens_signs_in_once_it_is_open(database_url, password_hash, monkeypatch):
    import desk.use_cases.database as database_module
    from tests.held import held

    _add_agent(database_url, password_hash)
    gate = held(monkeypatch, database_module, "open_database")
    app = _app(database_url, sign_in_as="agent07")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*PASSWORD, "enter")
        await pilot.pause()
        assert isinstance(app.screen, SignInScreen) and "正在打开数据库" in _error(app)
        gate.set()
        await settle(pilot)
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen), "the sign-in did not go ahead once the database opened"


def test_a_bad_idle_lock_setting_refuses_to_start_and_says_why(monkeypatch, capsys):
    monkeypatch.setenv("DESK_IDLE_LOCK_MINUTES", "ten")
    assert open_tui(None) == 2
    error = capsys.readouterr().err
    assert "DESK_IDLE_LOCK_MINUTES=ten" in error and "480" in error


def _snapshot_app(sqlite_url: str) -> DeskApp:
    return _app(sqlite_url, sign_in_as="agent07")


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
def test_snapshot_sign_in(snap_compare, sqlite_url, size):
    async def ready(pilot):
        await settle(pilot)
        still_cursor(pilot)

    assert snap_compare(_snapshot_app(sqlite_url), terminal_size=size, run_before=ready)


def test_snapshot_locked_80x24(snap_compare, sqlite_url, password_hash):
    _add_agent(sqlite_url, password_hash)

    async def locked(pilot):
        await settle(pilot)
        await pilot.press(*PASSWORD, "enter")
        await settle(pilot)
        pilot.app.lock()
        await settle(pilot)
        still_cursor(pilot)

    assert snap_compare(_snapshot_app(sqlite_url), terminal_size=(80, 24), run_before=locked)
