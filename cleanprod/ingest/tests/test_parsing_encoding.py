"""Encoding detection and decoding of text exports."""

from __future__ import annotations

import codecs
from datetime import datetime
from pathlib import Path

import pytest
from django.utils import translation

from cleanprod.ingest.parsing import (
    FileOptions,
    LongLayout,
    ParseError,
    WideLayout,
    detect_encoding,
    open_table,
)

GBK_EXPORT = bytes.fromhex(
    "c8 d5 c6 da 2c b5 e7 b1 ed b6 c1 ca fd 28 6b 57 68 29 0a"
    "32 30 32 34 2d 30 33 2d 30 31 20 30 30 3a 30 30 2c 31 32 33 34 2e 35 0a"
)


def write(tmp_path: Path, name: str, content: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def english(message: object) -> str:
    with translation.override("en"):
        return str(message)


def read_all(path: Path, layout: WideLayout | LongLayout, options: FileOptions | None = None):
    with open_table(path, layout, options or FileOptions()) as table:
        return table.report, list(table)


def test_bom_is_stripped_from_first_header(tmp_path):
    path = write(tmp_path, "export.csv", b"\xef\xbb\xbftimestamp,kwh\n2024-03-01 00:00,12.5\n")

    report, rows = read_all(path, WideLayout(("timestamp",), {"kwh": "kwh"}))

    assert report.headers == ["timestamp", "kwh"]
    assert report.encoding == "UTF-8 with BOM"
    assert len(rows) == 1
    assert rows[0].timestamp == datetime(2024, 3, 1, 0, 0)
    assert rows[0].values == [("kwh", 12.5, None)]
    assert rows[0].issues == []


def test_bom_header_matches_when_encoding_declared_utf8(tmp_path):
    path = write(tmp_path, "export.csv", b"\xef\xbb\xbftimestamp,kwh\n2024-03-01 00:00,12.5\n")

    report, rows = read_all(path, WideLayout(("timestamp",)), FileOptions(encoding="utf-8"))

    assert report.headers == ["timestamp", "kwh"]
    assert rows[0].values == [("kwh", 12.5, None)]


def test_gbk_export_decodes_as_gb18030(tmp_path):
    path = write(tmp_path, "export.csv", GBK_EXPORT)

    report, rows = read_all(path, WideLayout(("日期",), {"电表读数(kWh)": "main"}))

    assert report.encoding == "GB18030"
    assert report.headers == ["日期", "电表读数(kWh)"]
    assert len(rows) == 1
    assert rows[0].timestamp == datetime(2024, 3, 1, 0, 0)
    assert rows[0].values == [("main", 1234.5, None)]
    assert all("\ufffd" not in header for header in report.headers)


def test_gbk_detection_fails_utf8_on_first_byte(tmp_path):
    path = write(tmp_path, "export.csv", GBK_EXPORT)

    with pytest.raises(UnicodeDecodeError) as caught:
        GBK_EXPORT.decode("utf-8")

    assert caught.value.start == 0
    assert detect_encoding(path).codec == "gb18030"


def test_gb18030_long_file_with_chinese_meter_codes(tmp_path):
    text = "时间,表计,读数,单位\n2024-03-01 00:00,一号空压机,12.5,千瓦时\n2024-03-01 00:00,二号冷却塔,7.25,吨\n"
    path = write(tmp_path, "long.csv", text.encode("gb18030"))

    report, rows = read_all(path, LongLayout(("时间",), "表计", "读数", "单位"))

    assert report.encoding == "GB18030"
    assert [row.values for row in rows] == [
        [("一号空压机", 12.5, "千瓦时")],
        [("二号冷却塔", 7.25, "吨")],
    ]


def test_late_gbk_byte_switches_whole_file_to_gb18030(tmp_path):
    # More than 1 MiB of ASCII rows first, so the GBK bytes lie beyond the first
    # chunk that the encoding check reads.
    body = b"".join(f"2024-03-01 00:00,M{index},{index}.5\n".encode("ascii") for index in range(60_000))
    tail = "2024-03-01 00:00,压缩机,3.5\n".encode("gbk")
    path = write(tmp_path, "late.csv", b"time,meter,value\n" + body + tail)

    report, rows = read_all(path, LongLayout(("time",), "meter", "value"))

    assert path.stat().st_size > 1 << 20
    assert report.encoding == "GB18030"
    assert len(rows) == 60_001
    assert rows[-1].row_number == 60_002
    assert rows[-1].values == [("压缩机", 3.5, None)]
    assert all("\ufffd" not in row.values[0][0] for row in rows)


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_with_bom_decodes(tmp_path, codec):
    bom = codecs.BOM_UTF16_LE if codec == "utf-16-le" else codecs.BOM_UTF16_BE
    text = "时间\t电表\r\n2024-03-01 00:15\t1,5\r\n2024-03-01 00:30\t2,25\r\n"
    path = write(tmp_path, "export.txt", bom + text.encode(codec))

    report, rows = read_all(path, WideLayout(("时间",)))

    assert report.encoding == "UTF-16"
    assert report.delimiter == "\t"
    assert report.headers == ["时间", "电表"]
    assert report.decimal_separator == ","
    assert [row.values for row in rows] == [[("电表", 1.5, None)], [("电表", 2.25, None)]]


def test_utf16_without_bom_detected_from_nul_bytes(tmp_path):
    text = "timestamp,kwh\r\n2024-03-01 00:15,1.5\r\n2024-03-01 00:30,2.5\r\n"
    path = write(tmp_path, "export.csv", text.encode("utf-16-le"))

    report, rows = read_all(path, WideLayout(("timestamp",)))

    assert report.encoding == "UTF-16"
    assert report.headers == ["timestamp", "kwh"]
    assert [row.values for row in rows] == [[("kwh", 1.5, None)], [("kwh", 2.5, None)]]


def test_undecodable_file_rejected_with_line(tmp_path):
    path = write(tmp_path, "broken.csv", b"timestamp,kwh\n2024-03-01 00:00,1.5\n\xff\xff,2\n")

    with pytest.raises(ParseError) as caught:
        open_table(path, WideLayout(("timestamp",)))

    assert caught.value.code == "undetected_encoding"
    assert caught.value.params["line"] == 3
    assert "line 3" in english(caught.value.message)
    assert "UTF-8" in english(caught.value.message)


def test_declared_encoding_that_fails_rejected(tmp_path):
    path = write(tmp_path, "export.csv", GBK_EXPORT)

    with pytest.raises(ParseError) as caught:
        open_table(path, WideLayout(("日期",)), FileOptions(encoding="utf-8"))

    assert caught.value.code == "invalid_encoding"
    assert caught.value.params["line"] == 1


def test_declared_gbk_encoding_used(tmp_path):
    path = write(tmp_path, "export.csv", GBK_EXPORT)

    report, rows = read_all(path, WideLayout(("日期",)), FileOptions(encoding="gbk"))

    assert report.encoding == "gbk"
    assert report.headers == ["日期", "电表读数(kWh)"]
    assert rows[0].values == [("电表读数(kWh)", 1234.5, None)]


def test_unknown_declared_encoding_rejected(tmp_path):
    path = write(tmp_path, "export.csv", b"timestamp,kwh\n")

    with pytest.raises(ParseError) as caught:
        open_table(path, WideLayout(("timestamp",)), FileOptions(encoding="klingon"))

    assert caught.value.code == "unknown_encoding"
    assert "klingon" in english(caught.value.message)


def test_replacement_character_in_header_rejected(tmp_path):
    path = write(tmp_path, "export.csv", "timestamp,\ufffd\ufffd\n2024-03-01 00:00,1\n".encode())

    with pytest.raises(ParseError) as caught:
        open_table(path, WideLayout(("timestamp",)))

    assert caught.value.code == "corrupted_header"
