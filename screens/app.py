"""The desk application: opens the database in a worker and starts on the lookup screen."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from datetime import date, datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from desk.texts.labels import t
from desk.use_cases.clock import china_now
from screens.home import HomeScreen

if TYPE_CHECKING:
    # The database stack (SQLAlchemy, SQLModel, Alembic, pydantic) costs most of a second
    # to import: it loads in the worker after the first frame, never before it.
    from desk.use_cases.customer_view import IdentityReference
    from desk.use_cases.database import Database


class DeskApp(App[None]):
    # Absolute, so a subclass defined elsewhere (tests, benchmarks) finds it too.
    CSS_PATH = str(Path(__file__).with_name("desk.tcss"))
    TITLE = t("app.title")
    SUB_TITLE = t("app.sub_title")
    BINDINGS = [
        Binding("f1", "help", t("key.help"), id="help"),
        Binding("f2", "open_queue", t("key.queue"), id="open-queue"),
        Binding("f3", "open_calendar", t("key.calendar"), id="open-calendar"),
        Binding("ctrl+q", "quit", t("key.quit"), id="quit", priority=True),
    ]

    def __init__(
        self,
        database_url: str | None = None,
        *,
        clock: Callable[[], datetime] = china_now,
        agent_login: str | None = None,
    ) -> None:
        super().__init__()
        self.database_url = database_url
        self.database: Database | None = None
        self.clock = clock
        self.agent_login = agent_login
        self.agent_id: uuid.UUID | None = None
        self.agent_role = ""

    def now(self) -> datetime:
        return self.clock()

    def today(self) -> date:
        return self.clock().date()

    def on_mount(self) -> None:
        self.push_screen(HomeScreen())
        # The lookup box is up and takes keys before the database is even imported.
        self.call_after_refresh(self._open_database)

    @work(thread=True, exclusive=True, group="database", exit_on_error=False)
    def _open_database(self) -> Database:
        from desk.use_cases.agents import agent_for, current_login
        from desk.use_cases.database import open_database

        database = open_database(self.database_url)
        with database.unit_of_work() as uow:
            agent = agent_for(uow, self.agent_login or current_login())
            self.agent_id, self.agent_role = agent.id, agent.role
            uow.commit()
        return database

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "database":
            self._database_worker_changed(event)
        elif event.state == WorkerState.ERROR:
            # A lost connection mid-call: say so where the agent is looking, keep the screen.
            error = event.worker.error
            self.notify(t("db.failed", reason=_reason(error)), severity="error", timeout=10)

    def _database_worker_changed(self, event: Worker.StateChanged) -> None:
        home = self._home()
        if event.state == WorkerState.SUCCESS:
            self.database = event.worker.result
            if home is not None and self.database is not None:
                home.show_database_ready(self.database.label)
        elif event.state == WorkerState.ERROR and home is not None:
            home.show_database_failed(_reason(event.worker.error))

    def _home(self) -> HomeScreen | None:
        for screen in self.screen_stack:
            if isinstance(screen, HomeScreen):
                return screen
        return None

    # -- the call flow ---------------------------------------------------------------------

    def start_call(self, customer_id: uuid.UUID, name: str) -> None:
        self._open_call(customer_id)

    @work(thread=True, exclusive=True, group="call", exit_on_error=False)
    def _open_call(self, customer_id: uuid.UUID) -> None:
        from desk.use_cases.calls import open_call
        from desk.use_cases.customer_view import identity_reference

        assert self.database is not None
        with self.database.unit_of_work() as uow:
            call_id = open_call(uow, customer_id=customer_id, agent_id=self.agent_id, at=self.now())
        with self.database.unit_of_work() as uow:
            reference = identity_reference(uow, customer_id)
        self.call_from_thread(self._verify, call_id, reference)

    def _verify(self, call_id: uuid.UUID, reference: IdentityReference) -> None:
        from screens.identity import IdentityScreen

        def checked(confirmed: list[str] | None) -> None:
            self._record_verification(call_id, reference, confirmed or [])

        self.push_screen(IdentityScreen(reference), checked)

    @work(thread=True, exclusive=True, group="verify", exit_on_error=False)
    def _record_verification(self, call_id: uuid.UUID, reference: IdentityReference, confirmed: list[str]) -> None:
        from desk.rules.identity import identity_verified
        from desk.use_cases.calls import record_verification

        assert self.database is not None
        with self.database.unit_of_work() as uow:
            record_verification(uow, call_id, confirmed)
        self.call_from_thread(self._show_customer, call_id, reference, identity_verified(confirmed))

    def _show_customer(self, call_id: uuid.UUID, reference: IdentityReference, verified: bool) -> None:
        from screens.customer import CustomerScreen

        self.push_screen(CustomerScreen(reference.customer_id, reference.name, call_id, verified))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """The palette offers what the screen's keys do, so a forgotten key is found by name."""
        seen: set[str] = set()
        for key, active in screen.active_bindings.items():
            binding = active.binding
            if not active.enabled or not binding.description or binding.description in seen:
                continue
            seen.add(binding.description)
            yield SystemCommand(
                binding.description,
                f"{binding.key_display or key}",
                partial(active.node.run_action, binding.action),
            )
        yield from super().get_system_commands(screen)

    def action_open_queue(self) -> None:
        from screens.queue import QueueScreen

        self._open_screen(QueueScreen, QueueScreen)

    def action_open_calendar(self) -> None:
        from screens.calendar import CalendarScreen

        self._open_screen(CalendarScreen, lambda: CalendarScreen(self.today().year))

    def _open_screen(self, kind: type[Screen], make: Callable[[], Screen]) -> None:
        """Open a work screen from anywhere, once the database is there; never twice on top."""
        if isinstance(self.screen, kind):
            return
        if self.database is None:
            self.notify(t("lookup.not_ready"), severity="warning")
            return
        self.push_screen(make())

    def action_help(self) -> None:
        from screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            self.pop_screen()
            return
        self.push_screen(HelpScreen(getattr(self.screen, "HELP_TOPIC", "home")))

    def on_unmount(self) -> None:
        if self.database is not None:
            self.database.close()


def _reason(error: BaseException | None) -> str:
    from desk.errors import DeskError

    if isinstance(error, DeskError):
        return str(error)
    return f"{type(error).__name__}: {error}"
