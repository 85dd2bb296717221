"""`desk queue | head`: a reader that stops early is no error of desk's."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli import sign_in_as

DESK = Path(sys.executable).with_name("desk")


def _run_into_closed_pipe(args: list[str]) -> subprocess.CompletedProcess[bytes]:
    # The read end is closed before desk starts, as `head` closes it once it has its
    # lines: every write desk makes meets a broken pipe, whatever the timing.
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        return subprocess.run([str(DESK), *args], stdout=write_end, stderr=subprocess.PIPE,
                              timeout=120, check=False)
    finally:
        os.close(write_end)


@pytest.mark.parametrize(
    "command",
    [
        ["queue", "--now", "2026-11-24 10:30"],
        ["queue", "--format", "csv", "--now", "2026-11-24 10:30"],
        ["calendar", "list", "--year", "2026"],
        ["sla", "due", "--from", "2026-09-30 11:00", "--days", "15"],
        ["--help"],
    ],
)
def test_a_closed_pipe_ends_desk_quietly(migrated_sqlite_url, command, monkeypatch):
    # The child desk inherits the environment: DESK_AGENT and DESK_PASSWORD sign it in.
    sign_in_as(monkeypatch, migrated_sqlite_url, "supervisor01")
    result = _run_into_closed_pipe(["--db", migrated_sqlite_url, *command])
    stderr = result.stderr.decode("utf-8", "replace")
    assert "Traceback" not in stderr and "BrokenPipeError" not in stderr, stderr
    assert "Exception ignored" not in stderr, stderr
    # 141 is what a shell reports for a writer ended by SIGPIPE (128 + 13).
    assert result.returncode in (0, 141), (result.returncode, stderr)


def test_desk_queue_piped_into_head_prints_its_first_line(migrated_sqlite_url, monkeypatch):
    """The real thing, through a shell: `desk queue | head -1`, with pipefail."""
    sign_in_as(monkeypatch, migrated_sqlite_url, "supervisor01")
    shell = f"set -o pipefail; '{DESK}' --db '{migrated_sqlite_url}' queue --now '2026-11-24 10:30' | head -1"
    result = subprocess.run(["bash", "-c", shell], capture_output=True, timeout=120, check=False)
    stderr = result.stderr.decode("utf-8", "replace")
    assert result.stdout.decode("utf-8").startswith("待办队列"), result.stdout
    assert "Traceback" not in stderr and "BrokenPipeError" not in stderr, stderr
    assert result.returncode in (0, 141), (result.returncode, stderr)
