"""A call the agent can trust (issue 10), key by key.

Esc on the identity check cancels; a failed check is retried from the customer view;
Ctrl+Q never loses a half-filled form or leaves a call without its wrap-up; the wrap-up
suggests what happened; the customer view is never stale after a filing or a move;
Ctrl+O says why it does nothing; an unreachable database is named, with its cause.
"""

from __future__ import annotations

from textual.geometry import Region
from textual.widget import Widget
from textual.widgets import DataTable, Input, OptionList, Static

from db.tables import Call, Request
from desk.use_cases.drafts import DraftStore
from screens.app import DeskApp
from screens.cards import BenefitCardsScreen
from screens.customer import CustomerScreen
from screens.home import HomeScreen
from screens.identity import IdentityScreen
from screens.request_form import RequestFormScreen
from screens.wrap_up import WrapUpScreen
from tests.callers import NOW, rows
from tests.pilot import desk_app, open_and_verify, press_and_leave, search, settle
from tests.test_queue_screen import with_open_work

PHARMACY, SMOKING, ESCORT = 8, 3, 0  # places of the cards in the grid
UNREACHABLE = "postgresql://postgres:s3cret@127.0.0.1:1/desk"


def visible(widget: Widget) -> str:
    """What the agent sees of a widget: its lines cut to its size on screen."""
    width, height = widget.size
    return "\n".join(strip.text for strip in widget.render_lines(Region(0, 0, width, height)))


def footer(screen) -> list[str]:
    """The keys the footer shows on ``screen``, by their descriptions."""
    return [active.binding.description for active in screen.active_bindings.values()
            if active.binding.show and active.enabled]


def notices(app: DeskApp) -> list[str]:
    return [notification.message for notification in app._notifications]


def requests_shown(screen: CustomerScreen) -> list[tuple[str, str]]:
    table = screen.query_one("#requests", DataTable)
    return [(str(row[0]), str(row[2])) for row in (table.get_row_at(i) for i in range(table.row_count))]


async def open_card_form(pilot, card: int, caller: str = "zs") -> RequestFormScreen:
    await search(pilot, caller)
    await open_and_verify(pilot, "12")
    await pilot.press("b")
    await settle(pilot)
    assert isinstance(pilot.app.screen, BenefitCardsScreen)
    await pilot.press(*["right"] * card, "enter")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, RequestFormScreen)
    return screen


async def file_pharmacy(pilot) -> None:
    """File the simplest request (online pharmacy) and come back to the customer view."""
    await open_card_form(pilot, PHARMACY)
    await pilot.press("tab", *"降压药")
    await press_and_leave(pilot, "ctrl+s")
    assert isinstance(pilot.app.screen, BenefitCardsScreen)
    await pilot.press("escape")
    await settle(pilot)
    assert isinstance(pilot.app.screen, CustomerScreen)


# -- 1. the identity check -------------------------------------------------------------------


async def test_esc_on_the_identity_check_cancels_and_reveals_nothing(callers_url):
    app = desk_app(callers_url)
    async with app.run_test(size=(80, 24)) as pilot:
        await search(pilot, "zs")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, IdentityScreen)
        await pilot.press("1", "2", "escape")  # two ticks, then the agent thinks better of it
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert not any(isinstance(screen, CustomerScreen) for screen in app.screen_stack)
        assert app.screen.query_one("#search", Input).value == "zs"
    (call,) = rows(app.database, Call)
    assert call.verified_facts == [] and call.ended_at == NOW and call.wrap_up_code == "cancelled"


async def test_a_failed_identity_check_is_retried_from_the_customer_view(callers_url):
    app = desk_app(callers_url)
    async with app.run_test(size=(80, 24)) as pilot:
        await search(pilot, "zs")
        await open_and_verify(pilot, "1")  # only the name: not enough
        screen = app.screen
        assert isinstance(screen, CustomerScreen) and not screen.verified
        assert "重新核身" in footer(screen)
        await pilot.press("v")
        await settle(pilot)
        assert isinstance(app.screen, IdentityScreen)
        await pilot.press("escape")  # a retry cancelled: still unverified, nothing shown
        await settle(pilot)
        assert app.screen is screen and not screen.verified and not screen.query("#policies")
        await pilot.press("v")
        await settle(pilot)
        await pilot.press("3", "4", "enter")
        await settle(pilot)
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, CustomerScreen) and screen.verified
        assert screen.query_one("#policies", DataTable).get_row_at(0)[0] == "XK202601100001"
        assert "重新核身" not in footer(screen)
    (call,) = rows(app.database, Call)
    assert call.verified_facts == ["birth_date", "mobile"]


# -- 2. Ctrl+Q ------------------------------------------------------------------------------


async def test_ctrl_q_with_nothing_open_quits_at_once(callers_url):
    app = desk_app(callers_url)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+q")
        assert app.return_code == 0


async def test_ctrl_q_mid_call_keeps_the_form_as_a_draft_and_wraps_up_first(callers_url):
    app = desk_app(callers_url)
    async with app.run_test(size=(100, 40)) as pilot:
        form = await open_card_form(pilot, PHARMACY)
        await pilot.press("tab", *"降压药")
        await pilot.press("ctrl+q")
        await settle(pilot)
        assert app.return_code is None, "quit at once: the form and the call are lost"
        assert type(app.screen).__name__ == "ConfirmQuit"
        await pilot.press("n")  # not now: back to the form, as it was
        await settle(pilot)
        assert app.screen is form and form.query_one("#field-note", Input).value == "降压药"
        await pilot.press("ctrl+q")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert DraftStore().load(form.policy_id, "pharmacy")["note"] == "降压药"
        assert isinstance(app.screen, WrapUpScreen)
        await pilot.press(*"客户挂断")
        await press_and_leave(pilot, "ctrl+s")
        assert app.return_code == 0
    (call,) = rows(app.database, Call)
    assert call.ended_at == NOW and call.wrap_up_code == "inquiry"


async def test_ctrl_q_on_an_open_call_asks_and_esc_on_the_wrap_up_does_not_quit(callers_url):
    app = desk_app(callers_url)
    async with app.run_test(size=(80, 24)) as pilot:
        await search(pilot, "zs")
        await open_and_verify(pilot, "12")
        await pilot.press("ctrl+q")
        await settle(pilot)
        assert type(app.screen).__name__ == "ConfirmQuit"
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, WrapUpScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert app.return_code is None and isinstance(app.screen, CustomerScreen)
        await pilot.press("w")  # the call ended the usual way: nothing open any more
        await settle(pilot)
        await press_and_leave(pilot, "ctrl+s")
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("ctrl+q")
        assert app.return_code == 0


# -- 3. the suggested wrap-up code -------------------------------------------------------------


async def test_the_wrap_up_suggests_request_filed_after_a_filing(callers_url):
    app = desk_app(callers_url)
    async with app.run_test(size=(100, 40)) as pilot:
        await file_pharmacy(pilot)
        await pilot.press("w")
        await settle(pilot)
        assert isinstance(app.screen, WrapUpScreen)
        codes = app.screen.query_one("#wrap-up-code", OptionList)
        assert codes.get_option_at_index(codes.highlighted).id == "request_filed"
        await press_and_leave(pilot, "ctrl+s")
    call = next(c for c in rows(app.database, Call))
    assert call.wrap_up_code == "request_filed"


# -- 4. no stale customer view -------------------------------------------------------------------


async def test_the_customer_view_shows_a_request_filed_from_the_cards(callers_url):
    app = desk_app(callers_url)
    async with app.run_test(size=(100, 40)) as pilot:
        await file_pharmacy(pilot)
        await settle(pilot)
        (request,) = rows(app.database, Request)
        assert requests_shown(app.screen) == [(request.number, "已使用")]


async def approve_the_escort_from_the_queue(pilot) -> None:
    """F2, the escort's eligibility decision (fourth row), N, confirm, and back."""
    await pilot.press("f2")
    for _ in range(3):
        await settle(pilot)
    await pilot.press("down", "down", "down", "n")
    await settle(pilot)
    assert type(pilot.app.screen).__name__ == "ConfirmMoveScreen"  # the queue asks first
    await pilot.press("enter")
    await settle(pilot)
    await settle(pilot)
    await pilot.press("escape")
    await settle(pilot)


async def test_the_customer_view_shows_a_move_made_from_the_queue(database_url):
    app = desk_app(with_open_work(database_url))
    async with app.run_test(size=(100, 30)) as pilot:
        await search(pilot, "zs")
        await open_and_verify(pilot, "12")
        customer = app.screen
        assert ("R261124A00004", "已提交") in requests_shown(customer)
        await approve_the_escort_from_the_queue(pilot)
        assert app.screen is customer
        assert ("R261124A00004", "审核通过") in requests_shown(customer)


# -- 5. Ctrl+O by an agent who is not a supervisor ------------------------------------------------


async def test_ctrl_o_by_an_agent_says_only_a_supervisor_may_override(callers_url):
    app = desk_app(callers_url)
    async with app.run_test(size=(100, 40)) as pilot:
        form = await open_card_form(pilot, ESCORT, caller="oynn")  # the escort of the year is used
        await pilot.press("down", "down", "tab", *"北京协和医院", "tab", *"心内科", "tab", *"2026-12-01",
                          "tab", *"09:00")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "不能受理" in str(form.query_one("#form-message", Static).render())
        await pilot.press("ctrl+o")
        await settle(pilot)
        assert app.screen is form
        assert any("只有主管" in message for message in notices(app))


# -- 6. an unreachable database --------------------------------------------------------------------


async def test_an_unreachable_database_is_named_with_its_cause_where_the_agent_looks():
    app = DeskApp(database_url=UNREACHABLE, agent_login="agent01")
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        # The worker's failure reaches the screen as a message: on a loaded machine that
        # can take more than one turn of the event loop.
        for _ in range(50):
            await pilot.pause()
            status = visible(app.screen.query_one("#db-status"))
            if "127.0.0.1:1" in status:
                break
        assert "127.0.0.1:1" in status and "Connection refused" in status
        assert "s3cret" not in status
        await pilot.press("z", "s")
        await pilot.pause()
        hint = str(app.screen.query_one("#lookup-hint", Static).render())
        assert "尚未就绪" not in hint and "无法连接" in hint
        for key in ("f2", "f3"):
            app.clear_notifications()
            await pilot.press(key)
            await pilot.pause()
            assert isinstance(app.screen, HomeScreen)
            (message,) = notices(app)
            assert "Connection refused" in message and "s3cret" not in message


async def test_the_benefit_cards_reload_after_a_move_made_from_the_queue(database_url):
    from screens.cards import BenefitCardsScreen

    app = desk_app(with_open_work(database_url))
    async with app.run_test(size=(100, 30)) as pilot:
        await search(pilot, "zs")
        await open_and_verify(pilot, "12")
        await pilot.press("b")
        await settle(pilot)
        cards = app.screen
        assert isinstance(cards, BenefitCardsScreen)
        before = cards.cards
        await approve_the_escort_from_the_queue(pilot)
        assert app.screen is cards
        assert cards.cards is not before  # loaded again, not the cards from before the move
