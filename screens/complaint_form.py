"""Filing a complaint during a call: what the customer says, and the request it is about.

The decision is due 15 calendar days after receipt; the agent reads the due time back to
the caller from the status line. Ctrl+S files (audited), Esc backs out, Tab moves between
the text and the list of the customer's recent requests.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from desk.texts.labels import t
from screens.attempts import attempt
from screens.labels import inert_text, minute
from screens.steady import SteadyFooter

NO_REQUEST = "none"


class ComplaintFormScreen(ModalScreen[str | None]):
    """Dismisses with what to tell the agent (the due time), or None when backed out."""

    HELP_TOPIC = "customer"
    BINDINGS = [
        Binding("ctrl+s", "file", t("key.save"), id="complaint-save", priority=True),
        Binding("escape", "dismiss(None)", t("key.cancel"), id="complaint-cancel"),
    ]

    def __init__(self, customer_id: uuid.UUID, customer_name: str,
                 requests: Sequence[tuple[uuid.UUID, str]], chosen: uuid.UUID | None = None) -> None:
        super().__init__()
        self.customer_id = customer_id
        self.customer_name = customer_name
        self.requests = list(requests)  # (request id, how it reads) of the customer's recent requests
        self.chosen = chosen
        # Made when the form opens and kept across retries: a retry after a lost answer
        # finds the complaint on file instead of filing it twice.
        self.complaint_id = uuid.uuid4()

    def compose(self) -> ComposeResult:
        with Vertical(id="complaint-form"):
            yield Static(inert_text(t("complaint.file_title", customer=self.customer_name)), classes="title")
            yield Label(t("complaint.file_text"))
            yield TextArea(id="complaint-text", soft_wrap=True, show_line_numbers=False, compact=True)
            yield Label(t("complaint.file_request"))
            yield OptionList(Option(t("complaint.no_request"), id=NO_REQUEST),
                             *(Option(inert_text(label), id=str(request_id)) for request_id, label in self.requests),
                             id="complaint-request", compact=True)
            yield Static("", id="complaint-linked")
            yield Static("", id="complaint-error", classes="error")
        yield SteadyFooter()

    def on_mount(self) -> None:
        options = self.query_one("#complaint-request", OptionList)
        ids = [str(request_id) for request_id, _ in self.requests]
        options.highlighted = ids.index(str(self.chosen)) + 1 if self.chosen and str(self.chosen) in ids else 0
        self._show_link()
        self.query_one("#complaint-text", TextArea).focus()

    @on(OptionList.OptionHighlighted)
    def _highlighted(self, _event: OptionList.OptionHighlighted) -> None:
        self._show_link()

    def _linked(self) -> uuid.UUID | None:
        options = self.query_one("#complaint-request", OptionList)
        index = options.highlighted
        if index is None or index == 0:
            return None
        return self.requests[index - 1][0]

    def _show_link(self) -> None:
        # The link is stated in words: the list's highlight alone is easy to miss.
        linked = self._linked()
        label = next((text for request_id, text in self.requests if request_id == linked), t("complaint.no_request"))
        self.query_one("#complaint-linked", Static).update(inert_text(f"{t('complaint.request')}：{label}"))

    def action_file(self) -> None:
        text = self.query_one("#complaint-text", TextArea).text.strip()
        if not text:
            self.query_one("#complaint-error", Static).update(t("complaint.need_text"))
            return
        self._file(text, self._linked())

    @work(thread=True, exclusive=True, group="complaint-file", exit_on_error=False)
    def _file(self, text: str, request_id: uuid.UUID | None) -> None:
        from desk.use_cases.complaints import file_complaint

        app = self.app
        filed = attempt(self, "complaint-error", lambda uow: file_complaint(
            uow, self.customer_id, text, request_id=request_id,
            agent_id=app.agent_id, at=app.now(), complaint_id=self.complaint_id))  # type: ignore[attr-defined]
        if filed is None:
            return
        said = "complaint.filed_already" if filed.already_saved else "complaint.filed"
        app.call_from_thread(self.dismiss, t(said, due=minute(filed.due_at)))
