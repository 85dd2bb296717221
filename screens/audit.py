"""The audit log (F4), for supervisors: who saw a full ID number, who overrode a refusal,
who exported what, newest first, narrowed by agent, action and date.

Only the newest ``LIMIT`` matching events are read, with the number matching in all: the
log only grows, and a screen needs a page, not the whole of it. Every reading (each
filter change and refresh) is itself an event in the log, as the use case records it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, time
from typing import Any

from rich.cells import cell_len
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Header, Input, Static

from desk.rules.masking import mask_identity_in_text
from desk.texts.labels import t
from desk.use_cases.audit_log import (
    AuditFilter,
    AuditLine,
    AuditPage,
    action_label,
    known_actions,
    subject_label,
)
from screens.labels import day, inert, inert_text, minute
from screens.steady import SteadyFooter, WholeTable

LIMIT = 500
WIDE = 110  # from this width the time has its year and the subject its id
# Fixed widths, the detail taking the rest, so no row runs off the right edge at 80
# columns (Chinese is two cells a character); the line under the table shows the
# highlighted event whole.
NARROW_WIDTHS = {"at": 11, "agent": 10, "subject": 9, "reason": 10}
WIDE_WIDTHS = {"at": 16, "agent": 12, "subject": 22, "reason": 24}
ACTION_MOST = {False: 12, True: 16}
SHORT_ID, WHOLE_ID = 8, 36  # characters of a subject's UUID: in the wide table, under it
COLUMNS = ("at", "agent", "action", "subject", "reason", "detail")
# Beside the cells: #audit's padding, the vertical scrollbar, two cells of padding a column.
FRAME = 2 + 2 + 2 * len(COLUMNS)

FILTERS = Binding.Group(t("key.filters"), compact=True)


def detail_text(detail: dict[str, Any]) -> str:
    """``key=value`` pairs on one line, empty values left out, any ID number or mobile masked."""
    parts = []
    for key, value in detail.items():
        if value is None or value == "" or value == []:
            continue
        if isinstance(value, list):
            shown = ",".join(str(item) for item in value)
        elif isinstance(value, dict):
            shown = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        else:
            shown = str(value)
        parts.append(f"{key}={shown}")
    return mask_identity_in_text(" ".join(parts))


def _subject(line: AuditLine, id_length: int) -> str:
    """The subject's kind, then the first ``id_length`` characters of its id."""
    kind = subject_label(line.subject_type) if line.subject_type else ""
    if line.subject_id is None or id_length <= 0:
        return kind
    return f"{kind} {str(line.subject_id)[:id_length]}".strip()


class AuditPromptScreen(ModalScreen[str | None]):
    """One line of input for a filter; ``check`` says what is wrong with it, if anything,
    and the prompt stays open with the text as typed until it is right or Esc."""

    BINDINGS = [Binding("escape", "dismiss(None)", t("key.cancel"), id="audit-prompt-cancel")]

    def __init__(self, question: str, value: str = "", placeholder: str = "",
                 check: Callable[[str], str | None] | None = None) -> None:
        super().__init__()
        self.question = question
        self.value = value
        self.placeholder = placeholder
        self.check = check

    def compose(self) -> ComposeResult:
        with Vertical(id="audit-prompt"):
            yield Static(self.question, classes="title")
            yield Input(self.value, placeholder=self.placeholder, id="audit-prompt-input", compact=True)
            yield Static("", id="audit-prompt-error", classes="error")
            yield Static(t("audit.prompt.hint"), classes="hint")
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.query_one("#audit-prompt-error", Static).display = False
        self.query_one("#audit-prompt-input", Input).focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        problem = self.check(text) if self.check is not None else None
        error = self.query_one("#audit-prompt-error", Static)
        if problem:
            error.update(inert_text(problem))  # it quotes what was typed
            error.display = True
            return
        self.dismiss(text)


def _date_problem(text: str) -> str | None:
    from desk.rules.validation import parse_date

    if not text:
        return None
    try:
        parse_date(text)
    except ValueError as error:
        return str(error)
    return None


class AuditScreen(Screen[None]):
    HELP_TOPIC = "audit"
    BINDINGS = [
        Binding("a", "filter_agent", t("key.audit_by_agent"), id="audit-filter-agent", group=FILTERS),
        Binding("t", "cycle_action", t("key.audit_by_action"), id="audit-filter-action", group=FILTERS),
        Binding("d", "filter_since", t("key.audit_since"), id="audit-filter-since", group=FILTERS),
        Binding("x", "clear_filters", t("key.filter_clear"), id="audit-filter-clear", group=FILTERS),
        Binding("r", "refresh", t("key.refresh"), id="audit-refresh"),
        Binding("escape", "app.pop_screen", t("key.back"), id="audit-back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.audit_filter = AuditFilter()
        self.page: AuditPage | None = None
        self._wide: bool | None = None
        self._width = 0
        self._serial = 0
        self.answered = 0  # the last reading whose answer is on screen
        # A login the log did not know: offered again at the next prompt, so nothing typed is lost.
        self._typed_agent: str | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="audit"):
            yield Static("", id="audit-head", classes="title")
            yield WholeTable(id="audit-table", cursor_type="row", zebra_stripes=True)
            yield Static("", id="audit-row")
        yield Static("", id="audit-status")
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.sub_title = t("key.audit")
        self.query_one("#audit-table", DataTable).focus()
        self._columns()
        self._show_head()
        self._load(self.audit_filter)

    def on_resize(self) -> None:
        if self._width != self.size.width:
            self._columns()
            self._show_rows()

    # -- reading ---------------------------------------------------------------------------

    def _load(self, audit_filter: AuditFilter) -> None:
        self._serial += 1
        self._status(t("audit.loading"))
        self._read(self._serial, audit_filter)

    # Not exclusive: answers carry a serial and stale ones are dropped (a cancelled worker
    # raises for whoever waits on it, and its reading is on record all the same).
    @work(thread=True, group="audit", exit_on_error=False)
    def _read(self, serial: int, audit_filter: AuditFilter) -> None:
        from desk.errors import DeskError
        from desk.use_cases.audit_log import UnknownAgent, read_audit_page

        app = self.app
        reader, at = app.agent_name, app.now()  # type: ignore[attr-defined]
        page: AuditPage | None = None
        try:
            with app.database.unit_of_work() as uow:  # type: ignore[attr-defined]
                page = read_audit_page(uow, reader=reader, audit_filter=audit_filter, at=at, output="screen",
                                       limit=LIMIT)
            message = ""
        except UnknownAgent as error:
            message = t("audit.no_agent", login=error.login)
        except DeskError as error:
            message = str(error)
        except Exception as error:  # noqa: BLE001 - a lost connection is said where the supervisor looks
            message = t("audit.failed", reason=error)
        app.call_from_thread(self._arrived, serial, audit_filter, page, message)

    def _arrived(self, serial: int, audit_filter: AuditFilter, page: AuditPage | None, message: str) -> None:
        if serial != self._serial:
            return  # an answer to an older key press
        self.answered = serial
        if page is None:
            if audit_filter.agent != self.audit_filter.agent:
                self._typed_agent = audit_filter.agent
            # The filter and the rows on screen stay as they were.
            self._status(message)
            return
        self.audit_filter, self.page = audit_filter, page
        if audit_filter.agent is not None:
            self._typed_agent = None
        self._show_head()
        self._show_rows()
        if not page.lines:
            self._status(t("audit.empty"))
        elif page.total > len(page.lines):
            self._status(t("audit.limited", shown=len(page.lines)))
        else:
            self._status("")

    @property
    def reading_shown(self) -> bool:
        """Whether the last reading asked for is the one on screen (tests wait for this;
        not ``is_current``, which Textual asks to know whether to paint the screen)."""
        return self.answered == self._serial

    # -- showing ---------------------------------------------------------------------------

    def _columns(self) -> None:
        self._width = self.size.width
        self._wide = self._width >= WIDE
        widths = dict(WIDE_WIDTHS if self._wide else NARROW_WIDTHS)
        widths["action"] = min(max(cell_len(action_label(code)) for code in known_actions()), ACTION_MOST[self._wide])
        widths["detail"] = max(8, self._width - FRAME - sum(widths.values()))
        table = self.query_one("#audit-table", DataTable)
        table.clear(columns=True)
        for name in COLUMNS:
            table.add_column(t(f"audit.col.{name}"), key=name, width=widths.get(name))

    def _filter_text(self) -> str:
        f = self.audit_filter
        every = t("audit.all")
        return " ".join([
            f"{t('audit.filter.agent')}={inert(f.agent) if f.agent else every}",
            f"{t('audit.filter.action')}={inert(action_label(f.action)) if f.action else every}",
            f"{t('audit.filter.since')}={day(f.since.date()) if f.since else every}",
        ])

    def _show_head(self) -> None:
        shown = len(self.page.lines) if self.page else 0
        total = self.page.total if self.page else 0
        self.query_one("#audit-head", Static).update(
            t("audit.screen_title", filters=self._filter_text(), shown=shown, total=total))

    def _time(self, at: datetime) -> str:
        if self._wide or at.year != self.app.now().year:  # type: ignore[attr-defined]
            return minute(at)
        return at.strftime("%m-%d %H:%M")

    def _show_rows(self) -> None:
        table = self.query_one("#audit-table", DataTable)
        table.clear()
        for index, line in enumerate(self.page.lines if self.page else []):
            table.add_row(
                self._time(line.at),
                inert(line.agent or "-"),
                inert(action_label(line.action)),
                inert(_subject(line, SHORT_ID if self._wide else 0) or "-"),
                inert(mask_identity_in_text(line.reason) or "-"),
                inert(detail_text(line.detail) or "-"),
                key=str(index),
            )
        self._show_selected()

    @on(DataTable.RowHighlighted, "#audit-table")
    def _highlighted(self, _event: DataTable.RowHighlighted) -> None:
        self._show_selected()

    def _show_selected(self) -> None:
        """The highlighted event whole, under the table: at 80 columns the cells are cut."""
        line = self.selected
        shown = self.query_one("#audit-row", Static)
        shown.display = line is not None
        if line is None:
            return
        parts = [_subject(line, WHOLE_ID), mask_identity_in_text(line.reason), detail_text(line.detail)]
        shown.update(inert("  ".join(part for part in parts if part)))

    @property
    def selected(self) -> AuditLine | None:
        lines = self.page.lines if self.page else []
        row = self.query_one("#audit-table", DataTable).cursor_row
        return lines[row] if 0 <= row < len(lines) else None

    def _status(self, message: str) -> None:
        # Never markup: a message may quote a typed login or a server's error.
        self.query_one("#audit-status", Static).update(inert_text(message))

    # -- filters ---------------------------------------------------------------------------

    def action_filter_agent(self) -> None:
        def answered(login: str | None) -> None:
            if login is not None:
                self._load(replace(self.audit_filter, agent=login or None))

        typed = self._typed_agent if self._typed_agent is not None else self.audit_filter.agent or ""
        self.app.push_screen(AuditPromptScreen(t("audit.prompt.agent"), typed), answered)

    def action_cycle_action(self) -> None:
        # desk's own actions, then any other code on screen (an older or newer one).
        seen = {line.action for line in self.page.lines} if self.page else set()
        known = known_actions()
        choices: list[str | None] = [None, *known, *sorted(seen - set(known))]
        current = self.audit_filter.action
        position = choices.index(current) if current in choices else -1
        self._load(replace(self.audit_filter, action=choices[(position + 1) % len(choices)]))

    def action_filter_since(self) -> None:
        from desk.rules.validation import parse_date

        def answered(text: str | None) -> None:
            if text is not None:
                since = datetime.combine(parse_date(text), time.min) if text else None
                self._load(replace(self.audit_filter, since=since))

        since = self.audit_filter.since
        self.app.push_screen(AuditPromptScreen(t("audit.prompt.since"), day(since.date()) if since else "",
                                               "YYYY-MM-DD", _date_problem), answered)

    def action_clear_filters(self) -> None:
        self._typed_agent = None
        self._load(AuditFilter())

    def action_refresh(self) -> None:
        self._load(self.audit_filter)
