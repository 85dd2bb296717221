"""May this person use this service on this policy now? Pure rules, with reasons.

Every refusal carries a sentence an agent can read to the caller and, where there is
one, the date things change (the window opens, the quota renews with a later window a
supervisor granted). A supervisor may override a refusal for the window or the quota
(audited elsewhere); nothing overrides a terminated policy, the wrong person or an
illness that is missing from the policy's list or only a mild (轻症) entry of it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from desk.rules.catalogue import Audience, Benefit
from desk.rules.entitlement import WindowState, service_window
from desk.rules.service_period import Window
from desk.texts.labels import t

# 直系亲属 as the manual means it: spouse, parents, children, grandparents, grandchildren.
IMMEDIATE_FAMILY = frozenset({"spouse", "parent", "child", "grandparent", "grandchild"})

# The severity of an illness-list entry (the illness table's ``severity``) that opens the
# green channel: the manual limits it to "保险条款列明的重症列表疾病疑似诊断", so the mild
# entries (轻度, 轻症) of the same list do not.
GREEN_CHANNEL_SEVERITY = "重度"


def green_channel_illness(severity: str) -> bool:
    """Whether an entry of this severity on the policy's list opens the green channel."""
    return severity.strip() == GREEN_CHANNEL_SEVERITY


class Refusal(StrEnum):
    NOT_YET_OPEN = "not_yet_open"
    EXPIRED = "expired"
    POLICY_ENDED = "policy_ended"
    INSURED_ONLY = "insured_only"
    NOT_FAMILY = "not_family"
    FAMILY_NOT_ON_FILE = "family_not_on_file"
    ILLNESS_NOT_LISTED = "illness_not_listed"
    ILLNESS_NOT_SEVERE = "illness_not_severe"
    QUOTA_USED_UP = "quota_used_up"


OVERRIDABLE = frozenset({Refusal.NOT_YET_OPEN, Refusal.EXPIRED, Refusal.QUOTA_USED_UP})


@dataclass(frozen=True, slots=True)
class Beneficiary:
    """Who would use the service: the insured, a family member on file, or anyone else."""

    is_insured: bool
    name: str
    relation: str | None = None  # for a family member: spouse, parent, …
    on_file: bool = False  # a family member recorded with name, relation and ID


@dataclass(frozen=True, slots=True)
class PolicyFacts:
    status: str
    termination_date: date | None
    windows: Sequence[Window]
    # The policy's critical-illness list: code -> severity (重度 or 轻度).
    listed_illnesses: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class Decision:
    refusal: Refusal | None
    reason_zh: str = ""
    # The date that changes the answer: opens on, renews on (only when a later window was
    # granted), expired on, ended on; None when no date will change it.
    on: date | None = None
    window: Window | None = None

    @property
    def allowed(self) -> bool:
        return self.refusal is None

    @property
    def overridable(self) -> bool:
        return self.refusal in OVERRIDABLE


def decide(
    benefit: Benefit,
    policy: PolicyFacts,
    beneficiary: Beneficiary,
    day: date,
    uses_in_year: int,
    suspected_illness: str | None = None,
) -> Decision:
    """Whether ``beneficiary`` may use ``benefit`` on ``day``; the first rule that fails says why.

    ``uses_in_year`` counts the uses of this service year that count or may still count
    (counted in the ledger, plus requests still open), so two open requests can never
    share the last use.
    """
    window = service_window(policy.status, policy.termination_date, policy.windows, day)
    if window.state is WindowState.POLICY_ENDED:
        return Decision(Refusal.POLICY_ENDED, t("refusal.policy_ended", on=window.on), window.on)
    if window.state is WindowState.NOT_YET_OPEN:
        return Decision(
            Refusal.NOT_YET_OPEN, t("refusal.not_yet_open", on=window.on), window.on, window.window
        )
    if window.state is WindowState.EXPIRED:
        return Decision(Refusal.EXPIRED, t("refusal.expired", on=window.on), window.on, window.window)

    audience = _audience_refusal(benefit, beneficiary)
    if audience is not None:
        return audience

    if benefit.needs_listed_illness:
        if suspected_illness is None or suspected_illness not in policy.listed_illnesses:
            return Decision(Refusal.ILLNESS_NOT_LISTED, t("refusal.illness_not_listed"))
        if not green_channel_illness(policy.listed_illnesses[suspected_illness]):
            return Decision(Refusal.ILLNESS_NOT_SEVERE, t("refusal.illness_not_severe", code=suspected_illness))

    quota = benefit.quota_per_year
    if quota is not None and uses_in_year >= quota:
        last_day = window.on - timedelta(days=1)
        if window.renews_on is None:
            # Services last one year: nothing renews unless a supervisor grants a window.
            reason = t("refusal.quota_used_up", last_day=last_day, quota=quota)
        else:
            reason = t("refusal.quota_used_up_renews", last_day=last_day, quota=quota, on=window.renews_on)
        return Decision(Refusal.QUOTA_USED_UP, reason, window.renews_on, window.window)
    return Decision(None, window=window.window)


def _audience_refusal(benefit: Benefit, beneficiary: Beneficiary) -> Decision | None:
    if benefit.audience is Audience.ANYONE or beneficiary.is_insured:
        return None
    if benefit.audience is Audience.INSURED:
        return Decision(Refusal.INSURED_ONLY, t("refusal.insured_only"))
    if beneficiary.relation not in IMMEDIATE_FAMILY:
        return Decision(Refusal.NOT_FAMILY, t("refusal.not_family"))
    if not beneficiary.on_file:
        return Decision(Refusal.FAMILY_NOT_ON_FILE, t("refusal.family_not_on_file"))
    return None
