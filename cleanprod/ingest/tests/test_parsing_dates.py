"""Timestamp format decisions, Excel serial dates and the midnight rule."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from pathlib import Path

import pytest
from django.utils import translation

from cleanprod.ingest.parsing import (
    MIDNIGHT_PREVIOUS_DAY_SUSPECTED,
    FileOptions,
    InvalidValueError,
    LongLayout,
    ParseError,
    TimestampFormat,
    TimestampParser,
    WideLayout,
    excel_serial_to_datetime,
    open_table,
)

FILES = Path(__file__).parent / "files"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode())
    return path


def english(message: object) -> str:
    with translation.override("en"):
        return str(message)


def read_all(path: Path, layout: WideLayout | LongLayout, options: FileOptions | None = None):
    with open_table(path, layout, options or FileOptions()) as table:
        return table.report, list(table)


def stamps(*texts: str) -> str:
    return "time,kwh\n" + "".join(f"{text},1.5\n" for text in texts)


def test_day_above_12_decides_day_first(tmp_path):
    path = write(tmp_path, "dmy.csv", stamps("01/03/2024 00:00", "13/03/2024 00:00"))

    report, rows = read_all(path, WideLayout(("time",)))

    assert report.date_order == "dmy"
    assert [row.timestamp for row in rows] == [datetime(2024, 3, 1), datetime(2024, 3, 13)]


def test_second_field_above_12_decides_month_first(tmp_path):
    path = write(tmp_path, "mdy.csv", stamps("03/01/2024 00:00", "03/13/2024 00:00"))

    report, rows = read_all(path, WideLayout(("time",)))

    assert report.date_order == "mdy"
    assert [row.timestamp for row in rows] == [datetime(2024, 3, 1), datetime(2024, 3, 13)]


def test_both_orders_in_one_file_rejected(tmp_path):
    path = write(tmp_path, "mixed.csv", stamps("13/03/2024 00:00", "03/14/2024 00:00"))

    with pytest.raises(ParseError) as caught:
        open_table(path, WideLayout(("time",)))

    assert caught.value.code == "inconsistent_date_order"
    message = english(caught.value.message)
    assert "“13/03/2024 00:00”" in message
    assert "“03/14/2024 00:00”" in message


def test_undecidable_date_order_rejected(tmp_path):
    path = write(tmp_path, "ambiguous.csv", stamps("01/03/2024 00:00", "02/03/2024 00:00"))

    with pytest.raises(ParseError) as caught:
        open_table(path, WideLayout(("time",)))

    assert caught.value.code == "ambiguous_date_order"
    message = english(caught.value.message)
    assert "row 2" in message
    assert "“01/03/2024 00:00”" in message
    assert "day first or month first" in message


def test_declared_date_order_wins(tmp_path):
    path = write(tmp_path, "declared.csv", stamps("01/03/2024 00:00", "02/03/2024 00:00"))

    _report, dmy_rows = read_all(path, WideLayout(("time",)), FileOptions(date_order="dmy"))
    _report, mdy_rows = read_all(path, WideLayout(("time",)), FileOptions(date_order="mdy"))

    assert [row.timestamp for row in dmy_rows] == [datetime(2024, 3, 1), datetime(2024, 3, 2)]
    assert [row.timestamp for row in mdy_rows] == [datetime(2024, 1, 3), datetime(2024, 2, 3)]


def test_same_day_and_month_need_no_order(tmp_path):
    path = write(tmp_path, "same.csv", stamps("01/01/2024 00:15", "02/02/2024 00:30"))

    _report, rows = read_all(path, WideLayout(("time",)))

    assert [row.timestamp for row in rows] == [
        datetime(2024, 1, 1, 0, 15),
        datetime(2024, 2, 2, 0, 30),
    ]


def test_dotted_dates_are_day_first(tmp_path):
    path = write(tmp_path, "dotted.csv", stamps("01.03.2024 00:00", "02.03.2024 12:30:15"))

    report, rows = read_all(path, WideLayout(("time",)))

    assert report.date_order == "dmy"
    assert [row.timestamp for row in rows] == [
        datetime(2024, 3, 1),
        datetime(2024, 3, 2, 12, 30, 15),
    ]


def test_dash_dates_use_evidence(tmp_path):
    path = write(tmp_path, "dash.csv", stamps("25-12-2023 06:00", "01-12-2023 06:00"))

    _report, rows = read_all(path, WideLayout(("time",)))

    assert [row.timestamp for row in rows] == [
        datetime(2023, 12, 25, 6),
        datetime(2023, 12, 1, 6),
    ]


def test_two_digit_years(tmp_path):
    path = write(tmp_path, "yy.csv", stamps("13/03/24 08:00", "14/03/99 08:00", "15/03/68 08:00"))

    _report, rows = read_all(path, WideLayout(("time",)))

    assert [row.timestamp for row in rows] == [
        datetime(2024, 3, 13, 8),
        datetime(1999, 3, 14, 8),
        datetime(2068, 3, 15, 8),
    ]


def test_year_first_with_slashes_and_short_fields(tmp_path):
    path = write(tmp_path, "zh.csv", stamps("2024/3/1 0:15", "2024/3/1 13:00"))

    report, rows = read_all(path, WideLayout(("time",)))

    assert report.date_order == "ymd"
    assert [row.timestamp for row in rows] == [
        datetime(2024, 3, 1, 0, 15),
        datetime(2024, 3, 1, 13, 0),
    ]


def test_iso_timestamps_with_offsets(tmp_path):
    text = (
        "utc_timestamp,cet_cest_timestamp,DE_KN_industrial1_grid_import\n"
        "2016-05-01T22:00:00Z,2016-05-02T00:00:00+0200,70745.626\n"
        "2016-05-01T23:00:00Z,2016-05-02T01:00:00+0200,70760.876\n"
    )
    path = write(tmp_path, "konstanz.csv", text)
    layout_utc = WideLayout(("utc_timestamp",), ignore_columns=("cet_cest_timestamp",))
    layout_local = WideLayout(("cet_cest_timestamp",), ignore_columns=("utc_timestamp",))

    _report, utc_rows = read_all(path, layout_utc)
    _report, local_rows = read_all(path, layout_local)

    assert utc_rows[0].timestamp == datetime(2016, 5, 1, 22, tzinfo=UTC)
    assert local_rows[0].timestamp == datetime(2016, 5, 2, 0, tzinfo=timezone(timedelta(hours=2)))
    assert [row.timestamp for row in utc_rows] == [row.timestamp for row in local_rows]
    assert utc_rows[1].values == [("DE_KN_industrial1_grid_import", 70760.876, None)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-03-01T08:00:00+08:00", datetime(2024, 3, 1, tzinfo=UTC)),
        ("2024-03-01 08:00:00+0800", datetime(2024, 3, 1, tzinfo=UTC)),
        ("2024-03-01T00:00:00.250Z", datetime(2024, 3, 1, 0, 0, 0, 250_000, tzinfo=UTC)),
        ("2024-03-01 08:00-05:00", datetime(2024, 3, 1, 13, tzinfo=UTC)),
    ],
)
def test_iso_offsets_give_aware_datetimes(text, expected):
    parser = TimestampParser(TimestampFormat("ymd"))

    result = parser.parse_text(text)

    assert isinstance(result, datetime)
    assert result.tzinfo is not None
    assert result == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3/1/2024 12:15:00 PM", datetime(2024, 3, 1, 12, 15)),
        ("3/1/2024 12:15 AM", datetime(2024, 3, 1, 0, 15)),
        ("3/1/2024 1:05 pm", datetime(2024, 3, 1, 13, 5)),
        ("2024-03-01", datetime(2024, 3, 1)),
        ("2024-03-01 24:00", datetime(2024, 3, 2)),
    ],
)
def test_text_timestamp_variants(text, expected):
    parser = TimestampParser(TimestampFormat("mdy"))

    assert parser.parse_text(text) == expected


@pytest.mark.parametrize("text", ["31/02/2024 00:00", "2024-03-01 25:00", "13:00", "2024-13-01"])
def test_invalid_text_timestamps_are_errors(text):
    parser = TimestampParser(TimestampFormat("dmy"))

    result = parser.parse_text(text)

    assert isinstance(result, InvalidValueError)
    assert result.code == "invalid_timestamp"


def test_invalid_timestamp_row_keeps_values(tmp_path):
    path = write(tmp_path, "bad.csv", stamps("13/03/2024 00:00", "31/02/2024 00:15"))

    report, rows = read_all(path, WideLayout(("time",)))

    assert rows[1].timestamp is None
    assert rows[1].values == [("kwh", 1.5, None)]
    (issue,) = rows[1].issues
    assert issue.code == "invalid_timestamp"
    assert issue.column == "time"
    assert english(issue.message).startswith("Row 3, column “time”: “31/02/2024 00:15” is not a valid date and time")
    assert report.rows_with_issues == 1


def test_unrecognized_timestamps_rejected(tmp_path):
    path = write(tmp_path, "words.csv", stamps("March 1st", "March 2nd"))

    with pytest.raises(ParseError) as caught:
        open_table(path, WideLayout(("time",)))

    assert caught.value.code == "unrecognized_timestamp_format"
    assert "“March 1st”" in english(caught.value.message)


def test_declared_strptime_format_wins(tmp_path):
    path = write(tmp_path, "custom.csv", stamps("2024年03月01日 08时15分", "2024年03月01日 08时30分"))

    report, rows = read_all(path, WideLayout(("time",)), FileOptions(timestamp_format="%Y年%m月%d日 %H时%M分"))

    assert report.timestamp_format == "%Y年%m月%d日 %H时%M分"
    assert [row.timestamp for row in rows] == [
        datetime(2024, 3, 1, 8, 15),
        datetime(2024, 3, 1, 8, 30),
    ]


def test_date_and_time_columns_with_missing_markers():
    path = FILES / "household_power_excerpt.txt"

    report, rows = read_all(path, WideLayout(("Date", "Time")))

    assert report.delimiter == ";"
    assert report.date_order == "dmy"
    assert rows[0].row_number == 2
    assert rows[0].timestamp == datetime(2006, 12, 16, 17, 24)
    assert rows[0].values[:3] == [
        ("Global_active_power", 4.216, None),
        ("Global_reactive_power", 0.418, None),
        ("Voltage", 234.84, None),
    ]
    missing_row = rows[3]
    assert missing_row.row_number == 5
    assert missing_row.timestamp == datetime(2006, 12, 21, 11, 23)
    assert [value for _code, value, _unit in missing_row.values] == [None] * 7
    assert missing_row.issues == []
    assert report.rows_read == 6
    assert report.missing_values == 14
    assert report.values_read == 42


def test_date_and_time_columns_need_both(tmp_path):
    text = "Date;Time;kwh\n16/12/2006;17:24:00;1,5\n16/12/2006;;2,5\n"
    path = write(tmp_path, "split.csv", text)

    _report, rows = read_all(path, WideLayout(("Date", "Time")))

    assert rows[0].timestamp == datetime(2006, 12, 16, 17, 24)
    assert rows[1].timestamp is None
    assert rows[1].issues[0].code == "invalid_timestamp"
    assert rows[1].issues[0].column == "Date + Time"


def test_steel_plant_midnight_hint_without_rule():
    path = FILES / "steel_plant_excerpt.csv"
    layout = WideLayout(("date",), {"Usage_kWh": "usage"})

    report, rows = read_all(path, layout)

    assert report.encoding == "UTF-8 with BOM"
    assert report.headers[0] == "date"
    assert report.date_order == "dmy"
    assert rows[4].timestamp == datetime(2018, 11, 7, 0, 0)
    assert report.hints == [MIDNIGHT_PREVIOUS_DAY_SUSPECTED]
    assert set(report.unmapped_columns) == set(report.headers[2:])


def test_steel_plant_midnight_rule_on():
    path = FILES / "steel_plant_excerpt.csv"
    layout = WideLayout(
        ("date",),
        ignore_columns=("NSM", "WeekStatus", "Day_of_week", "Load_Type"),
    )

    report, rows = read_all(path, layout, FileOptions(midnight_is_previous_day=True))

    assert [row.timestamp for row in rows] == [
        datetime(2018, 1, 1, 0, 15),
        datetime(2018, 1, 1, 0, 30),
        datetime(2018, 11, 7, 23, 30),
        datetime(2018, 11, 7, 23, 45),
        datetime(2018, 11, 8, 0, 0),
        datetime(2018, 11, 8, 0, 15),
        datetime(2018, 12, 31, 23, 45),
        datetime(2019, 1, 1, 0, 0),
    ]
    assert report.hints == []
    assert report.unmapped_columns == []
    assert rows[4].values[0] == ("Usage_kWh", 0.0, None)
    assert len(rows[4].values) == 6


def test_normal_midnight_gives_no_hint(tmp_path):
    path = write(
        tmp_path,
        "normal.csv",
        stamps("2024-03-01 23:30", "2024-03-01 23:45", "2024-03-02 00:00", "2024-03-02 00:15"),
    )

    report, _rows = read_all(path, WideLayout(("time",)))

    assert report.hints == []


def test_excel_serial_boundaries():
    assert excel_serial_to_datetime(61, 1900) == datetime(1900, 3, 1)
    assert excel_serial_to_datetime(59, 1900) == datetime(1900, 2, 28)
    assert excel_serial_to_datetime(1, 1900) == datetime(1900, 1, 1)
    assert excel_serial_to_datetime(45352.5, 1900) == datetime(2024, 3, 1, 12)
    assert excel_serial_to_datetime(0, 1904) == datetime(1904, 1, 1)
    assert excel_serial_to_datetime(43890.25, 1904) == datetime(2024, 3, 1, 6)


def test_excel_serial_60_does_not_exist():
    with pytest.raises(InvalidValueError) as caught:
        excel_serial_to_datetime(60.5, 1900)

    assert caught.value.code == "nonexistent_excel_date"
    issue = caught.value.to_issue(7, "time", "60.5")
    assert "29 February 1900" in english(issue.message)
    assert english(issue.message).startswith("Row 7, column “time”")


def test_excel_serial_fraction_rounds_to_second():
    # 00:15 is 0.0104166… of a day; spreadsheets store it rounded.
    assert excel_serial_to_datetime(45352.010416666664, 1900) == datetime(2024, 3, 1, 0, 15)
    assert excel_serial_to_datetime(45352.0104166, 1900) == datetime(2024, 3, 1, 0, 15)
    assert excel_serial_to_datetime(45352.99999999, 1900) == datetime(2024, 3, 2)


def test_csv_column_of_serials_read_as_excel_dates(tmp_path):
    path = write(tmp_path, "serial.csv", stamps("45352.0", "45352.0104166667", "45352.5"))

    report, rows = read_all(path, WideLayout(("time",)))

    assert report.excel_date_system == 1900
    assert [row.timestamp for row in rows] == [
        datetime(2024, 3, 1, 0, 0),
        datetime(2024, 3, 1, 0, 15),
        datetime(2024, 3, 1, 12, 0),
    ]


def test_csv_serials_in_declared_1904_system(tmp_path):
    path = write(tmp_path, "mac.csv", stamps("43890", "43890.5"))

    report, rows = read_all(path, WideLayout(("time",)), FileOptions(excel_date_system=1904))

    assert report.excel_date_system == 1904
    assert [row.timestamp for row in rows] == [datetime(2024, 3, 1), datetime(2024, 3, 1, 12)]


def test_csv_serial_60_is_row_issue(tmp_path):
    path = write(tmp_path, "serial.csv", stamps("60", "61"))

    _report, rows = read_all(path, WideLayout(("time",)), FileOptions(excel_date_system=1900))

    assert rows[0].timestamp is None
    assert rows[0].issues[0].code == "nonexistent_excel_date"
    assert rows[1].timestamp == datetime(1900, 3, 1)


def test_numbers_outside_date_range_not_read_as_serials(tmp_path):
    path = write(tmp_path, "epoch.csv", stamps("1709251200", "1709252100"))

    with pytest.raises(ParseError) as caught:
        open_table(path, WideLayout(("time",)))

    assert caught.value.code == "unrecognized_timestamp_format"


def test_timestamp_cache_returns_same_result():
    parser = TimestampParser(TimestampFormat("dmy"), max_cached=2)

    first = [parser.parse_text(f"0{day}/03/2024 00:00") for day in range(1, 6)]
    again = [parser.parse_text(f"0{day}/03/2024 00:00") for day in range(1, 6)]

    assert first == again
    assert first[0] == datetime(2024, 3, 1)


def test_spreadsheet_date_and_time_cells():
    parser = TimestampParser(TimestampFormat("dmy"))

    combined = parser.parse_date_and_time_cells(datetime(2024, 3, 1), time(17, 24), 1900)
    serials = parser.parse_date_and_time_cells(45352, 0.5, 1900)
    text_time = parser.parse_date_and_time_cells(date(2024, 3, 1), "07:30", 1900)
    missing_time = parser.parse_date_and_time_cells(date(2024, 3, 1), None, 1900)

    assert combined == datetime(2024, 3, 1, 17, 24)
    assert serials == datetime(2024, 3, 1, 12)
    assert text_time == datetime(2024, 3, 1, 7, 30)
    assert isinstance(missing_time, InvalidValueError)
