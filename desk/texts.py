"""Every label the user reads, in one place: Chinese first, English beside it.

Screens ask for a key (``t("home.title")``); nothing in widget code spells a label. The
language comes from ``DESK_LANG`` (``zh`` by default, ``en`` for the English catalogue).
Benefit names and rules are not here: they are facts of the catalogue (desk.catalogue).
"""

from __future__ import annotations

import os

ZH: dict[str, str] = {
    "app.title": "健康关爱增值服务 坐席工作台",
    "app.sub_title": "服务热线 400-815-6688",
    "key.quit": "退出",
    "key.help": "帮助",
    "key.palette": "命令",
    "key.clear": "清空",
    "home.title": "客户查询",
    "home.search_placeholder": "姓名 / 拼音 / 手机号 / 证件号 / 保单号",
    "home.hint": "输入来电客户的姓名、拼音首字母、手机尾号、证件尾号或保单号",
    "db.opening": "正在打开数据库 {url} …",
    "db.ready": "数据库 {url}",
    "db.failed": "数据库不可用：{reason}",
    "help.title": "帮助",
    "help.close": "按 Esc 或 F1 关闭",
    "contact.lines": "客服热线 400-815-6688（工作日 9:00-20:00）· 健康关爱平台 400-650-7588 · cicare@mobilelab.cn",
}

EN: dict[str, str] = {
    "app.title": "Health-care services desk",
    "app.sub_title": "Service line 400-815-6688",
    "key.quit": "Quit",
    "key.help": "Help",
    "key.palette": "Commands",
    "key.clear": "Clear",
    "home.title": "Find a customer",
    "home.search_placeholder": "name / pinyin / mobile / ID number / policy number",
    "home.hint": "Type the caller's name, pinyin initials, mobile tail, ID tail or policy number",
    "db.opening": "Opening database {url} …",
    "db.ready": "Database {url}",
    "db.failed": "Database unavailable: {reason}",
    "help.title": "Help",
    "help.close": "Esc or F1 closes",
    "contact.lines": "Service line 400-815-6688 (working days 9:00-20:00) · Health platform 400-650-7588 · cicare@mobilelab.cn",
}

CATALOGUES: dict[str, dict[str, str]] = {"zh": ZH, "en": EN}
_language = os.environ.get("DESK_LANG", "zh") if os.environ.get("DESK_LANG") in CATALOGUES else "zh"


def use_language(code: str) -> None:
    global _language
    if code not in CATALOGUES:
        raise ValueError(f"no text catalogue for {code!r}; have {sorted(CATALOGUES)}")
    _language = code


def language() -> str:
    return _language


def t(key: str, **values: object) -> str:
    """The label for ``key`` in the current language, falling back to Chinese."""
    template = CATALOGUES[_language].get(key) or ZH[key]
    return template.format(**values) if values else template
