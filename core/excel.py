"""Streaming `.xlsx` export: openpyxl's write-only mode (through lxml), constant memory.

Every export of the product goes through `write_workbook`: Chinese headers in a frozen
first row, money as numbers in a `#,##0.00` format, dates as dates, and text always
written as text, so that a name or a note beginning with `=` can never become a formula
(CSV/formula injection). A sheet longer than Excel's limit continues on a second sheet
("明细账（2）") with the header repeated.
"""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

EXCEL_MAX_ROWS = 1_048_576
MONEY_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Column:
    header: str
    kind: str = "text"  # text | money | date | int
    width: int = 14


@dataclass(frozen=True)
class Sheet:
    """One book of the workbook: its title, columns and rows (any iterable, read once)."""

    title: str
    columns: Sequence[Column]
    rows: Iterable[Sequence[Any]]
    # Rows written in bold after the data (totals), counted within the sheet's limit.
    footer: Sequence[Sequence[Any]] = ()


class _Styles:
    def __init__(self) -> None:
        self.bold = Font(bold=True)
        self.header_alignment = Alignment(horizontal="center", vertical="center")


def _clean(value: Any) -> str:
    """Text without the control characters XML cannot hold: a stray \x01 typed into a
    counterpart's name must not stop a whole year's books from being exported."""
    return ILLEGAL_CHARACTERS_RE.sub("", str(value))


def _cell(ws, value: Any, column: Column, styles: _Styles, *, bold: bool = False) -> Any:
    if not bold:
        # Plain values where no style is needed: openpyxl takes them as they are, without
        # a cell object per value (the detail ledger of a year has millions of them).
        if value is None or value == "":
            return None
        if column.kind == "int":
            return int(value)
        if column.kind == "text":
            text = _clean(value)
            # openpyxl stores "=..." as a formula and "#N/A" & co. as errors: those are
            # written through a cell forced to text, below.
            if not text.startswith("=") and text not in ERROR_CODES:
                return text
    cell = WriteOnlyCell(ws)
    if value is None or value == "":
        cell.value = None
    elif column.kind == "money":
        cell.value = Decimal(value)
        cell.number_format = MONEY_FORMAT
    elif column.kind == "date" and isinstance(value, datetime.date):
        cell.value = value
        cell.number_format = DATE_FORMAT
    elif column.kind == "int":
        cell.value = int(value)
    else:
        # Text stays text: openpyxl would store "=..." as a formula otherwise.
        cell.value = _clean(value)
        cell.data_type = "s"
    if bold:
        cell.font = styles.bold
    return cell


def _new_sheet(wb: Workbook, sheet: Sheet, part: int, styles: _Styles):
    title = sheet.title if part == 1 else f"{sheet.title}（{part}）"
    ws = wb.create_sheet(title=title[:31])
    ws.freeze_panes = "A2"
    for index, column in enumerate(sheet.columns, start=1):
        ws.column_dimensions[get_column_letter(index)].width = column.width
    header = []
    for column in sheet.columns:
        cell = WriteOnlyCell(ws, value=column.header)
        cell.data_type = "s"
        cell.font = styles.bold
        cell.alignment = styles.header_alignment
        header.append(cell)
    ws.append(header)
    return ws


def write_workbook(
    target: str | IO[bytes], sheets: Iterable[Sheet], *, max_rows: int = EXCEL_MAX_ROWS
) -> int:
    """Write `sheets` to `target` (a path or a binary file); return the data rows written.

    Rows are streamed: each is written as it is read, so memory does not grow with the
    number of rows. A full worksheet continues on the next, with the header repeated.
    """
    wb = Workbook(write_only=True)
    styles = _Styles()
    written = 0
    for sheet in sheets:
        part = 1
        ws = _new_sheet(wb, sheet, part, styles)
        used = 1
        for row in sheet.rows:
            if used == max_rows:
                part += 1
                ws = _new_sheet(wb, sheet, part, styles)
                used = 1
            ws.append([_cell(ws, v, c, styles) for v, c in zip(row, sheet.columns, strict=True)])
            used += 1
            written += 1
        for row in sheet.footer:
            if used == max_rows:
                part += 1
                ws = _new_sheet(wb, sheet, part, styles)
                used = 1
            ws.append(
                [
                    _cell(ws, v, c, styles, bold=True)
                    for v, c in zip(row, sheet.columns, strict=True)
                ]
            )
            used += 1
    wb.save(target)
    return written
