"""The desk application: opens the database in a worker and starts on the lookup screen.

It also holds the call on the line, from the lookup's Enter to its wrap-up: the identity
check (Esc cancels it, V on the customer view repeats a failed one), the wrap-up with the
code that fits what the call did, and Ctrl+Q, which asks before leaving a call or a
changed form behind.
"""

from __future__ import annotations

import itertools
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from textual import events, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from desk.errors import DatabaseFailure, DeskError
from desk.rules.sign_in import IDLE_LOCK_DEFAULT
from desk.texts.labels import t
from desk.use_cases.clock import china_now
from screens import collector
from screens.connection import RECONNECT_SECONDS, ConnectionLost, ConnectionWatch
from screens.home import HomeScreen
from screens.sign_in import SignInScreen

if TYPE_CHECKING:
    # The database stack (SQLAlchemy, SQLModel, Alembic, pydantic) costs most of a second
    # to import: it loads in the worker after the first frame, never before it.
    from desk.use_cases.customer_view import IdentityReference
    from desk.use_cases.database import Database, OpenFailure
    from desk.use_cases.queue import QueuePage
    from desk.use_cases.sign_in import SignedIn
    from desk.use_cases.sync import SyncStatus
    from screens.request_form import RequestFormScreen

# What counts as someone at the keyboard: typing, clicking, scrolling, pasting. A mouse
# merely passing over the window does not keep a session open.
_PRESENCE = (events.Key, events.MouseDown, events.MouseScrollDown, events.MouseScrollUp, events.Paste)
# How often the idle lock looks at the time: a lock due at 10:00 comes by 10:00:05.
IDLE_CHECK_SECONDS = 5.0
# Full garbage collections wait for this long without a key (screens.collector).
COLLECT_WHEN_IDLE_SECONDS = 1.0
COLLECT_CHECK_SECONDS = 1.0
# How long F2 waits for the queue's first page before showing the screen without it.
QUEUE_PATIENCE_SECONDS = 0.25

# App actions that work before sign-in and behind the lock: leaving, the help, and Tab
# between the login and password boxes.
_OPEN_WHILE_LOCKED = frozenset({"quit", "help", "focus_next", "focus_previous"})


@dataclass
class OpenCall:
    """The call on the line: from the lookup's Enter until its wrap-up is saved."""

    call_id: uuid.UUID
    reference: IdentityReference
    verified: bool = False


class DeskApp(App[None]):
    # Absolute, so a subclass defined elsewhere (tests, benchmarks) finds it too.
    CSS_PATH = str(Path(__file__).with_name("desk.tcss"))
    TITLE = t("app.title")
    SUB_TITLE = t("app.sub_title")
    BINDINGS = [
        Binding("f1", "help", t("key.help"), id="help"),
        # Work everywhere, shown on the lookup screen: at 80 columns the call screens need
        # their footer for their own keys (F1 help lists these on every screen).
        Binding("f2", "open_queue", t("key.queue"), show=False, id="open-queue"),
        Binding("f3", "open_calendar", t("key.calendar"), show=False, id="open-calendar"),
        Binding("f4", "open_audit", t("key.audit"), show=False, id="open-audit"),
        # A branch office's exchange with head office, whenever the line is up.
        Binding("f9", "sync", t("key.sync"), show=False, id="sync"),
        Binding("ctrl+q", "quit", t("key.quit"), id="quit", priority=True),
        # Named in the agents' language (Textual's own says "palette").
        Binding("ctrl+p", "command_palette", t("key.palette"), show=False, id="palette", priority=True),
        # Reached only when the form's own Ctrl+O is off (not a supervisor, nothing refused):
        # the key then says why instead of doing nothing.
        Binding("ctrl+o", "override_refused", t("form.override_key"), show=False, id="override-refused"),
    ]

    def __init__(
        self,
        database_url: str | None = None,
        *,
        clock: Callable[[], datetime] = china_now,
        agent_login: str | None = None,
        sign_in_as: str = "",
        idle_lock: timedelta = IDLE_LOCK_DEFAULT,
        idle_clock: Callable[[], float] = time.monotonic,
        reconnect_every: float = RECONNECT_SECONDS,
        freeze_start_up: bool = False,
    ) -> None:
        """``agent_login`` starts signed in as that agent, with no password: for code that
        embeds the app and vouches for who is at it (tests, benchmarks). The ``desk``
        command never passes it: it opens on the sign-in screen, ``sign_in_as`` in its
        login box. ``idle_lock`` is how long without a key locks the session;
        ``reconnect_every`` how many seconds apart a lost database is asked again.
        ``freeze_start_up``: the process is desk's own (the ``desk`` command), and what
        start-up loaded is frozen out of the garbage collector's way once the database is
        open; a process that runs many apps (the tests) would keep each one's garbage."""
        super().__init__()
        self.freeze_start_up = freeze_start_up
        self.database_url = database_url
        self.database: Database | None = None
        self.clock = clock
        self.agent_login = agent_login
        self.agent_id: uuid.UUID | None = None
        self.agent_role = ""
        self.agent_name = agent_login or ""
        self.signed_in = agent_login is not None
        self.locked = False
        self.sign_in_as = sign_in_as
        # What the sign-in screen took after the password's Enter, for the search box.
        self.typed_ahead = ""
        self.idle_lock = idle_lock
        self._idle_clock = idle_clock
        self._last_presence = idle_clock()
        self.call: OpenCall | None = None
        # Why the database did not open, once that is known; None while opening or open.
        self.database_problem: OpenFailure | None = None
        # Moves on with every committed transaction (from any thread): a screen that
        # remembers the version it loaded knows on resume whether it is stale.
        self.data_version = 0
        self._commits = itertools.count(1)
        # This database's part in offline sync (desk.use_cases.sync.SyncStatus), once open.
        self.branch: SyncStatus | None = None
        # Whether the database answers; while it does not, a banner on every screen.
        self.connection = ConnectionWatch(self, reconnect_every)
        self._queue_asked = 0  # F2 presses whose first page is awaited (see action_open_queue)

    def now(self) -> datetime:
        return self.clock()

    def today(self) -> date:
        return self.clock().date()

    def on_mount(self) -> None:
        if self.signed_in:
            self.push_screen(HomeScreen())
        else:
            # The lookup is composed once someone is in: the first frame is the sign-in's.
            self.push_screen(SignInScreen(self.sign_in_as), self._signed_in)
        # The first box is up and takes keys before the database is even imported.
        self.call_after_refresh(self._open_database)
        self.set_interval(IDLE_CHECK_SECONDS, self.lock_if_idle)
        if self.freeze_start_up:
            self.set_interval(COLLECT_CHECK_SECONDS, self._collect_when_idle)

    # -- signing in and the idle lock ------------------------------------------------------

    def _signed_in(self, agent: SignedIn | None) -> None:
        if agent is None:
            return
        self.agent_id, self.agent_role, self.agent_name = agent.agent_id, agent.role, agent.login
        self.signed_in = True
        self._last_presence = self._idle_clock()
        # Keys typed after the password's Enter (a caller's name) go into the search box.
        typed, self.typed_ahead = self.typed_ahead, ""
        self.push_screen(HomeScreen(typed))

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, _PRESENCE):
            self._last_presence = self._idle_clock()
        await super().on_event(event)

    def _collect_when_idle(self) -> None:
        idle = self._idle_clock() - self._last_presence >= COLLECT_WHEN_IDLE_SECONDS
        collector.collect_if_due(idle)

    def lock_if_idle(self) -> None:
        """Lock the session once no one has typed for ``idle_lock``; a timer calls this."""
        if not self.signed_in or self.locked:
            return
        if self._idle_clock() - self._last_presence >= self.idle_lock.total_seconds():
            self.lock()

    def lock(self) -> None:
        """Cover everything until the signed-in agent's password is given again.

        The screens underneath stay as they are, forms and all; a number shown in full
        (a notification) goes at once.
        """
        self.locked = True
        self.clear_notifications()
        self.push_screen(SignInScreen(self.agent_name, locked=True), self._unlocked)

    def _unlocked(self, agent: SignedIn | None) -> None:
        if agent is None:
            return
        self.locked = False
        self._last_presence = self._idle_clock()
        self.typed_ahead = ""  # typed after an unlocking password: no search box to fill

    @work(thread=True, exclusive=True, group="database", exit_on_error=False)
    def _open_database(self) -> Database:
        from desk.use_cases.agents import agent_for
        from desk.use_cases.database import open_database

        database = open_database(self.database_url)
        if self.agent_login is not None:
            with database.unit_of_work() as uow:
                agent = agent_for(uow, self.agent_login)
                self.agent_id, self.agent_role, self.agent_name = agent.id, agent.role, agent.login
                uow.commit()
        database.on_commit(self._committed)
        from desk.use_cases.sync import branch_status

        self.branch = branch_status(database)
        if self.freeze_start_up:
            collector.freeze_start_up()
        return database

    def on_connection_lost(self, message: ConnectionLost) -> None:
        self.connection.lost(message.at)

    def _committed(self) -> None:
        # In the committing worker's thread: next() on a count is atomic.
        self.data_version = next(self._commits)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "database":
            self._database_worker_changed(event)
        elif event.state == WorkerState.ERROR:
            # A lost connection mid-call: say so where the agent is looking, keep the screen.
            error = event.worker.error
            if isinstance(error, DatabaseFailure) and error.kind == "unreachable":
                return  # the banner says it, once, not a message per refresh
            self.notify(t("db.failed", reason=_reason(error)), severity="error", timeout=10)

    def _database_worker_changed(self, event: Worker.StateChanged) -> None:
        home = self._home()
        if event.state == WorkerState.SUCCESS:
            self.database = event.worker.result
            if self.database is not None:
                self.connection.watch(self.database)
            self._show_branch()
            if home is not None and self.database is not None:
                home.show_database_ready(self.database.label)
            for screen in self.screen_stack:
                if isinstance(screen, SignInScreen):
                    screen.database_opened()
            for notice in self.database.notices if self.database is not None else ():
                self.notify(notice, severity="warning", timeout=30)
        elif event.state == WorkerState.ERROR:
            from desk.use_cases.database import open_failure

            # Which server (password masked) and why, where the agent looks first.
            self.database_problem = problem = open_failure(self.database_url, event.worker.error)
            if home is not None:
                home.show_database_failed(problem.line)
            for screen in self.screen_stack:
                if isinstance(screen, SignInScreen):
                    screen.database_failed(problem.line)

    # -- a branch office's sync ------------------------------------------------------------

    def _show_branch(self) -> None:
        """At a branch, the header says since when it works on its own copy."""
        if self.branch is None or self.branch.role != "branch":
            return
        at = self.branch.last_sync_at
        # Since the last sync: the branch has worked on its own copy from then. Month, day
        # and time, short enough for the header beside the title at 80 columns.
        line = t("sync.offline_since", at=f"{at:%m-%d %H:%M}") if at else t("sync.never_synced")
        # In place of the hotline's number (the lookup shows it): at 80 columns both do not fit.
        self.sub_title = line

    def action_sync(self) -> None:
        if self.database is None:
            self.notify(t("lookup.not_ready"), severity="warning")
            return
        if self.branch is None or self.branch.role != "branch":
            self.notify(t("sync.not_a_branch"), severity="warning")
            return
        self.notify(t("sync.running"), timeout=3)
        self.run_worker(self._sync, thread=True, exclusive=True, group="sync")

    def _sync(self) -> None:
        from desk.use_cases.sign_in import SignedIn
        from desk.use_cases.sync import branch_status, sync_branch

        database = self.database
        assert database is not None and self.agent_id is not None
        agent = SignedIn(self.agent_id, self.agent_name, self.agent_name, self.agent_role)
        try:
            report = sync_branch(database, remote_url=None, at=self.now(), agent=agent)
        except DeskError as error:
            self.call_from_thread(self.notify, t("sync.failed", reason=str(error)), severity="error", timeout=15)
            return
        self.branch = branch_status(database)
        self.call_from_thread(self._show_branch)
        self.call_from_thread(self.notify, report.summary(), timeout=10)

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
        self.call_from_thread(self._call_opened, OpenCall(call_id, reference))

    def _call_opened(self, call: OpenCall) -> None:
        self.call = call
        self._check_identity(call, retry_on=None)

    def check_identity_again(self, customer_screen: Screen) -> None:
        """Repeat a failed identity check (V on the name-only customer view)."""
        if self.call is not None:
            self._check_identity(self.call, retry_on=customer_screen)

    def _check_identity(self, call: OpenCall, retry_on: Screen | None) -> None:
        from screens.identity import IdentityScreen

        def checked(confirmed: list[str] | None) -> None:
            if confirmed is not None:
                self._record_verification(call, confirmed, retry_on)
            elif retry_on is None:
                # Esc on the first check: perhaps the wrong customer; nothing is shown.
                self.call = None
                self._cancel_call(call)
            # A cancelled retry leaves the name-only view as it was.

        self.push_screen(IdentityScreen(call.reference), checked)

    @work(thread=True, exclusive=True, group="verify", exit_on_error=False)
    def _record_verification(self, call: OpenCall, confirmed: list[str], retry_on: Screen | None) -> None:
        from desk.use_cases.calls import record_verification

        assert self.database is not None
        with self.database.unit_of_work() as uow:
            record_verification(uow, call.call_id, confirmed, at=self.now())
        self.call_from_thread(self._show_customer, call, confirmed, retry_on)

    def _show_customer(self, call: OpenCall, confirmed: list[str], retry_on: Screen | None) -> None:
        from desk.rules.identity import REQUIRED_FACTS, identity_verified
        from screens.customer import CustomerScreen

        call.verified = identity_verified(confirmed)
        ref = call.reference
        screen = CustomerScreen(ref.customer_id, ref.name, call.call_id, call.verified)
        if retry_on is None:
            self.push_screen(screen)
        elif not call.verified:
            self.notify(t("identity.still_failed", count=len(confirmed), need=REQUIRED_FACTS), severity="warning")
        elif self.screen is retry_on:
            self.switch_screen(screen)  # the name-only view gives way to the details
        else:
            self.push_screen(screen)

    @work(thread=True, exclusive=True, group="call", exit_on_error=False)
    def _cancel_call(self, call: OpenCall) -> None:
        from desk.use_cases.calls import cancel_call

        assert self.database is not None
        with self.database.unit_of_work() as uow:
            cancel_call(uow, call.call_id, at=self.now())
        self.call_from_thread(self.notify, t("identity.cancelled"))

    def wrap_up_call(self, after: Callable[[], object]) -> None:
        """End the open call with a wrap-up code and note; ``after`` runs once it is saved.

        The code offered first fits what the call did (desk.use_cases.calls
        .suggested_wrap_up_code); Esc on the wrap-up leaves the call open.
        """
        call = self.call
        if call is None:
            after()
            return
        self._suggest_wrap_up(call, after)

    @work(thread=True, exclusive=True, group="wrap-up-code", exit_on_error=False)
    def _suggest_wrap_up(self, call: OpenCall, after: Callable[[], object]) -> None:
        from desk.use_cases.calls import suggested_wrap_up_code

        try:
            assert self.database is not None
            with self.database.unit_of_work() as uow:
                code = suggested_wrap_up_code(uow, call.call_id)
        except Exception:  # noqa: BLE001 - the wrap-up screen still opens and says on save what fails
            code = "inquiry" if call.verified else "verification_failed"
        self.call_from_thread(self._ask_wrap_up, call, code, after)

    def _ask_wrap_up(self, call: OpenCall, code: str, after: Callable[[], object]) -> None:
        from screens.wrap_up import WrapUpScreen

        def ended(saved: bool | None) -> None:
            if saved:
                if self.call is call:
                    self.call = None
                self.notify(t("wrap_up.saved"))
                after()

        self.push_screen(WrapUpScreen(call.call_id, call.reference.name, code), ended)

    # -- quitting --------------------------------------------------------------------------

    async def action_quit(self) -> None:
        """Quit at once when nothing is open; otherwise ask, keep drafts, wrap up, then quit."""
        from screens.quit import ConfirmQuit

        if self.locked:
            # Nothing of the call may show behind the lock, not even in a question: the
            # forms are kept as drafts for their agent, the call is left for the next start.
            self._keep_drafts(self._changed_forms())
            self.exit()
            return
        if isinstance(self.screen, ConfirmQuit):
            # Asked already, and Ctrl+Q again: quit now (no database, no wrap-up), drafts kept.
            self._keep_drafts(self._changed_forms())
            self.exit()
            return
        forms = self._changed_forms()
        if self.call is None and not forms:
            self.exit()
            return

        def answered(go: bool | None) -> None:
            if go:
                self._keep_drafts(self._changed_forms())
                self.wrap_up_call(after=self.exit)

        name = self.call.reference.name if self.call is not None else None
        self.push_screen(ConfirmQuit(name, [form.benefit.name_zh for form in forms]), answered)

    def _changed_forms(self) -> list[RequestFormScreen]:
        from screens.request_form import RequestFormScreen

        # The form's own test of "something typed" (its Esc asks by it too).
        return [screen for screen in self.screen_stack if isinstance(screen, RequestFormScreen) and screen.is_dirty()]

    def _keep_drafts(self, forms: list[RequestFormScreen]) -> None:
        """Write each changed form where the form finds it when opened again."""
        if not forms:
            return
        try:
            for form in forms:
                form.save_draft()
        except OSError as error:
            self.notify(t("error.save_failed", reason=error), severity="error", timeout=10)
            return
        self.notify(t("quit.drafts_kept", count=len(forms)))

    # -- the supervisor override -------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if (not self.signed_in or self.locked) and action not in _OPEN_WHILE_LOCKED:
            return False
        if action == "override_refused":
            from screens.request_form import RequestFormScreen

            return isinstance(self.screen, RequestFormScreen)
        return True

    def action_override_refused(self) -> None:
        self.explain_override_refused()

    def explain_override_refused(self) -> None:
        """Say why a supervisor override cannot be made here and now."""
        from desk.rules.roles import Action, may

        if not may(self.agent_role, Action.OVERRIDE):
            self.notify(t("override.not_supervisor", agent=self.agent_name), severity="warning")
        else:
            self.notify(t("override.nothing"), severity="warning")

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """The palette offers what the screen's keys do, so a forgotten key is found by name."""
        seen: set[str] = set()
        for key, active in screen.active_bindings.items():
            binding = active.binding
            # desk's own actions only (each has an id): Textual's scrolling and developer
            # commands (Scroll Left, Screenshot, Keys) mean nothing to an agent.
            if binding.id is None or binding.id == "palette":
                continue
            if not active.enabled or not binding.description or binding.description in seen:
                continue
            seen.add(binding.description)
            yield SystemCommand(
                binding.description,
                f"{binding.key_display or key}",
                partial(active.node.run_action, binding.action),
            )

    def action_open_queue(self) -> None:
        from screens.queue import QueueScreen, first_window

        if isinstance(self.screen, QueueScreen) or not self._database_ready(t("key.queue")):
            return
        # The first page is read before the screen is composed, so the queue paints once,
        # with its rows, instead of empty and then again when a worker brings them. A slow
        # database gets the screen after a moment all the same, reading for itself.
        serial = self._queue_asked = self._queue_asked + 1
        self.set_timer(QUEUE_PATIENCE_SECONDS, partial(self._show_queue, serial, None))
        self._read_queue_head(serial, first_window(self.size.height))

    @work(thread=True, group="queue-open", exit_on_error=False)
    def _read_queue_head(self, serial: int, size: int) -> None:
        from desk.use_cases.queue import QueueFilter, load_queue

        try:
            with self.database.unit_of_work() as uow:  # type: ignore[union-attr]
                page = load_queue(uow, self.now(), QueueFilter(), agent_id=self.agent_id, size=size)
        except Exception:  # noqa: BLE001 - the screen reads again and says what went wrong
            page = None
        self.call_from_thread(self._show_queue, serial, page)

    def _show_queue(self, serial: int, page: QueuePage | None) -> None:
        from screens.queue import QueueScreen

        if serial != self._queue_asked:
            return  # shown already (by the page or the patience timer), or asked again since
        self._queue_asked += 1
        self._open_screen(QueueScreen, lambda: QueueScreen(page), t("key.queue"))

    def action_open_calendar(self) -> None:
        from screens.calendar import CalendarScreen

        self._open_screen(CalendarScreen, lambda: CalendarScreen(self.today().year), t("key.calendar"))

    def action_open_audit(self) -> None:
        """The audit log, for supervisors; anyone else is told which role it needs."""
        from desk.rules.roles import Action, RoleRefused, may
        from screens.audit import AuditScreen

        if self.database is not None and not may(self.agent_role, Action.READ_AUDIT):
            self.notify(str(RoleRefused(Action.READ_AUDIT)), severity="warning")
            return
        self._open_screen(AuditScreen, AuditScreen, t("key.audit"))

    def _open_screen(self, kind: type[Screen], make: Callable[[], Screen], title: str) -> None:
        """Open a work screen from anywhere, once the database is there; never twice on top."""
        if not isinstance(self.screen, kind) and self._database_ready(title):
            self.push_screen(make())

    def _database_ready(self, title: str) -> bool:
        """Whether the database is open; if not, the agent is told why ``title`` cannot open."""
        if self.database is not None:
            return True
        problem = self.database_problem
        if problem is None:
            self.notify(t("lookup.not_ready"), severity="warning")
        else:
            self.notify(t("db.cannot_open", screen=title, target=problem.target, reason=problem.cause),
                        severity="error", timeout=10)
        return False

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
    from desk.use_cases.fault_log import unexpected

    if isinstance(error, DeskError) or error is None:
        return str(error)
    return unexpected(error)
