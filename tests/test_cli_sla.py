"""`desk sla due`: the app's own clock, for supervisors and for checking by hand."""

from __future__ import annotations

import pytest

from desk.cli.main import main


@pytest.mark.parametrize(
    ("start", "limit", "expected"),
    [
        ("2026-02-13 16:00", ["--working-days", "1"], "2026-02-14 16:00"),  # make-up Saturday
        ("2026-09-30 11:00", ["--working-days", "2"], "2026-10-09 11:00"),  # across National Day
        ("2026-09-30 11:00", ["--days", "15"], "2026-10-15 11:00"),  # a complaint's limit
    ],
)
def test_due_time_from_the_command_line(database_url, capsys, start, limit, expected):
    assert main(["--db", database_url, "sla", "due", "--from", start, *limit]) == 0
    out, err = capsys.readouterr()
    assert out.strip() == expected and err == ""


def test_beyond_the_known_calendar_it_warns(sqlite_url, capsys):
    assert main(["--db", sqlite_url, "sla", "due", "--from", "2026-12-31 11:00", "--working-days", "1"]) == 0
    out, err = capsys.readouterr()
    assert out.strip() == "2027-01-01 11:00"
    assert "calendar unknown after 2026-12-31" in err


def test_a_bad_time_is_refused_by_name(capsys):
    with pytest.raises(SystemExit):
        main(["sla", "due", "--from", "30/09/2026", "--days", "1"])
    assert "YYYY-MM-DD HH:MM" in capsys.readouterr().err
