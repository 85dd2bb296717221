"""Filing each kind of request from its card, key by key, and walking one through its life."""

from __future__ import annotations

import pytest
from textual.widgets import Input, SelectionList, Static

from db.tables import Request
from desk.use_cases.drafts import DraftStore
from screens.cards import BenefitCardsScreen
from screens.request_form import ChoiceList, RequestFormScreen
from tests.callers import rows
from tests.pilot import desk_app, open_and_verify, press_and_leave, search, settle

CARD_INDEX = {code: n for n, code in enumerate(
    ["escort", "admission", "psych", "smoking", "advance_claim", "news", "lectures", "ai_consult", "pharmacy",
     "med_reminder"])}


async def open_form(pilot, code: str, caller: str = "zs") -> RequestFormScreen:
    await search(pilot, caller)
    await open_and_verify(pilot, "12")
    await pilot.press("b")
    await settle(pilot)
    assert isinstance(pilot.app.screen, BenefitCardsScreen)
    await pilot.press(*["right"] * CARD_INDEX[code], "enter")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, RequestFormScreen) and screen.benefit.code == code
    return screen


async def fill(pilot, screen: RequestFormScreen, answers: dict[str, object]) -> None:
    """Type or choose each answer, moving with Tab as an agent does."""
    for form_field in screen.fields:
        widget = screen.query_one(f"#field-{form_field.name}")
        if form_field.name in answers:
            assert screen.focused is widget, (form_field.name, screen.focused)
            answer = answers[form_field.name]
            if isinstance(widget, Input):
                await pilot.press(*str(answer))
            elif isinstance(widget, ChoiceList):
                # The n-th choice is n presses of ↓ (nothing is chosen before the first).
                await pilot.press(*["down"] * int(answer))
            elif isinstance(widget, SelectionList):
                for index in answer:  # type: ignore[union-attr]
                    widget.highlighted = index
                    await pilot.press("space")
            await pilot.pause()
        await pilot.press("tab")
    await press_and_leave(pilot, "ctrl+s")


FILLS = {
    "escort": {"suspected_illness": 2, "hospital": "北京协和医院", "department": "心内科",
               "preferred_dates": "2026-12-01", "meeting_time": "09:00"},
    "admission": {"kind": 2, "suspected_illness": 1, "hospital": "北京肿瘤医院", "diagnosis_ref": "ZD1",
                  "admission_slip_ref": "ZY1"},
    "psych": {"scales": [0, 4]},
    "smoking": {"city": 1, "hospital": 1, "preferred_date": "2026-12-02"},
    "advance_claim": {"diagnosis": "肺癌", "hospital": "北京肿瘤医院", "materials": [0, 2]},
    "med_reminder": {"drug": "阿司匹林", "dose": "1片", "times": "08:00", "channel": 1},
    "pharmacy": {"note": "降压药"},
    "news": {},
    "lectures": {"note": "讲座"},
    "ai_consult": {"note": "头痛"},
}


@pytest.mark.parametrize("code", list(FILLS))
async def test_file_each_kind_of_request_from_its_card(callers_url, code):
    app = desk_app(callers_url)
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await open_form(pilot, code)
        await fill(pilot, screen, FILLS[code])
        assert isinstance(app.screen, BenefitCardsScreen), str(screen.query_one("#form-message", Static).render())
        assert "已提交申请" in str(app.screen.query_one("#cards-title", Static).render())
    (request,) = rows(app.database, Request)
    assert request.service_code == code and request.channel == "hotline"


async def test_validation_errors_show_beside_their_fields_and_nothing_is_filed(callers_url):
    app = desk_app(callers_url)
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await open_form(pilot, "escort")
        await fill(pilot, screen, {"hospital": "协和", "meeting_time": "25:00"})
        assert app.screen is screen
        assert "疑似重疾：必填" in str(screen.query_one("#error-suspected_illness", Static).render())
        assert "HH:MM" in str(screen.query_one("#error-meeting_time", Static).render())
        assert str(screen.query_one("#error-hospital", Static).render()) == ""
        assert screen.focused is screen.query_one("#field-suspected_illness")
    assert rows(app.database, Request) == []


async def test_a_refusal_is_read_out_and_the_form_stays_filled(callers_url):
    app = desk_app(callers_url)
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await open_form(pilot, "escort", caller="oynn")  # escort used up this year
        await fill(pilot, screen, FILLS["escort"])
        assert app.screen is screen
        message = str(screen.query_one("#form-message", Static).render())
        assert "不能受理" in message and "2027-02-15" in message  # the service year's last day
        assert screen.query_one("#field-hospital", Input).value == "北京协和医院"


async def test_esc_asks_before_throwing_typed_values_away(callers_url):
    app = desk_app(callers_url)
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await open_form(pilot, "pharmacy")
        await pilot.press("tab", *"降压药", "escape")
        await settle(pilot)
        assert type(app.screen).__name__ == "ConfirmDiscard"
        await pilot.press("n")
        assert app.screen is screen and screen.query_one("#field-note", Input).value == "降压药"
        await pilot.press("escape", "y")
        await settle(pilot)
        assert isinstance(app.screen, BenefitCardsScreen)


async def test_a_failed_save_keeps_the_form_and_a_draft_that_comes_back(callers_url, monkeypatch):
    import desk.use_cases.requests

    def database_gone(*args, **kwargs):
        raise ConnectionError("server closed the connection unexpectedly")

    working = desk.use_cases.requests.file_request

    app = desk_app(callers_url)
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await open_form(pilot, "pharmacy")
        monkeypatch.setattr(desk.use_cases.requests, "file_request", database_gone)
        await fill(pilot, screen, {"note": "降压药"})
        assert app.screen is screen
        message = str(screen.query_one("#form-message", Static).render())
        assert "保存失败" in message and "草稿" in message
        assert screen.query_one("#field-note", Input).value == "降压药"
    assert DraftStore().load(screen.policy_id, "pharmacy")["note"] == "降压药"
    # (not monkeypatch.undo(): that would also undo the fixture that keeps drafts in tmp)
    monkeypatch.setattr(desk.use_cases.requests, "file_request", working)

    again = desk_app(callers_url)  # after a restart
    async with again.run_test(size=(100, 40)) as pilot:
        screen = await open_form(pilot, "pharmacy")
        assert screen.query_one("#field-note", Input).value == "降压药"
        assert "草稿" in str(screen.query_one("#form-message", Static).render())
        await press_and_leave(pilot, "ctrl+s")
        assert isinstance(again.screen, BenefitCardsScreen)
    assert DraftStore().load(screen.policy_id, "pharmacy") is None
