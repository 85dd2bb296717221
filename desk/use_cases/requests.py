"""Filing a request and moving it through its lifecycle: the use cases.

Each use case is one transaction: the rules decide (desk.rules.eligibility, desk.rules.lifecycle),
then the request, its event, its SLA steps and its ledger entries are written together,
or not at all.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from db.tables import AuditEvent, Request, RequestEvent, RequestStep, ServicePeriod, UsageEvent
from db.unit_of_work import UnitOfWork
from desk.errors import DeskError
from desk.rules.booking import booked_details, check_booking
from desk.rules.cancellation import check_cancellation
from desk.rules.catalogue import Benefit, benefit
from desk.rules.confirmation import on_filing
from desk.rules.counting import filing_effect, quota_effect, use_effect
from desk.rules.eligibility import Beneficiary, Decision, PolicyFacts, decide
from desk.rules.free_text import checked_name, checked_text
from desk.rules.lifecycle import STEP_STARTS_AT, check_transition
from desk.rules.request_details import (
    check_details,
    details_shape_problems,
    parse_detail_moment,
    printable_details,
)
from desk.rules.request_states import (
    FINAL_STATES,
    Channel,
    LedgerKind,
    RequestFacts,
    RequestState,
    TransitionRefused,
)
from desk.rules.roles import Action, check_role, roles_that_may
from desk.rules.service_period import Window
from desk.rules.sla_clock import due_for_step
from desk.rules.validation import FieldProblem
from desk.rules.working_calendar import WorkingCalendar
from desk.texts.labels import t
from desk.use_cases.calendar_data import load_working_calendar
from desk.use_cases.limits import BENEFICIARY_NAME, DETAIL_TEXT, REASON

# Who may override a refusal (kept by this name for the screens that ask).
SUPERVISOR_ROLES = roles_that_may(Action.OVERRIDE)


class RequestRefused(DeskError):
    """Filing was refused by a rule; ``decision`` holds the reason and the date."""

    def __init__(self, decision: Decision) -> None:
        super().__init__(decision.reason_zh)
        self.decision = decision


class DetailsRefused(DeskError):
    """The details break a rule of ``desk.rules.request_details``; ``problems`` name the fields."""

    def __init__(self, problems: list[FieldProblem]) -> None:
        super().__init__(t("detail.refused", problems="；".join(p.message for p in problems)))
        self.problems = problems


@dataclass(frozen=True, slots=True)
class Override:
    """A supervisor lets a refused request through; the reason goes to the audit log."""

    supervisor_id: uuid.UUID
    reason: str


@dataclass(frozen=True, slots=True)
class NewRequest:
    policy_id: uuid.UUID
    service_code: str
    beneficiary_member_id: uuid.UUID | None = None  # a family member on file
    beneficiary_name: str = ""  # for anyone-services used by someone not on file
    details: dict[str, Any] | None = None
    channel: Channel = Channel.HOTLINE
    suspected_illness: str | None = None
    # Made by the caller, once per request it means to file, and kept across retries: a
    # retry after a lost answer to COMMIT then finds the first write instead of filing
    # twice. The default makes one when the NewRequest is built, so a caller that retries
    # must retry with the same NewRequest (or the same id), never a rebuilt one.
    request_id: uuid.UUID = field(default_factory=uuid.uuid4)


@dataclass(frozen=True, slots=True)
class Filed:
    request_id: uuid.UUID
    number: str
    state: RequestState
    due_at: datetime | None  # the first SLA step's deadline
    # True when the request was already on file under this id: an earlier attempt was
    # saved although its answer never arrived. Nothing was written this time.
    already_saved: bool = False


def new_request_number(at: datetime) -> str:
    # Short enough to read over the phone; random so offices working offline need not ask
    # anyone. Four bytes: with three, a day of 10,000 filings drew about three duplicates.
    return f"R{at:%y%m%d}{secrets.token_hex(4).upper()}"


def _free_number(uow: UnitOfWork, at: datetime) -> str:
    """A number no request here has yet (a duplicate would fail the save at commit)."""
    number = new_request_number(at)
    while uow.requests.by_number(number) is not None:
        number = new_request_number(at)
    return number


def file_request(
    uow: UnitOfWork,
    new: NewRequest,
    *,
    agent_id: uuid.UUID | None,
    at: datetime,
    override: Override | None = None,
    commit: bool = True,
) -> Filed:
    """Check the rules, then file the request in the same transaction; commits.

    ``commit=False`` leaves the commit to the caller: an import files a whole file in one
    transaction, so earlier rows hold their quota for later ones and a refused row can
    undo them all.

    A request already on file under ``new.request_id`` is returned as ``already_saved``
    before any rule is asked: the retry of a save whose answer was lost must neither file
    twice nor be refused for the use its own first attempt took.
    """
    entry = benefit(new.service_code)
    saved = _already_filed(uow, new)
    if saved is not None:
        return saved
    if override is not None:
        override = Override(override.supervisor_id, checked_reason(override.reason))
    policy = uow.policies.get(new.policy_id)
    if policy is None:
        raise DeskError(t("error.no_policy"))
    periods = uow.service_periods.of_policy(policy.id)
    facts = PolicyFacts(
        policy.status,
        policy.termination_date,
        [Window(p.starts_on, p.ends_on) for p in periods],
        {i.code: i.severity for i in uow.illnesses.of_list(policy.illness_list)},
    )
    beneficiary = _beneficiary(uow, policy.insured_id, new)
    period = _period_at(periods, at) or (periods[-1] if periods else None)
    # Every channel files through here, so no channel stores details the rules refuse.
    details = printable_details(_jsonable(new.details or {}))
    problems = check_details(entry.code, details, today=at.date(), text_limit=DETAIL_TEXT,
                             service_year_ends=period.ends_on - timedelta(days=1) if period else None)
    problems += _name_problems(new.beneficiary_name)
    if problems:
        raise DetailsRefused(problems)
    if period is not None:
        # Serialise filings of one service year before counting its uses.
        uow.service_periods.claim(period.id)
        # A first attempt still committing when this retry began is visible once the
        # claim above has waited for it (PostgreSQL reads committed rows per statement).
        saved = _already_filed(uow, new)
        if saved is not None:
            return saved
    uses = uses_in_year(uow, period.id, entry.code) if period is not None else 0
    decision = decide(entry, facts, beneficiary, at.date(), uses, new.suspected_illness)
    if not decision.allowed:
        if override is None or not decision.overridable:
            raise RequestRefused(decision)
        _check_supervisor(uow, override)
    if period is None:
        raise DeskError(t("error.no_service_period"))

    state = RequestState.USED if entry.real_time else RequestState.SUBMITTED
    if new.suspected_illness:
        details.setdefault("suspected_illness", new.suspected_illness)
    request = uow.requests.add(
        Request(
            id=new.request_id,
            number=_free_number(uow, at),
            policy_id=policy.id,
            service_period_id=period.id,
            customer_id=policy.insured_id,
            service_code=entry.code,
            beneficiary_member_id=new.beneficiary_member_id,
            beneficiary_name=beneficiary.name,
            channel=new.channel,
            state=state,
            submitted_at=at,
            created_by=agent_id,
            details=details,
            # At a branch, a use that can run out waits for head office to count it.
            confirmation=on_filing(entry, at_branch=uow.sync.is_branch()),
        )
    )
    uow.request_events.add(
        RequestEvent(request_id=request.id, at=at, to_state=state, agent_id=agent_id,
                     reason=override.reason if override else "", data={"channel": new.channel})
    )
    if override is not None:
        uow.audit.add(
            AuditEvent(at=at, agent_id=override.supervisor_id, action="override_refusal",
                       subject_type="request", subject_id=request.id, reason=override.reason,
                       detail={"refusal": str(decision.refusal), "service": entry.code})
        )
    filed_effect = filing_effect(entry)
    if filed_effect is not None:
        # With who used it, so the card and the reports see every use.
        uow.ledger.add(
            UsageEvent(policy_id=policy.id, service_period_id=period.id, service_code=entry.code,
                       request_id=request.id, kind=filed_effect, at=at, agent_id=agent_id,
                       reason=beneficiary.name[:256])
        )
    calendar = load_working_calendar(uow)
    steps = _open_steps(uow, entry, request.id, state, at, calendar)
    if commit:
        uow.commit()
    first_due = min((s.due_at for s in steps if s.due_at), default=None)
    return Filed(request.id, request.number, state, first_due)


def _already_filed(uow: UnitOfWork, new: NewRequest) -> Filed | None:
    """The request an earlier attempt filed under ``new.request_id``, if it did."""
    request = uow.requests.get(new.request_id)
    if request is None:
        return None
    if request.policy_id != new.policy_id or request.service_code != benefit(new.service_code).code:
        # Never the same request: a caller reused an id; say so rather than report it saved.
        raise DeskError(t("request.id_reused", number=request.number))
    steps = uow.request_steps.open_of_request(request.id)
    first_due = min((s.due_at for s in steps if s.due_at), default=None)
    return Filed(request.id, request.number, RequestState(request.state), first_due, already_saved=True)


@dataclass(frozen=True, slots=True)
class YearUsage:
    """One service's uses in one service year, as the ledger and the open requests say."""

    used: int  # counted less refunded, plus the real-time uses logged
    in_progress: int  # open requests not yet counted: each holds a use


def usage_in_year(uow: UnitOfWork, period_id: uuid.UUID, service_code: str) -> YearUsage:
    """The uses of ``service_code`` in the service year ``period_id``: used and held."""
    net: dict[uuid.UUID | None, int] = {}
    for event in uow.ledger.events(period_id, service_code):
        net[event.request_id] = net.get(event.request_id, 0) + use_effect(event.kind)
    states = uow.requests.states_in_period(period_id, service_code)
    in_progress = sum(
        1 for request_id, state in states.items()
        if state not in FINAL_STATES and net.get(request_id, 0) <= 0
    )
    return YearUsage(sum(max(n, 0) for n in net.values()), in_progress)


def uses_in_year(uow: UnitOfWork, period_id: uuid.UUID, service_code: str) -> int:
    """Uses that count or may still count: net ledger counts plus open requests not yet
    counted, so the last use can never be promised twice."""
    usage = usage_in_year(uow, period_id, service_code)
    return usage.used + usage.in_progress


@dataclass(frozen=True, slots=True)
class Moved:
    state: RequestState
    ledger: LedgerKind | None
    due_at: datetime | None
    # Whether the request holds a counted use after the move: what a cancellation tells the caller.
    counted: bool = False


def move_request(
    uow: UnitOfWork,
    request_id: uuid.UUID,
    to: RequestState,
    *,
    agent_id: uuid.UUID | None,
    at: datetime,
    reason: str = "",
    data: dict[str, Any] | None = None,
    expected: RequestState | None = None,
) -> Moved:
    """Make one lifecycle transition, with its event, SLA steps and ledger entry; commits.

    ``expected`` is the state the agent saw when choosing the move: a request another agent
    has moved on since is refused rather than moved from a state nobody confirmed. A
    booking is checked against the dates the manual bounds (``desk.rules.booking``) and
    keeps the customer's own hospital beside the booked one; a cancellation must say who
    asked for it (``desk.rules.cancellation``) and records whether the use counted.
    """
    request = uow.requests.get(request_id)
    if request is None:
        raise DeskError(t("error.no_request"))
    if expected is not None and request.state != expected:
        raise TransitionRefused(t("request.changed_meanwhile", state=t(f"state.{request.state}")))
    entry = benefit(request.service_code)
    data = printable_details(_jsonable(data or {}))
    reason = checked_reason(reason)
    if to in (RequestState.REJECTED, RequestState.CANCELLED) and not reason:
        raise DeskError(t("error.reason_required"))
    # What is stored must read back: texts that fit, and a visit time that is one.
    problems = details_shape_problems(data, text_limit=DETAIL_TEXT)
    if to is RequestState.BOOKED:
        problems = problems or check_booking(entry.code, data, at=at)
        data = booked_details(data)
    elif to is RequestState.CANCELLED:
        problems = problems or check_cancellation(data)
    elif data.get("visit_at"):
        problems = problems or _moment_problems(data["visit_at"])
    if problems:
        raise TransitionRefused("；".join(p.message for p in problems))
    if request.service_period_id is not None:
        uow.service_periods.claim(request.service_period_id)
    calendar = load_working_calendar(uow)
    net = uow.ledger.net_by_request(request.service_period_id, entry.code) if request.service_period_id else {}
    visit_at = _visit_at(request.details, data)
    facts = RequestFacts(
        service_code=entry.code,
        state=RequestState(request.state),
        submitted_at=request.submitted_at,
        visit_at=visit_at,
        counted=net.get(request.id, 0) > 0,
        arrangement_due=_due_of(uow, request.id, "arrangement"),
    )
    effect = check_transition(entry, facts, to, at, calendar)
    counted = net.get(request.id, 0) + quota_effect(effect) > 0
    if to is RequestState.CANCELLED:
        # The caller is told, and the record keeps, whether this cancellation used the quota.
        data["counted"] = counted

    # The agent who held the step now done holds the step it opens: an assignment is to
    # the request's next step, not to one deadline.
    assignee = None
    for step in uow.request_steps.open_of_request(request.id):
        step.done_at = at
        assignee = assignee or step.assigned_to
        uow.request_steps.add(step)
    event = RequestEvent(request_id=request.id, at=at, from_state=request.state, to_state=to,
                         agent_id=agent_id, reason=reason.strip(), data=data)
    uow.request_events.add(event)
    request.state = to
    if data and to is not RequestState.CANCELLED:
        # What a booking agreed joins the details; who cancelled stays with its event.
        request.details = {**request.details, **data}
    uow.requests.add(request)
    if effect is not None and request.service_period_id is not None:
        uow.ledger.add(
            UsageEvent(policy_id=request.policy_id, service_period_id=request.service_period_id,
                       service_code=entry.code, request_id=request.id, kind=effect, at=at,
                       agent_id=agent_id, reason=f"{request.state}")
        )
    steps = _open_steps(uow, entry, request.id, to, at, calendar, visit_at)
    for step in steps:
        step.assigned_to = assignee
        uow.request_steps.add(step)
    uow.commit()
    return Moved(to, effect, min((s.due_at for s in steps if s.due_at), default=None), counted)


def _open_steps(
    uow: UnitOfWork,
    entry: Benefit,
    request_id: uuid.UUID,
    state: RequestState,
    at: datetime,
    calendar: WorkingCalendar,
    visit_at: datetime | None = None,
) -> list[RequestStep]:
    """Start the SLA steps that the event of reaching ``state`` starts, with due times."""
    steps = []
    for step in entry.sla_steps:
        if STEP_STARTS_AT.get(step.starts_after) is not state or state in FINAL_STATES:
            continue
        due = due_for_step(step, at, calendar)
        due_at = due.at if due else None
        if due_at is None and visit_at is not None:
            # "On the visit day": due by the end (24:00) of that day, as the SLA clock says.
            due_at = datetime.combine(visit_at.date() + timedelta(days=1), time(0))
        steps.append(uow.request_steps.add(
            RequestStep(request_id=request_id, service_code=entry.code, step_code=step.code, started_at=at, due_at=due_at,
                        calendar_unknown_after=due.calendar_unknown_after if due else None)
        ))
    return steps


def _jsonable(data: dict[str, Any]) -> dict[str, Any]:
    # Details live in a JSON column: dates and times are kept as ISO text.
    return {k: v.isoformat() if isinstance(v, date | datetime) else v for k, v in data.items()}


def _visit_at(details: dict[str, Any], data: dict[str, Any]) -> datetime | None:
    value = data.get("visit_at") or details.get("visit_at")
    if not value:
        return None
    try:
        return parse_detail_moment(t("detail.label.visit_at"), value)
    except ValueError:
        # Only a request an older desk stored can hold one (data was checked above): it
        # moves on as one without an agreed time rather than never moving again.
        return None


def _moment_problems(value: Any) -> list[FieldProblem]:
    try:
        parse_detail_moment(t("detail.label.visit_at"), value)
    except ValueError as error:
        return [FieldProblem("visit_at", str(error))]
    return []


def checked_reason(reason: str) -> str:
    """A reason as it is stored (control characters dropped); DeskError if it does not fit."""
    try:
        return checked_text(t("request.reason"), reason, max_length=REASON)
    except ValueError as error:
        raise DeskError(str(error)) from None


def _name_problems(name: str) -> list[FieldProblem]:
    try:
        checked_name(t("detail.label.user_name"), name, max_length=BENEFICIARY_NAME)
    except ValueError as error:
        return [FieldProblem("user_name", str(error))]
    return []


def _due_of(uow: UnitOfWork, request_id: uuid.UUID, step_code: str) -> datetime | None:
    for step in uow.request_steps.of_request(request_id):
        if step.step_code == step_code:
            return step.due_at
    return None


def _period_at(periods: list[ServicePeriod], at: datetime) -> ServicePeriod | None:
    day = at.date()
    return next((p for p in periods if p.starts_on <= day < p.ends_on), None)


def _beneficiary(uow: UnitOfWork, insured_id: uuid.UUID, new: NewRequest) -> Beneficiary:
    if new.beneficiary_member_id is not None:
        member = uow.family.get(new.beneficiary_member_id)
        if member is None or member.customer_id != insured_id:
            raise DeskError(t("error.family_not_on_file"))
        return Beneficiary(False, member.name, member.relation, on_file=bool(member.id_number))
    if new.beneficiary_name.strip():
        insured = uow.customers.get(insured_id)
        is_insured = insured is not None and insured.name == new.beneficiary_name.strip()
        return Beneficiary(is_insured, new.beneficiary_name.strip())
    insured = uow.customers.get(insured_id)
    return Beneficiary(True, insured.name if insured else "")


def _check_supervisor(uow: UnitOfWork, override: Override) -> None:
    if not override.reason.strip():
        raise DeskError(t("error.override_reason"))
    supervisor = uow.agents.get(override.supervisor_id)
    check_role(supervisor.role if supervisor is not None else None, Action.OVERRIDE)
