"""The home screen: where every call starts, with the customer lookup.

Results come as the agent types, from a thread worker: a keystroke never waits for SQL.
↑/↓ move through the results while the cursor stays in the search box.
"""

from __future__ import annotations

from datetime import datetime

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Header, Input, Static
from textual.worker import get_current_worker

from desk.texts.labels import t
from desk.use_cases.lookup import RESULT_LIMIT, CustomerHit, find_customers
from screens.labels import inert
from screens.steady import SteadyFooter, SteadyStatic, WholeTable, show_rows


class HomeScreen(Screen[None]):
    HELP_TOPIC = "home"
    # Enter first, as the footer lists it once the search box has focus (the box's own
    # Enter comes first in the chain): in this order its first frame already shows the
    # final keys and nothing rebuilds.
    BINDINGS = [
        Binding("enter", "open_customer", t("key.open_and_verify"), id="open-customer", priority=True),
        Binding("escape", "clear", t("key.clear"), id="clear-search"),
        Binding("down", "cursor(1)", t("key.down"), show=False, id="result-down"),
        Binding("up", "cursor(-1)", t("key.up"), show=False, id="result-up"),
        Binding("f2", "app.open_queue", t("key.queue"), id="home-open-queue"),
        Binding("f3", "app.open_calendar", t("key.calendar"), id="home-open-calendar"),
    ]

    def __init__(self, typed: str = "") -> None:
        """``typed``: what the agent typed after the password, already in the search box."""
        super().__init__()
        self.typed = typed
        self.hits: list[CustomerHit] = []
        # When the results on screen were read: shown as their age while the database is away.
        self.data_read_at: datetime | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="lookup"):
            yield Input(self.typed, placeholder=t("home.search_placeholder"), id="search")
            yield SteadyStatic(t("home.hint"), id="lookup-hint", classes="hint")
            yield WholeTable(id="results", cursor_type="row", zebra_stripes=True, show_cursor=True)
        yield Static(t("contact.lines"), id="contact-lines")
        yield Static(t("db.opening", url=""), id="db-status")
        yield SteadyFooter()

    def on_mount(self) -> None:
        table = self.query_one("#results", DataTable)
        for key in ("name", "mobile", "id", "born", "region", "policies"):
            table.add_column(t(f"lookup.col.{key}"), key=key)
        table.can_focus = False
        self.query_one("#search", Input).focus()
        # Opened after the sign-in, the database may already be open (or have failed).
        app = self.app
        if app.database is not None:  # type: ignore[attr-defined]
            self.show_database_ready(app.database.label)  # type: ignore[attr-defined]
        elif app.database_problem is not None:  # type: ignore[attr-defined]
            self.show_database_failed(app.database_problem.line)  # type: ignore[attr-defined]

    def on_screen_resume(self) -> None:
        self.query_one("#search", Input).focus()

    # -- searching -------------------------------------------------------------------------

    @on(Input.Changed, "#search")
    def _query_changed(self, event: Input.Changed) -> None:
        self._lookup(event.value)

    def _lookup(self, query: str) -> None:
        if not query.strip():
            self._show_hits([], "")
            self.query_one("#lookup-hint", Static).update(t("home.hint"))
            return
        if self.app.database is None:  # type: ignore[attr-defined]
            problem = self.app.database_problem  # type: ignore[attr-defined]
            # "Not ready" only while it is opening: once the open failed, say so and why.
            hint = t("lookup.not_ready") if problem is None else t("lookup.unreachable", reason=problem.cause)
            self.query_one("#lookup-hint", Static).update(hint)
            return
        self._search(query)

    @work(thread=True, exclusive=True, group="lookup", exit_on_error=False)
    def _search(self, query: str) -> None:
        with self.app.database.unit_of_work() as uow:  # type: ignore[attr-defined]
            hits = find_customers(uow, query, limit=RESULT_LIMIT + 1)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show_hits, hits, query)

    def _show_hits(self, hits: list[CustomerHit], query: str) -> None:
        if query != self.query_one("#search", Input).value:
            return  # an answer to an older keystroke
        more = len(hits) > RESULT_LIMIT
        self.data_read_at = self.app.now()  # type: ignore[attr-defined]
        self.hits = hits[:RESULT_LIMIT]
        # One more letter often finds the same callers: then nothing is repainted.
        show_rows(self.query_one("#results", DataTable), [
            (str(hit.customer_id), [
                inert(hit.name),
                inert(hit.masked_mobile),
                inert(hit.masked_id_number),
                str(hit.birth_year),
                inert(hit.region[:10]),
                str(hit.policy_count),
            ])
            for hit in self.hits
        ])
        hint = self.query_one("#lookup-hint", Static)
        if not query:
            return
        if not self.hits:
            hint.update(t("lookup.none"))
        elif more:
            hint.update(t("lookup.more", count=RESULT_LIMIT))
        else:
            hint.update(t("lookup.count", count=len(self.hits)))

    def connection_back(self) -> None:
        """The database answers again: what is in the box is looked up afresh."""
        self._lookup(self.query_one("#search", Input).value)

    # -- keys ------------------------------------------------------------------------------

    def action_clear(self) -> None:
        self.query_one("#search", Input).value = ""

    def action_cursor(self, step: int) -> None:
        table = self.query_one("#results", DataTable)
        if table.row_count:
            table.move_cursor(row=max(0, min(table.row_count - 1, table.cursor_row + step)))

    def action_open_customer(self) -> None:
        table = self.query_one("#results", DataTable)
        if not self.hits or table.cursor_row >= len(self.hits):
            return
        hit = self.hits[table.cursor_row]
        self.app.start_call(hit.customer_id, hit.name)  # type: ignore[attr-defined]

    # -- status line -----------------------------------------------------------------------

    def show_database_ready(self, url: str) -> None:
        status = self.query_one("#db-status", Static)
        status.update(t("db.ready", url=url))
        status.set_class(False, "error")
        search = self.query_one("#search", Input)
        if search.value.strip():
            self._search(search.value)

    def show_database_failed(self, line: str) -> None:
        """``line`` names the server (password masked) and the cause."""
        status = self.query_one("#db-status", Static)
        status.update(line)
        status.set_class(True, "error")
        # What was typed while it was opening now says why no result comes.
        self._lookup(self.query_one("#search", Input).value)
