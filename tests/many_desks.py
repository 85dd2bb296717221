"""Many desks filing at once on one database: shared steps of the concurrency tests
(tests/test_many_agents.py directly, tests/test_pgbouncer.py behind a pooler)."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime

import pytest

import desk.use_cases.requests as requests_module
from db.tables import Request, UsageEvent
from desk.rules.catalogue import benefit
from desk.rules.entitlement import counted_uses
from desk.rules.request_states import RequestState
from desk.use_cases.database import Database
from desk.use_cases.requests import NewRequest, file_request, move_request
from tests.callers import policy_of, rows

AT = datetime(2026, 9, 28, 10, 0)  # a Monday inside 张三's service year
ZHANG = "XK202601100001"
AGENTS = 20
# All desks but one are refused the last use of the year.
FILED_ONCE = ["filed"] + ["refused"] * (AGENTS - 1)


def file_smoking(database: Database, policy_id: uuid.UUID, at: datetime = AT) -> requests_module.Filed:
    with database.unit_of_work() as uow:
        return file_request(uow, NewRequest(policy_id, "smoking"), agent_id=None, at=at)


def book(database: Database, request_id: uuid.UUID) -> None:
    with database.unit_of_work() as uow:
        move_request(uow, request_id, RequestState.BOOKED, agent_id=None, at=AT,
                     data={"visit_at": "2026-10-20T09:00"})


def all_but_the_last_booked(database: Database) -> uuid.UUID:
    """张三's smoking clinic with every use of the year but one filed and booked: his policy."""
    policy_id = policy_of(database, ZHANG)
    for _ in range(benefit("smoking").quota_per_year - 1):
        book(database, file_smoking(database, policy_id).request_id)
    return policy_id


def slow_counting(monkeypatch: pytest.MonkeyPatch, seconds: float = 0.03) -> None:
    """Widen the race: each desk counts the year's uses, then waits before writing its
    request. Without the claim on the service year every desk would count 11 here."""
    counted = requests_module.uses_in_year

    def slow_count(uow, period_id, code):
        result = counted(uow, period_id, code)
        time.sleep(seconds)
        return result

    monkeypatch.setattr(requests_module, "uses_in_year", slow_count)


@contextmanager
def closing(desks: Sequence[Database]) -> Iterator[Sequence[Database]]:
    """The desks, closed afterwards whatever happened."""
    try:
        yield desks
    finally:
        for database in desks:
            database.close()


def at_once(agent: Callable[..., None], arguments: Iterable[tuple], timeout: float) -> None:
    """``agent`` run once for each tuple of arguments, each in its own thread, all at once."""
    threads = [threading.Thread(target=agent, args=args) for args in arguments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)


def assert_the_last_use_counted_once(database: Database) -> None:
    """Exactly the year's quota filed, one still open; booked, the ledger counts one use a request."""
    quota = benefit("smoking").quota_per_year
    smoking = [r for r in rows(database, Request) if r.service_code == "smoking"]
    assert len(smoking) == quota
    (still_open,) = [r for r in smoking if r.state == RequestState.SUBMITTED]
    book(database, still_open.id)
    ledger = [e for e in rows(database, UsageEvent) if e.service_code == "smoking"]
    assert counted_uses(e.kind for e in ledger) == quota
    assert len({e.request_id for e in ledger}) == quota  # one counted use per request
