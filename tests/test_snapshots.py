"""Every screen of the call flow, in 80×24 and 160×48, on a fixed cast and a fixed clock."""

from __future__ import annotations

import pytest

from desk.use_cases.database import open_database
from tests.callers import add_callers
from tests.pilot import desk_app, press_settled, settle

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((160, 48), id="160x48")]


@pytest.fixture
def snapshot_url(migrated_sqlite_url):
    database = open_database(migrated_sqlite_url)
    add_callers(database)
    database.close()
    return migrated_sqlite_url


def steps(*keys: str):
    async def run(pilot) -> None:
        await settle(pilot)
        await press_settled(pilot, *keys)

    return run


@pytest.mark.parametrize("size", SIZES)
def test_lookup_with_results(snap_compare, snapshot_url, size):
    assert snap_compare(desk_app(snapshot_url), terminal_size=size, run_before=steps("z"))


@pytest.mark.parametrize("size", SIZES)
def test_identity_check(snap_compare, snapshot_url, size):
    assert snap_compare(desk_app(snapshot_url), terminal_size=size, run_before=steps("z", "s", "enter", "2"))


@pytest.mark.parametrize("size", SIZES)
def test_customer_view(snap_compare, snapshot_url, size):
    keys = ("z", "s", "enter", "1", "2", "enter")
    assert snap_compare(desk_app(snapshot_url), terminal_size=size, run_before=steps(*keys))


@pytest.mark.parametrize("size", SIZES)
def test_customer_view_unverified(snap_compare, snapshot_url, size):
    keys = ("z", "s", "enter", "1", "enter")
    assert snap_compare(desk_app(snapshot_url), terminal_size=size, run_before=steps(*keys))


@pytest.mark.parametrize("size", SIZES)
def test_benefit_cards(snap_compare, snapshot_url, size):
    # 欧阳娜娜: escort used up, the rest available.
    keys = ("o", "y", "n", "n", "enter", "1", "2", "enter", "b")
    assert snap_compare(desk_app(snapshot_url), terminal_size=size, run_before=steps(*keys))


@pytest.mark.parametrize("size", SIZES)
def test_benefit_cards_policy_ended(snap_compare, snapshot_url, size):
    keys = ("z", "m", "enter", "1", "2", "enter", "b")
    assert snap_compare(desk_app(snapshot_url), terminal_size=size, run_before=steps(*keys))


@pytest.mark.parametrize("size", SIZES)
def test_card_detail(snap_compare, snapshot_url, size):
    keys = ("z", "s", "enter", "1", "2", "enter", "b", "right", "right", "right", "i")
    assert snap_compare(desk_app(snapshot_url), terminal_size=size, run_before=steps(*keys))


@pytest.mark.parametrize("size", SIZES)
def test_wrap_up(snap_compare, snapshot_url, size):
    keys = ("z", "s", "enter", "1", "2", "enter", "w")
    assert snap_compare(desk_app(snapshot_url), terminal_size=size, run_before=steps(*keys))


@pytest.mark.parametrize("size", SIZES)
def test_reveal(snap_compare, snapshot_url, size):
    keys = ("z", "s", "enter", "1", "2", "enter", "r")
    assert snap_compare(desk_app(snapshot_url), terminal_size=size, run_before=steps(*keys))


FORM_CARDS = ["escort", "admission", "psych", "smoking", "advance_claim", "news", "lectures", "ai_consult",
              "pharmacy", "med_reminder"]


@pytest.mark.parametrize("code", FORM_CARDS)
def test_request_form(snap_compare, snapshot_url, code):
    keys = ("z", "s", "enter", "1", "2", "enter", "b", *["right"] * FORM_CARDS.index(code), "enter")
    assert snap_compare(desk_app(snapshot_url), terminal_size=(80, 24), run_before=steps(*keys))


def test_request_form_with_problems(snap_compare, snapshot_url):
    keys = ("z", "s", "enter", "1", "2", "enter", "b", "enter", "ctrl+s")
    assert snap_compare(desk_app(snapshot_url), terminal_size=(80, 24), run_before=steps(*keys))


def _with_request(url: str) -> str:
    from datetime import datetime

    from desk.use_cases.requests import NewRequest, file_request

    database = open_database(url)
    with database.unit_of_work() as uow:
        policy = uow.policies.by_number("XK202601100001")
        file_request(uow, NewRequest(policy.id, "smoking", details={"city": "北京", "hospital": "中日友好医院"}),
                     agent_id=None, at=datetime(2026, 11, 23, 10))
    database.close()
    return url


@pytest.mark.parametrize("size", SIZES)
def test_request_view(snap_compare, snapshot_url, size, monkeypatch):
    # Request numbers are random so offline offices never collide; a snapshot needs one.
    monkeypatch.setattr("desk.use_cases.requests.new_request_number", lambda at: "R261123A1B2C3")

    async def run(pilot) -> None:
        await steps("z", "s", "enter", "1", "2", "enter")(pilot)
        pilot.app.screen.query_one("#requests").focus()
        await steps("enter")(pilot)

    assert snap_compare(desk_app(_with_request(snapshot_url)), terminal_size=size, run_before=run)
