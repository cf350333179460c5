"""Number format decisions and conversion of value cells."""

from __future__ import annotations

import math
from datetime import datetime
from pathlib import Path

import pytest
from django.utils import translation

from cleanprod.ingest.parsing import (
    FileOptions,
    LongLayout,
    NumberFormat,
    NumberParser,
    ParseError,
    WideLayout,
    open_table,
)
from cleanprod.ingest.parsing.numbers import NumberEvidence, decide_number_format

DECIMAL_COMMA_EXPORT = (
    "Zeitpunkt;Verbrauch kWh\n01.03.2024 00:00;9,99\n01.03.2024 01:00;1.234,56\n01.03.2024 02:00;12,5\n"
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


def values_of(rows) -> list[float | None]:
    return [value for row in rows for _code, value, _unit in row.values]


def test_decimal_comma_file_keeps_decimals(tmp_path):
    path = write(tmp_path, "verbrauch.csv", DECIMAL_COMMA_EXPORT)

    report, rows = read_all(path, WideLayout(("Zeitpunkt",)))

    assert report.delimiter == ";"
    assert report.decimal_separator == ","
    assert report.thousands_separator == "."
    values = [value for value in values_of(rows) if value is not None]
    assert values == [9.99, 1234.56, 12.5]
    assert sum(values) == pytest.approx(1257.05)
    assert sum(values) != pytest.approx(124_580)
    assert [row.timestamp for row in rows] == [
        datetime(2024, 3, 1, 0, 0),
        datetime(2024, 3, 1, 1, 0),
        datetime(2024, 3, 1, 2, 0),
    ]
    assert all(row.issues == [] for row in rows)


def test_point_decimal_with_comma_grouping(tmp_path):
    text = 'timestamp,kwh\n2024-03-01 00:00,"1,234.56"\n2024-03-01 01:00,"1,234"\n'
    path = write(tmp_path, "us.csv", text)

    report, rows = read_all(path, WideLayout(("timestamp",)))

    assert report.decimal_separator == "."
    assert report.thousands_separator == ","
    assert values_of(rows) == [1234.56, 1234.0]


def test_comma_decimal_with_point_grouping(tmp_path):
    text = "timestamp;kwh\n2024-03-01 00:00;1.234,56\n2024-03-01 01:00;1.234\n2024-03-01 02:00;7,5\n"
    path = write(tmp_path, "de.csv", text)

    report, rows = read_all(path, WideLayout(("timestamp",)))

    assert report.decimal_separator == ","
    assert report.thousands_separator == "."
    assert values_of(rows) == [1234.56, 1234.0, 7.5]


def test_ambiguous_comma_file_rejected(tmp_path):
    text = "timestamp;kwh\n2024-03-01 00:00;1,234\n2024-03-01 01:00;2,500\n2024-03-01 02:00;17\n"
    path = write(tmp_path, "ambiguous.csv", text)

    with pytest.raises(ParseError) as caught:
        open_table(path, WideLayout(("timestamp",)))

    assert caught.value.code == "ambiguous_decimal_separator"
    message = english(caught.value.message)
    assert "row 2" in message
    assert "“kwh”" in message
    assert "“1,234”" in message
    assert "Declare the decimal separator" in message


def test_ambiguous_comma_resolved_by_declared_separator(tmp_path):
    text = "timestamp;kwh\n2024-03-01 00:00;1,234\n2024-03-01 01:00;2,500\n"
    path = write(tmp_path, "declared.csv", text)

    _report, comma_rows = read_all(path, WideLayout(("timestamp",)), FileOptions(decimal_separator=","))
    _report, point_rows = read_all(path, WideLayout(("timestamp",)), FileOptions(decimal_separator="."))

    assert values_of(comma_rows) == [1.234, 2.5]
    assert values_of(point_rows) == [1234.0, 2500.0]


def test_late_deciding_value_decides_whole_file(tmp_path):
    lines = ["timestamp;kwh"] + [f"2024-03-01 {hour:02d}:00;1,{hour:03d}" for hour in range(23)]
    lines.append("2024-03-01 23:00;0,5")
    path = write(tmp_path, "late.csv", "\n".join(lines) + "\n")

    report, rows = read_all(path, WideLayout(("timestamp",)))

    assert report.decimal_separator == ","
    assert values_of(rows)[:2] == [1.0, 1.001]
    assert values_of(rows)[-1] == 0.5


def test_mixed_number_formats_rejected(tmp_path):
    text = "timestamp;a;b\n2024-03-01 00:00;1.234,5;2\n2024-03-01 01:00;3;12.5\n"
    path = write(tmp_path, "mixed.csv", text)

    with pytest.raises(ParseError) as caught:
        open_table(path, WideLayout(("timestamp",)))

    assert caught.value.code == "inconsistent_number_format"
    message = english(caught.value.message)
    assert "“12.5”" in message
    assert "“1.234,5”" in message


def test_three_decimals_with_point_read_as_decimals(tmp_path):
    text = "timestamp,kwh\n2024-03-01 00:00,12.345\n2024-03-01 01:00,250.125\n"
    path = write(tmp_path, "scada.csv", text)

    report, rows = read_all(path, WideLayout(("timestamp",)))

    assert report.decimal_separator == "."
    assert report.thousands_separator is None
    assert values_of(rows) == [12.345, 250.125]


def test_three_decimals_with_point_and_dotted_dates_rejected(tmp_path):
    text = "Zeit;kWh\n13.03.2024 00:00;12.345\n13.03.2024 01:00;250.125\n"
    path = write(tmp_path, "german.csv", text)

    with pytest.raises(ParseError) as caught:
        open_table(path, WideLayout(("Zeit",)))

    assert caught.value.code == "ambiguous_decimal_separator"
    assert "“12.345”" in english(caught.value.message)


def test_space_grouping_with_decimal_comma(tmp_path):
    text = "timestamp;kwh\n2024-03-01 00:00;1 234,5\n2024-03-01 01:00;12\u00a0345,25\n"
    path = write(tmp_path, "fr.csv", text)

    report, rows = read_all(path, WideLayout(("timestamp",)))

    assert report.decimal_separator == ","
    assert report.thousands_separator == " "
    assert values_of(rows) == [1234.5, 12345.25]


@pytest.mark.parametrize(
    "token",
    [
        "",
        "  ",
        "?",
        "NA",
        "N/A",
        "nan",
        "NaN",
        "null",
        "NULL",
        "-",
        "--",
        "#N/A",
        "#DIV/0!",
        "#VALUE!",
        "#REF!",
        "#NAME?",
        "#NUM!",
        "#NULL!",
        "#GETTING_DATA",
    ],
)
def test_missing_value_markers_read_as_none(tmp_path, token):
    text = f"timestamp,a,b\n2024-03-01 00:00,{token},1.5\n"
    path = write(tmp_path, "missing.csv", text)

    report, rows = read_all(path, WideLayout(("timestamp",)))

    assert rows[0].values == [("a", None, None), ("b", 1.5, None)]
    assert rows[0].issues == []
    assert report.missing_values == 1
    assert report.values_read == 2


def test_invalid_number_is_row_issue(tmp_path):
    text = "timestamp,a,b\n2024-03-01 00:00,1.5,2.5\n2024-03-01 01:00,12 kWh,3.5\n"
    path = write(tmp_path, "invalid.csv", text)

    report, rows = read_all(path, WideLayout(("timestamp",)))

    assert rows[0].issues == []
    assert rows[1].values == [("b", 3.5, None)]
    (issue,) = rows[1].issues
    assert issue.code == "invalid_number"
    assert issue.row_number == 3
    assert issue.column == "a"
    assert issue.value == "12 kWh"
    message = english(issue.message)
    assert message.startswith("Row 3, column “a”: “12 kWh” is not a number")
    assert "decimal point" in message
    assert report.invalid_values == 1
    assert report.rows_with_issues == 1


@pytest.mark.parametrize("token", ["inf", "-Infinity", "1e999"])
def test_infinite_values_rejected(tmp_path, token):
    text = f"timestamp,a\n2024-03-01 00:00,{token}\n"
    path = write(tmp_path, "inf.csv", text)

    _report, rows = read_all(path, WideLayout(("timestamp",)))

    assert rows[0].values == []
    assert [issue.code for issue in rows[0].issues] == ["invalid_number"]


def test_point_in_decimal_comma_file_is_invalid(tmp_path):
    text = "timestamp;a\n2024-03-01 00:00;9,99\n2024-03-01 01:00;1.5\n"
    path = write(tmp_path, "declared.csv", text)

    _report, rows = read_all(
        path, WideLayout(("timestamp",)), FileOptions(decimal_separator=",", thousands_separator="")
    )

    assert rows[0].values == [("a", 9.99, None)]
    assert rows[1].values == []
    assert rows[1].issues[0].code == "invalid_number"


def test_bad_grouping_is_invalid(tmp_path):
    text = "timestamp;a\n2024-03-01 00:00;1.234,5\n2024-03-01 01:00;12.34,5\n"
    path = write(tmp_path, "grouping.csv", text)

    report, rows = read_all(path, WideLayout(("timestamp",)))

    assert report.thousands_separator == "."
    assert rows[0].values == [("a", 1234.5, None)]
    assert rows[1].issues[0].code == "invalid_number"


def test_long_layout_decimal_comma(tmp_path):
    text = "Zeit;Zähler;Wert\n01.03.2024 00:00;M1;9,99\n01.03.2024 00:00;M2;?\n"
    path = write(tmp_path, "long.csv", text)

    report, rows = read_all(path, LongLayout(("Zeit",), "Zähler", "Wert"))

    assert [row.values for row in rows] == [[("M1", 9.99, None)], [("M2", None, None)]]
    assert report.missing_values == 1


def test_declared_separators_must_differ(tmp_path):
    path = write(tmp_path, "x.csv", "timestamp,a\n2024-03-01 00:00,1\n")

    with pytest.raises(ParseError) as caught:
        open_table(
            path,
            WideLayout(("timestamp",)),
            FileOptions(decimal_separator=",", thousands_separator=","),
        )

    assert caught.value.code == "invalid_number_format"


def test_number_parser_formats():
    comma = NumberParser(NumberFormat(",", "."))
    point = NumberParser(NumberFormat(".", ","))
    space = NumberParser(NumberFormat(",", " "))

    assert comma.parse("1.234.567,89") == 1234567.89
    assert comma.parse("-0,5") == -0.5
    assert comma.parse("1,5E3") == 1500.0
    assert point.parse("1,234,567.89") == 1234567.89
    assert point.parse("+.5") == 0.5
    assert space.parse("1\u202f234,5") == 1234.5
    assert comma.parse("#N/A") is None
    assert math.isclose(point.parse(" 3.17 ") or 0, 3.17)


def test_number_evidence_finds_proof_late_in_row():
    evidence = NumberEvidence()
    columns = [f"m{index}" for index in range(5)]

    evidence.add_row(2, columns, ["1.234", "2.345", "3.456", "4.567", "5.678"])
    evidence.add_row(3, columns, ["1.234", "2.345", "3.456", "4.567", "0.5"])

    assert evidence.ambiguous_point is not None
    assert evidence.decimal_point is not None
    assert evidence.decimal_point.row_number == 3
    assert evidence.decimal_point.column == "m4"
    assert evidence.decimal_point.value == "0.5"


def test_number_evidence_ignores_malformed_cells():
    evidence = NumberEvidence()

    evidence.add_row(2, ["a", "b"], ["1.2.3", "4,5,6"])

    assert decide_number_format(evidence) == NumberFormat(".", None)
