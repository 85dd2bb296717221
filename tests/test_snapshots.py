"""Every screen of the call flow, in 80×24 and 160×48, on a fixed cast and a fixed clock."""

from __future__ import annotations

import shutil

import pytest

from desk.database import open_database
from screens.app import DeskApp
from tests.callers import NOW, add_callers

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((160, 48), id="160x48")]


@pytest.fixture
def snapshot_url(sqlite_template, tmp_path):
    path = tmp_path / "desk.sqlite3"
    shutil.copyfile(sqlite_template, path)
    url = f"sqlite:///{path}"
    database = open_database(url)
    add_callers(database)
    database.close()
    return url


def desk_app(url: str) -> DeskApp:
    return DeskApp(database_url=url, clock=lambda: NOW, agent_login="agent01")


async def settle(pilot) -> None:
    for _ in range(2):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


def steps(*keys: str):
    async def run(pilot) -> None:
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)

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
