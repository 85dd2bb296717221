"""Demo data: ``desk demo --customers N`` fills a database with realistic, valid mainland data.

Everything about customer ``i`` (name, ID number, policies, family, requests, calls) comes
from ``(seed, i)`` alone, and is written in the same transaction as the customer row. So
a re-run finds which customers already exist (by their deterministic UUID) and adds only
the missing ones, with everything that belongs to them: ``--customers 2000`` twice leaves
2000, and 3000 afterwards adds 1000. Batches are committed one by one, so an interrupted
run keeps what it finished and the next run resumes.

Speed (a million customers in minutes): Faker is drawn from once, into pools of names and
streets that seeded ``random.Random`` instances combine; rows are plain dicts written with
``Repository.bulk_load`` (COPY on PostgreSQL).

ID numbers cannot collide: the region code, birth date and sequence digits of customer
``i`` are a bijection of ``i`` (a multiplicative walk over every combination), and family
members use sequence digits 801-999, which customers never get.
"""

from __future__ import annotations

import math
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from faker import Faker

from db.tables import Agent, Supplier
from db.timestamps import china_now
from db.unit_of_work import UnitOfWork
from desk.demo.daytime import daytime_at, daytime_minutes, shift_daytime
from desk.demo.pools import (
    AGENTS,
    CALL_NOTES,
    CARE_SUPPLIER,
    COMPLAINTS,
    EMAIL_DOMAINS,
    ESTATES,
    HOSPITALS,
    MOBILE_PREFIXES,
    PHARMACY_SUPPLIER,
    PRODUCTS,
    RATING_COMMENTS,
    REGIONS,
)
from desk.demo.timeline import BUILDERS, Timeline
from desk.rules.catalogue import BENEFITS, Audience, Benefit, benefit
from desk.rules.complaints import decision_due
from desk.rules.eligibility import green_channel_illness
from desk.rules.identity import IdentityFact
from desk.rules.request_states import Channel, RequestState
from desk.rules.search_keys import customer_search_keys
from desk.rules.service_period import COOLING_OFF, PolicyStatus, initial_window
from desk.rules.validation import check_digit
from desk.rules.working_calendar import WorkingCalendar
from desk.use_cases.calendar_data import load_working_calendar
from desk.use_cases.database import Database
from desk.use_cases.passwords import hash_password

S = RequestState

BATCH_SIZE = 10_000
# Policy and request numbers carry ``i`` in 7 digits.
MAX_CUSTOMERS = 9_999_999
ILLNESS_LIST = "industry_2020"

# The demo agents' password, printed by ``desk demo``: demo data, never a real account.
DEMO_PASSWORD = "demo-desk-2026"

# Fixed forever: changing it would make every re-run add a second copy of the demo.
_NAMESPACE = uuid.UUID("6f1b3c0e-9a57-4d0b-9a43-7c2e5d1f0b24")


_BIRTH_FIRST = date(1950, 1, 1)
_BIRTH_DAYS = (date(2005, 12, 31) - _BIRTH_FIRST).days + 1
# Customers get sequence digits 001-800, family members 801-999: the two never collide.
_CUSTOMER_SEQUENCES = 800
_ID_SPACE = len(REGIONS) * _BIRTH_DAYS * _CUSTOMER_SEQUENCES


def _coprime_step(start: int, space: int) -> int:
    step = start
    while math.gcd(step, space) != 1:
        step += 1
    return step


# Walking the space in steps coprime to its size visits every combination exactly once,
# so consecutive customers get unrelated regions and birth dates.
_ID_STEP = _coprime_step(2_654_435_761 % _ID_SPACE, _ID_SPACE)


@dataclass
class DemoReport:
    customers_added: int = 0
    policies_added: int = 0
    family_added: int = 0
    requests_added: int = 0
    calls_added: int = 0
    complaints_added: int = 0
    already_present: int = 0
    # Customers left out because their ID or policy number is already someone else's
    # (another seed, or real data): never overwritten.
    skipped_taken: int = 0

    def summary(self) -> str:
        zh = (
            f"演示数据：新增客户 {self.customers_added} 位、保单 {self.policies_added} 份、"
            f"家庭成员 {self.family_added} 位、服务申请 {self.requests_added} 件、"
            f"通话 {self.calls_added} 通、投诉 {self.complaints_added} 件；"
            f"已存在客户 {self.already_present} 位"
        )
        en = (
            f"demo data: added {self.customers_added} customers, {self.policies_added} policies, "
            f"{self.family_added} family members, {self.requests_added} requests, "
            f"{self.calls_added} calls, {self.complaints_added} complaints; "
            f"{self.already_present} customers already present"
        )
        if self.skipped_taken:
            zh += f"；证件号或保单号已被占用，跳过 {self.skipped_taken} 位"
            en += f"; {self.skipped_taken} skipped, ID or policy number taken"
        return f"{zh} ({en})"


def generate_demo(
    database: Database,
    *,
    customers: int,
    seed: int = 20261124,
    progress: Callable[[str], None] | None = None,
    today: date | None = None,
) -> DemoReport:
    """Make sure demo customers 0..customers-1 of ``seed`` exist, adding the missing ones.

    ``today`` fixes the day the data is relative to (tests); by default it is today in
    China, and the clock reads now.
    """
    if not 0 <= customers <= MAX_CUSTOMERS:
        raise ValueError(f"customers must be between 0 and {MAX_CUSTOMERS}")
    if today is None:
        now = china_now()
        today = now.date()
    else:
        now = datetime.combine(today, time(12, 0))
    report = DemoReport()
    context = _prepare(database, seed, today, now)
    taken: set[int] = set()
    for start in range(0, customers, BATCH_SIZE):
        stop = min(start + BATCH_SIZE, customers)
        with database.unit_of_work() as uow:
            uow.prepare_bulk_load()
            _write_batch(uow, context, range(start, stop), taken, report)
            batch_number = start // BATCH_SIZE + 1
            if batch_number & (batch_number - 1) == 0:
                # The existence checks look customers and policies up by key: after the
                # tables double, let the planner know they are no longer small.
                uow.customers.refresh_statistics()
                uow.policies.refresh_statistics()
            uow.commit()
        if progress is not None:
            progress(f"已生成 {stop}/{customers} 位客户 ({stop}/{customers} customers)")
    return report


# --- Set-up: reference data, agents, suppliers, pools --------------------------------------


@dataclass
class _Pools:
    male: list[tuple[str, str]]  # (surname, given name)
    female: list[tuple[str, str]]
    streets: list[str]


@dataclass
class _Context:
    seed: int
    today: date
    now: datetime
    # The last day a family member may be born: parse_resident_id refuses future dates.
    latest_birth: date
    calendar: WorkingCalendar
    agents: list[uuid.UUID]
    supervisor: uuid.UUID
    care_supplier: uuid.UUID
    illnesses: list[tuple[str, str]]
    clinics: list[tuple[str, str]]
    pools: _Pools
    prefix: str = field(init=False)

    def __post_init__(self) -> None:
        self.prefix = f"{self.seed % 10_000:04d}"


def _prepare(database: Database, seed: int, today: date, now: datetime) -> _Context:
    with database.unit_of_work() as uow:
        agent_ids: dict[str, uuid.UUID] = {}
        # Hashed once and shared by the eleven demo agents: one salt for all is acceptable
        # for demo data whose password is printed anyway, and keeps a run 0.5 s shorter.
        password_hash = hash_password(DEMO_PASSWORD)
        for login, name, role, office in AGENTS:
            agent = uow.agents.by_login(login)
            if agent is None:
                agent = uow.agents.add(
                    Agent(id=uuid.uuid5(_NAMESPACE, f"agent:{login}"), login=login, name=name,
                          role=role, office=office, password_hash=password_hash)
                )
            elif agent.password_hash is None:
                # Made on first use before the demo ran (or before 0005): give it the demo's.
                # A password someone has since set is kept.
                agent.password_hash = password_hash
                uow.agents.add(agent)
            agent_ids[login] = agent.id
        supplier_ids = []
        for name, codes, phone in (CARE_SUPPLIER, PHARMACY_SUPPLIER):
            supplier = uow.suppliers.by_name(name)
            if supplier is None:
                supplier = uow.suppliers.add(
                    Supplier(id=uuid.uuid5(_NAMESPACE, f"supplier:{name}"), name=name,
                             service_codes=list(codes), phone=phone)
                )
            supplier_ids.append(supplier.id)
        calendar = load_working_calendar(uow)
        # The green channel takes only the severe entries of the list (eligibility's rule).
        illnesses = [(row.code, row.name_zh) for row in uow.illnesses.of_list(ILLNESS_LIST)
                     if green_channel_illness(row.severity)]
        clinics = [(row.city, row.name) for row in uow.hospitals.smoking_clinics()]
        uow.commit()
    return _Context(
        seed=seed,
        today=today,
        now=now,
        latest_birth=min(today, date.today()) - timedelta(days=1),
        calendar=calendar,
        agents=[agent_ids[login] for login, _n, role, _o in AGENTS if role == "agent"],
        supervisor=agent_ids["supervisor01"],
        care_supplier=supplier_ids[0],
        illnesses=illnesses or [("S01", "恶性肿瘤——重度")],
        clinics=clinics or [(city, names[0]) for city, names in HOSPITALS.items()],
        pools=_draw_pools(seed),
    )


def _draw_pools(seed: int) -> _Pools:
    # Faker takes ~25 us a name; drawn once, then combined by the fast seeded generators.
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    surnames = [fake.last_name() for _ in range(3000)]  # Faker weights them by frequency
    given_male = [fake.first_name_male() for _ in range(1500)]
    given_female = [fake.first_name_female() for _ in range(1500)]
    streets = sorted({fake.street_name() for _ in range(3000)})
    pick = random.Random(seed)
    # 30,000 names of each sex: varied enough to search, and small enough that the pinyin
    # of every one stays in search_keys' cache.
    male = [(pick.choice(surnames), pick.choice(given_male)) for _ in range(30_000)]
    female = [(pick.choice(surnames), pick.choice(given_female)) for _ in range(30_000)]
    return _Pools(male, female, streets)


# --- One batch --------------------------------------------------------------------------------


@dataclass
class _Batch:
    customers: list[dict[str, Any]] = field(default_factory=list)
    family: list[dict[str, Any]] = field(default_factory=list)
    policies: list[dict[str, Any]] = field(default_factory=list)
    periods: list[dict[str, Any]] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    steps: list[dict[str, Any]] = field(default_factory=list)
    ledger: list[dict[str, Any]] = field(default_factory=list)
    calls: list[dict[str, Any]] = field(default_factory=list)
    notes: list[dict[str, Any]] = field(default_factory=list)
    complaints: list[dict[str, Any]] = field(default_factory=list)
    ratings: list[dict[str, Any]] = field(default_factory=list)


def customer_uuid(seed: int, index: int) -> uuid.UUID:
    """The id of demo customer ``index`` of ``seed``: the same in every database."""
    return uuid.uuid5(_NAMESPACE, f"{seed}:customer:{index}")


def _policy_number(context: _Context, index: int, k: int) -> str:
    return f"XK{context.prefix}{index:07d}{k}"


def _write_batch(
    uow: UnitOfWork, context: _Context, indices: range, taken: set[int], report: DemoReport
) -> None:
    ids = {i: customer_uuid(context.seed, i) for i in indices}
    present = uow.customers.existing_ids(ids.values())
    missing = [i for i in indices if ids[i] not in present]
    report.already_present += len(indices) - len(missing)
    if not missing:
        return
    identities = {i: _identity(context.seed, i) for i in missing}
    used_numbers = uow.customers.ids_by_identity("resident_id", [identities[i][3] for i in missing])
    used_policies = uow.policies.existing_numbers(
        [_policy_number(context, i, k) for i in missing for k in (0, 1)]
    )
    batch = _Batch()
    for i in missing:
        numbers = {_policy_number(context, i, 0), _policy_number(context, i, 1)}
        if identities[i][3] in used_numbers or numbers & used_policies:
            taken.add(i)
            report.skipped_taken += 1
            continue
        DemoCustomer(context, batch, i, ids[i], identities[i], taken).generate()

    uow.customers.bulk_load(batch.customers)
    uow.family.bulk_load(batch.family)
    uow.policies.bulk_load(batch.policies)
    uow.service_periods.bulk_load(batch.periods)
    uow.requests.bulk_load(batch.requests)
    uow.request_events.bulk_load(batch.events)
    uow.request_steps.bulk_load(batch.steps)
    uow.ledger.bulk_load(batch.ledger)
    uow.calls.bulk_load(batch.calls)
    uow.call_notes.bulk_load(batch.notes)
    uow.complaints.bulk_load(batch.complaints)
    uow.ratings.bulk_load(batch.ratings)
    report.customers_added += len(batch.customers)
    report.policies_added += len(batch.policies)
    report.family_added += len(batch.family)
    report.requests_added += len(batch.requests)
    report.calls_added += len(batch.calls)
    report.complaints_added += len(batch.complaints)


def _identity(seed: int, index: int) -> tuple[int, date, str, str]:
    """(region index, birth date, sex, ID number) of customer ``index``: unique per index."""
    x = (index * _ID_STEP + seed * 40_503) % _ID_SPACE
    region, x = x % len(REGIONS), x // len(REGIONS)
    born, sequence = _BIRTH_FIRST + timedelta(days=x % _BIRTH_DAYS), x // _BIRTH_DAYS + 1
    first17 = f"{REGIONS[region][0]}{born:%Y%m%d}{sequence:03d}"
    return region, born, "M" if sequence % 2 else "F", first17 + check_digit(first17)


def _uuid(rng: random.Random) -> uuid.UUID:
    # Children of a customer get ids from the customer's own generator: deterministic, and
    # three times cheaper than uuid5.
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _mobile(rng: random.Random) -> str:
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(100_000_000):08d}"


# Requests of the first request customers: every state and service appears early, so even
# a demo of a few hundred customers shows all of them. Positions 3 and 16 get complaints,
# positions 1, 5, 9, 13, 17 ratings (see DemoCustomer).
_FIRST_REQUESTS: tuple[tuple[str, RequestState], ...] = (
    ("escort", S.SUBMITTED), ("escort", S.DONE), ("news", S.USED), ("smoking", S.BOOKED),
    ("admission", S.APPROVED), ("smoking", S.DONE), ("ai_consult", S.USED),
    ("escort", S.SUPPLIER_CONTACTED), ("escort", S.REJECTED), ("admission", S.DONE),
    ("psych", S.USED), ("smoking", S.BOOKING_FAILED), ("escort", S.NO_SHOW),
    ("escort", S.BOOKED), ("smoking", S.CANCELLED), ("pharmacy", S.USED),
    ("admission", S.CANCELLED), ("advance_claim", S.DONE), ("lectures", S.USED),
    ("med_reminder", S.USED), ("advance_claim", S.SUBMITTED), ("escort", S.CANCELLED),
    ("smoking", S.SUBMITTED), ("admission", S.BOOKED), ("admission", S.REJECTED),
    ("advance_claim", S.APPROVED), ("admission", S.SUPPLIER_CONTACTED),
    ("escort", S.APPROVED), ("advance_claim", S.REJECTED), ("admission", S.SUBMITTED),
)

# Later requests: mostly finished history, app services most often, some still open.
_REQUEST_MIX: tuple[tuple[tuple[str, RequestState], float], ...] = (
    (("news", S.USED), 10), (("ai_consult", S.USED), 10), (("pharmacy", S.USED), 7),
    (("med_reminder", S.USED), 7), (("lectures", S.USED), 5), (("psych", S.USED), 6),
    (("smoking", S.DONE), 10), (("smoking", S.BOOKED), 2), (("smoking", S.SUBMITTED), 2),
    (("smoking", S.CANCELLED), 3), (("smoking", S.BOOKING_FAILED), 3),
    (("escort", S.DONE), 5), (("escort", S.SUBMITTED), 1), (("escort", S.APPROVED), 1),
    (("escort", S.SUPPLIER_CONTACTED), 1), (("escort", S.BOOKED), 1), (("escort", S.REJECTED), 1),
    (("escort", S.CANCELLED), 1), (("escort", S.NO_SHOW), 1),
    (("admission", S.DONE), 4), (("admission", S.SUBMITTED), 0.5), (("admission", S.APPROVED), 0.5),
    (("admission", S.SUPPLIER_CONTACTED), 0.5), (("admission", S.BOOKED), 1),
    (("admission", S.REJECTED), 0.75), (("admission", S.CANCELLED), 0.75),
    (("advance_claim", S.DONE), 3), (("advance_claim", S.SUBMITTED), 1),
    (("advance_claim", S.APPROVED), 1), (("advance_claim", S.REJECTED), 0.5),
    (("advance_claim", S.CANCELLED), 0.5),
)
_MIX_CHOICES = [combo for combo, _w in _REQUEST_MIX]
_MIX_WEIGHTS = [weight for _c, weight in _REQUEST_MIX]
# A second request of the same customer never uses escort or admission (quota 1 a year).
_SECOND_REQUESTS: tuple[tuple[str, RequestState], ...] = (
    ("news", S.USED), ("ai_consult", S.USED), ("pharmacy", S.USED), ("med_reminder", S.USED),
    ("psych", S.USED), ("smoking", S.DONE), ("smoking", S.BOOKING_FAILED),
)
_OPEN_STATES = frozenset({S.SUBMITTED, S.APPROVED, S.SUPPLIER_CONTACTED, S.BOOKED})

# Calls end with the app's own wrap-up codes; a demo call always passed the identity check.
WRAP_UP_NOTED = tuple(CALL_NOTES)
VERIFIED_FACTS = tuple(fact.value for fact in IdentityFact)

# One customer in 12 has requests: about 100,000 requests for a million customers.
_REQUEST_EVERY = 12
_REQUEST_OFFSET = 5



class DemoCustomer:
    """Everything about one demo customer, drawn from its own seeded generator."""

    def __init__(
        self,
        context: _Context,
        batch: _Batch,
        index: int,
        customer_id: uuid.UUID,
        identity: tuple[int, date, str, str],
        taken: set[int],
    ) -> None:
        self.c = context
        self.batch = batch
        self.i = index
        self.id = customer_id
        self.region, self.born, self.sex, self.id_number = identity
        self.taken = taken
        self.rng = random.Random(context.seed * 10_000_000 + index)
        self.members: list[dict[str, Any]] = []

    def generate(self) -> None:
        self._customer()
        self._family()
        request_slot = self.i % _REQUEST_EVERY == _REQUEST_OFFSET
        first = self._requests_planned() if request_slot else None
        self._policies(first)
        if first is not None:
            self._requests(first)
        if self.rng.random() < (0.5 if request_slot else 0.06):
            self._calls()

    # -- the person

    def _customer(self) -> None:
        rng, pools = self.rng, self.c.pools
        self.surname, given = rng.choice(pools.male if self.sex == "M" else pools.female)
        self.name = self.surname + given
        self.mobile = _mobile(rng)
        keys = customer_search_keys(self.name, self.id_number, self.mobile)
        roll = rng.random()
        if roll < 0.55:
            email = f"{keys['name_pinyin']}{rng.randrange(1, 10_000)}@{rng.choice(EMAIL_DOMAINS)}"
        elif roll < 0.75:
            email = f"{rng.randrange(10_000, 3_000_000_000)}@qq.com"
        else:
            email = ""
        # Most people live where their ID number was issued; some have moved.
        region = REGIONS[self.region if rng.random() < 0.8 else rng.randrange(len(REGIONS))]
        self.city = region[2]
        address = (
            f"{region[1]}{rng.choice(pools.streets)}{rng.randint(1, 999)}号"
            f"{rng.choice(ESTATES)}{rng.randint(1, 30)}栋{rng.randint(1, 6)}单元"
            f"{rng.randint(1, 32)}{rng.randint(1, 4):02d}室"
        )
        self.batch.customers.append(
            {
                "id": self.id, "name": self.name, "id_type": "resident_id",
                "id_number": self.id_number, "birth_date": self.born, "sex": self.sex,
                "mobile": self.mobile, "email": email, "region": region[1], "address": address,
                "needs_update": False, **keys,
            }
        )

    def _family(self) -> None:
        rng = self.rng
        if rng.random() >= 0.3:
            return
        year, latest = self.born.year, self.c.latest_birth
        limits = {"spouse": 1, "parent": 2, "child": 2, "grandparent": 2, "grandchild": 2}
        weights = {"spouse": 4.0, "child": 4.0, "parent": 3.0, "grandparent": 1.0, "grandchild": 1.0}
        # Only relations whose ages make sense for this customer.
        if year > latest.year - 22:
            limits["spouse"] = 0
        if year < 1965:
            limits["parent"] = 0
        if year > latest.year - 24:
            limits["child"] = 0
        if year < 1988:
            limits["grandparent"] = 0
        if year > 1968:
            limits["grandchild"] = 0
        for _ in range(rng.choice((1, 1, 2, 2, 3))):
            options = [r for r, n in limits.items() if n > 0]
            if not options:
                return
            relation = rng.choices(options, [weights[r] for r in options])[0]
            limits[relation] -= 1
            self._member(relation)

    def _member(self, relation: str) -> None:
        rng, pools, year = self.rng, self.c.pools, self.born.year
        span = {
            "spouse": (-5, 5), "parent": (-36, -22), "child": (22, 38),
            "grandparent": (-62, -44), "grandchild": (48, 62),
        }[relation]
        born_year = year + rng.randint(*span)
        if relation == "spouse":
            born_year = min(born_year, self.c.latest_birth.year - 20)
        born = min(date(born_year, 1, 1) + timedelta(days=rng.randrange(365)), self.c.latest_birth)
        sex = ("F" if self.sex == "M" else "M") if relation == "spouse" else rng.choice("MF")
        surname, given = rng.choice(pools.male if sex == "M" else pools.female)
        if relation in {"child", "grandchild"} and self.sex == "M":
            surname = self.surname
        region = REGIONS[self.region if rng.random() < 0.7 else rng.randrange(len(REGIONS))][0]
        sequence = rng.randrange(801, 999, 2) + (0 if sex == "M" else 1)
        first17 = f"{region}{born:%Y%m%d}{sequence:03d}"
        member = {
            "id": _uuid(rng), "customer_id": self.id, "name": surname + given,
            "relation": relation, "id_type": "resident_id",
            "id_number": first17 + check_digit(first17), "birth_date": born, "sex": sex,
        }
        self.members.append(member)
        self.batch.family.append(member)

    # -- policies

    def _policies(self, first_request: tuple[str, RequestState] | None) -> None:
        rng = self.rng
        count = 2 if rng.random() < 0.12 else 1
        self.policies: list[tuple[uuid.UUID, uuid.UUID, date, date]] = []
        for k in range(count):
            if k == 0 and first_request is not None:
                category = self._category_for_request(first_request[1])
            elif k == 0:
                # Spread by index, not chance, so any few hundred customers hold all four.
                bucket = (self.i * 37 + 11) % 100
                category = ("not_open" if bucket < 3 else "active" if bucket < 78
                            else "expired" if bucket < 90 else "terminated")
            else:
                category = rng.choices(("not_open", "active", "expired", "terminated"), (3, 75, 12, 10))[0]
            effective, status, ended = self._policy_dates(category, request=k == 0 and first_request is not None)
            holder = self.id
            if rng.random() < 0.15 and self.i > 0:
                # Someone else pays: an earlier demo customer (already written, or in this
                # batch before this one), never one whose number was taken.
                other = self.i - 1 - rng.randrange(min(self.i, 30))
                if other not in self.taken:
                    holder = customer_uuid(self.c.seed, other)
            policy_id, period_id = _uuid(rng), _uuid(rng)
            window = initial_window(effective)
            self.batch.policies.append(
                {
                    "id": policy_id, "policy_number": _policy_number(self.c, self.i, k),
                    "product": rng.choice(PRODUCTS), "insured_id": self.id, "holder_id": holder,
                    "effective_date": effective, "status": status, "termination_date": ended,
                    "illness_list": ILLNESS_LIST,
                }
            )
            self.batch.periods.append(
                {
                    "id": period_id, "policy_id": policy_id, "kind": "initial",
                    "starts_on": window.starts_on, "ends_on": window.ends_on,
                    "granted_by": None, "reason": "",
                }
            )
            usable_end = min(window.ends_on, ended or window.ends_on)
            self.policies.append((policy_id, period_id, window.starts_on, usable_end))

    def _category_for_request(self, state: RequestState) -> str:
        if state in _OPEN_STATES:
            return "active"
        return self.rng.choices(("active", "expired", "terminated"), (70, 15, 15))[0]

    def _policy_dates(self, category: str, *, request: bool) -> tuple[date, str, date | None]:
        rng, today = self.rng, self.c.today
        if category == "not_open":
            # Still in the cooling-off period: the window opens within 15 days.
            return today - timedelta(days=rng.randint(0, 14)), PolicyStatus.ACTIVE, None
        if category == "active":
            # A request customer's window opened at least 60 days ago, room for its history.
            started_ago = rng.randint(60 if request else 0, 364)
            return today - timedelta(days=15 + started_ago), PolicyStatus.ACTIVE, None
        if category == "expired":
            started_ago = rng.randint(367, 365 * 4)
            return today - timedelta(days=15 + started_ago), PolicyStatus.ACTIVE, None
        status = rng.choices(
            (PolicyStatus.LAPSED, PolicyStatus.SURRENDERED, PolicyStatus.TERMINATED), (50, 35, 15)
        )[0]
        if request:
            # Terminated after at least 60 usable days, before today.
            started_ago = rng.randint(90, 365 * 3)
            start = today - timedelta(days=started_ago)
            last = min(initial_window(start - COOLING_OFF).ends_on, today) - timedelta(days=1)
            ended = start + timedelta(days=rng.randint(60, max(60, (last - start).days)))
            return start - COOLING_OFF, status, ended
        effective = today - timedelta(days=rng.randint(30, 365 * 3))
        ended = effective + timedelta(days=rng.randint(1, (today - effective).days - 1))
        return effective, status, ended

    # -- requests

    def _requests_planned(self) -> tuple[str, RequestState]:
        k = self.i // _REQUEST_EVERY
        if k < len(_FIRST_REQUESTS):
            return _FIRST_REQUESTS[k]
        return self.rng.choices(_MIX_CHOICES, _MIX_WEIGHTS)[0]

    def _requests(self, first: tuple[str, RequestState]) -> None:
        k = self.i // _REQUEST_EVERY
        plans = [first]
        if self.rng.random() < 0.25:
            plans.append(self.rng.choice(_SECOND_REQUESTS))
        for j, (code, state) in enumerate(plans):
            request, last = self._request(j, benefit(code), state, k)
            if j > 0:
                continue
            # Every 13th request customer complains (every 5th of those is a complex case),
            # every 4th with a finished request rates it.
            if k % 13 == 3 and code in COMPLAINTS:
                self._complaint(request, last, complex_case=(k // 13) % 5 == 0)
            if state is S.DONE and k % 4 == 1:
                self._rating(request, last)

    def _request(
        self, j: int, service: Benefit, state: RequestState, k: int
    ) -> tuple[dict[str, Any], datetime]:
        """The request row, written with its events, steps and ledger; and its last event time."""
        rng, c = self.rng, self.c
        policy_id, period_id, starts_on, usable_end = self.policies[0]
        request_id = _uuid(rng)
        timeline = Timeline(rng, c.calendar, service)
        if state in _OPEN_STATES:
            overdue = k % 3 == 0 or rng.random() < 0.2
            anchor, entering = c.now - self._open_age(service, state, overdue), True
        else:
            # Longer than any lifecycle takes (a claim: up to 34 days), so the whole history
            # lies in the past and inside the window.
            margin = timedelta(hours=1) if service.real_time else timedelta(days=40)
            last = min(datetime.combine(usable_end, time(9)), c.now) - margin
            day = starts_on + timedelta(days=rng.randint(0, max(0, (last.date() - starts_on).days)))
            # App services are used from morning to night, the hotline files in its hours.
            anchor = daytime_at(day, rng, 8, 20) if service.real_time else daytime_at(day, rng)
            anchor, entering = max(min(anchor, last), datetime.combine(starts_on, time(9))), False
        build = BUILDERS.get(service.code, Timeline.real_time)
        details = build(timeline, self, service, state, anchor, entering)
        submitted = timeline.events[0][0]
        channel = Channel.WECHAT if rng.random() < (0.8 if service.real_time else 0.3) else Channel.HOTLINE
        created_by = None if channel is Channel.WECHAT else rng.choice(c.agents)
        member = self._beneficiary(service)
        request = {
            "id": request_id, "number": f"R{c.prefix}{self.i:07d}{j}", "policy_id": policy_id,
            "service_period_id": period_id, "customer_id": self.id, "service_code": service.code,
            "beneficiary_member_id": member["id"] if member else None,
            "beneficiary_name": member["name"] if member else self.name,
            "channel": str(channel), "state": str(timeline.state), "submitted_at": submitted,
            "created_by": created_by, "details": details,
        }
        self.batch.requests.append(request)
        previous = ""
        for n, (at, to_state, reason, data) in enumerate(timeline.events):
            agent = created_by if n == 0 else rng.choice(c.agents)
            self.batch.events.append(
                {
                    "id": _uuid(rng), "request_id": request_id, "at": at, "from_state": previous,
                    "to_state": str(to_state), "agent_id": agent, "reason": reason, "data": data,
                }
            )
            previous = str(to_state)
        for code, started, due, done, unknown_after in timeline.steps:
            self.batch.steps.append(
                {
                    "id": _uuid(rng), "request_id": request_id, "service_code": service.code, "step_code": code,
                    "started_at": started, "due_at": due, "done_at": done,
                    "assigned_to": rng.choice(c.agents), "calendar_unknown_after": unknown_after,
                }
            )
        for kind, at, reason in timeline.ledger:
            self.batch.ledger.append(
                {
                    "id": _uuid(rng), "policy_id": policy_id, "service_period_id": period_id,
                    "service_code": service.code, "request_id": request_id, "kind": str(kind),
                    "at": at, "agent_id": rng.choice(c.agents), "reason": reason,
                }
            )
        return request, timeline.events[-1][0]

    def _open_age(self, service: Benefit, state: RequestState, overdue: bool) -> timedelta:
        """How long ago the request entered its (open) state."""
        rng = self.rng
        calendar_days = service.code == "advance_claim"
        if not overdue:
            if calendar_days:
                return timedelta(days=rng.randint(1, 8), minutes=rng.randrange(600))
            return timedelta(minutes=rng.randint(5, 240))
        if calendar_days:
            limit = 30 if state is S.SUBMITTED else 10
            return timedelta(days=limit + rng.randint(2, 15), minutes=rng.randrange(600))
        limit = 10 if service.code == "admission" and state is S.SUPPLIER_CONTACTED else 2
        return timedelta(days=math.ceil(limit * 7 / 5) + rng.randint(3, 9), minutes=rng.randrange(600))

    def _beneficiary(self, service: Benefit) -> dict[str, Any] | None:
        rng = self.rng
        if service.audience is Audience.INSURED or not self.members:
            return None
        if rng.random() < 0.25:
            return rng.choice(self.members)
        return None

    def _complaint(self, request: dict[str, Any], last: datetime, *, complex_case: bool) -> None:
        rng, c = self.rng, self.c
        received = min(shift_daytime(last, daytime_minutes(rng, 1, 30)), c.now - timedelta(minutes=30))
        received = max(received, request["submitted_at"])
        due = decision_due(received, complex_case=complex_case)
        decided_at, state, decision = None, "open", ""
        if received + timedelta(days=10) < c.now and rng.random() < 0.7:
            decided_at = min(received + timedelta(days=rng.randint(3, 14), hours=rng.randint(0, 6)), c.now)
            state, decision = "decided", "经核实情况属实，已向客户致歉并督促供应商整改。"
        code = request["service_code"]
        self.batch.complaints.append(
            {
                "id": _uuid(rng), "customer_id": self.id, "request_id": request["id"],
                "supplier_id": c.care_supplier if code != "advance_claim" else None,
                "received_at": received, "summary": COMPLAINTS[code], "complex_case": complex_case,
                "marked_complex_by": c.supervisor if complex_case else None, "due_at": due,
                "state": state, "decided_at": decided_at, "decision": decision,
            }
        )

    def _rating(self, request: dict[str, Any], last: datetime) -> None:
        rng = self.rng
        at = min(shift_daytime(last, daytime_minutes(rng, 1, 26)), self.c.now)
        self.batch.ratings.append(
            {
                "id": _uuid(rng), "request_id": request["id"], "timeliness": rng.randint(3, 5),
                "quality": rng.randint(3, 5), "attitude": rng.randint(4, 5),
                "comment": rng.choice(RATING_COMMENTS), "at": at,
            }
        )

    # -- calls

    def _calls(self) -> None:
        rng, c = self.rng, self.c
        for _ in range(rng.choice((1, 1, 2, 3))):
            started = daytime_at(c.today - timedelta(days=rng.randint(1, 120)), rng)
            ended = started + timedelta(seconds=rng.randint(90, 900))
            wrap_up = rng.choice(WRAP_UP_NOTED)
            agent = rng.choice(c.agents)
            call_id = _uuid(rng)
            service = rng.choice(BENEFITS)
            self.batch.calls.append(
                {
                    "id": call_id, "customer_id": self.id, "agent_id": agent,
                    "caller_number": self.mobile if rng.random() < 0.85 else _mobile(rng),
                    "started_at": started, "ended_at": ended,
                    "verified_facts": sorted(rng.sample(VERIFIED_FACTS, rng.choice((2, 2, 3, 4)))),
                    "wrap_up_code": wrap_up,
                }
            )
            self.batch.notes.append(
                {
                    "id": _uuid(rng), "call_id": call_id, "at": ended, "agent_id": agent,
                    "text": CALL_NOTES[wrap_up].format(service=service.name_zh),
                }
            )

