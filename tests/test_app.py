"""The app as an agent meets it: it opens, shows the lookup box, survives a bad database."""

from __future__ import annotations

import subprocess
import sys

from screens.app import DeskApp
from screens.home import HomeScreen
from tests.pilot import still_cursor


async def _wait_for_database(app: DeskApp, pilot) -> None:
    await app.workers.wait_for_complete()
    await pilot.pause()


async def test_the_app_opens_on_the_lookup_screen_with_the_cursor_in_the_search_box(database_url):
    app = DeskApp(database_url=database_url, agent_login="agent01")
    async with app.run_test(size=(80, 24)) as pilot:
        await _wait_for_database(app, pilot)
        assert isinstance(app.screen, HomeScreen)
        assert app.focused is not None and app.focused.id == "search"
        await pilot.press("z", "s")
        assert app.focused.value == "zs"
        await pilot.press("escape")
        assert app.focused.value == ""
        assert app.database is not None


async def test_a_database_that_cannot_be_reached_is_said_on_screen_not_a_crash():
    app = DeskApp(database_url="postgresql://postgres:s3cret@127.0.0.1:1/desk", agent_login="agent01")
    async with app.run_test(size=(80, 24)) as pilot:
        await _wait_for_database(app, pilot)
        status = str(app.screen.query_one("#db-status").render())
        assert "Connection refused" in status
        assert "s3cret" not in status
        # The agent can still type: nothing is blocked or lost.
        await pilot.press("1", "2", "3", "4")
        assert app.focused.value == "1234"


async def test_f1_opens_and_closes_help():
    app = DeskApp(database_url="sqlite:///:memory:", agent_login="agent01")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f1")
        assert type(app.screen).__name__ == "HelpScreen"
        await pilot.press("escape")
        assert isinstance(app.screen, HomeScreen)


def _snapshot_app(sqlite_url: str) -> DeskApp:
    return DeskApp(database_url=sqlite_url, agent_login="agent01")


def test_snapshot_home_80x24(snap_compare, sqlite_url):
    async def ready(pilot):
        await _wait_for_database(pilot.app, pilot)
        still_cursor(pilot)

    assert snap_compare(_snapshot_app(sqlite_url), terminal_size=(80, 24), run_before=ready)


def test_snapshot_home_160x48(snap_compare, sqlite_url):
    async def ready(pilot):
        await _wait_for_database(pilot.app, pilot)
        still_cursor(pilot)

    assert snap_compare(_snapshot_app(sqlite_url), terminal_size=(160, 48), run_before=ready)


def test_snapshot_help_80x24(snap_compare, sqlite_url):
    async def ready(pilot):
        await _wait_for_database(pilot.app, pilot)
        still_cursor(pilot)
        await pilot.press("f1")

    assert snap_compare(_snapshot_app(sqlite_url), terminal_size=(80, 24), run_before=ready)


def test_every_screen_has_help_in_both_languages():
    # F1 on a screen without its page showed an empty help box (the form, the request view).
    import ast
    from pathlib import Path

    folder = Path(__file__).resolve().parents[1] / "screens"
    topics = {
        node.value.value
        for path in folder.glob("*.py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "HELP_TOPIC" for t in node.targets)
        and isinstance(node.value, ast.Constant)
    }
    assert {"form", "request", "queue", "customer"} <= topics
    missing = [f"help_{topic}.{lang}.md" for topic in sorted(topics) for lang in ("zh", "en")
               if not (folder / f"help_{topic}.{lang}.md").is_file()]
    assert missing == []


def test_help_pages_use_no_tables_which_80_columns_would_cut():
    # Markdown tables are laid out in fixed columns: at 80x24 "记入审计日志" became "记入审 …".
    # Lists wrap instead, so every word of help reaches the agent.
    from pathlib import Path

    folder = Path(__file__).resolve().parents[1] / "screens"
    tables = [f"{p.name}:{n}" for p in sorted(folder.glob("help_*.md"))
              for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if line.lstrip().startswith("|")]
    assert tables == []


def test_the_first_frame_needs_no_database_stack():
    """The sign-in and the lookup box are up before SQLAlchemy is imported (most of a
    second): a screen module that pulls in the tables slows every start."""
    code = ("import sys, screens.app; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in {'sqlalchemy', 'sqlmodel'}))")
    loaded = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    assert loaded.strip() == "[]"


def test_the_desk_command_starts_the_app_before_the_database_stack_too():
    """The ``desk`` command's own path (arguments, the login to offer, the idle lock) up to
    ``App.run``: it imported the tables to read the OS user, 0.6 s before the first frame."""
    code = (
        "import sys, screens.app, screens.main\n"
        "def run(self):\n"
        "    print(sorted(m for m in sys.modules if m.split('.')[0] in {'sqlalchemy', 'sqlmodel'}))\n"
        "screens.app.DeskApp.run = run\n"
        "sys.argv = ['desk']\n"
        "screens.main.main()\n"
    )
    loaded = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    assert loaded.strip() == "[]"


async def test_what_start_up_loaded_is_out_of_the_collectors_way(database_url):
    """Every full garbage collection walked the objects start-up leaves for good (pypinyin's
    dictionaries alone are about 200,000 lists): 130-160 ms on the main thread at random
    moments, one F2 in four taking 200-300 ms instead of 85. They are frozen once the
    database is open."""
    import gc

    from tests.callers import NOW
    from tests.pilot import settle

    thresholds = gc.get_threshold()
    app = DeskApp(database_url=database_url, clock=lambda: NOW, agent_login="agent01", freeze_start_up=True)
    try:
        async with app.run_test() as pilot:
            await settle(pilot)
            assert app.database is not None
            assert gc.get_freeze_count() > 100_000
    finally:
        gc.unfreeze()  # this process runs many apps: let their garbage go
        gc.set_threshold(*thresholds)


def test_the_desk_command_freezes_its_start_up(monkeypatch, sqlite_url):
    from screens.main import open_tui

    started: list[DeskApp] = []
    monkeypatch.setattr(DeskApp, "run", lambda self: started.append(self))
    assert open_tui(sqlite_url, "agent01") == 0
    assert started and started[0].freeze_start_up
