"""One demo request's history, walked through the lifecycle's own rules.

Each transition is one the lifecycle offers (``next_states``), and each ledger entry is
the one the counting rule gives (``check_transition``): a rule changed in ``desk.rules``
changes the demo with it. The builders only choose the path and the times.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from desk.demo.daytime import daytime_at, daytime_minutes, earlier, into_day, later, shift_daytime
from desk.demo.pools import (
    AI_DEPARTMENTS,
    CANCEL_REASONS,
    DEPARTMENTS,
    DRUGS,
    HOSPITALS,
    LECTURES,
    NEWS,
    PSYCH_SCALES,
    REJECT_REASONS,
)
from desk.rules.catalogue import Benefit, SlaStep, SlaUnit
from desk.rules.counting import filing_effect, quota_effect
from desk.rules.lifecycle import STEP_STARTS_AT, check_transition, path_to
from desk.rules.request_states import LedgerKind, RequestFacts, RequestState
from desk.rules.sla_clock import Due, due_for_step
from desk.rules.working_calendar import WorkingCalendar

if TYPE_CHECKING:
    from desk.demo.generator import DemoCustomer

S = RequestState


class Timeline:
    """The events, SLA steps and ledger entries of one request, built forward in time.

    ``anchor`` is either the submission time or, with ``entering``, the time the request
    entered its current (open) state; the builders draw their delays first so they can
    work back from it.
    """

    def __init__(self, rng: random.Random, calendar: WorkingCalendar, service: Benefit) -> None:
        self.rng = rng
        self.calendar = calendar
        self.service = service
        self.events: list[tuple[datetime, RequestState, str, dict[str, Any]]] = []
        # code, started, due, done, calendar unknown after (as the SLA clock flags it)
        self.steps: list[tuple[str, datetime, datetime | None, datetime | None, date | None]] = []
        self.ledger: list[tuple[LedgerKind, datetime, str]] = []
        self.state = S.SUBMITTED
        self.visit_at: datetime | None = None
        self._net_uses = 0
        self._due_by_step: dict[str, datetime] = {}
        # Each step's deadline, computed once: the counting rule and the step row both need it.
        self._dues: dict[tuple[str, datetime], Due | None] = {}

    def _due(self, spec: SlaStep, started: datetime) -> Due | None:
        key = (spec.code, started)
        if key not in self._dues:
            self._dues[key] = due_for_step(spec, started, self.calendar)
        return self._dues[key]

    def event(self, at: datetime, state: RequestState, reason: str = "", **data: Any) -> None:
        """The filing (the first event) or a transition the lifecycle allows, with the
        ledger entry its counting rule makes; a cancellation records whether it counted."""
        if "visit_at" in data:
            self.visit_at = datetime.fromisoformat(data["visit_at"])
        if self.events:
            facts = RequestFacts(
                service_code=self.service.code, state=self.state, submitted_at=self.events[0][0],
                visit_at=self.visit_at, counted=self._net_uses > 0,
                arrangement_due=self._due_by_step.get("arrangement"),
            )
            # Raises on a transition the lifecycle refuses: the demo never shows one.
            effect = check_transition(self.service, facts, state, at, self.calendar)
            if effect is not None:
                self.ledger.append((effect, at, str(state)))
                self._net_uses += quota_effect(effect)
            if state is S.CANCELLED:
                data = {**data, "counted": self._net_uses > 0}
        else:
            effect = filing_effect(self.service)
            if effect is not None:
                self.ledger.append((effect, at, str(state)))
        self.events.append((at, state, reason, data))
        self.state = state
        for spec in self.service.sla_steps:
            if STEP_STARTS_AT.get(spec.starts_after) is state:
                due = self._due(spec, at)
                if due is not None:
                    self._due_by_step[spec.code] = due.at

    def booked_with(self, **data: Any) -> None:
        """What the booking agreed (visit time, place), told with the booking event."""
        self.events[-1][3].update(data)
        if "visit_at" in data:
            self.visit_at = datetime.fromisoformat(data["visit_at"])

    def step(self, spec: SlaStep, started: datetime, done: datetime | None,
             due: datetime | None = None) -> None:
        unknown_after = None
        if due is None:
            computed = self._due(spec, started)
            due = computed.at if computed is not None else None
            unknown_after = computed.calendar_unknown_after if computed is not None else None
        self.steps.append((spec.code, started, due, done, unknown_after))

    @staticmethod
    def _start(
        anchor: datetime, entering: bool, delays: Sequence[int | timedelta]
    ) -> list[datetime]:
        """Submission then each transition's time, given the delays between them."""
        anchor = anchor.replace(second=0, microsecond=0)
        if not entering:
            times = [into_day(anchor, forward=True)]
            for delay in delays:
                times.append(later(times[-1], delay))
            return times
        times = [into_day(anchor, forward=False)]
        for delay in reversed(delays):
            times.append(earlier(times[-1], delay))
        return times[::-1]

    def _green_channel(
        self,
        code: str,
        target: RequestState,
        anchor: datetime,
        entering: bool,
        steps: tuple[SlaStep, SlaStep, SlaStep],
        *,
        cancel_share: float,
        last_delay: tuple[float, float],
        submitted: dict[str, Any],
    ) -> list[datetime]:
        """The walk escort and admission share: submitted → approved → supplier contacted →
        booked, or rejected or cancelled early. Returns the times of the events made."""
        rng = self.rng
        eligibility, contact, third = steps
        early_cancel = target is S.CANCELLED and rng.random() < cancel_share
        if target is S.REJECTED or early_cancel:
            path = [target]
        else:
            # The main line up to the booking (or to an open state short of it).
            path = list(path_to(self.service, target if target in (S.SUBMITTED, S.APPROVED, S.SUPPLIER_CONTACTED)
                                else S.BOOKED))
        delays = [daytime_minutes(rng, 0.5, 6), daytime_minutes(rng, 1, 12), daytime_minutes(rng, *last_delay)][: len(path)]
        times = self._start(anchor, entering, delays)
        self.event(times[0], S.SUBMITTED, **submitted)
        if target is S.REJECTED:
            self.event(times[1], S.REJECTED, rng.choice(REJECT_REASONS[code]))
        elif early_cancel:
            self.event(times[1], S.CANCELLED, rng.choice(CANCEL_REASONS), by="customer")
        else:
            for state, at in zip(path, times[1:], strict=True):
                self.event(at, state)
        self.step(eligibility, times[0], times[1] if len(times) > 1 else None)
        if path and path[0] is S.APPROVED:
            self.step(contact, times[1], times[2] if len(times) > 2 else None)
        if len(times) > 2:
            # The third step starts on the supplier's call (needs agreed, documents complete).
            self.step(third, times[2], times[3] if len(times) > 3 else None)
        return times

    # Each builder returns the request's details.

    def escort(self, who: DemoCustomer, service: Benefit, target: RequestState,
               anchor: datetime, entering: bool) -> dict[str, Any]:
        rng = self.rng
        eligibility, contact, booking, escort = service.sla_steps
        city, hospital, illness = hospital_and_illness(who)
        department = rng.choice(DEPARTMENTS)
        times = self._green_channel(
            "escort", target, anchor, entering, (eligibility, contact, booking),
            cancel_share=0.35, last_delay=(2, 24), submitted={},
        )
        if len(times) > 3:
            booked = times[3]
            visit = datetime.combine(booked.date() + timedelta(days=rng.randint(2, 10)),
                                     time(rng.choice((8, 9, 10)), rng.choice((0, 30))))
            self.booked_with(visit_at=visit.isoformat(sep=" ", timespec="minutes"),
                                      hospital=hospital, department=department,
                                      meeting_point="门诊大厅导医台")
            if target is S.BOOKED:
                self.step(escort, booked, None, due=visit)
            elif target is S.DONE:
                done = shift_daytime(visit, daytime_minutes(rng, 2, 4))
                self.event(done, S.DONE)
                self.step(escort, booked, done, due=visit)
            elif target is S.NO_SHOW:
                at = visit + timedelta(hours=4)
                self.event(at, S.NO_SHOW, "客户未到约定地点，电话未接通")
                self.step(escort, booked, at, due=visit)
            else:
                late = rng.random() < 0.5
                if late:
                    at = shift_daytime(visit, -daytime_minutes(rng, 1, 10))
                else:
                    at = shift_daytime(visit - timedelta(days=rng.randint(1, 3)), -daytime_minutes(rng, 1, 6))
                at = max(at, booked + timedelta(minutes=30))
                # Whether it counts (less than 24 h before the visit) is the counting rule's.
                self.event(at, S.CANCELLED, rng.choice(CANCEL_REASONS), by="customer")
                self.step(escort, booked, at, due=visit)
        return {"suspected_illness": illness[0], "suspected_illness_name": illness[1],
                "city": city, "hospital": hospital, "department": department}

    def admission(self, who: DemoCustomer, service: Benefit, target: RequestState,
                  anchor: datetime, entering: bool) -> dict[str, Any]:
        rng = self.rng
        eligibility, contact, arrangement = service.sla_steps
        city, hospital, illness = hospital_and_illness(who)
        kind = rng.choice(("hospitalisation", "surgery"))
        times = self._green_channel(
            "admission", target, anchor, entering, (eligibility, contact, arrangement),
            cancel_share=0.4, last_delay=(13, 110), submitted={"uploads": ["诊断证明", "住院单"]},
        )
        if len(times) > 3:
            booked = times[3]
            on = booked.date() + timedelta(days=rng.randint(1, 14))
            self.booked_with(kind=kind, date=on.isoformat(), hospital=hospital,
                                      department=rng.choice(DEPARTMENTS))
            if target is S.DONE:
                self.event(daytime_at(on, rng, 8, 11), S.DONE)
            elif target is S.CANCELLED:
                at = shift_daytime(booked, daytime_minutes(rng, 2, 30))
                self.event(at, S.CANCELLED, rng.choice(CANCEL_REASONS), by="customer")
        return {"suspected_illness": illness[0], "suspected_illness_name": illness[1],
                "kind": kind, "city": city, "hospital": hospital,
                "documents": ["diagnosis_certificate", "admission_slip"]}

    def smoking(self, who: DemoCustomer, service: Benefit, target: RequestState,
                anchor: datetime, entering: bool) -> dict[str, Any]:
        rng = self.rng
        (booking,) = service.sla_steps
        city, hospital = clinic(who)
        variant = rng.choice(("quick", "early", "late")) if target is S.CANCELLED else ""
        delays: list[int | timedelta]
        if target is S.SUBMITTED:
            delays = []
        elif variant == "quick":
            # Within 2 h on the clock (not daytime minutes): the only cancel the rules allow
            # while the booking is under way.
            delays = [timedelta(minutes=rng.randint(10, 110))]
        elif target is S.BOOKING_FAILED:
            delays = [daytime_minutes(rng, 1, 12)]
        else:
            delays = [daytime_minutes(rng, 0.2, 12)]
        times = self._start(anchor, entering, delays)
        preferred = times[0].date() + timedelta(days=rng.randint(3, 10))
        self.event(times[0], S.SUBMITTED)
        details = {"city": city, "hospital": hospital, "preferred_date": preferred.isoformat(),
                   "other_requirements": rng.choice(("", "", "希望上午就诊", "需要女医生"))}
        if target is S.SUBMITTED:
            self.step(booking, times[0], None)
            return details
        self.step(booking, times[0], times[1])
        if variant == "quick":
            self.event(times[1], S.CANCELLED, "提交后2小时内取消", by="customer")
            return details
        if target is S.BOOKING_FAILED:
            self.event(times[1], S.BOOKING_FAILED, "该院戒烟门诊号源已满")
            return details
        booked = times[1]
        gap = rng.randint(6, 14) if variant == "early" else rng.randint(1, 14)
        visit = datetime.combine(booked.date() + timedelta(days=gap), time(rng.choice((8, 9, 10)), 0))
        self.event(booked, S.BOOKED, visit_at=visit.isoformat(sep=" ", timespec="minutes"),
                   hospital=hospital)
        if target is S.DONE:
            self.event(shift_daytime(visit, daytime_minutes(rng, 1, 3)), S.DONE)
        elif target is S.CANCELLED:
            if variant == "early":
                at = shift_daytime(booked + timedelta(days=rng.randint(1, gap - 5)), rng.randint(0, 300))
            else:
                at = max(shift_daytime(visit, -daytime_minutes(rng, 1, 12)), booked + timedelta(minutes=20))
            # Withdrawing 2 or more working days before the visit gives the use back: the
            # counting rule decides, from the visit and the calendar.
            self.event(at, S.CANCELLED, "客户退号", by="customer")
        return details

    def advance_claim(self, who: DemoCustomer, service: Benefit, target: RequestState,
                      anchor: datetime, entering: bool) -> dict[str, Any]:
        rng = self.rng
        decision, payment = service.sla_steps
        _city, hospital, illness = hospital_and_illness(who)
        amount = rng.randrange(100_000, 600_000, 50_000)
        delays: list[int | timedelta]
        if target is S.SUBMITTED:
            delays = []
        elif target is S.REJECTED:
            delays = [timedelta(days=rng.randint(5, 28), hours=rng.randint(0, 8))]
        elif target is S.CANCELLED:
            delays = [timedelta(days=rng.randint(1, 10), hours=rng.randint(0, 8))]
        else:
            delays = [timedelta(days=rng.randint(3, 25), hours=rng.randint(0, 8))]
            if target is S.DONE:
                delays.append(timedelta(days=rng.randint(2, 9), hours=rng.randint(0, 8)))
        times = self._start(anchor, entering, delays)
        # Materials are complete at submission: the hotline files the claim only then.
        self.event(times[0], S.SUBMITTED, materials=["理赔申请书", "诊断证明", "病理报告", "身份证明"])
        if target is S.REJECTED:
            self.event(times[1], S.REJECTED, rng.choice(REJECT_REASONS["advance_claim"]))
        elif target is S.CANCELLED:
            self.event(times[1], S.CANCELLED, "客户撤回申请", by="customer")
        elif len(times) > 1:
            self.event(times[1], S.APPROVED, amount=amount)
            if target is S.DONE:
                self.event(times[2], S.DONE, paid=amount)
        self.step(decision, times[0], times[1] if len(times) > 1 else None)
        if target in {S.APPROVED, S.DONE}:
            self.step(payment, times[1], times[2] if len(times) > 2 else None)
        return {"illness": illness[0], "illness_name": illness[1], "hospital": hospital,
                "claim_amount": amount}

    def real_time(self, who: DemoCustomer, service: Benefit, target: RequestState,
                  anchor: datetime, entering: bool) -> dict[str, Any]:
        rng = self.rng
        # Back into the day, never forward: the anchor may be an hour before a night-time now.
        at = into_day(anchor.replace(second=0, microsecond=0), forward=False)
        details: dict[str, Any]
        if service.code == "psych":
            details = {"scale": rng.choice(PSYCH_SCALES), "score": rng.randint(20, 70)}
        elif service.code == "news":
            details = {"article": rng.choice(NEWS)}
        elif service.code == "lectures":
            details = {"lecture": rng.choice(LECTURES)}
        elif service.code == "ai_consult":
            details = {"department": rng.choice(AI_DEPARTMENTS)}
        elif service.code == "pharmacy":
            details = {"drugs": rng.sample(DRUGS, rng.randint(1, 2)),
                       "order_amount": rng.randint(30, 600)}
        else:
            details = {"drug": rng.choice(DRUGS), "channel": rng.choice(("sms", "voice"))}
        self.event(at, S.USED, **details)
        for spec in service.sla_steps:
            if spec.unit is SlaUnit.MINUTES:
                self.step(spec, at, at + timedelta(seconds=rng.randint(15, 55)))
        return details


BUILDERS: dict[str, Callable[..., dict[str, Any]]] = {
    "escort": Timeline.escort,
    "admission": Timeline.admission,
    "smoking": Timeline.smoking,
    "advance_claim": Timeline.advance_claim,
}


def hospital_and_illness(who: DemoCustomer) -> tuple[str, str, tuple[str, str]]:
    rng = who.rng
    city = who.city if who.city in HOSPITALS and rng.random() < 0.8 else rng.choice(list(HOSPITALS))
    return city, rng.choice(HOSPITALS[city]), rng.choice(who.c.illnesses)


def clinic(who: DemoCustomer) -> tuple[str, str]:
    rng = who.rng
    nearby = [clinic for clinic in who.c.clinics if clinic[0] == who.city]
    return rng.choice(nearby or who.c.clinics)
