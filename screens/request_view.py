"""One request: its details, its timeline, its SLA steps, and the next step by key.

The keys 1, 2, 3 … make the transitions the lifecycle allows from the current state;
a transition that needs more (a reason, the booked time and place, who asked for a
cancellation) asks for it first. The choices stay on screen under what the last move did.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime

from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Header, Input, Label, RadioSet, Static

from desk.rules.cancellation import CANCELLED_BY
from desk.rules.request_states import Channel, RequestState
from desk.texts.due import due_text
from desk.texts.labels import t
from desk.use_cases import limits
from desk.use_cases.request_view import NEEDS_BOOKING, NEEDS_REASON, NEEDS_REQUESTER, RequestView
from screens.labels import inert, inert_text, minute, state_text
from screens.steady import SteadyFooter, WholeTable
from screens.widgets import TickRadio

MAX_CHOICES = 5


class TransitionScreen(ModalScreen[dict[str, str] | None]):
    """Asks what a transition needs; dismisses with the answers, or None."""

    BINDINGS = [
        Binding("ctrl+s", "confirm", t("key.save"), id="transition-save", priority=True),
        Binding("escape", "dismiss(None)", t("key.cancel"), id="transition-cancel"),
    ]

    def __init__(self, to: RequestState, with_department: bool, subject: str = "") -> None:
        super().__init__()
        self.to = to
        self.with_department = with_department
        self.subject = subject  # the request acted on, when it is not on the screen below

    def compose(self) -> ComposeResult:
        with Vertical(id="transition"):
            yield Static(t("request.move_to", state=state_text(self.to)), classes="title")
            if self.subject:
                yield Static(inert_text(self.subject), id="transition-subject")
            if self.to in NEEDS_REQUESTER:
                yield Label(t("cancel.by"))
                yield RadioSet(*(TickRadio(t(f"cancel.by.{by}")) for by in CANCELLED_BY), id="by", compact=True)
                # In words as well: a pressed radio button differs only by colour or weight.
                yield Static("", id="by-chosen")
            if self.to in NEEDS_BOOKING:
                yield Label(t("request.visit_at"))
                yield Input(placeholder="YYYY-MM-DD HH:MM", id="visit_at", compact=True)
                yield Label(t("request.hospital"))
                yield Input(id="hospital", compact=True, max_length=limits.DETAIL_TEXT)
                if self.with_department:
                    yield Label(t("request.department"))
                    yield Input(id="department", compact=True, max_length=limits.DETAIL_TEXT)
            yield Label(t("request.reason") + ("" if self.to in NEEDS_REASON else t("form.optional")))
            yield Input(id="reason", compact=True, max_length=limits.REASON)
            yield Static("", id="transition-error", classes="error")
        yield SteadyFooter()

    def on_mount(self) -> None:
        # The first thing asked: who asked for a cancellation, else the first field typed.
        if self.to in NEEDS_REQUESTER:
            self.query_one("#by", RadioSet).focus()
        else:
            self.query(Input).first().focus()

    @on(Input.Submitted)
    def _next(self, _event: Input.Submitted) -> None:
        self.focus_next()

    @on(RadioSet.Changed, "#by")
    def _chosen(self, event: RadioSet.Changed) -> None:
        by = t(f"cancel.by.{CANCELLED_BY[event.index]}")
        self.query_one("#by-chosen", Static).update(f"{t('cancel.by')}：{by}")

    def action_confirm(self) -> None:
        answers = {widget.id or "": widget.value.strip() for widget in self.query(Input)}
        error = self.query_one("#transition-error", Static)
        if self.to in NEEDS_REQUESTER:
            chosen = self.query_one("#by", RadioSet).pressed_index
            if chosen < 0:
                error.update(t("cancel.need_by"))
                return
            answers["by"] = CANCELLED_BY[chosen]
        if self.to in NEEDS_REASON and not answers.get("reason"):
            error.update(t("request.need_reason"))
            return
        if self.to in NEEDS_BOOKING:
            try:
                datetime.strptime(answers.get("visit_at", ""), "%Y-%m-%d %H:%M")
            except ValueError:
                error.update(t("request.need_visit_at"))
                return
            if not answers.get("hospital"):
                error.update(t("request.need_hospital"))
                return
        self.dismiss(answers)


class RequestViewScreen(Screen[None]):
    HELP_TOPIC = "request"
    BINDINGS = [
        Binding("escape", "app.pop_screen", t("key.back"), id="request-back"),
        *(
            Binding(str(n), f"move({n - 1})", t("request.next", n=n), show=False, id=f"transition-{n}")
            for n in range(1, MAX_CHOICES + 1)
        ),
    ]

    def __init__(self, request_id: uuid.UUID) -> None:
        super().__init__()
        self.request_id = request_id
        self.view: RequestView | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="request"):
            yield Static("", id="request-head", classes="title")
            # Bounded: a long complaint or diagnosis wraps and scrolls inside, and the
            # steps and the timeline stay on screen under it.
            with VerticalScroll(id="request-details"):
                yield Static("", id="request-details-text")
            yield Static(t("request.steps"), classes="section")
            yield WholeTable(id="request-steps", cursor_type="none", show_cursor=False)
            yield Static(t("request.timeline"), classes="section")
            yield WholeTable(id="request-timeline", cursor_type="none", show_cursor=False)
        yield Static("", id="request-next")
        yield SteadyFooter()

    def on_mount(self) -> None:
        self._load()

    @work(thread=True, exclusive=True, group="request", exit_on_error=False)
    def _load(self) -> None:
        from desk.use_cases.request_view import load_request_view

        app = self.app
        with app.database.unit_of_work() as uow:  # type: ignore[attr-defined]
            view = load_request_view(uow, self.request_id)
        app.call_from_thread(self._show, view)

    def _show(self, view: RequestView, message: str = "") -> None:
        self.view = view
        self.sub_title = view.number
        # Text, not markup: details hold whatever the customer said, brackets included.
        self.query_one("#request-head", Static).update(inert_text(
            f"{view.number}  {view.service_name}  {state_text(view.state.value)}  "
            f"{t('request.col.beneficiary')}：{view.beneficiary or '-'}"
        ))
        lines = [(t("request.col.submitted"), minute(view.submitted_at)), (t("request.channel"), _channel(view.channel)),
                 *view.shown_details]
        if view.confirmation:
            # What the caller is told: a use filed at a branch is not certain until counted.
            lines.insert(0, (t("request.confirmation"), t(f"confirmation.{view.confirmation}")))
        self.query_one("#request-details-text", Static).update(
            inert_text("  ".join(f"{label}：{value}" for label, value in lines), keep_breaks=True))
        steps = self.query_one("#request-steps", DataTable)
        steps.clear(columns=True)
        steps.add_columns(t("request.step"), t("request.started"), t("request.due"), t("request.done"))
        for s in view.steps:
            steps.add_row(s.name_zh, minute(s.started_at),
                          due_text(s.due_at, s.calendar_unknown_after) if s.due_at else "-",
                          minute(s.done_at) if s.done_at else "")
        timeline = self.query_one("#request-timeline", DataTable)
        timeline.clear(columns=True)
        timeline.add_columns(t("request.at"), t("request.change"), t("request.agent"), t("request.reason"))
        for e in view.timeline:
            change = f"{state_text(e.from_state)} → {state_text(e.to_state)}" if e.from_state else state_text(e.to_state)
            reason = "；".join(part for part in (e.reason, e.note) if part)
            timeline.add_row(minute(e.at), change, inert(e.agent), inert_text(reason))
        choices = "  ".join(f"{n} {state_text(s.value)}" for n, s in enumerate(view.next_states, 1))
        # What the move did, and under it what may come next: the agent goes on by number.
        line = t("request.choices", choices=choices) if choices else t("request.final")
        self.query_one("#request-next", Static).update(
            inert_text(f"{message}\n{line}" if message else line, keep_breaks=True))

    def action_move(self, index: int) -> None:
        if self.view is None or index >= len(self.view.next_states):
            return
        ask_and_move(self, self.view.service_code, self.view.next_states[index], self._move)

    @work(thread=True, exclusive=True, group="request-move", exit_on_error=False)
    def _move(self, to: RequestState, answers: dict[str, str]) -> None:
        from desk.use_cases.request_view import load_request_view

        app = self.app
        expected = self.view.state if self.view is not None else None
        message = make_transition(app, self.request_id, to, answers, expected)
        with app.database.unit_of_work() as uow:  # type: ignore[attr-defined]
            view = load_request_view(uow, self.request_id)
        app.call_from_thread(self._show, view, message)


def ask_and_move(screen: Screen[object], service_code: str, to: RequestState,
                 move: Callable[[RequestState, dict[str, str]], object], subject: str = "") -> None:
    """Make the transition to ``to``, asking first for what it needs (a reason, a booking,
    who asked for a cancellation); ``subject`` names the request when it is not on screen."""
    if to in NEEDS_REASON or to in NEEDS_BOOKING or to in NEEDS_REQUESTER:
        def answered(answers: dict[str, str] | None) -> None:
            if answers is not None:
                move(to, answers)

        screen.app.push_screen(TransitionScreen(to, with_department=service_code == "escort", subject=subject),
                               answered)
    else:
        move(to, {})


def make_transition(app: App[object], request_id: uuid.UUID, to: RequestState, answers: dict[str, str],
                    expected: RequestState | None = None) -> str:
    """Move the request (in a worker thread) and say what happened, in words for the agent."""
    from desk.errors import DeskError
    from desk.use_cases.requests import move_request

    answers = dict(answers)
    reason = answers.pop("reason", "")
    data = {k: v for k, v in answers.items() if v}
    if "visit_at" in data:
        data["visit_at"] = datetime.strptime(data["visit_at"], "%Y-%m-%d %H:%M").isoformat()
    try:
        with app.database.unit_of_work() as uow:  # type: ignore[attr-defined]
            moved = move_request(uow, request_id, to, agent_id=app.agent_id,  # type: ignore[attr-defined]
                                 at=app.now(), reason=reason, data=data,  # type: ignore[attr-defined]
                                 expected=expected)
    except DeskError as error:
        return t("request.refused", reason=str(error))
    except Exception as error:  # noqa: BLE001 - a lost connection is said where the agent looks
        from desk.use_cases.fault_log import unexpected

        # Never the driver's words: they may quote a row's ID number or mobile.
        return t("error.save_failed", reason=unexpected(error))
    message = t("request.moved", state=state_text(moved.state.value))
    if moved.state is RequestState.CANCELLED:
        # The caller asks straight away whether the cancellation used their one escort.
        message += t("cancel.counted") if moved.counted else t("cancel.not_counted")
    if moved.due_at:
        message += t("request.next_due", due=minute(moved.due_at))
    return message


def _channel(channel: str) -> str:
    return t(f"channel.{channel}") if channel in set(Channel) else channel
