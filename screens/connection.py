"""The connection watch: the database going away mid-call, and coming back by itself.

When a read or a save of any screen fails because the server cannot be reached (or the
periodic probe does), every screen shows one line in place of its header: the database
is unreachable, since when, and desk is reconnecting. What is on screen stays, marked
with the time it was read (a screen says so by its ``data_read_at``). Meanwhile a thread
worker asks the server every few seconds; once it answers, the line goes, the agent is
told, and each screen that was waiting for it (a form whose save was lost) gets on with
it through its ``connection_back()``.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from desk.texts.labels import t

if TYPE_CHECKING:
    from desk.use_cases.database import Database
    from screens.app import DeskApp

# While unreachable, how often the server is asked again: a few seconds, so a call goes on
# soon after the server is back, without a hundred desks knocking many times a second.
RECONNECT_SECONDS = 3.0
# While all is well, how often the server is asked anyway: a screen that reads nothing
# (a form being typed) still learns of an outage before its save.
CHECK_SECONDS = 30.0
UNREACHABLE_CLASS = "-database-unreachable"


class ConnectionLost(Message):
    """Posted to the app, from whichever thread found out: the database is unreachable."""

    def __init__(self, at: datetime) -> None:
        super().__init__()
        self.at = at


class ConnectionBanner(Static):
    """The line every screen shows while the database is unreachable."""


def clock_time(at: datetime, today: datetime) -> str:
    """``14:02``; with the date when it was another day (a desk left open overnight)."""
    return at.strftime("%H:%M" if at.date() == today.date() else "%m-%d %H:%M")


class ConnectionWatch:
    """Whether desk can reach its database, and what it does while it cannot."""

    def __init__(self, app: DeskApp, reconnect_seconds: float = RECONNECT_SECONDS) -> None:
        self.app = app
        self.reconnect_seconds = reconnect_seconds
        self.database: Database | None = None
        # When a use case or the probe first found the database unreachable; None while it answers.
        self.since: datetime | None = None
        self._probing = False

    @property
    def unreachable(self) -> bool:
        return self.since is not None

    def watch(self, database: Database) -> None:
        """Start watching ``database``, just opened."""
        self.database = database
        database.on_fault(self._fault_seen)
        self.app.set_interval(self.reconnect_seconds, self._reconnect_tick)
        self.app.set_interval(CHECK_SECONDS, self._check_tick)
        self.app.screen_change_signal.subscribe(self.app, self._screen_changed)

    def _fault_seen(self, kind: str) -> None:
        # In the failing worker's thread: post_message is safe from any thread.
        if kind == "unreachable":
            self.app.post_message(ConnectionLost(self.app.now()))

    def lost(self, at: datetime) -> None:
        """The database did not answer at ``at``: say so on every screen, keep probing."""
        if self.since is None:
            self.since = at
        self.show()

    # -- probing ---------------------------------------------------------------------------

    def _reconnect_tick(self) -> None:
        if self.unreachable:
            self.probe()

    def _check_tick(self) -> None:
        if not self.unreachable:
            self.probe()

    def probe(self) -> None:
        """Ask the server in a thread worker, one question at a time; the UI never waits."""
        if self._probing or self.database is None:
            return
        self._probing = True
        self.app.run_worker(self._probe_in_thread, thread=True, group="connection-probe", exit_on_error=False)

    def _probe_in_thread(self) -> None:
        assert self.database is not None
        try:
            answered = self.database.reachable()
        except Exception:  # noqa: BLE001 - whatever stops the probe, the server did not answer it
            answered = False
        self.app.call_from_thread(self._probed, answered)

    def _probed(self, answered: bool) -> None:
        self._probing = False
        if not answered:
            self.lost(self.app.now())
            return
        if self.since is None:
            return
        self.since = None
        self.show()
        self.app.notify(t("connection.back"))
        for screen in list(self.app.screen_stack):
            back = getattr(screen, "connection_back", None)
            if callable(back):
                back()

    # -- the banner ------------------------------------------------------------------------

    def _screen_changed(self, _screen: Screen) -> None:
        # The new screen may not have its widgets yet: look once it has.
        self.app.call_after_refresh(self.show)

    def show(self) -> None:
        """Put the line on every screen in the stack while unreachable; take it off after."""
        for screen in list(self.app.screen_stack):
            if screen.is_attached:
                self._show_on(screen)

    def _show_on(self, screen: Screen) -> None:
        screen.set_class(self.unreachable, UNREACHABLE_CLASS)
        banners = list(screen.query_children(ConnectionBanner))
        if not self.unreachable:
            for banner in banners:
                banner.remove()
            return
        text = self.banner_text(screen)
        if banners:
            banners[0].update(text)
        else:
            screen.mount(ConnectionBanner(text))

    def banner_text(self, screen: Screen) -> str:
        """Unreachable since when, and the age of what ``screen`` shows, if it shows data."""
        assert self.since is not None
        now = self.app.now()
        text = t("connection.lost", since=clock_time(self.since, now))
        read_at = self._read_at(screen)
        if read_at is not None:
            text += t("connection.as_of", at=clock_time(read_at, now))
        return text

    def _read_at(self, screen: Screen) -> datetime | None:
        # A dialog shows the screen under it: its data is that screen's.
        stack = list(self.app.screen_stack)
        below = stack[: stack.index(screen) + 1] if screen in stack else [screen]
        for shown in reversed(below):
            if not isinstance(shown, ModalScreen):
                return getattr(shown, "data_read_at", None)
        return None
