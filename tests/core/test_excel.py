"""The streaming Excel writer: text stays text, control characters never break a file."""

import io
from decimal import Decimal

from openpyxl import load_workbook

from core.excel import Column, Sheet, write_workbook

COLUMNS = (Column("对方单位"), Column("金额", kind="money"))


def _read(rows, footer=()):
    target = io.BytesIO()
    write_workbook(target, [Sheet("明细账", COLUMNS, rows, footer=footer)])
    target.seek(0)
    return load_workbook(target)["明细账"]


def test_control_characters_are_dropped_not_fatal():
    sheet = _read([("安徽省\x01总工会", Decimal("1.00"))], footer=[("合计\x0b", Decimal("1.00"))])
    assert sheet["A2"].value == "安徽省总工会"
    assert sheet["A3"].value == "合计" and sheet["A3"].font.bold


def test_a_formula_or_an_error_code_is_written_as_text():
    sheet = _read([('=HYPERLINK("http://x")', Decimal("2.50")), ("#N/A", Decimal("0"))])
    assert sheet["A2"].value == '=HYPERLINK("http://x")' and sheet["A2"].data_type == "s"
    assert sheet["A3"].value == "#N/A" and sheet["A3"].data_type == "s"
    assert sheet["B2"].value == 2.5 and sheet["B2"].number_format == "#,##0.00"
    assert sheet.freeze_panes == "A2"
