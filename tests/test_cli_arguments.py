"""Argument errors of `desk queue` and `desk requests` answer in the UI language, Chinese
first, and name what would have been right."""

from __future__ import annotations

import pytest

from desk.cli.main import main
from desk.texts import labels as texts


@pytest.fixture
def english():
    texts.use_language("en")
    yield
    texts.use_language("zh")


def _error(capsys, argv: list[str]) -> tuple[int, str]:
    try:
        status = main(argv)
    except SystemExit as exit_:
        status = int(exit_.code or 0)
    captured = capsys.readouterr()
    assert captured.out == ""
    return status, captured.err


def _last_line(err: str) -> str:
    return err.strip().splitlines()[-1]


def test_an_unknown_service_is_answered_in_chinese_with_the_valid_codes(capsys):
    status, err = _error(capsys, ["queue", "--service", "foo"])
    assert status == 2
    line = _last_line(err)
    assert line.startswith("desk: 未知的服务代码 foo"), line
    for code in ("escort", "admission", "smoking", "advance_claim", "complaint"):
        assert code in line
    assert "戒烟门诊" in line and "投诉" in line


def test_an_unknown_step_is_answered_in_chinese_with_the_valid_codes(capsys):
    status, err = _error(capsys, ["queue", "--step", "foo"])
    assert status == 2
    line = _last_line(err)
    assert line.startswith("desk: 未知的环节代码 foo"), line
    for code in ("eligibility", "booking", "decision"):
        assert code in line


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["queue", "--format", "xml"], "参数 --format：无效的取值 'xml'，可选：table、csv、json"),
        (["queue", "--now", "2026/11/24"], "参数 --now：时间格式应为 YYYY-MM-DD HH:MM"),
        (["queue", "--service"], "参数 --service：需要一个取值"),
        (["queue", "--overdue=yes"], "参数 --overdue：不接受取值"),
        (["queue", "--bogus"], "无法识别的参数：--bogus"),
        (["requests"], "缺少必需的参数：--customer"),
        (["requests", "--customer", "X1", "--format", "csv"], "参数 --format：无效的取值 'csv'，可选：table、json"),
        (["nonsense"], "无效的取值 'nonsense'"),
    ],
)
def test_argument_errors_are_answered_in_chinese_first(capsys, argv, expected):
    status, err = _error(capsys, argv)
    assert status == 2
    line = _last_line(err)
    assert expected in line, line
    # Chinese first: the line opens with the command and the Chinese words for the error.
    assert line.split("：", 1)[0].split(": ", 1)[1].startswith("错误"), line


def test_in_english_the_same_errors_read_in_english(capsys, english):
    status, err = _error(capsys, ["queue", "--service", "foo"])
    assert status == 2
    line = _last_line(err)
    assert line.startswith("desk: unknown service code foo"), line
    assert "escort" in line and "complaint" in line and "未知" not in line
    status, err = _error(capsys, ["queue", "--format", "xml"])
    line = _last_line(err)
    assert "argument --format" in line and "table, csv, json" in line and "参数" not in line
