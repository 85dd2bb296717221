"""What desk leaves behind and prints keeps customers' data to the agent (issue #12).

Files are the owner's alone whatever the umask; CSV cells never start a spreadsheet
formula; a database password is never printed, wherever it was given; stored text never
acts on the terminal.
"""

from __future__ import annotations

import csv
import io
import logging
import os
import shutil
import stat
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from rich.text import Text
from sqlalchemy import update
from sqlalchemy.engine import make_url
from textual.widgets import DataTable

from db.engines import safe_url
from db.tables import Agent, Customer, RequestStep
from desk.cli.main import main
from desk.rules.search_keys import customer_search_keys
from desk.texts.tables import aligned_table, csv_safe
from desk.use_cases.database import database_target, open_database
from desk.use_cases.drafts import DraftStore
from desk.use_cases.fault_log import _installed, install_log
from tests.callers import resident_id
from tests.cli import sign_in_as
from tests.pilot import desk_app, search
from tests.queue_cast import add_open_work

ESCAPED_NAME = "张\x1b[31m三"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def loose_umask() -> Iterator[None]:
    previous = os.umask(0o022)
    yield
    os.umask(previous)


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    return tmp_path / "xdg" / "desk"


# --- files -------------------------------------------------------------------------------


def test_a_new_embedded_database_is_the_owners_alone(loose_umask, data_dir):
    database = open_database(None)
    try:
        with database.engine.connect():  # WAL: -wal and -shm exist while connected
            files = sorted(data_dir.glob("desk.sqlite3*"))
            assert {path.name for path in files} >= {"desk.sqlite3", "desk.sqlite3-wal", "desk.sqlite3-shm"}
            assert {path.name: mode(path) for path in files} == {path.name: 0o600 for path in files}
    finally:
        database.close()
    assert mode(data_dir) == 0o700


def test_what_an_older_desk_left_readable_is_tightened_on_start(loose_umask, data_dir, sqlite_template):
    data_dir.mkdir(parents=True, mode=0o755)
    os.chmod(data_dir, 0o755)
    shutil.copyfile(sqlite_template, data_dir / "desk.sqlite3")
    os.chmod(data_dir / "desk.sqlite3", 0o644)
    (data_dir / "desk.sqlite3.damaged-20260101-000000").write_bytes(b"x")
    (data_dir / "desk.log.1").write_text("old", encoding="utf-8")
    open_database(None).close()
    assert mode(data_dir) == 0o700
    assert mode(data_dir / "desk.sqlite3") == 0o600
    assert mode(data_dir / "desk.sqlite3.damaged-20260101-000000") == 0o600
    log = install_log(data_dir / "desk.log")
    try:
        assert mode(data_dir / "desk.log.1") == 0o600
    finally:
        logging.getLogger("desk").removeHandler(_installed.pop(log))


def test_a_draft_of_health_details_is_the_owners_alone(loose_umask, data_dir):
    store = DraftStore(data_dir / "drafts")
    path = store.save(uuid.uuid4(), "advance_claim", {"diagnosis": "肺癌"})
    assert mode(path) == 0o600
    assert mode(data_dir / "drafts") == 0o700
    assert mode(data_dir) == 0o700  # made by the draft: not left with the umask's 0755


def test_the_fault_log_and_its_folder_are_the_owners_alone(loose_umask, data_dir):
    log = install_log(data_dir / "desk.log")
    try:
        logging.getLogger("desk").error("something failed")
        assert mode(log) == 0o600
        assert mode(data_dir) == 0o700
    finally:
        logging.getLogger("desk").removeHandler(_installed.pop(log))


# --- CSV ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1+2", "'+1+2"),
        ("-cmd", "'-cmd"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("张*", "张*"),
        ("-6h30", "-6h30"),  # desk's own working time left: a figure, not a formula
        ("-1.5", "-1.5"),
        ("", ""),
    ],
)
def test_csv_safe(cell, written):
    assert csv_safe(cell) == written


def test_a_queue_csv_never_starts_a_formula(database, capsys, monkeypatch):
    add_open_work(database)
    sign_in_as(monkeypatch, database, "supervisor01")
    with database.unit_of_work() as uow:
        agent = uow.agents.add(Agent(login="mallory", name='=HYPERLINK("http://x")'))
        customer = uow.customers.by_id_number(resident_id("110105", date(1990, 3, 7), "123"))
        customer.name = "=cmd"
        uow.customers.add(customer)
        uow.commit()
        agent_id = agent.id
    with database.engine.begin() as connection:
        connection.execute(update(RequestStep).values(assigned_to=agent_id))
    url = database.engine.url.render_as_string(hide_password=False)
    assert main(["--db", url, "queue", "--format", "csv", "--overdue", "--now", "2026-11-24 10:30"]) == 0
    header, *items = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    (row,) = [dict(zip(header, item, strict=True)) for item in items]
    assert row["agent"] == '\'=HYPERLINK("http://x")'
    assert row["customer"] == "'=**d"
    assert row["left"] == "-6h30"


# --- URLs --------------------------------------------------------------------------------


def test_safe_url_hides_every_password_and_keeps_the_rest():
    url = "postgresql://desk:pw1@db.example:5432/desk?password=pw2&sslmode=require&sslpassword=pw3"
    assert safe_url(url) == "postgresql://desk:***@db.example:5432/desk?password=***&sslmode=require&sslpassword=***"
    assert database_target(url) == "desk:***@db.example:5432/desk?password=***&sslmode=require&sslpassword=***"


@pytest.fixture
def secret_pg_urls(pg_database_url: str) -> tuple[str, str]:
    """The test server's URL with a password as a query parameter (trust: ignored), for a
    database that exists and for one that does not."""
    url = make_url(pg_database_url).set(drivername="postgresql").update_query_dict({"password": "s3cret"})
    missing = url.set(database=f"desk_missing_{uuid.uuid4().hex[:8]}")
    return url.render_as_string(hide_password=False), missing.render_as_string(hide_password=False)


@pytest.mark.parametrize("command", [["db", "status"], ["queue"], ["db", "upgrade"]])
def test_a_password_in_the_url_is_never_printed(secret_pg_urls, capsys, command):
    existing, missing = secret_pg_urls
    targets = [missing] if command == ["db", "upgrade"] else [existing, missing]
    for url in targets:
        main(["--db", url, *command])
        out, err = capsys.readouterr()
        assert "s3cret" not in out + err
        assert out + err  # it did say something: the URL or why it failed
    # And the user:password@ form on a database that does not exist.
    with_userinfo = make_url(missing).set(password="s3cret").render_as_string(hide_password=False)
    main(["--db", with_userinfo, *command])
    out, err = capsys.readouterr()
    assert "s3cret" not in out + err and "***" in out + err


# --- inert text --------------------------------------------------------------------------


def _add_customer(database, name: str, region: str = "北京市朝阳区") -> str:
    id_number = resident_id("110105", date(1988, 1, 2), "135")
    mobile = "13811112222"
    with database.unit_of_work() as uow:
        uow.customers.add(Customer(name=name, id_number=id_number, birth_date=date(1988, 1, 2), sex="M",
                                   mobile=mobile, region=region, address="朝阳路1号",
                                   **customer_search_keys(name, id_number, mobile)))
        uow.commit()
    return id_number


def test_an_escape_sequence_in_a_stored_name_never_reaches_the_terminal(database, capsys, monkeypatch):
    id_number = _add_customer(database, ESCAPED_NAME)
    sign_in_as(monkeypatch, database, "supervisor01")
    url = database.engine.url.render_as_string(hide_password=False)
    assert main(["--db", url, "requests", "--customer", id_number]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "张[31m三" not in out and "张三" in out


def test_aligned_tables_drop_control_characters_and_stay_aligned():
    lines = aligned_table(["名称", "x"], [[ESCAPED_NAME, "1"], ["李四", "2"]])
    assert lines == ["名称  x", "张三  1", "李四  2"]


async def test_the_lookup_shows_a_stored_name_inert(database):
    _add_customer(database, ESCAPED_NAME, region="[red]北京")
    url = database.engine.url.render_as_string(hide_password=False)
    app = desk_app(url)
    async with app.run_test(size=(100, 24)) as pilot:
        assert await search(pilot, "2222") == ["张三"]
        row = pilot.app.screen.query_one("#results", DataTable).get_row_at(0)
        # A DataTable reads a str cell as markup: what shows is the markup's plain text.
        shown = [Text.from_markup(cell).plain for cell in row]
        assert shown[0] == "张三" and shown[4] == "[red]北京"
