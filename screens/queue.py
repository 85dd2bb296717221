"""The pending-SLA queue: every open step and complaint, soonest due first.

Only the rows that fit on screen are fetched and held: the window moves through the
queue by its sort key (due time, id), so the first page and the ten-thousandth cost the
same. The window refreshes itself every few seconds, so work filed by other agents
appears without a key being pressed.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from rich.style import Style
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.color import Color
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static
from textual.widgets.data_table import ColumnKey, RowKey
from textual.worker import get_current_worker

from desk.rules.request_states import RequestState
from desk.rules.sla_status import SlaState
from desk.texts.due import marked
from desk.texts.labels import t
from desk.use_cases.queue import (
    QueueFilter,
    QueueItem,
    QueuePage,
    format_working_left,
    service_names,
    step_names,
)
from screens.confirm_move import ConfirmMoveScreen
from screens.decision import DecisionScreen
from screens.labels import inert, state_text
from screens.request_view import RequestViewScreen, ask_and_move, make_transition
from screens.steady import SteadyFooter, SteadyStatic, WholeTable, show_rows
from screens.widgets import CURSOR, NOT_CURSOR

if TYPE_CHECKING:
    from desk.use_cases.database import UnitOfWork

# Symbols as well as colours: the state must read in 16 colours and in monochrome.
STATE_MARK = {SlaState.OVERDUE: "!!", SlaState.DUE_SOON: "! ", SlaState.ON_TRACK: "  "}
STATE_STYLE = {SlaState.OVERDUE: "error", SlaState.DUE_SOON: "warning", SlaState.ON_TRACK: ""}
WIDE = 110  # from this width the request number and the mobile tail get columns
AGENT_FILTERS = (None, "mine", "unassigned")
STATE_FILTERS = (None, SlaState.OVERDUE, SlaState.DUE_SOON, SlaState.ON_TRACK)


FILTERS = Binding.Group(t("key.filters"), compact=True)
# The lines around the table's rows: the header, the counts, the warning line, the
# table's own header, the status line and the footer.
CHROME_LINES = 6


def first_window(height: int) -> int:
    """The rows the table will show in a terminal ``height`` lines tall, before its layout."""
    return max(5, height - CHROME_LINES)


class QueueTable(WholeTable):
    """The queue's table, whose cells can change with only their row repainted."""

    def update_cell_quietly(self, row_key: str, column_key: str, value: object) -> None:
        """``update_cell`` for a cell whose width does not change, repainting its row only.

        ``DataTable.update_cell`` repaints the whole table: moving the cursor mark with it
        sent ten times the bytes of the cursor move itself (9.7 KB against 1 KB a key at
        80×24), over an SSH link on every arrow key.
        """
        self._data[RowKey(row_key)][ColumnKey(column_key)] = value
        self._update_count += 1  # the table's render caches are keyed by it
        self.refresh_row(self.get_row_index(row_key))


class QueueScreen(Screen[None]):
    HELP_TOPIC = "queue"
    REFRESH_SECONDS = 3.0
    BINDINGS = [
        Binding("escape", "app.pop_screen", t("key.back"), show=False, id="queue-back"),
        Binding("enter", "open_request", t("key.open"), id="queue-open", priority=True),
        Binding("n", "next_step", t("key.next_step"), id="queue-next-step"),
        Binding("a", "assign", t("key.assign"), id="queue-assign"),
        # One footer entry for the five filter keys: "s t m o x 筛选" fits 80 columns.
        Binding("s", "cycle_service", t("key.filter_service"), id="queue-filter-service", group=FILTERS),
        Binding("t", "cycle_step", t("key.filter_step"), id="queue-filter-step", group=FILTERS),
        Binding("m", "cycle_agent", t("key.filter_agent"), id="queue-filter-agent", group=FILTERS),
        Binding("o", "cycle_state", t("key.filter_state"), id="queue-filter-state", group=FILTERS),
        Binding("x", "clear_filters", t("key.filter_clear"), id="queue-filter-clear", group=FILTERS),
        Binding("r", "refresh", t("key.refresh"), id="queue-refresh"),
        Binding("down", "cursor(1)", t("key.down"), show=False, id="queue-down", priority=True),
        Binding("up", "cursor(-1)", t("key.up"), show=False, id="queue-up", priority=True),
        Binding("pagedown", "page(1)", t("key.page_down"), show=False, id="queue-page-down", priority=True),
        Binding("pageup", "page(-1)", t("key.page_up"), show=False, id="queue-page-up", priority=True),
        Binding("home", "first", t("key.first"), show=False, id="queue-first", priority=True),
        Binding("end", "last", t("key.last"), show=False, id="queue-last", priority=True),
    ]

    def __init__(self, first: QueuePage | None = None) -> None:
        """``first``: the first page, read while the screen was asked for, shown at once."""
        super().__init__()
        self.queue_filter = QueueFilter()
        self.page: QueuePage | None = None
        self._first = first
        self.cursor = 0
        self._wide: bool | None = None
        self._request_serial = 0
        self._started = False
        self.answered = 0  # the last window request whose answer is on screen
        # The window starts at the head of the queue: a refresh reads from the head, so a
        # new row due before the first one shown still appears.
        self.at_top = True
        # When the window on screen was read: shown as its age while the database is away.
        self.data_read_at: datetime | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="queue"):
            # Steady: the refresh every few seconds repaints them only when they change.
            yield SteadyStatic("", id="queue-head")
            yield SteadyStatic("", id="queue-warning", classes="warning")
            yield QueueTable(id="queue-table", cursor_type="row", show_cursor=True, zebra_stripes=True)
        yield SteadyStatic("", id="queue-status")
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.sub_title = t("queue.title")
        table = self.query_one("#queue-table", DataTable)
        table.can_focus = False
        self._columns()
        self.set_interval(self.REFRESH_SECONDS, self._refresh_by_itself)
        if self._first is not None:
            # Rows in the first frame; a layout that gives the table another height reads
            # again at the first resize.
            self._started = True
            self._request_serial += 1
            self._arrived(self._request_serial, self._first, 0, None, top=True)

    def on_screen_resume(self) -> None:
        # The first window is read at the first resize, once the layout says how tall
        # the table is, or came with the screen; reading here too painted the first page
        # twice on every F2.
        if self._first is not None:
            self._first = None
        elif self._started:
            self.action_refresh()

    def on_resize(self) -> None:
        if self._wide != (self.size.width >= WIDE):
            self._columns()
            self._show_rows()
        if not self._started:
            # The first window, once the layout says how tall the table is.
            self._started = True
            self.call_after_refresh(self._load, "from", None)
        elif self.page is not None and len(self.items) != self.window_size and not self.page.at_end:
            self.action_refresh()

    # -- the window ------------------------------------------------------------------------

    @property
    def window_size(self) -> int:
        # The rows the table can show under its header line; never fewer than a handful.
        height = self.query_one("#queue-table", DataTable).size.height
        return max(5, height - 1) if height else first_window(self.app.size.height)

    def _load(self, direction: str, key: object, cursor: int | None = None, keep: uuid.UUID | None = None,
              size: int | None = None, scroll: bool = False, keep_request: uuid.UUID | None = None) -> None:
        """Ask for a window; ``scroll`` keeps the page's counts and calendar rather than reading them again;
        ``keep_request`` puts the cursor on that request's row, moving the window to it if need be."""
        if self.app.database is None:  # type: ignore[attr-defined]
            self._status(t("queue.not_ready"))
            return
        self._request_serial += 1
        window = self.window_size
        previous = self.page if scroll else None
        self._fetch(self._request_serial, direction, key, size or window, window, self.queue_filter, cursor, keep,
                    previous, keep_request)

    # Not exclusive: answers carry a serial and stale ones are dropped, whereas a cancelled
    # worker raises for whoever waits on it.
    @work(thread=True, group="queue", exit_on_error=False)
    def _fetch(self, serial: int, direction: str, key: object, size: int, window: int, queue_filter: QueueFilter,
               cursor: int | None, keep: uuid.UUID | None, previous: QueuePage | None,
               keep_request: uuid.UUID | None = None) -> None:
        from desk.use_cases.queue import load_queue, load_queue_at_request

        app = self.app
        now = app.now()  # type: ignore[attr-defined]
        agent_id = app.agent_id  # type: ignore[attr-defined]
        with app.database.unit_of_work() as uow:  # type: ignore[attr-defined]
            page = load_queue(uow, now, queue_filter, agent_id=agent_id, size=size,
                              direction=direction, key=key, previous=previous)  # type: ignore[arg-type]
            top = direction == "from" and key is None
            if direction == "before":
                if len(page.items) < size:
                    # Fewer rows before than a window: the window starts at the top.
                    page = load_queue(uow, now, queue_filter, agent_id=agent_id, size=window, previous=page)
                    top = True
                elif size == 1 and page.items:
                    page = load_queue(uow, now, queue_filter, agent_id=agent_id, size=window,
                                      direction="from", key=page.items[0].key, previous=page)
            elif direction == "after" and not page.items:
                # Already at the end: the window stays where it is.
                app.call_from_thread(setattr, self, "answered", serial)
                return
            if keep_request is not None and not any(item.request_id == keep_request for item in page.items):
                # The request's next deadline is outside the window: move the window to it.
                found = load_queue_at_request(uow, now, queue_filter, keep_request, agent_id=agent_id, size=window,
                                              previous=page)
                if found is not None:
                    page, top = found, False
        if not get_current_worker().is_cancelled:
            app.call_from_thread(self._arrived, serial, page, cursor, keep, top, keep_request)

    def _arrived(self, serial: int, page: QueuePage, cursor: int | None, keep: uuid.UUID | None,
                 top: bool = False, keep_request: uuid.UUID | None = None) -> None:
        if serial != self._request_serial:
            return  # an answer to an older key press
        self.answered, self.at_top = serial, top
        self.page = page
        self.data_read_at = page.now
        if keep is not None:
            positions = [i for i, item in enumerate(self.items) if item.id == keep]
            cursor = positions[0] if positions else cursor
        if keep_request is not None:
            # The step acted on is done: its request's next step is the row to stay on.
            positions = [i for i, item in enumerate(self.items) if item.request_id == keep_request]
            cursor = positions[0] if positions else cursor
        if cursor is None:
            cursor = self.cursor
        self.cursor = max(0, min(cursor, len(self.items) - 1))
        self._show_head()
        self._show_rows()

    # -- showing ---------------------------------------------------------------------------

    def _columns(self) -> None:
        # Before the first layout the screen has no size yet; it will be the terminal's.
        self._wide = (self.size.width or self.app.size.width) >= WIDE
        table = self.query_one("#queue-table", DataTable)
        table.clear(columns=True)
        names = ["state", "due", "left", "service", "step", "customer", "agent"]
        if self._wide:
            names.append("request")
        for name in names:
            table.add_column(t(f"queue.col.{name}"), key=name)

    def _show_head(self) -> None:
        page = self.page
        if page is None:
            return
        counts = Text()
        for state in SlaState:
            counts.append(f"{STATE_MARK[state].strip()}{t(f'queue.state.{state.value}')} "
                          f"{page.counts[state]}", style=self._style(state, bold=True))
            counts.append("  ")
        counts.append(t("queue.filters", filters=self._filter_text()))
        self.query_one("#queue-head", Static).update(counts)
        warning = ""
        if page.missing_year:
            warning = t("queue.missing_year", year=page.missing_year, known=page.known_until)
        elif any(item.calendar_unknown_after for item in self.items):
            warning = t("queue.unknown_note", known=page.known_until)
        self.query_one("#queue-warning", Static).update(warning)

    def _show_rows(self) -> None:
        table = self.query_one("#queue-table", DataTable)
        rows: list[tuple[str, list[object]]] = []
        for index, item in enumerate(self.items):
            style = self._style(item.state)
            cells: list[object] = [
                self._state_cell(item, at_cursor=index == self.cursor),
                _due_text(item, self.page.now.year if self.page else item.due_at.year),
                Text(format_working_left(item.working_left), style=style, justify="right"),
                item.service,
                item.step,
                inert(item.customer + (f" {item.mobile_tail}" if self._wide and item.mobile_tail else "")),
                inert(item.agent or "-"),
            ]
            if self._wide:
                cells.append(item.request_number or "-")
            rows.append((str(item.id), cells))
        # A refresh that finds the queue as it was repaints nothing.
        show_rows(table, rows)
        if self.items:
            if table.cursor_row != self.cursor:
                table.move_cursor(row=self.cursor, animate=False)
            status = self.query_one("#queue-status", Static)
            if status.content == t("queue.empty"):
                self._status("")  # said of an earlier, empty window
        elif self.page is not None:
            self._status(t("queue.empty"))

    def _state_cell(self, item: QueueItem, at_cursor: bool) -> Text:
        # The cursor row is marked in text too: without colour (NO_COLOR, a monochrome
        # terminal, a screen read as text) the highlight is the only sign of the row that
        # Enter, N and A act on.
        return Text.assemble(CURSOR if at_cursor else NOT_CURSOR,
                             (STATE_MARK[item.state] + t(f"queue.state.{item.state.value}"),
                              self._style(item.state, True)))

    def _mark_cursor(self, old: int, new: int) -> None:
        """Move the text mark from row ``old`` to row ``new``: two cells, not the table."""
        table = self.query_one("#queue-table", QueueTable)
        for index in dict.fromkeys((old, new)):
            if index < len(self.items):
                item = self.items[index]
                table.update_cell_quietly(str(item.id), "state", self._state_cell(item, at_cursor=index == new))

    def _style(self, state: SlaState, bold: bool = False) -> Style:
        # Theme colours, so an ANSI theme gives the terminal's own red and yellow.
        name = STATE_STYLE[state]
        value = self.app.theme_variables.get(name) if name else None
        color = Color.parse(value).rich_color if value else None
        return Style(color=color, bold=bold or None)

    def _filter_text(self) -> str:
        f = self.queue_filter
        parts = [
            f"{t('queue.filter.service')}={service_names()[f.service] if f.service else t('queue.all')}",
            f"{t('queue.filter.step')}={step_names()[f.step] if f.step else t('queue.all')}",
            f"{t('queue.filter.agent')}={t(f'queue.{f.agent}') if f.agent else t('queue.all')}",
            f"{t('queue.filter.state')}={t(f'queue.state.{f.state.value}') if f.state else t('queue.all')}",
        ]
        return " ".join(parts)

    def _status(self, message: str) -> None:
        self.query_one("#queue-status", Static).update(message)

    @property
    def items(self) -> list[QueueItem]:
        return self.page.items if self.page is not None else []

    @property
    def window_shown(self) -> bool:
        """Whether the last window asked for is the one on screen (tests wait for this).

        Not ``is_current``: Textual asks a screen that to know whether it is on screen, and
        paints nothing on one that says no.
        """
        return self.answered == self._request_serial

    @property
    def selected(self) -> QueueItem | None:
        return self.items[self.cursor] if self.items and self.cursor < len(self.items) else None

    # -- moving ----------------------------------------------------------------------------

    def action_cursor(self, step: int) -> None:
        if not self.items:
            return
        target = self.cursor + step
        if 0 <= target < len(self.items):
            self._mark_cursor(self.cursor, target)
            self.cursor = target
            self.query_one("#queue-table", DataTable).move_cursor(row=target, animate=False)
        elif target >= len(self.items) and self.page is not None and not self.page.at_end:
            # Slide the window down by one row, cursor on the last row.
            self._load("from", self.items[min(1, len(self.items) - 1)].key, cursor=len(self.items) - 1, scroll=True)
        elif target < 0:
            # Slide the window up by one row: find the row before, then read from it.
            self._load("before", self.items[0].key, cursor=0, size=1, scroll=True)

    def action_page(self, pages: int) -> None:
        if not self.items:
            return
        if pages > 0:
            if self.page is not None and self.page.at_end:
                self.action_cursor(len(self.items) - 1 - self.cursor)
                return
            self._load("after", self.items[-1].key, scroll=True)
        else:
            self._load("before", self.items[0].key, scroll=True)

    def action_first(self) -> None:
        self._load("from", None, cursor=0, scroll=True)

    def action_last(self) -> None:
        self._load("last", None, cursor=self.window_size, scroll=True)

    def _refresh_by_itself(self) -> None:
        # Over a slow link a window may take longer than the interval: let it arrive
        # rather than cancel it with the next refresh, and the next, for ever. While the
        # database is unreachable the window stays as read (the banner says when), and
        # the watch asks for a fresh one once it is back.
        if self.window_shown and not self.app.connection.unreachable:  # type: ignore[attr-defined]
            self.action_refresh()

    def connection_back(self) -> None:
        """The database answers again: a fresh window, whatever was asked while it did not."""
        self.action_refresh()

    def action_refresh(self, keep_request: uuid.UUID | None = None) -> None:
        start = self.items[0].key if self.items and not self.at_top else None
        keep = self.selected.id if self.selected else None
        self._load("from", start, keep=keep, keep_request=keep_request)

    # -- filters ---------------------------------------------------------------------------

    def _refilter(self, queue_filter: QueueFilter) -> None:
        self.queue_filter = queue_filter
        self._status("")
        self._load("from", None, cursor=0)

    def action_cycle_service(self) -> None:
        self._refilter(replace(self.queue_filter, service=_following([None, *service_names()], self.queue_filter.service)))

    def action_cycle_step(self) -> None:
        self._refilter(replace(self.queue_filter, step=_following([None, *step_names()], self.queue_filter.step)))

    def action_cycle_agent(self) -> None:
        self._refilter(replace(self.queue_filter, agent=_following(list(AGENT_FILTERS), self.queue_filter.agent)))

    def action_cycle_state(self) -> None:
        self._refilter(replace(self.queue_filter, state=_following(list(STATE_FILTERS), self.queue_filter.state)))

    def action_clear_filters(self) -> None:
        self._refilter(QueueFilter())

    # -- acting on the selected row --------------------------------------------------------

    def action_open_request(self) -> None:
        item = self.selected
        if item is None:
            return
        if item.kind == "complaint":
            # A complaint is read as itself (its words, dates and request), not as its request.
            self._open_complaint(item)
            return
        if item.request_id is None:
            self._status(t("queue.no_request"))
            return
        self.app.push_screen(RequestViewScreen(item.request_id))

    def _open_complaint(self, item: QueueItem) -> None:
        complaint_id = item.id

        def decided(decision: str | None) -> None:
            if decision is not None:
                self._decide(complaint_id, decision)

        self.app.push_screen(DecisionScreen(complaint_id), decided)

    def action_next_step(self) -> None:
        item = self.selected
        if item is None:
            return
        if item.kind == "complaint":
            self._open_complaint(item)
            return
        if item.next_state is None or item.request_id is None:
            self._status(t("queue.no_next"))
            return
        # Captured now: the rows may move under the cursor while the agent reads the prompt.
        request_id, to, expected = item.request_id, item.next_state, item.request_state
        subject = t("queue.confirm_subject", number=item.request_number, service=item.service,
                    customer=item.customer, step=item.step)
        change = t("queue.confirm_change", source=state_text(expected.value) if expected else "-",
                   target=state_text(to.value))

        def confirmed(yes: bool | None) -> None:
            if yes:
                ask_and_move(self, item.service_code, to,
                             lambda to, answers: self._move(request_id, to, answers, expected), subject=subject)

        self.app.push_screen(ConfirmMoveScreen(subject, change), confirmed)

    @work(thread=True, exclusive=True, group="queue-act", exit_on_error=False)
    def _move(self, request_id: uuid.UUID, to: RequestState, answers: dict[str, str],
              expected: RequestState | None = None) -> None:
        message = make_transition(self.app, request_id, to, answers, expected)
        self.app.call_from_thread(self._acted, message, request_id)

    @work(thread=True, exclusive=True, group="queue-act", exit_on_error=False)
    def _decide(self, complaint_id: uuid.UUID, decision: str) -> None:
        from desk.use_cases.complaint_decisions import decide_complaint

        agent_id, now = self.app.agent_id, self.app.now()  # type: ignore[attr-defined]
        message = self._attempt(lambda uow: decide_complaint(uow, complaint_id, decision, agent_id=agent_id, at=now),
                                t("complaint.decided"))
        self.app.call_from_thread(self._acted, message)

    def _attempt(self, act: Callable[[UnitOfWork], object], done: str) -> str:
        """Run ``act`` in a unit of work (in a worker thread); say what happened."""
        from desk.errors import DeskError

        try:
            with self.app.database.unit_of_work() as uow:  # type: ignore[attr-defined]
                act(uow)
        except DeskError as error:
            return str(error)
        except Exception as error:  # noqa: BLE001 - a lost connection is said where the agent looks
            from desk.use_cases.fault_log import unexpected

            # Never the driver's words: they may quote a row's ID number or mobile.
            return t("error.save_failed", reason=unexpected(error))
        return done

    def action_assign(self) -> None:
        item = self.selected
        if item is None or self.app.agent_id is None:  # type: ignore[attr-defined]
            return
        self._assign(item)

    @work(thread=True, exclusive=True, group="queue-act", exit_on_error=False)
    def _assign(self, item: QueueItem) -> None:
        from desk.use_cases.queue import assign_to_me

        agent_id, now = self.app.agent_id, self.app.now()  # type: ignore[attr-defined]
        message = self._attempt(lambda uow: assign_to_me(uow, item, agent_id, at=now),
                                t("queue.assigned", number=item.request_number or "-", step=item.step))
        self.app.call_from_thread(self._acted, message)

    def _acted(self, message: str, request_id: uuid.UUID | None = None) -> None:
        self._status(message)
        self.action_refresh(keep_request=request_id)


def _due_text(item: QueueItem, this_year: int) -> str:
    # This year's deadlines by day and minute; another year's by date, so none reads wrong.
    shown = item.due_at.strftime("%m-%d %H:%M" if item.due_at.year == this_year else "%Y-%m-%d")
    return marked(shown, item.calendar_unknown_after)


def _following(choices: list, current: object) -> object:
    """The choice after ``current``, round to the first."""
    position = choices.index(current) if current in choices else -1
    return choices[(position + 1) % len(choices)]
