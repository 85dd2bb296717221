"""The desk application: opens the database in a worker and shows the lookup screen."""

from __future__ import annotations

from textual import work
from textual.app import App
from textual.binding import Binding
from textual.worker import Worker, WorkerState

from desk.database import Database, open_database
from desk.errors import DeskError
from desk.texts import t
from screens.help import HelpScreen
from screens.home import HomeScreen


class DeskApp(App[None]):
    CSS_PATH = "desk.tcss"
    TITLE = t("app.title")
    SUB_TITLE = t("app.sub_title")
    BINDINGS = [
        Binding("f1", "help", t("key.help"), id="help"),
        Binding("ctrl+q", "quit", t("key.quit"), id="quit", priority=True),
    ]

    def __init__(self, database_url: str | None = None) -> None:
        super().__init__()
        self.database_url = database_url
        self.database: Database | None = None

    def on_mount(self) -> None:
        self.push_screen(HomeScreen())
        self._open_database()

    @work(thread=True, exclusive=True, group="database", exit_on_error=False)
    def _open_database(self) -> Database:
        # Opening (and on first run, migrating) must not hold the first keystroke back.
        return open_database(self.database_url)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "database":
            return
        home = self._home()
        if event.state == WorkerState.SUCCESS:
            self.database = event.worker.result
            if home is not None and self.database is not None:
                home.show_database_ready(self.database.label)
        elif event.state == WorkerState.ERROR:
            error = event.worker.error
            reason = str(error) if isinstance(error, DeskError) else f"{type(error).__name__}: {error}"
            if home is not None:
                home.show_database_failed(reason)

    def _home(self) -> HomeScreen | None:
        for screen in self.screen_stack:
            if isinstance(screen, HomeScreen):
                return screen
        return None

    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            self.pop_screen()
            return
        self.push_screen(HelpScreen(getattr(self.screen, "HELP_TOPIC", "home")))

    def on_unmount(self) -> None:
        if self.database is not None:
            self.database.close()
