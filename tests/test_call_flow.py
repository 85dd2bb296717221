"""Real calls, key by key: find the caller, verify, look at the policy, open the cards."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, Input, Static

from db.tables import AuditEvent, Call
from screens.cards import BenefitCard, BenefitCardsScreen
from screens.customer import CustomerScreen
from screens.home import HomeScreen
from tests.callers import NOW, rows
from tests.pilot import desk_app, open_and_verify, search, settle


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("5678", ["张三"]),  # mobile tail
        ("zs", ["张三"]),  # pinyin initials
        ("ouyang", ["欧阳娜娜"]),  # full pinyin
        ("XK202409010003", ["王建国"]),  # policy number
        ("13600006666", ["赵敏"]),  # full mobile
    ],
)
async def test_find_the_caller_as_the_agent_types(callers_url, typed, expected):
    app = desk_app(callers_url)
    async with app.run_test(size=(80, 24)) as pilot:
        assert await search(pilot, typed) == expected


async def test_find_by_id_tail(callers_url):
    from tests.callers import CALLERS, resident_id

    name, region, born, sequence, *_ = CALLERS[1]
    tail = resident_id(region, born, sequence)[-4:]
    app = desk_app(callers_url)
    async with app.run_test(size=(80, 24)) as pilot:
        assert name in await search(pilot, tail)


async def test_a_failed_identity_check_shows_the_name_only(callers_url):
    app = desk_app(callers_url)
    async with app.run_test(size=(80, 24)) as pilot:
        await search(pilot, "zs")
        await open_and_verify(pilot, "1")  # only the name confirmed
        screen = app.screen
        assert isinstance(screen, CustomerScreen) and not screen.verified
        assert not screen.query("#policies")
        await pilot.press("b")  # cards are not reachable
        assert isinstance(app.screen, CustomerScreen)
    (call,) = rows(app.database, Call)
    assert call.verified_facts == ["full_name"]


async def test_a_passed_identity_check_shows_binding_policies_and_family(callers_url):
    app = desk_app(callers_url)
    async with app.run_test(size=(80, 24)) as pilot:
        await search(pilot, "zs")
        await open_and_verify(pilot, "24")
        screen = app.screen
        assert isinstance(screen, CustomerScreen) and screen.verified
        binding = str(screen.query_one("#binding", Static).render())
        assert "138****5678" in binding and "110105********" in binding
        policies = screen.query_one("#policies", DataTable)
        assert policies.get_row_at(0)[0] == "XK202601100001"
        assert "有效至 2027-01-24" in policies.get_row_at(0)[4]
        family = screen.query_one("#family", DataTable)
        assert family.get_row_at(0)[:2] == ["李丽", "配偶"]


async def card_states(pilot, typed: str) -> dict[str, str]:
    await search(pilot, typed)
    await open_and_verify(pilot, "12")
    await pilot.press("b")
    await settle(pilot)
    assert isinstance(pilot.app.screen, BenefitCardsScreen)
    return {card.status.benefit.code: card.status.state.value for card in pilot.app.screen.query(BenefitCard)}


@pytest.mark.parametrize(
    ("typed", "code", "state"),
    [
        ("zs", "smoking", "available"),  # inside the window
        ("lxm", "escort", "not_yet_open"),  # effective 2026-11-20: opens 2026-12-05
        ("wjg", "news", "expired"),  # window 2024-09-16 .. 2025-09-16
        ("zm", "smoking", "policy_ended"),  # surrendered 2026-09-30
        ("oynn", "escort", "used_up"),  # the one escort of the year is used
        ("oynn", "admission", "available"),
    ],
)
async def test_benefit_cards_tell_the_state_of_each_service(callers_url, typed, code, state):
    app = desk_app(callers_url)
    async with app.run_test(size=(80, 24)) as pilot:
        states = await card_states(pilot, typed)
        assert len(states) == 10
        assert states[code] == state


async def test_i_on_a_card_opens_its_rules_and_esc_comes_back(callers_url):
    app = desk_app(callers_url)
    async with app.run_test(size=(80, 24)) as pilot:
        await card_states(pilot, "zs")
        await pilot.press("right", "right", "i")  # third card: psych
        await settle(pilot)
        assert type(app.screen).__name__ == "CardDetailScreen"
        assert app.screen.status.benefit.code == "psych"
        await pilot.press("escape", "escape")
        assert isinstance(app.screen, CustomerScreen)


async def test_showing_a_number_in_full_needs_a_reason_and_is_audited(callers_url):
    app = desk_app(callers_url)
    async with app.run_test(size=(80, 24)) as pilot:
        await search(pilot, "zs")
        await open_and_verify(pilot, "12")
        await pilot.press("r")
        await settle(pilot)
        await pilot.press("enter")  # no reason
        await settle(pilot)
        assert "原因" in str(app.screen.query_one("#reveal-error", Static).render())
        await pilot.press("f3", *"核对手机", "enter")
        await settle(pilot)
        assert isinstance(app.screen, CustomerScreen)
        assert "13812345678" in str(app.screen.query_one("#customer-status", Static).render())
    # The call's own events (opened, identity check) are on record beside the reveal.
    (event,) = [e for e in rows(app.database, AuditEvent) if not e.action.startswith("call_")]
    assert (event.action, event.reason) == ("reveal_mobile", "核对手机")


async def test_ending_the_call_saves_the_wrap_up_and_returns_to_lookup(callers_url):
    app = desk_app(callers_url)
    async with app.run_test(size=(80, 24)) as pilot:
        await search(pilot, "zs")
        await open_and_verify(pilot, "12")
        await pilot.press("w")
        await settle(pilot)
        await pilot.press(*"咨询戒烟门诊", "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert app.screen.query_one("#search", Input).value == "zs"
    (call,) = rows(app.database, Call)
    assert call.wrap_up_code == "inquiry" and call.ended_at == NOW
    with app.database.unit_of_work() as uow:
        assert [n.text for n in uow.call_notes.of_call(call.id)] == ["咨询戒烟门诊"]


async def test_the_wrap_up_code_is_chosen_with_arrows_while_typing_the_note(callers_url):
    app = desk_app(callers_url)
    async with app.run_test(size=(80, 24)) as pilot:
        await search(pilot, "zs")
        await open_and_verify(pilot, "12")
        await pilot.press("w")
        await settle(pilot)
        await pilot.press("down", *"已预约", "ctrl+s")
        await settle(pilot)
    (call,) = rows(app.database, Call)
    assert call.wrap_up_code == "request_filed"


async def test_the_command_palette_offers_the_screen_keys_by_name(callers_url):
    app = desk_app(callers_url)
    async with app.run_test(size=(80, 24)) as pilot:
        await search(pilot, "zs")
        await open_and_verify(pilot, "12")
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert "权益卡" in titles and "结束通话" in titles
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"权益卡")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, BenefitCardsScreen)


async def test_a_call_on_the_demo_data(database_url):
    """The demo generator's customers are found and verified like any other."""
    from desk.demo.generator import generate_demo
    from desk.use_cases.database import open_database
    from tests.callers import TODAY

    database = open_database(database_url)
    generate_demo(database, customers=60, seed=7, today=TODAY)
    with database.unit_of_work() as uow:
        customer = next(c for c in uow.lookup.by_pinyin_prefix("", 60) if uow.policies.of_customer(c.id))
    database.close()
    app = desk_app(database_url)
    async with app.run_test(size=(80, 24)) as pilot:
        names = await search(pilot, customer.mobile)
        assert names == [customer.name]
        await open_and_verify(pilot, "13")
        assert isinstance(app.screen, CustomerScreen) and app.screen.verified
        await pilot.press("b")
        await settle(pilot)
        assert len(list(app.screen.query(BenefitCard))) == 10


async def test_the_palette_lists_only_desk_commands_and_finds_the_identity_check(callers_url):
    app = desk_app(callers_url)
    async with app.run_test(size=(80, 24)) as pilot:
        await search(pilot, "zs")
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert any("核身" in title for title in titles), titles
        assert not {"Scroll Left", "Screenshot", "Keys", "Quit", "Theme"} & set(titles), titles
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"核身")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert type(app.screen).__name__ == "IdentityScreen"


@pytest.mark.parametrize("key", ["b", "e"])
async def test_a_key_pressed_before_the_customer_view_has_loaded_acts_once_it_has(callers_url, monkeypatch, key):
    """B (the cards) or E (contact details) pressed as the customer view opened, before its
    policies were read, did nothing: the agent saw the view and no cards. Since the
    footer shows its keys in the view's first frame, the tmux walk pressed B that early."""
    import screens.customer as customer_screen
    from screens.contact import ContactFormScreen
    from tests.held import held

    async with desk_app(callers_url).run_test(size=(100, 30)) as pilot:
        await search(pilot, "zs")
        await pilot.press("enter")
        await settle(pilot)
        release = held(monkeypatch, customer_screen, "load_customer_view")
        try:
            await pilot.press("1", "2", "enter")
            await pilot.pause(0.2)
            assert isinstance(pilot.app.screen, CustomerScreen) and pilot.app.screen.view is None
            await pilot.press(key)
        finally:
            release.set()
        await settle(pilot)
        assert isinstance(pilot.app.screen, BenefitCardsScreen if key == "b" else ContactFormScreen)
