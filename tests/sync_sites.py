"""Head office on PostgreSQL and branch offices on SQLite files, for the sync tests."""

from __future__ import annotations

import shutil
import uuid
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import func, select, text

from db.tables import Agent, Customer, Policy, ServicePeriod
from desk.rules.search_keys import customer_search_keys
from desk.rules.service_period import initial_window
from desk.use_cases.database import Database, open_database
from desk.use_cases.requests import NewRequest, file_request
from desk.use_cases.sign_in import SignedIn
from desk.use_cases.sync import SyncReport, sync_branch
from tests.callers import add_callers, policy_of, resident_id

AT = datetime(2026, 9, 28, 10, 0)  # a Monday inside 张三's service year
ZHANG = "XK202601100001"
SHANGHAI_POLICY = "XK202601100099"
BEIJING = "北京市朝阳区"


def head_office(url: str) -> Database:
    """Head office: the fixed cast in Beijing, one customer in Shanghai, and an agent."""
    database = open_database(url)
    add_callers(database)
    with database.unit_of_work() as uow:
        id_number = resident_id("310104", date(1980, 1, 2), "017")
        customer = uow.customers.add(
            Customer(name="陈上海", id_number=id_number, birth_date=date(1980, 1, 2), sex="M", mobile="13512340000",
                     region="上海市黄浦区", **customer_search_keys("陈上海", id_number, "13512340000"))
        )
        policy = uow.policies.add(
            Policy(policy_number=SHANGHAI_POLICY, product="小康康卫士重大疾病保险", insured_id=customer.id,
                   holder_id=customer.id, effective_date=date(2026, 1, 10))
        )
        window = initial_window(policy.effective_date)
        uow.service_periods.add(ServicePeriod(policy_id=policy.id, starts_on=window.starts_on, ends_on=window.ends_on))
        uow.agents.add(Agent(login="agent01", name="王坐席", role="agent"))
        uow.agents.add(Agent(login="supervisor01", name="刘主管", role="supervisor"))
        uow.commit()
    return database


def branch_office(template: Path, folder: Path, name: str) -> Database:
    path = folder / f"{name}.sqlite3"
    shutil.copyfile(template, path)
    return open_database(f"sqlite:///{path}")


def agent_of(database: Database, login: str = "agent01") -> SignedIn:
    with database.unit_of_work() as uow:
        row = uow.agents.by_login(login)
        return SignedIn(row.id, row.login, row.name, row.role)


def sync(branch: Database, head_url: str | None = None, *, first: bool = False, **kwargs: object) -> SyncReport:
    if first:
        return sync_branch(branch, remote_url=head_url, at=AT, scope={"region": BEIJING}, **kwargs)
    return sync_branch(branch, remote_url=None, at=AT, agent=agent_of(branch), **kwargs)


def file_escort(database: Database, number: str = ZHANG, at: datetime = AT) -> uuid.UUID:
    with database.unit_of_work() as uow:
        filed = file_request(uow, NewRequest(policy_of(database, number), "escort", suspected_illness="S01"),
                             agent_id=agent_of(database).agent_id, at=at)
    return filed.request_id


def fingerprint(database: Database) -> dict[str, object]:
    """What a sync must bring to the same state whatever happened on the way: every synced
    row's identity and business values (not when it was written)."""
    from db.sync.rows import NOT_EDITS, SYNCED

    state: dict[str, object] = {}
    with database.engine.connect() as connection:
        for table in SYNCED:
            if table.name == "audit_event":
                continue
            columns = [c for c in table.columns if c.name not in NOT_EDITS]
            rows = connection.execute(select(*columns)).all()
            state[table.name] = sorted(tuple(str(value) for value in row) for row in rows)
    return state


def sent_once(head: Database, branch: Database) -> bool:
    """Every change written at the branch is at head office, recorded once as the branch's
    (and nothing else is), and none still waits to go out."""
    with branch.engine.connect() as connection:
        site = connection.execute(text("SELECT id FROM sync_site")).scalar_one()
        written = set(connection.execute(text("SELECT change_id FROM sync_change WHERE origin IS NULL")).scalars())
        waiting = connection.execute(
            text("SELECT count(*) FROM sync_change WHERE origin IS NULL AND sent_at IS NULL")
        ).scalar_one()
    with head.engine.connect() as connection:
        received = list(connection.execute(
            text("SELECT change_id FROM sync_change WHERE origin = :site"), {"site": uuid.UUID(str(site))}
        ).scalars())
    as_uuid = {uuid.UUID(str(change)) for change in written}
    return waiting == 0 and len(received) == len(as_uuid) and {uuid.UUID(str(c)) for c in received} == as_uuid


def count(database: Database, model: type) -> int:
    with database.unit_of_work() as uow:
        return uow.sync.session.execute(select(func.count()).select_from(model)).scalar_one()
