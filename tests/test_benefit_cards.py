"""Issue 10, "a call the agent can trust": filing and the benefit cards, on real databases
and key by key in the app.

The cast is tests/callers.py (today 2026-11-24): 张三's service year runs 2026-01-25 ..
2027-01-24 and no later window is granted; 欧阳娜娜's escort of the year is used; 赵敏
surrendered on 2026-09-30.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from textual.widgets import Static

from db.tables import Customer, FamilyMember, Policy, Request, ServicePeriod, UsageEvent
from desk.rules.search_keys import customer_search_keys
from desk.rules.service_period import initial_window
from desk.use_cases.customer_view import load_benefit_cards
from desk.use_cases.database import open_database
from desk.use_cases.form_context import load_form_context
from desk.use_cases.request_import import import_requests
from desk.use_cases.requests import NewRequest, RequestRefused, file_request, uses_in_year
from screens.cards import BenefitCard, BenefitCardsScreen
from screens.request_form import ChoiceList
from tests.callers import TODAY, policy_of, resident_id, rows
from tests.pilot import desk_app, open_and_verify, search, settle
from tests.test_form_flow import FILLS, fill, open_form

ZHANG = "XK202601100001"
ZHANG_ID = resident_id("110105", date(1990, 3, 7), "123")
AT = datetime(2026, 9, 28, 10, 0)




def file(database, code: str, number: str = ZHANG, at: datetime = AT, **kwargs):
    with database.unit_of_work() as uow:
        return file_request(uow, NewRequest(policy_of(database, number), code, **kwargs), agent_id=None, at=at)


def cards_of(database, number: str = ZHANG, today: date = TODAY) -> dict:
    with database.unit_of_work() as uow:
        cards = load_benefit_cards(uow, policy_of(database, number), today)
    return {card.benefit.code: card for card in cards.cards}


async def open_cards(pilot, caller: str = "zs") -> BenefitCardsScreen:
    await search(pilot, caller)
    await open_and_verify(pilot, "12")
    await pilot.press("b")
    await settle(pilot)
    assert isinstance(pilot.app.screen, BenefitCardsScreen)
    return pilot.app.screen


def card_text(screen, code: str) -> str:
    return str(screen.query_one(f"#card-{code}", BenefitCard).render())


# --- 1. the green channel is for the severe list only -------------------------------------

ADMISSION = {"kind": "surgery", "hospital": "北京肿瘤医院", "diagnosis_ref": "ZD1", "admission_slip_ref": "ZY1"}


@pytest.mark.parametrize("code", ["escort", "admission"])
def test_filing_the_green_channel_with_a_mild_illness_is_refused(cast, code):
    details = ADMISSION if code == "admission" else {}
    with pytest.raises(RequestRefused, match="轻症"):
        file(cast, code, suspected_illness="M01", details=details)
    assert rows(cast, Request) == []


def test_the_wechat_import_refuses_a_mild_illness_too(cast, tmp_path: Path):
    path = tmp_path / "wechat.csv"
    path.write_text(
        "id_number,policy_number,service_code,beneficiary,suspected_illness,details,submitted_at\n"
        f"{ZHANG_ID},,escort,,M01,,2026-09-28 10:00\n",
        encoding="utf-8",
    )
    report = import_requests(cast, path)
    assert not report.written
    assert any("轻症" in problem.reason for problem in report.problems)
    assert rows(cast, Request) == []


def test_the_form_offers_only_the_severe_entries_of_the_policy_list(cast):
    with cast.unit_of_work() as uow:
        context = load_form_context(uow, policy_of(cast, ZHANG), TODAY)
        severe = {i.code for i in uow.illnesses.of_list("industry_2020") if i.severity == "重度"}
    assert {code for code, _ in context.illnesses} == severe
    assert severe and all(code.startswith("S") for code in severe)


async def test_the_escort_form_lists_no_mild_illness(callers_url):
    app = desk_app(callers_url)
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await open_form(pilot, "escort")
        choices = screen.query_one("#field-suspected_illness", ChoiceList)
        codes = [choices.get_option_at_index(i).id for i in range(choices.option_count)]
        labels = [str(choices.get_option_at_index(i).prompt) for i in range(choices.option_count)]
        assert "S01" in codes and not any(code.startswith("M") for code in codes if code)
        assert not any("轻度" in label for label in labels)


# --- 2. a renewal date only when a later window exists ------------------------------------

def test_a_quota_refusal_says_the_year_ends_when_nothing_renews(cast):
    with pytest.raises(RequestRefused) as refused:
        file(cast, "escort", number="XK202602010005", suspected_illness="S01")
    message = str(refused.value)
    assert "2027-02-15" in message and "2027-02-16" not in message


def test_a_quota_refusal_names_the_renewal_once_a_supervisor_granted_one(cast):
    with cast.unit_of_work() as uow:
        policy = uow.policies.by_number("XK202602010005")
        uow.service_periods.add(ServicePeriod(policy_id=policy.id, starts_on=date(2027, 2, 16),
                                              ends_on=date(2028, 2, 16), kind="renewal"))
        uow.commit()
    with pytest.raises(RequestRefused, match="2027-02-16 起"):
        file(cast, "escort", number="XK202602010005", suspected_illness="S01")


async def test_the_used_up_card_names_the_last_day_not_a_renewal(callers_url):
    app = desk_app(callers_url)
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await open_cards(pilot, "oynn")
        text = card_text(screen, "escort")
        assert "已用完" in text and "2027-02-15" in text
        assert "续期" not in text and "2027-02-16" not in text


# --- 3. unlimited services record each use -------------------------------------------------

@pytest.mark.parametrize("code", ["psych", "news", "med_reminder"])
def test_a_real_time_use_is_written_to_the_ledger_with_who_filed_it(cast, code):
    details = {"med_reminder": {"drug": "阿司匹林", "dose": "1片", "times": "08:00", "channel": "sms"},
               "psych": {"scales": ["anxiety"]}}.get(code, {})
    filed = file(cast, code, details=details)
    (event,) = [e for e in rows(cast, UsageEvent) if e.service_code == code]
    assert (event.request_id, event.service_code, event.kind, event.at) == (filed.request_id, code, "used", AT)
    assert cards_of(cast)[code].used == 1


def test_real_time_uses_leave_every_quota_alone(cast):
    for _ in range(3):
        file(cast, "psych", details={"scales": ["anxiety"]})
    file(cast, "smoking")
    with cast.unit_of_work() as uow:
        period = uow.requests.get(file(cast, "news").request_id).service_period_id
        assert uses_in_year(uow, period, "smoking") == 1
        assert uses_in_year(uow, period, "escort") == 0
    cards = cards_of(cast)
    assert (cards["psych"].used, cards["news"].used) == (3, 1)
    assert (cards["smoking"].used, cards["smoking"].in_progress, cards["smoking"].left) == (0, 1, 11)


async def test_a_psych_test_shows_on_its_card(callers_url):
    app = desk_app(callers_url)
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await open_form(pilot, "psych")
        await fill(pilot, screen, FILLS["psych"])
        assert isinstance(app.screen, BenefitCardsScreen)
        assert "已用 1" in card_text(app.screen, "psych")


# --- 4. a hold is in progress, not a use ----------------------------------------------------

def test_a_just_filed_escort_is_in_progress_and_still_refuses_a_second(cast):
    file(cast, "escort", suspected_illness="S01")
    escort = cards_of(cast)["escort"]
    assert (escort.state.value, escort.used, escort.in_progress, escort.left) == ("in_progress", 0, 1, 0)
    with pytest.raises(RequestRefused):
        file(cast, "escort", suspected_illness="S02")


async def test_the_escort_card_says_in_progress_after_filing(callers_url):
    app = desk_app(callers_url)
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await open_form(pilot, "escort")
        await fill(pilot, screen, FILLS["escort"])
        assert isinstance(app.screen, BenefitCardsScreen)
        text = card_text(app.screen, "escort")
        assert "办理中 1" in text and "已用 0" in text
        assert "已用完" not in text


async def test_a_terminated_policy_card_shows_no_remaining(callers_url):
    app = desk_app(callers_url)
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await open_cards(pilot, "zm")
        for code in ("escort", "smoking"):
            text = card_text(screen, code)
            assert "保单已于 2026-09-30 终止" in text and "剩余" not in text


# --- 5. whose cards -------------------------------------------------------------------------

def add_son_insured_by_zhang_as_holder(url: str) -> None:
    """张小明, 张三's son, is the insured of a policy 张三 holds and pays for."""
    database = open_database(url)
    with database.unit_of_work() as uow:
        father = uow.customers.get(uow.policies.by_number(ZHANG).insured_id)
        son_id = resident_id("110105", date(2015, 6, 1), "135")
        son = uow.customers.add(Customer(
            name="张小明", id_number=son_id, birth_date=date(2015, 6, 1), sex="M", mobile="",
            **customer_search_keys("张小明", son_id, "")))
        policy = uow.policies.add(Policy(
            policy_number="XK202601150006", product="小康康卫士重大疾病保险", insured_id=son.id,
            holder_id=father.id, effective_date=date(2026, 1, 15), status="active"))
        window = initial_window(date(2026, 1, 15))
        uow.service_periods.add(ServicePeriod(policy_id=policy.id, starts_on=window.starts_on, ends_on=window.ends_on))
        uow.family.add(FamilyMember(customer_id=son.id, name="张三", relation="parent", id_number=father.id_number))
        uow.commit()
    database.close()


async def test_the_cards_of_a_policy_the_caller_holds_name_the_insured(callers_url):
    add_son_insured_by_zhang_as_holder(callers_url)
    app = desk_app(callers_url)
    async with app.run_test(size=(100, 40)) as pilot:
        await search(pilot, "zs")
        await open_and_verify(pilot, "12")
        await pilot.press("b")  # the newest policy comes first: the one 张三 holds for his son
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, BenefitCardsScreen) and screen.cards.policy_number == "XK202601150006"
        line = str(screen.query_one("#cards-insured", Static).render())
        assert "被保险人：张小明" in line and "来电人为投保人" in line and "父母" in line


async def test_the_insured_calling_is_named_as_the_insured(callers_url):
    app = desk_app(callers_url)
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await open_cards(pilot, "zs")
        assert str(screen.query_one("#cards-insured", Static).render()) == "被保险人：张三（来电人本人）"


def test_the_card_use_case_names_the_insured_and_the_callers_role(cast):
    add_son_insured_by_zhang_as_holder(str(cast.engine.url.render_as_string(hide_password=False)))
    with cast.unit_of_work() as uow:
        father = uow.policies.by_number(ZHANG).insured_id
        cards = load_benefit_cards(uow, policy_of(cast, "XK202601150006"), TODAY, caller_id=father)
    assert (cards.insured_name, cards.caller_role, cards.caller_relation) == ("张小明", "holder", "父母")


async def test_the_form_opened_for_a_policy_the_caller_holds_names_the_insured_too(callers_url):
    from screens.request_form import RequestFormScreen

    add_son_insured_by_zhang_as_holder(callers_url)
    app = desk_app(callers_url)
    async with app.run_test(size=(100, 40)) as pilot:
        await search(pilot, "zs")
        await open_and_verify(pilot, "12")
        await pilot.press("b")
        await settle(pilot)
        await pilot.press("enter")  # the escort card: insured-only
        await settle(pilot)
        form = app.screen
        assert isinstance(form, RequestFormScreen) and form.benefit.code == "escort"
        line = str(form.query_one("#form-insured", Static).render())
        assert "被保险人：张小明" in line and "来电人为投保人" in line and "仅限被保险人本人" in line
