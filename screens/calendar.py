"""The working-day calendar (F3): one year's exceptions to Monday-Friday, edited by
supervisors.

Anyone may look; only supervisors and admins may add, change or delete a day. Every edit
recomputes the open deadlines it moves (desk.use_cases.calendar_edits) and says how many.
"""

from __future__ import annotations

from datetime import date

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Header, Input, Label, RadioSet, Static

from desk.rules.working_calendar import HOLIDAY, WORKDAY
from desk.texts.labels import t
from desk.use_cases.calendar_data import CalendarEntry, CalendarYear
from screens.labels import day, inert
from screens.steady import SteadyFooter, WholeTable
from screens.widgets import TickRadio

KINDS = (HOLIDAY, WORKDAY)
FIELDS = ("date", "kind", "name")


def weekday_text(value: date) -> str:
    return t(f"calendar.weekday.{value.weekday()}")


class CalendarDayScreen(ModalScreen[tuple[date, str, str] | None]):
    """Asks for a day, its kind and its name; dismisses with them once they check out."""

    BINDINGS = [
        Binding("ctrl+s", "save", t("key.save"), id="calendar-day-save", priority=True),
        Binding("escape", "dismiss(None)", t("key.cancel"), id="calendar-day-cancel"),
    ]

    def __init__(self, entry: CalendarEntry | None) -> None:
        super().__init__()
        self.entry = entry

    def compose(self) -> ComposeResult:
        entry = self.entry
        with Vertical(id="calendar-day"):
            yield Static(t("calendar.edit_title"), classes="title")
            yield Static(t("calendar.edit_hint"), classes="hint")
            with Horizontal(classes="field-row"):
                yield Label(t("calendar.field.date"), classes="field-label")
                yield Input(day(entry.day) if entry else "", placeholder="YYYY-MM-DD", id="calendar-date",
                            compact=True)
            yield Static("", id="calendar-error-date", classes="field-error")
            with Horizontal(classes="field-row"):
                yield Label(t("calendar.field.kind"), classes="field-label")
                with RadioSet(id="calendar-kind", compact=True):
                    for kind in KINDS:
                        yield TickRadio(t(f"calendar.kind.{kind}"), value=(entry.kind if entry else HOLIDAY) == kind,
                                          id=f"calendar-kind-{kind}", compact=True)
            yield Static("", id="calendar-error-kind", classes="field-error")
            with Horizontal(classes="field-row"):
                yield Label(t("calendar.field.name"), classes="field-label")
                yield Input(entry.name if entry else "", id="calendar-name", compact=True)
            yield Static("", id="calendar-error-name", classes="field-error")
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.query_one("#calendar-date", Input).focus()

    @on(Input.Submitted)
    def _next(self, _event: Input.Submitted) -> None:
        self.focus_next()

    def action_save(self) -> None:
        from desk.use_cases.calendar_edits import check_day

        pressed = self.query_one("#calendar-kind", RadioSet).pressed_index
        kind = KINDS[pressed] if 0 <= pressed < len(KINDS) else ""
        edit, reasons = check_day(
            self.query_one("#calendar-date", Input).value, kind, self.query_one("#calendar-name", Input).value
        )
        for name in FIELDS:
            error = self.query_one(f"#calendar-error-{name}", Static)
            error.update(reasons.get(name, ""))
            error.display = name in reasons
        if edit is not None:
            self.dismiss((edit.day, edit.kind, edit.name))


class CalendarDeleteScreen(ModalScreen[bool]):
    BINDINGS = [
        Binding("y", "dismiss(True)", t("calendar.delete_yes"), id="calendar-delete-yes"),
        Binding("n", "dismiss(False)", t("calendar.delete_no"), id="calendar-delete-no"),
        Binding("escape", "dismiss(False)", t("calendar.delete_no"), show=False, id="calendar-delete-escape"),
    ]

    def __init__(self, entry: CalendarEntry) -> None:
        super().__init__()
        self.entry = entry

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm"):
            yield Static(t("calendar.delete_question", day=day(self.entry.day), name=inert(self.entry.name)),
                         classes="title")
            yield Static(t("calendar.delete_keys"), classes="hint")
        yield SteadyFooter()


class CalendarScreen(Screen[None]):
    HELP_TOPIC = "calendar"
    BINDINGS = [
        # Priority: the table would otherwise take the arrows to scroll sideways.
        Binding("left", "year(-1)", t("calendar.key.previous"), key_display="←", priority=True,
                id="calendar-previous-year"),
        Binding("right", "year(1)", t("calendar.key.next"), key_display="→", priority=True,
                id="calendar-next-year"),
        Binding("pageup", "year(-1)", t("calendar.key.previous"), show=False, priority=True,
                id="calendar-previous-year-page"),
        Binding("pagedown", "year(1)", t("calendar.key.next"), show=False, priority=True,
                id="calendar-next-year-page"),
        Binding("a", "edit", t("calendar.key.edit"), id="calendar-edit"),
        Binding("d", "delete", t("calendar.key.delete"), id="calendar-delete"),
        Binding("escape", "app.pop_screen", t("key.back"), id="calendar-back"),
    ]

    def __init__(self, year: int) -> None:
        super().__init__()
        self.year = year
        self.view: CalendarYear | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="calendar"):
            yield Static("", id="calendar-head", classes="title")
            yield Static("", id="calendar-warning", classes="warning")
            yield WholeTable(id="calendar-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="calendar-status")
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.sub_title = t("key.calendar")
        table = self.query_one("#calendar-table", DataTable)
        table.add_columns(*(t(f"calendar.col.{name}") for name in ("date", "weekday", "kind", "name")))
        table.focus()
        self._load(self.year)

    # -- reading ---------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="calendar", exit_on_error=False)
    def _load(self, year: int, message: str = "", cursor_day: date | None = None) -> None:
        from desk.use_cases.calendar_data import load_calendar_year

        app = self.app
        with app.database.unit_of_work() as uow:  # type: ignore[attr-defined]
            view = load_calendar_year(uow, year, app.today())  # type: ignore[attr-defined]
        app.call_from_thread(self._show, view, message, cursor_day)

    def _show(self, view: CalendarYear, message: str = "", cursor_day: date | None = None) -> None:
        self.view = view
        self.year = view.year
        known = t("calendar.known_until", day=day(view.known_until)) if view.known_until else t("calendar.known_none")
        count = t("calendar.count", count=len(view.days)) if view.days else t("calendar.none")
        self.query_one("#calendar-head", Static).update(f"{t('calendar.title', year=view.year)}  {known}  {count}")
        warning = self.query_one("#calendar-warning", Static)
        warning.update(t("calendar.next_year_missing", year=view.missing_year) if view.missing_year else "")
        warning.display = view.missing_year is not None
        table = self.query_one("#calendar-table", DataTable)
        table.clear()
        for entry in view.days:
            table.add_row(day(entry.day), weekday_text(entry.day), t(f"calendar.kind.{entry.kind}"), inert(entry.name),
                          key=entry.day.isoformat())
        if cursor_day is not None and cursor_day.year == view.year:
            rows = [entry.day for entry in view.days]
            if cursor_day in rows:
                table.move_cursor(row=rows.index(cursor_day))
        self._status(message)

    def _status(self, message: str) -> None:
        self.query_one("#calendar-status", Static).update(message)

    def action_year(self, step: int) -> None:
        self._load(self.year + step)

    def selected(self) -> CalendarEntry | None:
        if self.view is None or not self.view.days:
            return None
        row = self.query_one("#calendar-table", DataTable).cursor_row
        return self.view.days[row] if 0 <= row < len(self.view.days) else None

    # -- editing ---------------------------------------------------------------------------

    def _may_edit(self) -> bool:
        from desk.rules.roles import Action, may

        if not may(self.app.agent_role, Action.EDIT_CALENDAR):  # type: ignore[attr-defined]
            self._status(t("calendar.refused"))
            return False
        return True

    def action_edit(self) -> None:
        if self._may_edit():
            self.app.push_screen(CalendarDayScreen(self.selected()), self._edited)

    def _edited(self, answer: tuple[date, str, str] | None) -> None:
        if answer is not None:
            self._status(t("calendar.saving"))
            self._save(answer, remove=False)

    def action_delete(self) -> None:
        if not self._may_edit():
            return
        entry = self.selected()
        if entry is None:
            self._status(t("calendar.nothing_selected", year=self.year))
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._status(t("calendar.saving"))
                self._save((entry.day, entry.kind, entry.name), remove=True)

        self.app.push_screen(CalendarDeleteScreen(entry), confirmed)

    @work(thread=True, exclusive=True, group="calendar-edit", exit_on_error=False)
    def _save(self, answer: tuple[date, str, str], *, remove: bool) -> None:
        from desk.errors import DeskError
        from desk.use_cases.calendar_edits import CalendarEditRefused, remove_day, set_day

        app = self.app
        the_day, kind, name = answer
        agent_id, at = app.agent_id, app.now()  # type: ignore[attr-defined]
        try:
            with app.database.unit_of_work() as uow:  # type: ignore[attr-defined]
                if remove:
                    report = remove_day(uow, the_day, agent_id=agent_id, at=at)
                else:
                    report = set_day(uow, the_day, kind, name, agent_id=agent_id, at=at)
            if not report.days:
                message = t("calendar.unchanged", day=day(the_day))
            else:
                done = "calendar.removed" if remove else "calendar.saved"
                message = t(done, day=day(the_day), count=report.recomputed, moved=report.moved)
        except CalendarEditRefused:
            message = t("calendar.refused")
        except DeskError as error:
            message = t("calendar.failed", reason=str(error))
        except Exception as error:  # noqa: BLE001 - a lost connection is said where the supervisor looks
            from desk.use_cases.fault_log import unexpected

            message = t("error.save_failed", reason=unexpected(error))
        # The edited day's year is shown, so the supervisor sees the row they changed.
        app.call_from_thread(self._load, the_day.year, message, the_day)
