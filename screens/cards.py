"""The benefit cards of one policy: one card per catalogue benefit, in a grid.

The cards are the insured's: a line under the title names the insured and what the
verified caller is to them (the policyholder may call about someone else's cover).
Two columns fit 80×24 (the grid scrolls); a wide terminal gets more columns. Arrows move
between cards, Enter opens the card's request form, I its rules.
"""

from __future__ import annotations

import uuid

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, VerticalScroll
from textual.events import Resize
from textual.screen import Screen
from textual.widgets import Header, Static

from desk.rules.entitlement import BenefitState, BenefitStatus
from desk.texts.labels import t
from desk.use_cases.customer_view import BenefitCards, CallerRole, load_benefit_cards
from screens.labels import audience_text, card_state_text, inert, quota_text, sla_text, window_text
from screens.steady import SteadyFooter

CARD_WIDTH = 38
STATE_CLASSES = {
    BenefitState.AVAILABLE: "available",
    BenefitState.NOT_YET_OPEN: "closed",
    BenefitState.IN_PROGRESS: "used-up",  # like used up: no new filing for now
    BenefitState.USED_UP: "used-up",
    BenefitState.EXPIRED: "closed",
    BenefitState.POLICY_ENDED: "closed",
}
# A symbol as well as a colour: the state must read in monochrome too.
STATE_SYMBOLS = {
    BenefitState.AVAILABLE: "●",
    BenefitState.NOT_YET_OPEN: "○",
    BenefitState.IN_PROGRESS: "◐",
    BenefitState.USED_UP: "■",
    BenefitState.EXPIRED: "×",
    BenefitState.POLICY_ENDED: "×",
}


class BenefitCard(Static, can_focus=True):
    def __init__(self, status: BenefitStatus) -> None:
        super().__init__(id=f"card-{status.benefit.code}", classes=f"card {STATE_CLASSES[status.state]}")
        self.status = status

    def show(self, status: BenefitStatus) -> None:
        self.remove_class(STATE_CLASSES[self.status.state])
        self.status = status
        self.add_class(STATE_CLASSES[status.state])
        self.refresh()

    def render(self) -> Text:
        status, benefit = self.status, self.status.benefit
        lines = [
            (f"{STATE_SYMBOLS[status.state]} {benefit.name_zh}", "bold"),
            (card_state_text(status), ""),
            (quota_text(status), ""),
            (audience_text(benefit), ""),
            (f"{t('card.sla')}：{sla_text(benefit)}", "dim"),
        ]
        # One fact a line, cut with an ellipsis: a card never grows past its five lines.
        text = Text(no_wrap=True, overflow="ellipsis")
        for number, (line, style) in enumerate(lines):
            text.append(line + ("\n" if number < len(lines) - 1 else ""), style=style)
        return text


class BenefitCardsScreen(Screen[None]):
    HELP_TOPIC = "cards"
    BINDINGS = [
        Binding("escape", "app.pop_screen", t("key.back"), id="cards-back"),
        Binding("enter", "open_form", t("key.open"), id="open-form"),
        Binding("i", "open_rules", t("key.rules"), id="open-rules"),
        Binding("right", "move(1)", "→", show=False, id="card-right"),
        Binding("left", "move(-1)", "←", show=False, id="card-left"),
        Binding("down", "move_row(1)", "↓", show=False, id="card-down"),
        Binding("up", "move_row(-1)", "↑", show=False, id="card-up"),
    ]

    def __init__(self, policy_id: uuid.UUID, caller_id: uuid.UUID | None = None) -> None:
        """``caller_id``: the verified caller; by default the customer of the call beneath."""
        super().__init__()
        self.policy_id = policy_id
        self.caller_id = caller_id
        self.cards: BenefitCards | None = None
        self._loaded_version = 0
        self._refocus: str | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="cards-title", classes="title")
        yield Static("", id="cards-insured")
        with VerticalScroll(id="cards-scroll"):
            yield Grid(id="cards")
        yield SteadyFooter()

    def on_mount(self) -> None:
        if self.caller_id is None:
            from screens.customer import CustomerScreen

            self.caller_id = next(
                (s.customer_id for s in reversed(self.app.screen_stack) if isinstance(s, CustomerScreen)), None
            )
        self._load()

    def on_screen_resume(self) -> None:
        # Back from a form, the queue or a request view: a filing or a move changes the cards.
        if self.cards is not None and self._loaded_version != getattr(self.app, "data_version", 0):
            self._load()

    @work(thread=True, exclusive=True, group="cards", exit_on_error=False)
    def _load(self) -> None:
        app = self.app
        self._loaded_version = getattr(app, "data_version", 0)
        with app.database.unit_of_work() as uow:  # type: ignore[attr-defined]
            cards = load_benefit_cards(uow, self.policy_id, app.today(), self.caller_id)  # type: ignore[attr-defined]
        app.call_from_thread(self._show, cards)

    def _show(self, cards: BenefitCards) -> None:
        self.cards = cards
        if self._refocus is None:
            self.query_one("#cards-title", Static).update(
                f"{t('cards.title', policy=cards.policy_number)}  {t('cards.window', window=window_text(cards.window))}"
            )
        self.query_one("#cards-insured", Static).update(insured_text(cards))
        grid = self.query_one("#cards", Grid)
        existing = {card.status.benefit.code: card for card in self.query(BenefitCard)}
        if existing:
            # After a filing only states and counts change: update the cards in place.
            for status in cards.cards:
                existing[status.benefit.code].show(status)
        else:
            grid.mount_all(BenefitCard(status) for status in cards.cards)
        self._fit_columns(self.size.width)
        self.call_after_refresh(self._focus_first)

    def _focus_first(self) -> None:
        cards = list(self.query(BenefitCard))
        wanted = next((c for c in cards if c.status.benefit.code == self._refocus), None)
        if wanted is not None:
            wanted.focus()
        elif cards:
            cards[0].focus()

    def on_resize(self, event: Resize) -> None:
        self._fit_columns(event.size.width)

    def _fit_columns(self, width: int) -> None:
        self.query_one("#cards", Grid).styles.grid_size_columns = self._columns(width)

    @staticmethod
    def _columns(width: int) -> int:
        return max(1, min(4, (width - 2) // CARD_WIDTH))

    def _focused_index(self) -> int:
        cards = list(self.query(BenefitCard))
        return cards.index(self.focused) if self.focused in cards else 0

    def action_move(self, step: int) -> None:
        cards = list(self.query(BenefitCard))
        if cards:
            cards[(self._focused_index() + step) % len(cards)].focus()

    def action_move_row(self, step: int) -> None:
        cards = list(self.query(BenefitCard))
        if cards:
            index = self._focused_index() + step * self._columns(self.size.width)
            cards[max(0, min(len(cards) - 1, index))].focus()

    def action_open_rules(self) -> None:
        if isinstance(self.focused, BenefitCard):
            from screens.card_detail import CardDetailScreen

            self.app.push_screen(CardDetailScreen(self.focused.status))

    def action_open_form(self) -> None:
        if not isinstance(self.focused, BenefitCard):
            return
        from screens.request_form import RequestFormScreen

        focused_code = self.focused.status.benefit.code

        def filed(message: str | None) -> None:
            if message:
                self.app.notify(message, timeout=8)
                self.query_one("#cards-title", Static).update(message)
                self._refocus = focused_code
                self._load()

        self.app.push_screen(RequestFormScreen(self.focused.status, self.policy_id,
                                             whose=insured_text(self.cards) if self.cards else None), filed)


def insured_text(cards: BenefitCards) -> str:
    """Whose cards these are, and who is calling: 被保险人：张三（来电人为投保人）."""
    if cards.caller_role is None:
        return t("cards.insured_only", name=inert(cards.insured_name))
    if cards.caller_role is CallerRole.HOLDER and cards.caller_relation:
        caller = t("cards.caller.holder_relation", relation=cards.caller_relation)
    else:
        caller = t(f"cards.caller.{cards.caller_role.value}")
    return t("cards.insured", name=inert(cards.insured_name), caller=inert(caller))
