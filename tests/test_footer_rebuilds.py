"""The footer is built once per screen change, and still follows the keys it shows (#14).

Textual's footer rebuilds its keys after every bindings signal: F2 built the lookup's once
(as it went behind the queue) and the queue's three times, Esc the lookup's again, each
time with the same keys, at about 12 ms a build.
"""

from __future__ import annotations

import pytest
from textual.widgets import Footer, Static
from textual.widgets._footer import FooterKey

from screens.home import HomeScreen
from screens.queue import QueueScreen
from tests.pilot import desk_app, settle
from tests.test_call_guards import ESCORT, open_card_form
from tests.test_queue_screen import open_queue, with_open_work


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The screens whose footer built its keys, one entry a build (the empty first compose,
    before the screen's bindings are known, builds none)."""
    built: list[str] = []
    compose = Footer.compose

    def counted(footer: Footer):  # noqa: ANN202 - Footer.compose's own generator
        if footer._bindings_ready:
            built.append(type(footer.screen).__name__)
        return compose(footer)

    monkeypatch.setattr(Footer, "compose", counted)
    return built


def footer_keys(screen) -> dict[str, bool]:
    """Each key on the screen's footer, and whether it is enabled."""
    return {key.key: not key.disabled for key in screen.query(FooterKey)}


async def test_f2_and_esc_build_the_footer_once_each(migrated_sqlite_url, builds):
    app = desk_app(with_open_work(migrated_sqlite_url))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.pause(0.1)
        home_keys = footer_keys(app.screen)
        assert "f2" in home_keys
        for _ in range(2):
            builds.clear()
            queue = await open_queue(pilot)
            await settle(pilot)
            assert builds == ["QueueScreen"]
            assert {"enter", "n", "a", "r", "s", "x"} <= set(footer_keys(queue))

            builds.clear()
            await pilot.press("escape")
            await settle(pilot)
            await settle(pilot)
            assert isinstance(app.screen, HomeScreen)
            assert builds == []  # the lookup's keys are the ones it showed before F2
            assert footer_keys(app.screen) == home_keys
        assert isinstance(queue, QueueScreen)


async def test_a_key_enabled_by_check_action_appears_on_the_footer(callers_url, builds):
    """Ctrl+O is hidden on a form until a supervisor's filing is refused with an override
    allowed: the footer is built again for it."""
    app = desk_app(callers_url)
    async with app.run_test(size=(100, 40)) as pilot:
        form = await open_card_form(pilot, ESCORT, caller="oynn")  # the escort of the year is used
        app.agent_role = "supervisor"
        await settle(pilot)
        assert "ctrl+o" not in footer_keys(form)
        builds.clear()
        await pilot.press("down", "down", "tab", *"北京协和医院", "tab", *"心内科", "tab", *"2026-12-01",
                          "tab", *"09:00")
        await settle(pilot)
        assert builds == []  # moving through the boxes changes no key on the footer
        await pilot.press("ctrl+s")
        await settle(pilot)
        await settle(pilot)
        assert "不能受理" in str(form.query_one("#form-message", Static).render())
        assert form.refusal_overridable
        assert footer_keys(form).get("ctrl+o") is True
        assert builds == ["RequestFormScreen"]
