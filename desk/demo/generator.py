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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from faker import Faker

from db.tables import Agent, Supplier
from db.timestamps import china_now
from db.unit_of_work import UnitOfWork
from desk.rules.catalogue import BENEFITS, Audience, Benefit, SlaStep, SlaUnit, benefit
from desk.rules.complaints import decision_due
from desk.rules.lifecycle import ESCORT_FREE_CANCEL, withdrawn_in_time
from desk.rules.request_states import Channel, LedgerKind, RequestState
from desk.rules.search_keys import customer_search_keys
from desk.rules.service_period import COOLING_OFF, PolicyStatus, initial_window
from desk.rules.sla_clock import due_for_step
from desk.rules.validation import check_digit
from desk.rules.working_calendar import WorkingCalendar
from desk.use_cases.calendar_data import load_working_calendar
from desk.use_cases.database import Database

S = RequestState

BATCH_SIZE = 10_000
# Policy and request numbers carry ``i`` in 7 digits.
MAX_CUSTOMERS = 9_999_999
ILLNESS_LIST = "industry_2020"

# Fixed forever: changing it would make every re-run add a second copy of the demo.
_NAMESPACE = uuid.UUID("6f1b3c0e-9a57-4d0b-9a43-7c2e5d1f0b24")

# Current (not retired) district codes of big cities, with the region as written on a
# form and the city the hospital lists use. Each one is in python-stdnum's database.
REGIONS: tuple[tuple[str, str, str], ...] = (
    ("110101", "北京市东城区", "北京"), ("110102", "北京市西城区", "北京"),
    ("110105", "北京市朝阳区", "北京"), ("110106", "北京市丰台区", "北京"),
    ("110108", "北京市海淀区", "北京"), ("310101", "上海市黄浦区", "上海"),
    ("310104", "上海市徐汇区", "上海"), ("310105", "上海市长宁区", "上海"),
    ("310106", "上海市静安区", "上海"), ("310107", "上海市普陀区", "上海"),
    ("310110", "上海市杨浦区", "上海"), ("310115", "上海市浦东新区", "上海"),
    ("120101", "天津市和平区", "天津"), ("120103", "天津市河西区", "天津"),
    ("120104", "天津市南开区", "天津"), ("440103", "广东省广州市荔湾区", "广州"),
    ("440104", "广东省广州市越秀区", "广州"), ("440105", "广东省广州市海珠区", "广州"),
    ("440106", "广东省广州市天河区", "广州"), ("440111", "广东省广州市白云区", "广州"),
    ("440303", "广东省深圳市罗湖区", "深圳"), ("440304", "广东省深圳市福田区", "深圳"),
    ("440305", "广东省深圳市南山区", "深圳"), ("500103", "重庆市渝中区", "重庆"),
    ("500106", "重庆市沙坪坝区", "重庆"), ("330102", "浙江省杭州市上城区", "杭州"),
    ("330105", "浙江省杭州市拱墅区", "杭州"), ("330106", "浙江省杭州市西湖区", "杭州"),
    ("320102", "江苏省南京市玄武区", "南京"), ("320104", "江苏省南京市秦淮区", "南京"),
    ("320106", "江苏省南京市鼓楼区", "南京"), ("420102", "湖北省武汉市江岸区", "武汉"),
    ("420103", "湖北省武汉市江汉区", "武汉"), ("420106", "湖北省武汉市武昌区", "武汉"),
    ("510104", "四川省成都市锦江区", "成都"), ("510105", "四川省成都市青羊区", "成都"),
    ("510107", "四川省成都市武侯区", "成都"), ("610103", "陕西省西安市碑林区", "西安"),
    ("610104", "陕西省西安市莲湖区", "西安"), ("610113", "陕西省西安市雁塔区", "西安"),
    ("210102", "辽宁省沈阳市和平区", "沈阳"), ("210103", "辽宁省沈阳市沈河区", "沈阳"),
    ("230102", "黑龙江省哈尔滨市道里区", "哈尔滨"), ("230103", "黑龙江省哈尔滨市南岗区", "哈尔滨"),
    ("370102", "山东省济南市历下区", "济南"), ("370103", "山东省济南市市中区", "济南"),
    ("370202", "山东省青岛市市南区", "青岛"), ("370203", "山东省青岛市市北区", "青岛"),
    ("410102", "河南省郑州市中原区", "郑州"), ("410103", "河南省郑州市二七区", "郑州"),
    ("430102", "湖南省长沙市芙蓉区", "长沙"), ("430103", "湖南省长沙市天心区", "长沙"),
    ("350102", "福建省福州市鼓楼区", "福州"), ("350203", "福建省厦门市思明区", "厦门"),
    ("340102", "安徽省合肥市瑶海区", "合肥"), ("530102", "云南省昆明市五华区", "昆明"),
    ("450103", "广西壮族自治区南宁市青秀区", "南宁"), ("360102", "江西省南昌市东湖区", "南昌"),
    ("130102", "河北省石家庄市长安区", "石家庄"), ("140105", "山西省太原市小店区", "太原"),
    ("220102", "吉林省长春市南关区", "长春"), ("520102", "贵州省贵阳市南明区", "贵阳"),
    ("620102", "甘肃省兰州市城关区", "兰州"), ("650102", "新疆维吾尔自治区乌鲁木齐市天山区", "乌鲁木齐"),
    ("150102", "内蒙古自治区呼和浩特市新城区", "呼和浩特"),
)

# 三甲 hospitals for the green channel and claims, by city (a hospital may be named, a
# doctor may not).
HOSPITALS: dict[str, tuple[str, ...]] = {
    "北京": ("北京协和医院", "北京大学第一医院", "北京大学人民医院", "首都医科大学附属北京天坛医院"),
    "上海": ("复旦大学附属中山医院", "复旦大学附属华山医院", "上海交通大学医学院附属瑞金医院"),
    "天津": ("天津医科大学总医院",),
    "广州": ("中山大学附属第一医院", "广东省人民医院", "南方医科大学南方医院"),
    "深圳": ("北京大学深圳医院", "深圳市人民医院"),
    "重庆": ("重庆医科大学附属第一医院", "陆军军医大学西南医院"),
    "杭州": ("浙江大学医学院附属第一医院", "浙江大学医学院附属邵逸夫医院"),
    "南京": ("江苏省人民医院", "南京鼓楼医院"),
    "武汉": ("华中科技大学同济医学院附属同济医院", "武汉大学人民医院"),
    "成都": ("四川大学华西医院",),
    "西安": ("西安交通大学第一附属医院", "空军军医大学西京医院"),
    "沈阳": ("中国医科大学附属第一医院", "中国医科大学附属盛京医院"),
    "哈尔滨": ("哈尔滨医科大学附属第一医院",),
    "济南": ("山东大学齐鲁医院", "山东省立医院"),
    "青岛": ("青岛大学附属医院",),
    "郑州": ("郑州大学第一附属医院", "河南省人民医院"),
    "长沙": ("中南大学湘雅医院", "中南大学湘雅二医院"),
    "福州": ("福建医科大学附属协和医院",),
    "厦门": ("厦门大学附属中山医院",),
    "合肥": ("安徽医科大学第一附属医院",),
    "昆明": ("昆明医科大学第一附属医院",),
    "南宁": ("广西医科大学第一附属医院",),
    "南昌": ("南昌大学第一附属医院",),
    "石家庄": ("河北医科大学第二医院",),
    "太原": ("山西医科大学第一医院",),
    "长春": ("吉林大学第一医院",),
    "贵阳": ("贵州医科大学附属医院",),
    "兰州": ("兰州大学第一医院",),
    "乌鲁木齐": ("新疆医科大学第一附属医院",),
    "呼和浩特": ("内蒙古医科大学附属医院",),
}

# Mainland mobile prefixes in use (all 1[3-9]x).
MOBILE_PREFIXES: tuple[str, ...] = tuple(
    str(prefix)
    for prefix in (
        *range(130, 140), 145, 147, 150, 151, 152, 153, 155, 156, 157, 158, 159, 166, 170, 171,
        173, 175, 176, 177, 178, *range(180, 190), 190, 191, 193, 195, 196, 197, 198, 199,
    )
)
EMAIL_DOMAINS = ("163.com", "126.com", "qq.com", "sina.com", "foxmail.com", "139.com", "outlook.com")
ESTATES = (
    "阳光花园", "锦绣家园", "翠苑小区", "金色家园", "碧水湾", "华府小区", "幸福里", "滨江花园",
    "和平新村", "东方明珠苑", "绿地小区", "龙湖花园", "万科城", "丽景苑", "南湖新村", "学府小区",
)
PRODUCTS = ("小康健康守护重大疾病保险", "小康安心保重大疾病保险（2024版）", "小康颐年重大疾病保险")
DEPARTMENTS = ("心内科", "神经内科", "肿瘤科", "消化内科", "呼吸内科", "肾内科", "胸外科", "普外科")

# Hotline staff; logins are what desk checks to stay idempotent.
AGENTS: tuple[tuple[str, str, str, str], ...] = (
    ("agent01", "王丽娜", "agent", "总部客服中心"), ("agent02", "李晓峰", "agent", "总部客服中心"),
    ("agent03", "张敏", "agent", "总部客服中心"), ("agent04", "刘洋", "agent", "总部客服中心"),
    ("agent05", "陈静", "agent", "总部客服中心"), ("agent06", "杨帆", "agent", "总部客服中心"),
    ("agent07", "赵雪梅", "agent", "上海分公司"), ("agent08", "黄磊", "agent", "上海分公司"),
    ("agent09", "周婷", "agent", "广州分公司"), ("agent10", "吴昊", "agent", "广州分公司"),
    ("supervisor01", "孙建华", "supervisor", "总部客服中心"),
)
CARE_SUPPLIER = ("康护通健康管理有限公司", ("escort", "admission", "smoking", "psych"), "400-650-7588")
PHARMACY_SUPPLIER = ("云康在线药房", ("pharmacy", "med_reminder"), "")

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
        for login, name, role, office in AGENTS:
            agent = uow.agents.by_login(login)
            if agent is None:
                agent = uow.agents.add(
                    Agent(id=uuid.uuid5(_NAMESPACE, f"agent:{login}"), login=login, name=name,
                          role=role, office=office)
                )
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
        illnesses = [(row.code, row.name_zh) for row in uow.illnesses.of_list(ILLNESS_LIST)]
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
        _Customer(context, batch, i, ids[i], identities[i], taken).generate()

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


def _at(day: date, rng: random.Random, first_hour: int = 9, last_hour: int = 19) -> datetime:
    return datetime.combine(day, time(rng.randint(first_hour, last_hour), rng.randrange(60)))


def _minutes(rng: random.Random, low: float, high: float) -> int:
    """A delay between ``low`` and ``high`` daytime hours, in minutes (see ``_shift``)."""
    return rng.randint(int(low * 60), int(high * 60))


_DAY_OPENS, _DAY_CLOSES = time(8), time(21)


def _into_day(at: datetime, *, forward: bool) -> datetime:
    if _DAY_OPENS <= at.time() <= _DAY_CLOSES:
        return at
    day = at.date()
    if forward:
        return datetime.combine(day if at.time() < _DAY_OPENS else day + timedelta(days=1), _DAY_OPENS)
    return datetime.combine(day if at.time() > _DAY_CLOSES else day - timedelta(days=1), _DAY_CLOSES)


def _shift(at: datetime, minutes: int) -> datetime:
    """``at`` moved by ``minutes`` of daytime (8:00-21:00), forward or back.

    Agents, suppliers and customers act by day: a delay of ten hours that starts in the
    evening ends the next afternoon, not at 3 a.m.
    """
    forward = minutes >= 0
    at, left = _into_day(at, forward=forward), abs(minutes)
    while left > 0:
        if forward:
            room = int((datetime.combine(at.date(), _DAY_CLOSES) - at).total_seconds() // 60)
        else:
            room = int((at - datetime.combine(at.date(), _DAY_OPENS)).total_seconds() // 60)
        if room <= 0:
            step = timedelta(days=1) if forward else -timedelta(days=1)
            at = datetime.combine(at.date() + step, _DAY_OPENS if forward else _DAY_CLOSES)
            continue
        take = min(left, room)
        at += timedelta(minutes=take if forward else -take)
        left -= take
    return at


def _later(at: datetime, delay: int | timedelta) -> datetime:
    # Calendar-day delays (claims) keep the time of day; others count daytime minutes.
    return at + delay if isinstance(delay, timedelta) else _shift(at, delay)


def _earlier(at: datetime, delay: int | timedelta) -> datetime:
    return at - delay if isinstance(delay, timedelta) else _shift(at, -delay)


# Requests of the first request customers: every state and service appears early, so even
# a demo of a few hundred customers shows all of them. Positions 3 and 16 get complaints,
# positions 1, 5, 9, 13, 17 ratings (see _Customer).
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

# One customer in 12 has requests: about 100,000 requests for a million customers.
_REQUEST_EVERY = 12
_REQUEST_OFFSET = 5

WRAP_UP_CODES = ("enquiry", "request_filed", "status_check", "update_details", "complaint", "callback")
VERIFIED_FACTS = ("full_name", "id_last4", "birth_date", "mobile")
_CALL_NOTES = {
    "enquiry": "客户来电咨询{service}的使用条件和次数，已告知权益有效期及申请路径。",
    "request_filed": "已为客户登记{service}申请，告知下一步时限。",
    "status_check": "客户查询{service}申请进度，已告知当前状态和预计完成时间。",
    "update_details": "客户来电更新联系电话及地址，已核身后修改。",
    "complaint": "客户对{service}服务时效不满，已记录诉求并转投诉处理。",
    "callback": "客户未接通，约定次日上午回拨。",
}
_COMPLAINTS = {
    "escort": "客户反映导医陪诊人员迟到约40分钟，未能按约定时间见面，要求说明情况。",
    "admission": "客户反映住院安排超过承诺时限，供应商多次未回电，要求尽快处理。",
    "smoking": "客户反映戒烟门诊预约时间与登记的期望日期不符，且未提前告知。",
    "advance_claim": "客户认为重疾先赔审核时间过长，多次补充材料后仍无结论。",
}
_RATING_COMMENTS = ("服务很及时，陪诊人员很专业。", "预约顺利，感谢。", "整体满意，回电稍慢。", "", "")
_PSYCH_SCALES = ("焦虑自评量表", "抑郁自评量表", "心理压力测评", "职业倦怠测评", "睡眠质量测评",
                 "简易应对方式问卷", "社会支持评定量表", "创伤后应激障碍筛查")
_NEWS = ("秋冬季心脑血管疾病预防要点", "体检报告里的结节怎么看", "高血压患者的饮食建议",
         "糖尿病早期信号", "科学戒烟的五个步骤")
_LECTURES = ("肺癌早筛与早诊", "冠心病的规范治疗", "乳腺健康讲座", "脑卒中的识别与急救")
_AI_DEPARTMENTS = ("呼吸内科", "消化内科", "皮肤科", "儿科", "心内科", "内分泌科")
_DRUGS = ("阿托伐他汀钙片", "苯磺酸氨氯地平片", "二甲双胍缓释片", "阿司匹林肠溶片", "奥美拉唑肠溶胶囊")
_REJECT_REASONS = {
    "escort": ("疑似疾病不在保单重疾列表内", "未能提供疑似重疾的相关检查资料"),
    "admission": ("诊断证明与住院单不全，经告知后未补充", "疑似疾病不在保单重疾列表内"),
    "advance_claim": ("确诊疾病不属于保险合同约定的重大疾病", "发病时间在等待期内"),
}
_CANCEL_REASONS = ("客户行程变更", "病情好转，暂不需要", "已自行在当地医院就诊", "家属另有安排")


class _Customer:
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
            if k % 13 == 3 and code in _COMPLAINTS:
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
        timeline = _Timeline(rng, c.calendar)
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
            anchor = _at(day, rng, 8, 20) if service.real_time else _at(day, rng)
            anchor, entering = max(min(anchor, last), datetime.combine(starts_on, time(9))), False
        build = _BUILDERS.get(service.code, _Timeline.real_time)
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
        received = min(_shift(last, _minutes(rng, 1, 30)), c.now - timedelta(minutes=30))
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
                "received_at": received, "summary": _COMPLAINTS[code], "complex_case": complex_case,
                "marked_complex_by": c.supervisor if complex_case else None, "due_at": due,
                "state": state, "decided_at": decided_at, "decision": decision,
            }
        )

    def _rating(self, request: dict[str, Any], last: datetime) -> None:
        rng = self.rng
        at = min(_shift(last, _minutes(rng, 1, 26)), self.c.now)
        self.batch.ratings.append(
            {
                "id": _uuid(rng), "request_id": request["id"], "timeliness": rng.randint(3, 5),
                "quality": rng.randint(3, 5), "attitude": rng.randint(4, 5),
                "comment": rng.choice(_RATING_COMMENTS), "at": at,
            }
        )

    # -- calls

    def _calls(self) -> None:
        rng, c = self.rng, self.c
        for _ in range(rng.choice((1, 1, 2, 3))):
            started = _at(c.today - timedelta(days=rng.randint(1, 120)), rng)
            ended = started + timedelta(seconds=rng.randint(90, 900))
            wrap_up = rng.choice(WRAP_UP_CODES)
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
                    "text": _CALL_NOTES[wrap_up].format(service=service.name_zh),
                }
            )


# --- Request lifecycles -------------------------------------------------------------------


class _Timeline:
    """The events, SLA steps and ledger entries of one request, built forward in time.

    ``anchor`` is either the submission time or, with ``entering``, the time the request
    entered its current (open) state; the builders draw their delays first so they can
    work back from it.
    """

    def __init__(self, rng: random.Random, calendar: WorkingCalendar) -> None:
        self.rng = rng
        self.calendar = calendar
        self.events: list[tuple[datetime, RequestState, str, dict[str, Any]]] = []
        # code, started, due, done, calendar unknown after (as the SLA clock flags it)
        self.steps: list[tuple[str, datetime, datetime | None, datetime | None, date | None]] = []
        self.ledger: list[tuple[LedgerKind, datetime, str]] = []
        self.state = S.SUBMITTED

    def event(self, at: datetime, state: RequestState, reason: str = "", **data: Any) -> None:
        self.events.append((at, state, reason, data))
        self.state = state

    def step(self, spec: SlaStep, started: datetime, done: datetime | None,
             due: datetime | None = None) -> None:
        unknown_after = None
        if due is None:
            computed = due_for_step(spec, started, self.calendar)
            due = computed.at if computed is not None else None
            unknown_after = computed.calendar_unknown_after if computed is not None else None
        self.steps.append((spec.code, started, due, done, unknown_after))

    def count(self, at: datetime, reason: str) -> None:
        self.ledger.append((LedgerKind.COUNTED, at, reason))

    def refund(self, at: datetime, reason: str) -> None:
        self.ledger.append((LedgerKind.REFUNDED, at, reason))

    @staticmethod
    def _start(
        anchor: datetime, entering: bool, delays: Sequence[int | timedelta]
    ) -> list[datetime]:
        """Submission then each transition's time, given the delays between them."""
        anchor = anchor.replace(second=0, microsecond=0)
        if not entering:
            times = [_into_day(anchor, forward=True)]
            for delay in delays:
                times.append(_later(times[-1], delay))
            return times
        times = [_into_day(anchor, forward=False)]
        for delay in reversed(delays):
            times.append(_earlier(times[-1], delay))
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
            depth = {S.SUBMITTED: 0, S.APPROVED: 1, S.SUPPLIER_CONTACTED: 2}.get(target, 3)
            path = [S.APPROVED, S.SUPPLIER_CONTACTED, S.BOOKED][:depth]
        delays = [_minutes(rng, 0.5, 6), _minutes(rng, 1, 12), _minutes(rng, *last_delay)][: len(path)]
        times = self._start(anchor, entering, delays)
        self.event(times[0], S.SUBMITTED, **submitted)
        if target is S.REJECTED:
            self.event(times[1], S.REJECTED, rng.choice(_REJECT_REASONS[code]))
        elif early_cancel:
            self.event(times[1], S.CANCELLED, rng.choice(_CANCEL_REASONS), by="customer", counted=False)
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

    def escort(self, who: _Customer, service: Benefit, target: RequestState,
               anchor: datetime, entering: bool) -> dict[str, Any]:
        rng = self.rng
        eligibility, contact, booking, escort = service.sla_steps
        city, hospital, illness = _hospital_and_illness(who)
        department = rng.choice(DEPARTMENTS)
        times = self._green_channel(
            "escort", target, anchor, entering, (eligibility, contact, booking),
            cancel_share=0.35, last_delay=(2, 24), submitted={},
        )
        if len(times) > 3:
            booked = times[3]
            visit = datetime.combine(booked.date() + timedelta(days=rng.randint(2, 10)),
                                     time(rng.choice((8, 9, 10)), rng.choice((0, 30))))
            self.events[-1][3].update(visit_at=visit.isoformat(sep=" ", timespec="minutes"),
                                      hospital=hospital, department=department,
                                      meeting_point="门诊大厅导医台")
            if target is S.BOOKED:
                self.step(escort, booked, None, due=visit)
            elif target is S.DONE:
                done = _shift(visit, _minutes(rng, 2, 4))
                self.event(done, S.DONE)
                self.step(escort, booked, done, due=visit)
                self.count(done, "陪诊完成")
            elif target is S.NO_SHOW:
                at = visit + timedelta(hours=4)
                self.event(at, S.NO_SHOW, "客户未到约定地点，电话未接通")
                self.step(escort, booked, at, due=visit)
                self.count(at, "爽约，计次")
            else:
                late = rng.random() < 0.5
                if late:
                    at = _shift(visit, -_minutes(rng, 1, 10))
                else:
                    at = _shift(visit - timedelta(days=rng.randint(1, 3)), -_minutes(rng, 1, 6))
                at = max(at, booked + timedelta(minutes=30))
                counted = visit - at < ESCORT_FREE_CANCEL
                self.event(at, S.CANCELLED, rng.choice(_CANCEL_REASONS), by="customer", counted=counted)
                self.step(escort, booked, at, due=visit)
                if counted:
                    self.count(at, "就诊前不足24小时取消，计次")
        return {"suspected_illness": illness[0], "suspected_illness_name": illness[1],
                "city": city, "hospital": hospital, "department": department}

    def admission(self, who: _Customer, service: Benefit, target: RequestState,
                  anchor: datetime, entering: bool) -> dict[str, Any]:
        rng = self.rng
        eligibility, contact, arrangement = service.sla_steps
        city, hospital, illness = _hospital_and_illness(who)
        kind = rng.choice(("hospitalisation", "surgery"))
        times = self._green_channel(
            "admission", target, anchor, entering, (eligibility, contact, arrangement),
            cancel_share=0.4, last_delay=(13, 110), submitted={"uploads": ["诊断证明", "住院单"]},
        )
        if len(times) > 3:
            booked = times[3]
            on = booked.date() + timedelta(days=rng.randint(1, 14))
            self.events[-1][3].update(kind=kind, date=on.isoformat(), hospital=hospital,
                                      department=rng.choice(DEPARTMENTS))
            self.count(booked, "供应商确认安排，计次")
            if target is S.DONE:
                self.event(_at(on, rng, 8, 11), S.DONE)
            elif target is S.CANCELLED:
                at = _shift(booked, _minutes(rng, 2, 30))
                self.event(at, S.CANCELLED, rng.choice(_CANCEL_REASONS), by="customer", counted=True)
        return {"suspected_illness": illness[0], "suspected_illness_name": illness[1],
                "kind": kind, "city": city, "hospital": hospital,
                "documents": ["diagnosis_certificate", "admission_slip"]}

    def smoking(self, who: _Customer, service: Benefit, target: RequestState,
                anchor: datetime, entering: bool) -> dict[str, Any]:
        rng = self.rng
        (booking,) = service.sla_steps
        city, hospital = _clinic(who)
        variant = rng.choice(("quick", "early", "late")) if target is S.CANCELLED else ""
        delays: list[int | timedelta]
        if target is S.SUBMITTED:
            delays = []
        elif variant == "quick":
            delays = [rng.randint(10, 110)]
        elif target is S.BOOKING_FAILED:
            delays = [_minutes(rng, 1, 12)]
        else:
            delays = [_minutes(rng, 0.2, 12)]
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
            self.event(times[1], S.CANCELLED, "提交后2小时内取消", by="customer", counted=False)
            return details
        if target is S.BOOKING_FAILED:
            self.event(times[1], S.BOOKING_FAILED, "该院戒烟门诊号源已满")
            return details
        booked = times[1]
        gap = rng.randint(6, 14) if variant == "early" else rng.randint(1, 14)
        visit = datetime.combine(booked.date() + timedelta(days=gap), time(rng.choice((8, 9, 10)), 0))
        self.event(booked, S.BOOKED, visit_at=visit.isoformat(sep=" ", timespec="minutes"),
                   hospital=hospital)
        self.count(booked, "预约成功，计次")
        if target is S.DONE:
            self.event(_shift(visit, _minutes(rng, 1, 3)), S.DONE)
        elif target is S.CANCELLED:
            if variant == "early":
                at = _shift(booked + timedelta(days=rng.randint(1, gap - 5)), rng.randint(0, 300))
            else:
                at = max(_shift(visit, -_minutes(rng, 1, 12)), booked + timedelta(minutes=20))
            # Withdrawing 2 or more working days before the visit does not count.
            early = withdrawn_in_time(at.date(), visit.date(), self.calendar)
            self.event(at, S.CANCELLED, "客户退号", by="customer", counted=not early)
            if early:
                self.refund(at, "就诊前2个工作日以上退号，不计次")
        return details

    def advance_claim(self, who: _Customer, service: Benefit, target: RequestState,
                      anchor: datetime, entering: bool) -> dict[str, Any]:
        rng = self.rng
        decision, payment = service.sla_steps
        _city, hospital, illness = _hospital_and_illness(who)
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
            self.event(times[1], S.REJECTED, rng.choice(_REJECT_REASONS["advance_claim"]))
        elif target is S.CANCELLED:
            self.event(times[1], S.CANCELLED, "客户撤回申请", by="customer", counted=False)
        elif len(times) > 1:
            self.event(times[1], S.APPROVED, amount=amount)
            if target is S.DONE:
                self.event(times[2], S.DONE, paid=amount)
        self.step(decision, times[0], times[1] if len(times) > 1 else None)
        if target in {S.APPROVED, S.DONE}:
            self.step(payment, times[1], times[2] if len(times) > 2 else None)
        return {"illness": illness[0], "illness_name": illness[1], "hospital": hospital,
                "claim_amount": amount}

    def real_time(self, who: _Customer, service: Benefit, target: RequestState,
                  anchor: datetime, entering: bool) -> dict[str, Any]:
        rng = self.rng
        # Back into the day, never forward: the anchor may be an hour before a night-time now.
        at = _into_day(anchor.replace(second=0, microsecond=0), forward=False)
        details: dict[str, Any]
        if service.code == "psych":
            details = {"scale": rng.choice(_PSYCH_SCALES), "score": rng.randint(20, 70)}
        elif service.code == "news":
            details = {"article": rng.choice(_NEWS)}
        elif service.code == "lectures":
            details = {"lecture": rng.choice(_LECTURES)}
        elif service.code == "ai_consult":
            details = {"department": rng.choice(_AI_DEPARTMENTS)}
        elif service.code == "pharmacy":
            details = {"drugs": rng.sample(_DRUGS, rng.randint(1, 2)),
                       "order_amount": rng.randint(30, 600)}
        else:
            details = {"drug": rng.choice(_DRUGS), "channel": rng.choice(("sms", "voice"))}
        self.event(at, S.USED, **details)
        for spec in service.sla_steps:
            if spec.unit is SlaUnit.MINUTES:
                self.step(spec, at, at + timedelta(seconds=rng.randint(15, 55)))
        return details


_BUILDERS: dict[str, Callable[..., dict[str, Any]]] = {
    "escort": _Timeline.escort,
    "admission": _Timeline.admission,
    "smoking": _Timeline.smoking,
    "advance_claim": _Timeline.advance_claim,
}


def _hospital_and_illness(who: _Customer) -> tuple[str, str, tuple[str, str]]:
    rng = who.rng
    city = who.city if who.city in HOSPITALS and rng.random() < 0.8 else rng.choice(list(HOSPITALS))
    return city, rng.choice(HOSPITALS[city]), rng.choice(who.c.illnesses)


def _clinic(who: _Customer) -> tuple[str, str]:
    rng = who.rng
    nearby = [clinic for clinic in who.c.clinics if clinic[0] == who.city]
    return rng.choice(nearby or who.c.clinics)
