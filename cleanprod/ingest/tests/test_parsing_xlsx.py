"""Excel workbooks: date systems, typed cells, error cells and sheet selection."""

from __future__ import annotations

from datetime import datetime, time
from pathlib import Path

import openpyxl
import pytest
from django.utils import translation
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from cleanprod.ingest.parsing import (
    FileOptions,
    LongLayout,
    ParseError,
    WideLayout,
    open_table,
)


def english(message: object) -> str:
    with translation.override("en"):
        return str(message)


def save_workbook(path: Path, rows: list[list[object]], epoch_1904: bool = False, title="Data"):
    workbook = openpyxl.Workbook()
    if epoch_1904:
        workbook.epoch = CALENDAR_MAC_1904
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def read_all(path: Path, layout: WideLayout | LongLayout, options: FileOptions | None = None):
    with open_table(path, layout, options or FileOptions()) as table:
        return table.report, list(table)


@pytest.mark.parametrize("epoch_1904", [False, True])
def test_datetime_cells_read_in_both_date_systems(tmp_path, epoch_1904):
    path = save_workbook(
        tmp_path / "readings.xlsx",
        [
            ["时间", "1号表", "2号表"],
            [datetime(2024, 3, 1, 0, 15), 12.5, 3],
            [datetime(2024, 3, 1, 0, 30), 13.25, 4],
        ],
        epoch_1904=epoch_1904,
    )

    report, rows = read_all(path, WideLayout(("时间",)))

    assert report.file_kind == "xlsx"
    assert report.sheet == "Data"
    assert report.excel_date_system == (1904 if epoch_1904 else 1900)
    assert [row.timestamp for row in rows] == [
        datetime(2024, 3, 1, 0, 15),
        datetime(2024, 3, 1, 0, 30),
    ]
    assert rows[0].values == [("1号表", 12.5, None), ("2号表", 3.0, None)]
    assert [row.row_number for row in rows] == [2, 3]


@pytest.mark.parametrize(
    ("epoch_1904", "serial"),
    [(False, 45352.5), (True, 43890.5)],
)
def test_numeric_timestamp_cells_use_workbook_epoch(tmp_path, epoch_1904, serial):
    path = save_workbook(
        tmp_path / "serials.xlsx",
        [["time", "kwh"], [serial, 1.5]],
        epoch_1904=epoch_1904,
    )

    _report, rows = read_all(path, WideLayout(("time",)))

    assert rows[0].timestamp == datetime(2024, 3, 1, 12, 0)


def test_serial_60_rejected_and_61_is_march_first(tmp_path):
    path = save_workbook(tmp_path / "early.xlsx", [["time", "kwh"], [60, 1], [61, 2]])

    _report, rows = read_all(path, WideLayout(("time",)))

    assert rows[0].timestamp is None
    assert rows[0].issues[0].code == "nonexistent_excel_date"
    assert rows[0].values == [("kwh", 1.0, None)]
    assert rows[1].timestamp == datetime(1900, 3, 1)


def test_error_and_blank_cells_are_missing(tmp_path):
    path = save_workbook(
        tmp_path / "errors.xlsx",
        [
            ["time", "a", "b", "c"],
            [datetime(2024, 3, 1, 0, 15), "#N/A", None, 1.5],
            [datetime(2024, 3, 1, 0, 30), "#DIV/0!", 2.5, None],
        ],
    )

    report, rows = read_all(path, WideLayout(("time",)))

    assert rows[0].values == [("a", None, None), ("b", None, None), ("c", 1.5, None)]
    assert rows[1].values == [("a", None, None), ("b", 2.5, None), ("c", None, None)]
    assert all(row.issues == [] for row in rows)
    assert report.missing_values == 4
    assert report.values_read == 6


def test_error_cells_stored_as_errors_are_missing(tmp_path):
    path = tmp_path / "typed_errors.xlsx"
    save_workbook(path, [["time", "a"], [datetime(2024, 3, 1), 1.0]])
    workbook = openpyxl.load_workbook(path)
    cell = workbook.active["B2"]
    cell.value = "#N/A"
    assert cell.data_type == "e"
    workbook.save(path)

    _report, rows = read_all(path, WideLayout(("time",)))

    assert rows[0].values == [("a", None, None)]


def test_text_cells_follow_file_number_format(tmp_path):
    path = save_workbook(
        tmp_path / "text.xlsx",
        [
            ["Zeit", "kWh"],
            ["01.03.2024 00:00", "9,99"],
            ["01.03.2024 01:00", "1.234,56"],
            ["01.03.2024 02:00", 12.5],
        ],
    )

    report, rows = read_all(path, WideLayout(("Zeit",)))

    assert report.decimal_separator == ","
    assert report.date_order == "dmy"
    assert [row.values[0][1] for row in rows] == [9.99, 1234.56, 12.5]
    assert rows[0].timestamp == datetime(2024, 3, 1)


def test_invalid_cells_are_row_issues(tmp_path):
    path = save_workbook(
        tmp_path / "invalid.xlsx",
        [["time", "a", "b"], [datetime(2024, 3, 1), "n/v", True]],
    )

    _report, rows = read_all(path, WideLayout(("time",)))

    assert rows[0].values == []
    assert [(issue.column, issue.value, issue.code) for issue in rows[0].issues] == [
        ("a", "n/v", "invalid_number"),
        ("b", "True", "invalid_number"),
    ]
    assert english(rows[0].issues[0].message).startswith("Row 2, column “a”: “n/v”")


def test_date_and_time_in_two_typed_columns(tmp_path):
    path = save_workbook(
        tmp_path / "split.xlsx",
        [
            ["Date", "Time", "kwh"],
            [datetime(2006, 12, 16), time(17, 24), 4.216],
            [datetime(2006, 12, 16), "17:25:00", 5.36],
        ],
    )

    _report, rows = read_all(path, WideLayout(("Date", "Time")))

    assert [row.timestamp for row in rows] == [
        datetime(2006, 12, 16, 17, 24),
        datetime(2006, 12, 16, 17, 25),
    ]


def test_long_layout_with_unit_column(tmp_path):
    path = save_workbook(
        tmp_path / "long.xlsx",
        [
            ["timestamp", "meter", "value", "unit"],
            [datetime(2024, 3, 1), "EL-01", 120.5, "kWh"],
            [datetime(2024, 3, 1), 1002, 3, "m³"],
            [datetime(2024, 3, 1), "GAS-01", None, None],
        ],
    )

    _report, rows = read_all(path, LongLayout(("timestamp",), "meter", "value", "unit"))

    assert [row.values for row in rows] == [
        [("EL-01", 120.5, "kWh")],
        [("1002", 3.0, "m³")],
        [("GAS-01", None, None)],
    ]


def test_blank_rows_skipped_and_row_numbers_kept(tmp_path):
    path = save_workbook(
        tmp_path / "gaps.xlsx",
        [
            ["time", "kwh"],
            [datetime(2024, 3, 1, 0, 15), 1],
            [None, None],
            [datetime(2024, 3, 1, 0, 45), 3],
            [None, None],
        ],
    )

    report, rows = read_all(path, WideLayout(("time",)))

    assert [row.row_number for row in rows] == [2, 4]
    assert report.blank_lines >= 1
    assert report.rows_read == 2


def test_midnight_rule_applies_to_datetime_cells(tmp_path):
    path = save_workbook(
        tmp_path / "steel.xlsx",
        [
            ["date", "Usage_kWh"],
            [datetime(2018, 11, 7, 23, 45), 3.71],
            [datetime(2018, 11, 7, 0, 0), 3.56],
            [datetime(2018, 11, 8, 0, 15), 3.24],
        ],
    )

    report_off, rows_off = read_all(path, WideLayout(("date",)))
    _report_on, rows_on = read_all(path, WideLayout(("date",)), FileOptions(midnight_is_previous_day=True))

    assert report_off.hints == ["midnight_previous_day_suspected"]
    assert rows_off[1].timestamp == datetime(2018, 11, 7)
    assert rows_on[1].timestamp == datetime(2018, 11, 8)


def test_named_sheet_and_header_row(tmp_path):
    path = tmp_path / "two_sheets.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active.title = "Summary"
    workbook.active.append(["nothing here"])
    sheet = workbook.create_sheet("Readings")
    sheet.append(["Exported by SCADA"])
    sheet.append(["time", "kwh"])
    sheet.append([datetime(2024, 3, 1), 7])
    workbook.save(path)

    report, rows = read_all(path, WideLayout(("time",)), FileOptions(sheet="Readings", header_row=2))

    assert report.sheet == "Readings"
    assert rows[0].row_number == 3
    assert rows[0].values == [("kwh", 7.0, None)]


def test_missing_sheet_lists_sheets(tmp_path):
    path = save_workbook(tmp_path / "one.xlsx", [["time", "kwh"]], title="Readings")

    with pytest.raises(ParseError) as caught:
        open_table(path, WideLayout(("time",)), FileOptions(sheet="Sheet1"))

    assert caught.value.code == "missing_sheet"
    assert "“Readings”" in english(caught.value.message)


def test_corrupt_workbook_rejected(tmp_path):
    path = tmp_path / "fake.xlsx"
    path.write_bytes(b"timestamp,kwh\n")

    with pytest.raises(ParseError) as caught:
        open_table(path, WideLayout(("timestamp",)))

    assert caught.value.code == "unreadable_workbook"
