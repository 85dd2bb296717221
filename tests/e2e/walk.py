"""The demo database of the end-to-end walks, the caller they serve, and the walk itself.

The walk is an agent's call from sign-in to the queue, typed into a real terminal and
checked on the text of the screen alone: no colour is read, so what it finds is what an
agent reads in monochrome, under ``NO_COLOR`` or through a screen reader.
"""

from __future__ import annotations

import os
import re
import subprocess
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy import or_, select, update

from db.tables import Customer, Policy, RequestStep
from db.timestamps import china_now
from desk.rules.entitlement import BenefitState
from desk.rules.masking import mask_name
from desk.use_cases.customer_view import load_benefit_cards
from desk.use_cases.database import open_database
from desk.use_cases.lookup import find_customers
from desk.use_cases.queue import load_queue
from tests.e2e.terminal import DESK, STAGE, Terminal, line_with

PASSWORD = "demo-desk-2026"
SEED = 14
# A queue row at 80 columns starts with its state: the mark and, always, the word.
STATE_WORDS = {"!!超时": "overdue", "! 临期": "due soon", "正常": "on track"}  # as the 80-column rows read
# The row under the cursor, and the focused choice of a list, start with ">" (after their
# state or box on no other row): colour alone does not say which row the keys act on.
ROW = re.compile(r"^\s*(>)?\s*(!!超时|! 临期|正常)\s+\d\d-\d\d \d\d:\d\d")


@dataclass(frozen=True)
class Caller:
    name: str
    masked: str
    policy_number: str
    escort: BenefitState  # the first card: shown at 80×24 next to the admission card


def make_demo(directory: Path) -> str:
    """A 200-customer demo database in ``directory``, made by the installed ``desk demo``."""
    path = directory / "demo.sqlite3"
    url = f"sqlite:///{path}"
    env = {**os.environ, "XDG_DATA_HOME": str(directory / "xdg")}
    subprocess.run([str(DESK), "--db", url, "demo", "--customers", "200", "--seed", str(SEED)], env=env,
                   check=True, capture_output=True, timeout=120)
    return url


def pick_caller(url: str) -> Caller:
    """An insured caller with one policy of their own, a free smoking-clinic card, found by
    name alone, and whose masked name is on no queue row yet: the row the walk files is theirs."""
    database = open_database(url)
    now = china_now()
    try:
        with database.unit_of_work() as uow:
            on_queue = {item.customer for item in load_queue(uow, now, size=1000).items}
            session = uow._session  # noqa: SLF001 - a test's read, not the app's
            policies = session.scalars(
                select(Policy).where(Policy.status == "active", Policy.insured_id == Policy.holder_id)
            ).all()
            found: list[Caller] = []
            for policy in policies:
                customer = session.get(Customer, policy.insured_id)
                if customer is None or mask_name(customer.name) in on_queue:
                    continue
                theirs = session.scalars(select(Policy.id).where(
                    or_(Policy.insured_id == customer.id, Policy.holder_id == customer.id))).all()
                if len(theirs) != 1 or len(find_customers(uow, customer.name)) != 1:
                    continue
                cards = {c.benefit.code: c.state for c in load_benefit_cards(uow, policy.id, now.date()).cards}
                if cards["smoking"] is BenefitState.AVAILABLE:
                    found.append(Caller(customer.name, mask_name(customer.name), policy.policy_number,
                                        cards["escort"]))
        # Best a caller whose first card is not available: two card states on one screen.
        found.sort(key=lambda caller: caller.escort is BenefitState.AVAILABLE)
        assert found, "the demo has no caller for the walk"
        return found[0]
    finally:
        database.close()


def make_one_due_soon(url: str) -> None:
    """Bring one open step due within the hour, so the queue holds all three states.

    The demo's clock is the wall clock: whether one of its steps is due soon depends on the
    hour the test runs. Half an hour on, a step is due soon whatever the time of day.
    """
    database = open_database(url)
    try:
        with database.unit_of_work() as uow:
            session = uow._session  # noqa: SLF001
            step_id: uuid.UUID | None = session.scalars(
                select(RequestStep.id).where(RequestStep.done_at.is_(None)).order_by(RequestStep.due_at.desc())
            ).first()
            assert step_id is not None, "the demo has no open step"
            session.execute(update(RequestStep).where(RequestStep.id == step_id)
                            .values(due_at=china_now().replace(microsecond=0) + timedelta(minutes=45),
                                    calendar_unknown_after=None))
            uow.commit()
    finally:
        database.close()


def sign_in(term: Terminal) -> None:
    shown = term.wait_for("坐席登录", "登录名", "密码")
    assert "agent01" in line_with(shown, "▊  agent01"), "DESK_AGENT fills the login box"
    term.type(PASSWORD)
    # Enter only once every character is in the box, as an agent sees it: Enter is a
    # priority key and overtakes characters still queued for the box.
    term.wait_for("•" * len(PASSWORD))
    home = ("姓名 / 拼音 / 手机号", "f2 待办队列")
    deadline = time.monotonic() + 2 * STAGE
    while True:
        term.press("Enter")
        # The database opens behind the sign-in; until it is open Enter says so and keeps
        # the password typed, and the agent presses Enter again.
        shown = term.wait_until(lambda s: all(h in s for h in home) or "数据库尚未就绪" in s, "the sign-in's answer")
        if all(h in shown for h in home) or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    term.wait_for(*home)


def look_up_and_verify(term: Terminal, caller: Caller) -> None:
    term.type(caller.name)
    term.wait_for("找到 1 位客户")
    term.press("Enter")
    shown = term.wait_for(f"核身：{caller.name}", "已勾选 0 项")
    # Nothing ticked yet, and it reads so: four empty boxes, not four Xs.
    assert shown.count("▐ ▌") == 4 and "▐X▌" not in shown, term.framed(shown)
    # The focused fact, the one space ticks, is marked in text: the first.
    assert marked_lines(shown, "▐") == ["> ▐ ▌ 1  全名"], term.framed(shown)
    term.press("Tab")
    shown = term.wait_until(lambda s: marked_lines(s, "▐") == ["> ▐ ▌ 2  证件号后4位"], "the mark on the second fact")
    term.press("1")
    term.press("2")
    shown = term.wait_for("已勾选 2 项")
    assert "▐X▌ 1  全名" in shown and "▐X▌ 2  证件号后4位" in shown, term.framed(shown)
    assert "▐ ▌ 3  出生日期" in shown and "▐ ▌ 4  注册手机号" in shown, term.framed(shown)
    assert marked_lines(shown, "▐") == ["> ▐X▌ 2  证件号后4位"], term.framed(shown)
    term.press("Enter")
    term.wait_for(f"客户：{caller.name}", "b 权益卡")


def marked_lines(shown: str, start: str) -> list[str]:
    """From ``> `` then ``start`` to the end of each line that has them (inside a dialog's
    frame): the row the keys act on, as text."""
    marked = (re.search(rf"> {re.escape(start)}.*", line) for line in shown.splitlines())
    return [match.group(0).rstrip(" │") for match in marked if match]


def cursor_row(shown: str) -> int | None:
    """The index among the queue's rows of the one marked ``>`` (None if no row is)."""
    matches = [ROW.match(row) for row in queue_rows(shown)]
    marked = [i for i, match in enumerate(m for m in matches if m) if match.group(1)]
    assert len(marked) <= 1, shown
    return marked[0] if marked else None


def focused_card(shown: str) -> str:
    """The name on the card whose frame is drawn heavy: the focused one, in text."""
    for line in shown.splitlines():
        match = re.search(r"┃ . (\S+)", line)
        if match:
            return match.group(1)
    return ""


def file_smoking_booking(term: Terminal, caller: Caller) -> str:
    """Open the cards, file a smoking-clinic booking; the request number filed."""
    term.press("b")
    shown = term.wait_for(f"权益卡：保单 {caller.policy_number}", "戒烟门诊")
    # Card states in words beside their symbols: ● available, ◐ in progress, ■ used up.
    assert "● 戒烟门诊" in shown and "可用" in shown, term.framed(shown)
    if caller.escort is BenefitState.IN_PROGRESS:
        assert "◐ 绿色通道·导医导诊" in shown and "申请办理中" in shown, term.framed(shown)
    elif caller.escort is BenefitState.USED_UP:
        assert "■ 绿色通道·导医导诊" in shown and "已用完" in shown, term.framed(shown)
    term.wait_until(lambda s: focused_card(s) != "", "a card to be focused")
    for _ in range(3):  # escort → admission → psych → smoking
        before = focused_card(term.screen())
        term.press("Right")
        term.wait_until(lambda s, b=before: focused_card(s) not in {"", b}, "the focus to move right")
    assert focused_card(term.screen()) == "戒烟门诊", term.framed(term.last)
    term.press("Enter")
    term.wait_for("申请：戒烟门诊", "就诊人", "> 请选择")
    # Patient: the insured is chosen already; city and hospital: the first of each.
    for label in ("城市", "医院"):
        term.press("Tab")
        term.press("Down")
        # The field's own line stops offering "please choose": the first choice is marked.
        term.wait_until(lambda s, lb=label: "> 请选择" not in line_with(s, f" {lb} "), f"a {label} choice")
        time.sleep(0.3)  # the city's clinics are put in the list after the city moves
    time.sleep(0.5)
    term.press("Tab", "Tab", pause=0.5)
    visit = (china_now().date() + timedelta(days=10)).isoformat()
    term.type(visit)
    term.wait_until(lambda s: visit in line_with(s, "期望就诊日期"), "the visit date in its box")
    term.press("C-s")
    shown = term.wait_for("已提交申请")
    number = re.search(r"已提交申请 (R\w+)", shown)
    assert number, term.framed(shown)
    # The card reloads after the filing: one use held, eleven left.
    term.wait_for("已用 0 / 办理中 1 / 剩余 11")
    return number.group(1)


def end_call(term: Terminal, caller: Caller) -> None:
    term.press("Escape")
    term.wait_for(f"客户：{caller.name}", "w 结束通话")
    term.press("w")
    term.wait_for(f"结束通话：{caller.name}", "小结代码")
    term.press("C-s")
    term.wait_for("打开并核身", "f2 待办队列")  # back on the lookup


def queue_rows(shown: str) -> list[str]:
    """The lines of the queue table under its header."""
    lines = shown.splitlines()
    start = next(i for i, line in enumerate(lines) if "状态" in line and "到期" in line) + 1
    return [line for line in lines[start:] if line.strip() and not line.startswith(" ⏎")]


def _service_filter(shown: str) -> str | None:
    """The service the queue is filtered to, as its head line says (None: no head line)."""
    found = re.search(r"服务=(\S+)", shown)
    return found.group(1) if found else None


def check_queue_states_in_words(term: Terminal) -> None:
    """Every row says overdue, due soon or on track in words, at 80 columns, and all three occur."""
    shown = term.wait_until(lambda s: "状态" in s and len(queue_rows(s)) >= 3, "the queue rows")
    rows = [row for row in queue_rows(shown) if ROW.match(row)]
    others = [row for row in queue_rows(shown) if not ROW.match(row)]
    # Only the status line may follow the rows; every row proper starts with its state word.
    assert len(others) <= 1, term.framed(shown)
    states = {ROW.match(row).group(2) for row in rows}  # type: ignore[union-attr]
    assert states == set(STATE_WORDS), (states, term.framed(shown))
    head = line_with(shown, "筛选：")
    assert all(word in head for word in ("!!超时", "!临期", "正常")), term.framed(shown)


def move_in_queue(term: Terminal, caller: Caller, number: str) -> None:
    """F2: the filed request is on the queue; N moves it on, after a confirmation naming it."""
    term.press("F2")
    term.wait_for("筛选：服务=全部")
    check_queue_states_in_words(term)
    for _ in range(12):  # the service filter cycles through the catalogue
        service = _service_filter(term.screen())
        if service == "戒烟门诊":
            break
        term.press("s")
        # Wait for the filter itself: another change on screen (a refresh) is no answer to
        # the key, and pressing again before it came skipped past the service wanted.
        term.wait_until(lambda s, b=service: _service_filter(s) not in (b, None), "the filter to change",
                        timeout=STAGE / 2)
    shown = term.wait_for("服务=戒烟门诊")
    shown = term.wait_until(lambda s: any(caller.masked in row for row in queue_rows(s)), "the filed request's row")
    rows = [row for row in queue_rows(shown) if ROW.match(row)]
    index = next(i for i, row in enumerate(rows) if caller.masked in row and "戒烟门诊" in row)
    assert "反馈预约结果" in rows[index], term.framed(shown)
    # The cursor is on the first row, and the screen says so in text; N acts on the row marked.
    assert cursor_row(shown) == 0, term.framed(shown)
    term.press(*["Down"] * index, pause=0.1)
    shown = term.wait_until(lambda s: cursor_row(s) == index, f"the mark on row {index}")
    marked = next(row for row in queue_rows(shown) if ROW.match(row) and ROW.match(row).group(1))  # type: ignore[union-attr]
    assert caller.masked in marked and "反馈预约结果" in marked, term.framed(shown)
    term.press("n")
    # N names the request it would move, and the move, before anything happens.
    term.wait_for("确认办理下一步", f"{number}  戒烟门诊  {caller.masked}", "从 已提交 变为 已预约/已安排")
    term.press("Enter")
    term.wait_for("变更为：已预约/已安排", "就诊/安排时间")  # booked: the visit is asked for
    visit = f"{(china_now().date() + timedelta(days=10)).isoformat()} 10:00"
    term.type(visit)
    term.wait_for(visit)
    # Tab moves focus at once while typed keys wait their turn: give the box time to take focus.
    time.sleep(0.5)
    term.press("Tab")
    time.sleep(0.5)
    term.type("上海交通大学医学院附属瑞金医院")
    term.wait_until(lambda s: "瑞金医院" in s and visit not in line_with(s, "瑞金医院"), "the hospital in its own box")
    term.press("C-s")
    term.wait_gone("变更为：")
    # Booked: the booking step is done and its row has left the smoking-clinic queue.
    term.wait_until(lambda s: not any(caller.masked in row for row in queue_rows(s)), "the booked row to leave")


def walk(term: Terminal, caller: Caller) -> None:
    sign_in(term)
    look_up_and_verify(term, caller)
    number = file_smoking_booking(term, caller)
    end_call(term, caller)
    move_in_queue(term, caller, number)

