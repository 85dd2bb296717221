"""Imports flow screens -> desk -> db, never back: checked, not hoped for."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _modules(package: str) -> list[str]:
    return [
        ".".join(path.relative_to(ROOT).with_suffix("").parts)
        for path in sorted((ROOT / package).rglob("*.py"))
        if "migrations" not in path.parts and path.name != "__init__.py"
    ]


@pytest.mark.parametrize(("package", "forbidden"), [("db", ("textual", "screens", "desk")), ("desk", ("textual", "screens"))])
def test_lower_layers_never_load_the_layers_above(package, forbidden):
    modules = _modules(package)
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        f"bad = sorted(m for m in sys.modules if m.split('.')[0] in {forbidden!r})\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert result.stdout.strip() == "", f"{package}/ loaded {result.stdout.strip()}"


def test_the_import_contracts_hold():
    # pyproject.toml [tool.importlinter]: the layers, the pure rules, no Textual below the
    # screens, no SQL in the screens. Every import counts, lazy and TYPE_CHECKING ones too.
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint), "--no-cache"], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "BROKEN" not in result.stdout


# A rule that reads the clock cannot be tested with a worked case, nor replayed on sync.
_WALL_CLOCK = re.compile(r"\b(?:datetime|date)\.(?:now|today|utcnow)\(|\btime\.time\(|china_now\(")


def test_the_rules_never_read_the_wall_clock():
    readers = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sorted((ROOT / "desk" / "rules").rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if _WALL_CLOCK.search(line)
    ]
    assert readers == []


def test_the_screens_hold_no_sql():
    # The contract keeps SQLAlchemy out of the screens; this keeps raw SQL text out too.
    sql = re.compile(r"\b(?:SELECT|INSERT|UPDATE|DELETE)\s+(?:\*|\w+\s+(?:FROM|INTO|SET)|FROM|INTO)\b")
    found = [
        f"{path.name}:{number}"
        for path in sorted((ROOT / "screens").rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if sql.search(line) or ".engine" in line or ".execute(" in line
    ]
    assert found == []
