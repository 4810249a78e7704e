"""Spreadsheet-safe CSV: a cell that a spreadsheet would read as a formula cannot run.

A CSV file the bot hands out (the activity report in a member's DM, the audit export) may hold
text that came from elsewhere: a description AutoShares wrote, a symbol a member typed. A cell
starting with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return, which some spreadsheets
skip before reading one of those) is opened as a formula, which can fetch addresses or run
commands. Such a cell gets a leading apostrophe, which spreadsheets show as text. A plain number
such as ``-12.50`` is left as it is: it is a number, not a formula, and the report's amounts stay
numbers.
"""

from __future__ import annotations

import csv
import io
import re

#: What a spreadsheet may read as the start of a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")


def safe_cell(cell: str) -> str:
    """``cell``, with a leading apostrophe when a spreadsheet would read it as a formula."""
    if cell.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(cell):
        return "'" + cell
    return cell


def safe_csv(text: str, *, lineterminator: str = "\r\n") -> str:
    """The CSV ``text`` read as CSV (quoted fields may span lines) and written again with every
    cell made safe by :func:`safe_cell`."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=lineterminator)
    for row in csv.reader(io.StringIO(text, newline="")):
        writer.writerow([safe_cell(cell) for cell in row])
    return out.getvalue()
