"""Column mapping, delimiters, row shapes and the ParsedTable contract."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from django.utils import translation

from cleanprod.ingest.parsing import (
    FileOptions,
    LongLayout,
    ParseError,
    WideLayout,
    open_table,
)


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


def test_missing_mapped_column_lists_headers(tmp_path):
    path = write(tmp_path, "x.csv", "Zeit;Zähler 1;Zähler 2\n01.03.2024 00:00;1;2\n")

    with pytest.raises(ParseError) as caught:
        open_table(path, WideLayout(("Zeit",), {"Zähler 1": "Z1", "Zähler 3": "Z3"}))

    assert caught.value.code == "missing_column"
    message = english(caught.value.message)
    assert "“Zähler 3”" in message
    assert "“Zeit”, “Zähler 1”, “Zähler 2”" in message
    assert caught.value.params["column"] == "Zähler 3"


def test_missing_timestamp_column_rejected(tmp_path):
    path = write(tmp_path, "x.csv", "time,kwh\n2024-03-01 00:00,1\n")

    with pytest.raises(ParseError) as caught:
        open_table(path, LongLayout(("timestamp",), "meter", "kwh"))

    assert caught.value.code == "missing_column"
    assert caught.value.params["column"] == "timestamp"


def test_header_matching_strips_whitespace(tmp_path):
    path = write(tmp_path, "x.csv", " time , kwh \n2024-03-01 00:00,1\n")

    report, rows = read_all(path, WideLayout(("time",), {"kwh": "K1"}))

    assert report.headers == ["time", "kwh"]
    assert rows[0].values == [("K1", 1.0, None)]


def test_header_matching_is_case_sensitive(tmp_path):
    path = write(tmp_path, "x.csv", "Time,kwh\n2024-03-01 00:00,1\n")

    with pytest.raises(ParseError) as caught:
        open_table(path, WideLayout(("time",)))

    assert caught.value.code == "missing_column"


def test_unmapped_wide_columns_reported(tmp_path):
    text = "time,M1,M2,comment,M3\n2024-03-01 00:00,1,2,ok,3\n"
    path = write(tmp_path, "x.csv", text)

    report, rows = read_all(path, WideLayout(("time",), {"M1": "meter-1", "M3": "meter-3"}, ("comment",)))

    assert report.unmapped_columns == ["M2"]
    assert rows[0].values == [("meter-1", 1.0, None), ("meter-3", 3.0, None)]


def test_wide_default_maps_every_other_column(tmp_path):
    text = "time,M1,M2,comment\n2024-03-01 00:00,1,2,ok\n"
    path = write(tmp_path, "x.csv", text)

    report, rows = read_all(path, WideLayout(("time",), ignore_columns=("comment",)))

    assert report.unmapped_columns == []
    assert rows[0].values == [("M1", 1.0, None), ("M2", 2.0, None)]


def test_duplicate_mapped_header_rejected(tmp_path):
    path = write(tmp_path, "x.csv", "time,kwh,kwh\n2024-03-01 00:00,1,2\n")

    with pytest.raises(ParseError) as caught:
        open_table(path, WideLayout(("time",)))

    assert caught.value.code == "duplicate_column"
    assert caught.value.params["positions"] == "2, 3"


def test_duplicate_meter_code_rejected(tmp_path):
    path = write(tmp_path, "x.csv", "time,a,b\n2024-03-01 00:00,1,2\n")

    with pytest.raises(ParseError) as caught:
        open_table(path, WideLayout(("time",), {"a": "M1", "b": "M1"}))

    assert caught.value.code == "duplicate_meter_code"


def test_unnamed_columns_reported(tmp_path):
    path = write(tmp_path, "x.csv", "time;kwh;\n2024-03-01 00:00;1,5;\n")

    report, rows = read_all(path, WideLayout(("time",)))

    assert report.unnamed_columns == [3]
    assert rows[0].values == [("kwh", 1.5, None)]


def test_long_layout_with_unit_column(tmp_path):
    text = (
        "timestamp,meter,reading,unit\n"
        "2024-03-01 00:00,EL-01,120.5,kWh\n"
        "2024-03-01 00:00,W-01,3.25,m³\n"
        "2024-03-01 00:15,EL-01,121.0,\n"
        "2024-03-01 00:15,,4,kWh\n"
    )
    path = write(tmp_path, "long.csv", text)

    report, rows = read_all(path, LongLayout(("timestamp",), "meter", "reading", "unit"))

    assert [row.values for row in rows] == [
        [("EL-01", 120.5, "kWh")],
        [("W-01", 3.25, "m³")],
        [("EL-01", 121.0, None)],
        [],
    ]
    assert rows[3].issues[0].code == "missing_meter_code"
    assert rows[3].issues[0].column == "meter"
    assert report.rows_read == 4
    assert report.rows_with_issues == 1


def test_long_layout_repeated_timestamps_parse_once(tmp_path):
    lines = ["time;meter;value"]
    for hour in range(3):
        for meter in ("A", "B", "C"):
            lines.append(f"13/03/2024 {hour:02d}:00;{meter};{hour},5")
    path = write(tmp_path, "long.csv", "\n".join(lines) + "\n")

    report, rows = read_all(path, LongLayout(("time",), "meter", "value"))

    assert report.decimal_separator == ","
    assert [row.timestamp for row in rows[:4]] == [datetime(2024, 3, 13)] * 3 + [datetime(2024, 3, 13, 1)]
    assert rows[0].timestamp is rows[1].timestamp
    assert rows[-1].values == [("C", 2.5, None)]


@pytest.mark.parametrize(
    ("delimiter", "name"),
    [("\t", "tab.tsv"), ("|", "pipe.txt"), (";", "semi.csv"), (",", "comma.csv")],
)
def test_delimiter_detected(tmp_path, delimiter, name):
    text = delimiter.join(["time", "a", "b"]) + "\r\n"
    text += delimiter.join(["2024-03-01 00:00", "1.5", "2.5"]) + "\r\n"
    path = write(tmp_path, name, text)

    report, rows = read_all(path, WideLayout(("time",)))

    assert report.delimiter == delimiter
    assert rows[0].values == [("a", 1.5, None), ("b", 2.5, None)]


def test_semicolon_wins_over_decimal_comma(tmp_path):
    text = "Zeit;Verbrauch, kWh\n13.03.2024 00:00;9,99\n13.03.2024 01:00;1.234,56\n"
    path = write(tmp_path, "x.csv", text)

    report, rows = read_all(path, WideLayout(("Zeit",)))

    assert report.delimiter == ";"
    assert [row.values for row in rows] == [
        [("Verbrauch, kWh", 9.99, None)],
        [("Verbrauch, kWh", 1234.56, None)],
    ]


def test_declared_delimiter_wins(tmp_path):
    path = write(tmp_path, "x.csv", "time,kwh;note\n2024-03-01 00:00,1.5;ok\n")

    with pytest.raises(ParseError) as caught:
        open_table(path, WideLayout(("time",)))
    report, rows = read_all(path, WideLayout(("time",)), FileOptions(delimiter=","))

    assert caught.value.code == "missing_column"
    assert report.delimiter == ","
    assert report.headers == ["time", "kwh;note"]
    assert rows[0].timestamp == datetime(2024, 3, 1)
    assert rows[0].issues[0].value == "1.5;ok"


def test_undetectable_delimiter_rejected(tmp_path):
    path = write(tmp_path, "x.csv", "timestamp kwh\n2024-03-01 1\n")

    with pytest.raises(ParseError) as caught:
        open_table(path, WideLayout(("timestamp",)))

    assert caught.value.code == "undetected_delimiter"


def test_quoted_fields_with_delimiters_and_newlines(tmp_path):
    text = 'time,"Meter, hall 1","Note"\r\n2024-03-01 00:00,"1,234.5","two\r\nlines"\r\n2024-03-01 00:15,17.25,ok\r\n'
    path = write(tmp_path, "quoted.csv", text)

    report, rows = read_all(path, WideLayout(("time",), ignore_columns=("Note",)))

    assert report.headers == ["time", "Meter, hall 1", "Note"]
    assert rows[0].values == [("Meter, hall 1", 1234.5, None)]
    assert [row.row_number for row in rows] == [2, 3]


def test_header_row_skips_preamble(tmp_path):
    text = "Export from SCADA\nPlant: Nanjing\n\ntime,kwh\n2024-03-01 00:00,1.5\n"
    path = write(tmp_path, "preamble.csv", text)

    report, rows = read_all(path, WideLayout(("time",)), FileOptions(header_row=4))

    assert report.headers == ["time", "kwh"]
    assert rows[0].row_number == 5
    assert rows[0].values == [("kwh", 1.5, None)]


def test_blank_trailing_lines_counted(tmp_path):
    text = "time,kwh\r\n2024-03-01 00:00,1.5\r\n\r\n,\r\n  \r\n"
    path = write(tmp_path, "blank.csv", text)

    report, rows = read_all(path, WideLayout(("time",)))

    assert len(rows) == 1
    assert report.blank_lines == 3
    assert report.rows_read == 1


def test_short_rows_read_as_missing(tmp_path):
    text = "time,a,b\n2024-03-01 00:00,1.5\n2024-03-01 00:15,2.5,3.5\n"
    path = write(tmp_path, "short.csv", text)

    report, rows = read_all(path, WideLayout(("time",)))

    assert rows[0].values == [("a", 1.5, None), ("b", None, None)]
    assert report.short_rows == 1
    assert report.missing_values == 1


def test_extra_cells_make_row_issue(tmp_path):
    text = "timestamp,kwh\n2024-03-01 00:00,12.5\n2024-03-01 01:00,1,5\n"
    path = write(tmp_path, "shifted.csv", text)

    _report, rows = read_all(path, WideLayout(("timestamp",)))

    assert rows[0].issues == []
    assert rows[1].values == []
    (issue,) = rows[1].issues
    assert issue.code == "extra_cells"
    assert issue.value == "5"
    assert "Row 3 has 3 cells but the header has 2 columns" in english(issue.message)


def test_missing_timestamp_is_row_issue(tmp_path):
    text = "time,kwh\n2024-03-01 00:00,1.5\n,2.5\n"
    path = write(tmp_path, "x.csv", text)

    _report, rows = read_all(path, WideLayout(("time",)))

    assert rows[1].timestamp is None
    assert rows[1].values == [("kwh", 2.5, None)]
    assert rows[1].issues[0].code == "missing_timestamp"


def test_unsupported_file_type_rejected(tmp_path):
    path = write(tmp_path, "readings.xls", "x")

    with pytest.raises(ParseError) as caught:
        open_table(path, WideLayout(("time",)))

    assert caught.value.code == "unsupported_file_type"
    assert "“readings.xls”" in english(caught.value.message)


def test_empty_file_rejected(tmp_path):
    path = write(tmp_path, "empty.csv", "")

    with pytest.raises(ParseError) as caught:
        open_table(path, WideLayout(("time",)), FileOptions(delimiter=","))

    assert caught.value.code == "missing_header"


def test_rows_iterate_once(tmp_path):
    path = write(tmp_path, "x.csv", "time,kwh\n2024-03-01 00:00,1.5\n")

    with open_table(path, WideLayout(("time",))) as table:
        assert len(list(table)) == 1
        with pytest.raises(RuntimeError):
            iter(table)


def test_report_counters_grow_while_iterating(tmp_path):
    path = write(tmp_path, "x.csv", "time,a,b\n2024-03-01 00:00,1,?\n2024-03-01 00:15,2,3\n")

    with open_table(path, WideLayout(("time",))) as table:
        assert table.report.rows_read == 0
        rows = iter(table)
        next(rows)
        assert table.report.rows_read == 1
        assert table.report.missing_values == 1
        next(rows)
        assert table.report.rows_read == 2
        assert table.report.values_read == 4


def test_report_as_dict_is_json_serialisable(tmp_path):
    path = write(tmp_path, "x.csv", "time,kwh\n2024-03-01 00:00,1.5\n")

    with open_table(path, WideLayout(("time",))) as table:
        list(table)
        data = table.report.as_dict()

    assert json.loads(json.dumps(data)) == data
    assert data["encoding"] == "UTF-8"
    assert data["headers"] == ["time", "kwh"]
    assert data["rows_read"] == 1


def test_close_before_iterating_releases_file(tmp_path):
    path = write(tmp_path, "x.csv", "time,kwh\n2024-03-01 00:00,1.5\n")

    table = open_table(path, WideLayout(("time",)))
    table.close()

    with pytest.raises(StopIteration):
        next(iter(table))
