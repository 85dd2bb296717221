"""Running the command line in-process, as the CLI tests do."""

from __future__ import annotations

from desk.cli.main import main


def run(capsys, *args: str) -> tuple[int, str, str]:
    """``desk ARGS``: its exit status, stdout and stderr."""
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err
