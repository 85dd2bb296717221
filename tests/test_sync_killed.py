"""``desk sync`` killed (SIGKILL) at random moments, then run again: the same end as one
clean run, nothing applied twice."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from db.tables import Call, Customer
from tests.callers import rows
from tests.cli import PASSWORD, with_password
from tests.sync_sites import (
    AT,
    branch_office,
    fingerprint,
    head_office,
    sent_once,
    sync,
)

CALLS = 3000


def _log_calls(database, customers: list, prefix: str) -> None:
    with database.unit_of_work() as uow:
        uow.calls.bulk_insert(
            {"customer_id": customers[i % len(customers)], "started_at": AT, "caller_number": f"{prefix}{i:04d}",
             "verified_facts": []}
            for i in range(CALLS)
        )
        uow.commit()


def _desk(branch_url: str, *args: str) -> subprocess.Popen[bytes]:
    environment = {**os.environ, "DESK_AGENT": "agent01", "DESK_PASSWORD": PASSWORD}
    return subprocess.Popen(
        [str(Path(sys.executable).parent / "desk"), "--db", branch_url, "sync", *args],
        env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )


def test_a_sync_killed_at_random_moments_then_run_again_ends_as_one_clean_run(
    empty_pg_url: str, sqlite_template: Path, tmp_path: Path
) -> None:
    head = head_office(empty_pg_url)
    with_password(head, "agent01", role="agent")
    branch = branch_office(sqlite_template, tmp_path, "branch")
    branch_url = str(branch.engine.url)
    try:
        sync(branch, empty_pg_url, first=True)
        customers = [c.id for c in rows(branch, Customer)]
        _log_calls(branch, customers, "1380000")
        # And head office has as much for the branch: a kill may land in either half.
        _log_calls(head, customers, "1390000")
        chance = random.Random(os.environ.get("PYTEST_XDIST_WORKER", "") + str(time.time_ns()))
        killed = 0
        for _ in range(4):
            process = _desk(branch_url)
            time.sleep(chance.uniform(0.3, 2.5))
            if process.poll() is None:
                process.send_signal(signal.SIGKILL)
                killed += 1
            process.wait(timeout=60)
        finished = _desk(branch_url)
        out, err = finished.communicate(timeout=300)
        assert finished.returncode == 0, err.decode()
        again = _desk(branch_url)
        out, err = again.communicate(timeout=300)
        assert again.returncode == 0, err.decode()
        assert "发出 0 条" in out.decode() or "发出 1 条" in out.decode()  # at most its own sign-in

        assert len(rows(head, Call)) == len(rows(branch, Call)) == 2 * CALLS
        state_head, state_branch = fingerprint(head), fingerprint(branch)
        assert state_branch["call"] == state_head["call"]
        assert state_branch["request"] == state_head["request"]
        assert sent_once(head, branch)
        print(f"killed {killed} of 4 runs")
    finally:
        branch.close()
        head.close()

