"""The apps `responsiveness.py` measures desk against: a bare Textual app and a reference.

- ``--bare``: a Textual app with one ``Input`` (placeholder ``search``), what launch_time.py
  times headless; here it runs in a real terminal. It imports nothing else, so its first
  frame is Textual's own floor.
- default: the reference. The same layout idea as desk, from fixed data, no database, no
  worker threads: a lookup screen (header, search box, hint, results table, status lines,
  footer) whose box filters a fixed list of 10,000 customers as one types; Enter on a
  result opens an identity-check dialog like desk's; F2 pushes a queue screen with desk's
  queue columns (状态 到期 剩余工时 服务 环节 客户 处理人), 20 rows a page from a fixed list of
  10,000 generated rows, PgDn/PgUp page through them, Esc goes back. Every answer is
  computed on the UI thread at once: what is left is Textual composing and painting the
  same kind of screen, the time desk cannot go below.

    .venv/bin/python benchmarks/reference_app.py           # the reference
    .venv/bin/python benchmarks/reference_app.py --bare    # the bare app
"""

from __future__ import annotations

import sys


def run_bare() -> None:
    from textual.app import App
    from textual.widgets import Input

    class Bare(App):
        def compose(self):
            yield Input(placeholder="search")

        def on_mount(self) -> None:
            self.query_one(Input).focus()

    Bare().run()


# -- fixed data ------------------------------------------------------------------------------

SURNAMES = [("王", "wang"), ("李", "li"), ("张", "zhang"), ("刘", "liu"), ("陈", "chen"), ("杨", "yang"),
            ("黄", "huang"), ("赵", "zhao"), ("吴", "wu"), ("周", "zhou"), ("徐", "xu"), ("孙", "sun"),
            ("马", "ma"), ("朱", "zhu"), ("胡", "hu"), ("郭", "guo"), ("何", "he"), ("林", "lin")]
GIVEN = [("斌", "bin"), ("伟", "wei"), ("芳", "fang"), ("娜", "na"), ("敏", "min"), ("静", "jing"),
         ("丽", "li"), ("强", "qiang"), ("磊", "lei"), ("军", "jun"), ("洋", "yang"), ("勇", "yong"),
         ("艳", "yan"), ("杰", "jie"), ("娟", "juan"), ("涛", "tao"), ("明", "ming"), ("超", "chao")]
REGIONS = ["上海市普陀区", "湖北省武汉市武昌区", "天津市和平区", "河北省石家庄市长安区", "广东省深圳市福田区",
           "贵州省贵阳市南明区", "河南省郑州市二七区", "浙江省杭州市西湖区", "四川省成都市锦江区"]
SERVICES = [("导医陪诊", "资格审核"), ("导医陪诊", "供应商联系客户"), ("住院安排", "供应商联系客户"),
            ("戒烟门诊", "反馈预约结果"), ("重疾先赔", "赔款给付"), ("投诉", "投诉处理决定")]
AGENTS = ["-", "张敏", "王丽娜", "李晓峰", "刘洋", "陈静", "黄磊", "赵雪梅", "吴昊", "周婷"]
STATES = [("!!超时", "error"), ("! 临期", "warning"), ("正常", "")]
PAGE = 20


def make_customers(count: int = 10_000) -> list[tuple[str, str, str, str, str, str, str]]:
    """(pinyin, name, masked mobile, masked id, born, region, policies), sorted by pinyin."""
    import random

    rng = random.Random(14)
    rows = []
    for _ in range(count):
        (s, sp), (g, gp) = rng.choice(SURNAMES), rng.choice(GIVEN)
        mobile = f"1{rng.randint(30, 99)}****{rng.randint(0, 9999):04d}"
        id_number = f"{rng.randint(110000, 659000)}********{rng.randint(0, 9999):04d}"
        rows.append((sp + gp, s + g, mobile, id_number, str(rng.randint(1945, 2006)), rng.choice(REGIONS),
                     str(rng.randint(1, 3))))
    rows.sort()
    return rows


def make_queue(count: int = 10_000) -> list[tuple[str, str, str, str, str, str, str]]:
    """(state, style, due, hours left, service, step, customer, agent) soonest due first."""
    import random

    rng = random.Random(14)
    rows = []
    for index in range(count):
        hours = index // 10 - 400
        state, style = STATES[0] if hours < 0 else STATES[1] if hours < 4 else STATES[2]
        service, step = rng.choice(SERVICES)
        name = rng.choice(SURNAMES)[0] + "*" + rng.choice(["", rng.choice(GIVEN)[0]])
        due = f"{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d} {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}"
        rows.append((state, style, due, f"{hours}h00", service, step, name, rng.choice(AGENTS)))
    return rows


def run_reference() -> None:
    import bisect

    from rich.text import Text
    from textual.app import App, ComposeResult
    from textual.binding import Binding
    from textual.containers import Vertical
    from textual.screen import ModalScreen, Screen
    from textual.widgets import DataTable, Footer, Header, Input, Static

    customers = make_customers()
    pinyins = [row[0] for row in customers]
    queue = make_queue()

    class IdentityDialog(ModalScreen[None]):
        BINDINGS = [Binding("escape", "dismiss", "取消"), Binding("enter", "dismiss", "确认核身")]
        DEFAULT_CSS = "IdentityDialog { align: center middle; } #identity { width: 74; height: auto; border: round $primary; background: $panel; }"

        def __init__(self, row: tuple[str, ...]) -> None:
            super().__init__()
            self.row = row

        def compose(self) -> ComposeResult:
            _, name, mobile, id_number, born, _, _ = self.row
            with Vertical(id="identity"):
                yield Static(f"核身：{name}")
                yield Static("请核对来电人提供的信息，至少两项一致方可查看详情（按数字键勾选）")
                for index, fact in enumerate(["全名", "证件号后4位", "出生日期", "注册手机号"], 1):
                    yield Static(f"{'>' if index == 1 else ' '} ▐ ▌ {index}  {fact}")
                yield Static(f"资料核对： {name} · 证件号后4位 {id_number[-4:]} · 出生 {born} · 注册手机号 {mobile}")
                yield Static("已勾选 0 项，至少需要 2 项")

    class QueueScreen(Screen[None]):
        BINDINGS = [
            Binding("escape", "app.pop_screen", "返回", show=False),
            Binding("enter", "noop", "打开", priority=True),
            Binding("pagedown", "page(1)", "下一页", show=False, priority=True),
            Binding("pageup", "page(-1)", "上一页", show=False, priority=True),
            Binding("r", "noop", "刷新"),
        ]

        def __init__(self) -> None:
            super().__init__()
            self.start = 0

        def compose(self) -> ComposeResult:
            yield Header()
            with Vertical():
                overdue = sum(1 for row in queue if row[0] == STATES[0][0])
                soon = sum(1 for row in queue if row[0] == STATES[1][0])
                yield Static(f"!!超时 {overdue}  !临期 {soon}  正常 {len(queue) - overdue - soon}  "
                             "筛选：服务=全部 环节=全部 处理人=全部", id="queue-head")
                yield Static("注意：参考程序，固定数据", id="queue-warning")
                yield DataTable(id="queue-table", cursor_type="row", zebra_stripes=True)
            yield Static("", id="queue-status")
            yield Footer()

        def on_mount(self) -> None:
            table = self.query_one(DataTable)
            table.can_focus = False
            for name in ["状态", "到期", "剩余工时", "服务", "环节", "客户", "处理人"]:
                table.add_column(name, key=name)
            self.show_page()

        def show_page(self) -> None:
            table = self.query_one(DataTable)
            table.clear()
            for index, (state, style, due, left, service, step, name, agent) in enumerate(
                    queue[self.start:self.start + PAGE]):
                mark = "> " if index == 0 else "  "
                table.add_row(Text.assemble(mark, (state, style)), due, Text(left, justify="right"), service,
                              step, name, agent)

        def action_page(self, step: int) -> None:
            self.start = max(0, min(len(queue) - PAGE, self.start + step * PAGE))
            self.show_page()

        def action_noop(self) -> None:
            pass

    class LookupScreen(Screen[None]):
        BINDINGS = [
            Binding("escape", "clear", "清空"),
            Binding("enter", "open_customer", "打开并核身", priority=True),
            Binding("f2", "open_queue", "待办队列"),
            Binding("f3", "noop", "工作日历"),
        ]

        def __init__(self) -> None:
            super().__init__()
            self.hits: list[tuple[str, ...]] = []

        def compose(self) -> ComposeResult:
            yield Header()
            with Vertical():
                yield Input(placeholder="姓名 / 拼音 / 手机号 / 证件号 / 保单号", id="search")
                yield Static("输入来电客户的姓名、拼音首字母、手机尾号、证件尾号或保单号", id="hint")
                yield DataTable(id="results", cursor_type="row", zebra_stripes=True)
            yield Static("客服 400-815-6688 · 健康关爱平台 400-650-7588 · cicare@mobilelab.cn")
            yield Static("参考程序（固定数据，无数据库）")
            yield Footer()

        def on_mount(self) -> None:
            table = self.query_one(DataTable)
            table.can_focus = False
            for name in ["姓名", "手机号", "证件号", "出生", "地区", "保单"]:
                table.add_column(name, key=name)
            self.query_one(Input).focus()

        def on_input_changed(self, event: Input.Changed) -> None:
            query = event.value.strip().lower()
            table = self.query_one(DataTable)
            table.clear()
            hint = self.query_one("#hint", Static)
            if not query:
                self.hits = []
                hint.update("输入来电客户的姓名、拼音首字母、手机尾号、证件尾号或保单号")
                return
            # The customers are sorted by pinyin: a pinyin prefix is a slice, found by bisection.
            start = bisect.bisect_left(pinyins, query)
            hits = [row for row in customers[start:start + 21] if row[0].startswith(query)]
            if not hits:
                hits = [row for row in customers if row[1].startswith(query)][:21]
            self.hits = hits[:20]
            for row in self.hits:
                table.add_row(*row[1:])
            hint.update("没有找到匹配的客户" if not hits else "只显示前 20 位，请输入更多信息缩小范围" if len(hits) > 20
                        else f"找到 {len(hits)} 位客户，↑↓ 选择，Enter 打开")

        def action_clear(self) -> None:
            self.query_one(Input).value = ""

        def action_open_customer(self) -> None:
            if self.hits:
                self.app.push_screen(IdentityDialog(self.hits[self.query_one(DataTable).cursor_row]))

        def action_open_queue(self) -> None:
            self.app.push_screen(QueueScreen())

        def action_noop(self) -> None:
            pass

    class Reference(App):
        TITLE = "健康关爱增值服务 坐席工作台 — 服务热线 400-815-6688"

        def on_mount(self) -> None:
            self.push_screen(LookupScreen())

    Reference().run()


if __name__ == "__main__":
    if "--bare" in sys.argv[1:]:
        run_bare()
    else:
        run_reference()
