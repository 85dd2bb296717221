"""Plain-text tables for the command line, aligned by terminal cells.

Chinese characters take two terminal columns: pad by cell width, never by len().
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.cells import cell_len


def aligned_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """The header and rows as lines, each column padded to its widest cell."""
    widths = [max(cell_len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def aligned(cells: Sequence[str]) -> str:
        padded = [cell + " " * (width - cell_len(cell)) for cell, width in zip(cells, widths, strict=True)]
        return "  ".join(padded).rstrip()

    return [aligned(header), *(aligned(row) for row in rows)]
