"""Reading the CSV files desk imports, and reporting what is wrong with them, line by line.

Shared by every import (customers and policies in ``desk.use_cases.importing``, self-service
requests in ``desk.use_cases.request_import``) so they all read files the same way:

* Line numbers are physical lines of the file: the header is line 1, so the first record
  is line 2. A record whose quoted field spans several lines is reported at its first
  line. Lines with only empty cells (Excel writes ``,,,,`` after the data) are skipped.
* UTF-8 with or without Excel's byte-order mark, else GB18030 (Chinese Excel's "CSV").
  UTF-16 and undecodable files are one problem on line 0, field ``file``. GB18030 decodes
  almost any bytes, so its reading is kept only when it looks like Chinese: a Shift-JIS
  (Japanese Excel) file reads as rare characters outside GB2312 and is refused, never
  imported as mojibake (``_looks_misread``).
* Header names are matched without regard to case or surrounding spaces, and a column's
  Chinese label is accepted too. Unknown columns are ignored; a missing required column
  is one problem on line 1.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from desk.rules.free_text import printable
from desk.rules.validation import FIELD_LABELS, field_label, problems_of
from desk.texts.labels import ZH, t

__all__ = [
    "COLUMN_LABELS",
    "CsvTable",
    "FileProblem",
    "ImportReport",
    "Record",
    "RowProblem",
    "column_label",
    "finish_report",
    "read_records",
    "read_table",
]

# Columns of the imports beyond the validation rules' fields (``import.label.<column>``).
_IMPORT_COLUMNS = ("file", "row", "service_code", "beneficiary", "suspected_illness", "details",
                   "submitted_at")

# The Chinese label of every column an import reads: accepted as a header whatever language
# the screens use. The customer and policy columns are the validation rules' own field labels.
# Reports name a column in the screens' language (``column_label``).
COLUMN_LABELS: dict[str, str] = {
    **FIELD_LABELS,
    **{column: ZH[f"import.label.{column}"] for column in _IMPORT_COLUMNS},
}


def column_label(name: str) -> str:
    """A column's label in the screens' language; an unknown column as it is."""
    if name in _IMPORT_COLUMNS:
        return t(f"import.label.{name}")
    return field_label(name)


@dataclass(frozen=True)
class RowProblem:
    """One reason a row (or the file) cannot be imported."""

    line: int  # physical line in the file, header = 1; 0 for the file as a whole
    field: str
    reason: str
    # The column's Chinese label when this import names it otherwise than COLUMN_LABELS
    # (a calendar's "name" is a holiday's name, not a person's).
    label: str = ""

    def describe(self) -> str:
        label = self.label or column_label(self.field)
        where = f"{label} ({self.field})" if label != self.field else self.field
        # A column name or a value quoted from the file may hold an escape sequence.
        if self.line == 0:
            return printable(t("import.file_problem", where=where, reason=self.reason))
        return printable(t("import.row_problem", line=self.line, where=where, reason=self.reason))


@dataclass
class ImportReport:
    inserted: int = 0
    updated: int = 0
    bad_rows: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    written: bool = False  # False when nothing was written because of bad rows or the file
    good_rows: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        if self.written:
            return t("import.done", inserted=self.inserted, updated=self.updated, bad_rows=self.bad_rows)
        return self.not_written_summary()

    def not_written_summary(self) -> str:
        if self.bad_rows == 0 and self.problems:
            return t("import.file_is_bad")
        if self.bad_rows and self.good_rows == 0:
            return t("import.all_rows_bad", bad_rows=self.bad_rows)
        return t("import.some_rows_bad", bad_rows=self.bad_rows)


def finish_report(report: ImportReport, problems: list[RowProblem], good_rows: int) -> ImportReport:
    """Put the problems in file order and count the bad rows and the good ones."""
    problems.sort(key=lambda problem: problem.line)
    report.problems = problems
    # Problems of the file as a whole (encoding, header, broken quoting) are no row's.
    report.bad_rows = len(
        {problem.line for problem in problems if problem.field != "file" and problem.line > 1}
    )
    report.good_rows = good_rows
    return report


class FileProblem(Exception):
    """The file as a whole cannot be read: nothing in it is imported."""

    def __init__(self, problems: list[RowProblem]) -> None:
        super().__init__(problems)
        self.problems = problems


@dataclass(frozen=True)
class Record:
    line: int
    values: dict[str, str]  # every known column present in the header, stripped


@dataclass(frozen=True)
class CsvTable:
    columns: frozenset[str]  # the known columns the header holds
    records: list[Record]


def decode(path: Path) -> str:
    """The text of the file, in the encodings Excel writes; FileProblem otherwise."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise FileProblem(
            [RowProblem(0, "file", t("import.cannot_read", reason=error.strerror or error))]
        ) from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        # GB18030 would "decode" UTF-16 into garbage full of NULs instead of failing.
        raise FileProblem(
            [RowProblem(0, "file", t("import.utf16"))]
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        text = None
    if text is None or _looks_misread(data, text):
        raise FileProblem([RowProblem(0, "file", t("import.unknown_encoding"))])
    return text


def _looks_misread(data: bytes, text: str) -> bool:
    """True when a GB18030 reading of ``data`` is not Chinese but another encoding misread.

    Chinese text in GBK/GB18030 is almost all GB2312 characters (the 6,763 in common
    use); a file in Shift-JIS or Big5 read as GB18030 gives mostly rare ones from the
    extension areas, or private-use code points. Japanese text also decodes cleanly as
    Shift-JIS with full-width kana, which Chinese text never does.
    """
    wide = [ch for ch in text if ord(ch) > 0x7F]
    if not wide:
        return False
    if any(unicodedata.category(ch) == "Co" for ch in wide):
        return True
    rare = sum(1 for ch in wide if not _in_gb2312(ch))
    if rare * 2 > len(wide):
        return True
    try:
        japanese = data.decode("shift_jis")
    except UnicodeDecodeError:
        return False
    return any("\u3041" <= ch <= "\u30ff" for ch in japanese)


def _in_gb2312(ch: str) -> bool:
    try:
        ch.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def column_index(
    header: Sequence[str], columns: Mapping[str, bool], labels: Mapping[str, str] | None = None
) -> dict[str, int]:
    """Where each known column is in the header; FileProblem for a missing or doubled one.

    ``labels`` gives the Chinese header of each column when not COLUMN_LABELS'.
    """
    own = dict(labels or {})
    headers = own or COLUMN_LABELS
    names = {name: name for name in columns} | {headers[name]: name for name in columns}
    index: dict[str, int] = {}
    problems: list[RowProblem] = []
    for position, cell in enumerate(header):
        text = cell.strip()
        name = names.get(text.lower()) or names.get(text)
        if name is None:
            continue
        if name in index:
            problems.append(
                RowProblem(
                    1, name, t("import.duplicate_column", first=index[name] + 1, second=position + 1),
                    own.get(name, ""),
                )
            )
            continue
        index[name] = position
    problems += [
        RowProblem(1, name, t("import.missing_column"), own.get(name, ""))
        for name, required in columns.items()
        if required and name not in index
    ]
    if problems:
        raise FileProblem(problems)
    return index


def read_table(
    path: Path, columns: Mapping[str, bool], labels: Mapping[str, str] | None = None
) -> CsvTable:
    """The records of the file, with the known columns (name -> required) its header holds."""
    text = decode(path)
    # newline="" leaves line ends to the csv module, so quoted line breaks survive.
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if header is None or not any(cell.strip() for cell in header):
            raise FileProblem([RowProblem(1, "file", t("import.no_header"))])
        index = column_index(header, columns, labels)
        records: list[Record] = []
        line = reader.line_num + 1
        for cells in reader:
            if any(cell.strip() for cell in cells):
                values = {
                    name: cells[position].strip() if position < len(cells) else ""
                    for name, position in index.items()
                }
                records.append(Record(line, values))
            line = reader.line_num + 1
    except csv.Error as error:
        raise FileProblem(
            [RowProblem(reader.line_num, "file", t("import.csv_error", error=error))]
        ) from None
    return CsvTable(frozenset(index), records)


def read_records(path: Path, columns: Mapping[str, bool]) -> list[Record]:
    return read_table(path, columns).records


def halfwidth(text: str) -> str:
    """A cell as typed on a phone or in a spreadsheet: full-width digits, colons and letters
    folded to their plain forms, surrounding space dropped."""
    return unicodedata.normalize("NFKC", text).strip()


def row_problems(line: int, error: ValidationError) -> list[RowProblem]:
    """A model's validation errors as row problems of line ``line``."""
    return [RowProblem(line, problem.field or "row", without_label(problem.field, problem.message))
            for problem in problems_of(error)]


def without_label(field_name: str, message: str) -> str:
    """``message`` without the column's label in front ("证件号码：…" -> "…").

    The rules prefix each message with the field's label; the report names the column
    itself, so the label would be said twice.
    """
    prefix = t("validation.problem", label=column_label(field_name), text="")
    return message.removeprefix(prefix)


class RowRefused(Exception):
    """A row that cannot be matched or filed: the column at fault and why."""

    def __init__(self, field_name: str, reason: str) -> None:
        super().__init__(reason)
        self.field = field_name
        self.reason = reason


def ready_to_write(report: ImportReport, problems: list[RowProblem], good_rows: int, *,
                   any_rows: bool, skip_bad: bool) -> bool:
    """Finish the report, and say whether the import may write: a file with a bad row
    writes nothing unless ``skip_bad``, and one whose every row is bad never writes."""
    finish_report(report, problems, good_rows)
    return not ((report.problems and not skip_bad) or (any_rows and not good_rows))
