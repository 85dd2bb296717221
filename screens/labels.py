"""How domain values read on screen: states, windows, SLA steps, in the current language."""

from __future__ import annotations

from datetime import date, timedelta

from rich.markup import escape
from rich.text import Text

from desk.rules.catalogue import Benefit, SlaStep
from desk.rules.entitlement import BenefitState, BenefitStatus, ServiceWindow, WindowState
from desk.rules.free_text import printable
from desk.texts.due import minute as minute  # screens read times as the reports do
from desk.texts.labels import t


def inert(value: object) -> str:
    """Stored text (a name, a region, a reason) as a table cell or label shows it: no
    escape sequence or control character reaches the terminal (nor throws a column out of
    line), and ``[red]`` in a name is shown as typed, not read as markup."""
    return escape(printable("" if value is None else str(value)))


def inert_text(value: object, *, keep_breaks: bool = False) -> Text:
    """Stored text as a rich ``Text`` (never markup), escape sequences and control
    characters dropped; line breaks kept on ask, for a note shown on its own lines."""
    return Text(printable("" if value is None else str(value), keep_breaks=keep_breaks))


def day(value: date) -> str:
    return value.isoformat()


def window_text(window: ServiceWindow) -> str:
    if window.state is WindowState.ACTIVE:
        # The window is [start, end): the last day services are open is the day before.
        return t("window.active", last=day(window.on - timedelta(days=1)))
    return t(f"window.{window.state.value}", on=day(window.on))


def card_state_text(status: BenefitStatus) -> str:
    if status.state is BenefitState.USED_UP and status.renews_on is not None:
        # Only a later window a supervisor granted renews a quota: name it when there is one.
        return t("card.state.used_up_renews", on=day(status.renews_on))
    on = day(status.on) if status.on else ""
    return t(f"card.state.{status.state.value}", on=on)


def quota_text(status: BenefitStatus) -> str:
    if status.benefit.is_unlimited:
        return t("card.quota_unlimited", note=status.benefit.quota_note_zh, used=status.used)
    if status.left is None:  # the window is closed: nothing is left to offer
        return t("card.quota_closed", used=status.used)
    if status.in_progress:
        return t("card.quota_in_progress", used=status.used, held=status.in_progress, left=status.left)
    return t("card.quota", used=status.used, left=status.left)


def sla_step_text(step: SlaStep) -> str:
    if step.limit is None:  # real time, or on the visit day: the name says it all
        return step.name_zh
    return f"{step.name_zh} {t(f'sla.{step.unit.value}', limit=step.limit)}"


def sla_text(benefit: Benefit) -> str:
    return " → ".join(sla_step_text(step) for step in benefit.sla_steps)


def audience_text(benefit: Benefit) -> str:
    return t(f"card.audience.{benefit.audience.value}")


def state_text(state: str) -> str:
    return t(f"state.{state}")


def policy_status_text(status: str) -> str:
    return t(f"policy.status.{status}")
