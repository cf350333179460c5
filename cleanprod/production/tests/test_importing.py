"""Import of production records against a real database: formats, duplicates, conflicts, rejections."""

import csv
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.utils import translation
from openpyxl import Workbook
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from cleanprod.ingest.parsing import FileOptions, ParseError
from cleanprod.metering.models import BatchKind, ImportBatch
from cleanprod.organization.models import Enterprise, OrganizationUnit, Site, UnitKind
from cleanprod.production.importing import import_production_file
from cleanprod.production.models import ProductionRecord
from cleanprod.production.services import net_output
from cleanprod.resources.models import Resource

pytestmark = pytest.mark.django_db

FILES = Path(__file__).parent / "files"
HEADER = ["organisation_unit", "product", "period_start", "period_end", "quantity", "unit", "reference"]


@pytest.fixture
def production_site() -> Site:
    enterprise = Enterprise.objects.create(name="Stamping works", uscc="91310000MA1FL5LX3K", industry_code="C3360")
    site = Site.objects.create(enterprise=enterprise, code="stamping", name="Stamping works")
    OrganizationUnit.objects.create(site=site, code="press", name="Press shop", kind=UnitKind.WORKSHOP)
    OrganizationUnit.objects.create(site=site, code="paint", name="Paint shop", kind=UnitKind.WORKSHOP)
    return site


@pytest.fixture
def other_production_site(production_site: Site) -> Site:
    site = Site.objects.create(enterprise=production_site.enterprise, code="assembly", name="Assembly works")
    OrganizationUnit.objects.create(site=site, code="assembly-line", name="Assembly line", kind=UnitKind.WORKSHOP)
    return site


def write_csv(
    path: Path, rows: Sequence[Sequence[object]], header: list[str] = HEADER, encoding: str = "utf-8"
) -> Path:
    with path.open("w", newline="", encoding=encoding) as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def run(site: Site, path: Path, **arguments) -> dict:
    arguments.setdefault("dry_run", False)
    return import_production_file(site=site, path=path, **arguments)


def record(unit: str, product: str, start: date, end: date, reference: str = "") -> ProductionRecord:
    return ProductionRecord.objects.get(
        organization_unit__code=unit, product__code=product, period_start=start, period_end=end, reference=reference
    )


# -- formats ------------------------------------------------------------------------------


def test_utf8_csv_inserts_records(production_site, tmp_path):
    path = write_csv(
        tmp_path / "output.csv",
        [
            ["press", "product", "2024-03-01", "2024-03-01", "120.5", "t", "MES-1"],
            ["press", "product", "2024-03-02", "2024-03-02", "98", "t", "MES-2"],
            ["paint", "product_pieces", "2024-03-01", "2024-03-31", "1250", "pcs", ""],
        ],
    )

    report = run(production_site, path)

    assert report["inserted"] == 3
    assert report["rows_read"] == 3
    assert report["rejected"] == 0
    assert report["encoding"] == "UTF-8"
    assert report["delimiter"] == ","
    assert report["decimal_separator"] == "."
    assert report["date_order"] == "ymd"
    first = record("press", "product", date(2024, 3, 1), date(2024, 3, 1), "MES-1")
    assert first.quantity == Decimal("120.5")
    assert first.unit == "t"
    assert first.site == production_site
    assert first.is_generated is False
    assert first.batch_id == report["batch"]
    assert first.history.count() == 1
    assert record("paint", "product_pieces", date(2024, 3, 1), date(2024, 3, 31)).quantity == Decimal(1250)
    assert report["records"] == [
        {"organisation_unit": "paint", "product": "product_pieces", "first": "2024-03-01", "last": "2024-03-31",
         "inserted": 1, "replaced": 0},
        {"organisation_unit": "press", "product": "product", "first": "2024-03-01", "last": "2024-03-02",
         "inserted": 2, "replaced": 0},
    ]  # fmt: skip


def test_batch_records_provenance(production_site, tmp_path):
    user = User.objects.create_user(username="planner")
    path = write_csv(tmp_path / "output.csv", [["press", "product", "2024-03-01", "", "10", "t", ""]])

    report = run(production_site, path, user=user)

    batch = ImportBatch.objects.get(pk=report["batch"])
    assert batch.kind == BatchKind.PRODUCTION
    assert batch.source_name == "output.csv"
    assert batch.sha256 == report["sha256"]
    assert batch.created_by == user
    assert batch.rows_inserted == 1
    stored = ProductionRecord.objects.get()
    assert stored.history.get().history_user == user


def test_gbk_csv_with_chinese_headers(production_site):
    report = run(production_site, FILES / "production_gbk.csv")

    assert report["encoding"] == "GB18030"
    assert report["inserted"] == 3
    assert report["thousands_separator"] == ","
    assert record("press", "product", date(2024, 3, 1), date(2024, 3, 1), "MES-0301").quantity == Decimal("120.5")
    # An empty last day means one day.
    assert record("press", "product", date(2024, 3, 2), date(2024, 3, 2), "MES-0302").unit == "吨"
    pieces = record("paint", "product_pieces", date(2024, 3, 1), date(2024, 3, 31), "ERP-202403")
    assert pieces.quantity == Decimal(1250)
    assert pieces.unit == "件"


def test_decimal_comma_file_is_read_exactly(production_site):
    report = run(production_site, FILES / "production_decimal_comma.csv")

    assert report["encoding"] == "UTF-8 with BOM"
    assert report["delimiter"] == ";"
    assert report["decimal_separator"] == ","
    assert report["thousands_separator"] == "."
    assert report["inserted"] == 4
    assert record("press", "product", date(2024, 3, 1), date(2024, 3, 1), "A-1").quantity == Decimal("1234.5")
    assert record("press", "product", date(2024, 3, 2), date(2024, 3, 2), "A-2").quantity == Decimal("12.75")
    assert record("press", "product", date(2024, 3, 2), date(2024, 3, 2), "A-2-REV").quantity == Decimal("-0.5")
    assert record("paint", "product_pieces", date(2024, 3, 1), date(2024, 3, 31), "B-1").quantity == Decimal(2000)


def test_date_order_is_decided_per_file(production_site, tmp_path):
    path = write_csv(
        tmp_path / "dmy.csv",
        [
            ["press", "product", "01/03/2024", "", "1", "t", "A"],
            ["press", "product", "13/03/2024", "", "2", "t", "B"],
        ],
    )

    report = run(production_site, path)

    assert report["date_order"] == "dmy"
    assert record("press", "product", date(2024, 3, 1), date(2024, 3, 1), "A").quantity == 1
    assert record("press", "product", date(2024, 3, 13), date(2024, 3, 13), "B").quantity == 2


def test_ambiguous_date_order_rejects_file(production_site, tmp_path):
    path = write_csv(tmp_path / "ambiguous.csv", [["press", "product", "01/03/2024", "", "1", "t", ""]])

    with pytest.raises(ParseError) as raised:
        run(production_site, path)

    assert raised.value.code == "ambiguous_date_order"
    assert not ProductionRecord.objects.exists()


def test_datetimes_keep_their_date(production_site, tmp_path):
    path = write_csv(
        tmp_path / "datetimes.csv", [["press", "product", "2024-03-01 08:00", "2024-03-03 20:00:00", "30", "t", ""]]
    )

    run(production_site, path)

    assert record("press", "product", date(2024, 3, 1), date(2024, 3, 3)).quantity == 30


def save_workbook(path: Path, rows: list[list[object]], *, epoch_1904: bool = False, header=HEADER) -> Path:
    workbook = Workbook()
    if epoch_1904:
        workbook.epoch = CALENDAR_MAC_1904
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


@pytest.mark.parametrize(("epoch_1904", "serial_of_march_2"), [(False, 45353), (True, 45353 - 1462)])
def test_xlsx_in_both_date_systems(production_site, tmp_path, epoch_1904, serial_of_march_2):
    path = save_workbook(
        tmp_path / "output.xlsx",
        [
            ["press", "product", datetime(2024, 3, 1), datetime(2024, 3, 1, 23, 0), 120.5, "t", "X-1"],
            ["press", "product", serial_of_march_2, None, 98, "t", 20240302],
            ["press", "product", "2024-03-03", "2024-03-03", "77.25", "t", "X-3"],
            ["paint", "product_pieces", datetime(2024, 3, 1), datetime(2024, 3, 31), "#N/A", "pcs", "X-4"],
        ],
        epoch_1904=epoch_1904,
    )

    report = run(production_site, path)

    assert report["file_kind"] == "xlsx"
    assert report["excel_date_system"] == (1904 if epoch_1904 else 1900)
    assert report["inserted"] == 3
    assert record("press", "product", date(2024, 3, 1), date(2024, 3, 1), "X-1").quantity == Decimal("120.5")
    # A number in a date column is an Excel serial date in the workbook's date system,
    # and a whole number in the reference column loses the ".0" of its float.
    assert record("press", "product", date(2024, 3, 2), date(2024, 3, 2), "20240302").quantity == 98
    assert record("press", "product", date(2024, 3, 3), date(2024, 3, 3), "X-3").quantity == Decimal("77.25")
    # An error cell is a missing value, as for readings, and a record needs its quantity.
    assert report["rejected_by_code"] == {"missing_quantity": 1}
    assert report["rejected_sample"][0]["row"] == 5


# -- dry run and re-import ----------------------------------------------------------------


def test_dry_run_stores_nothing(production_site, tmp_path):
    path = write_csv(
        tmp_path / "output.csv",
        [
            ["press", "product", "2024-03-01", "", "10", "t", ""],
            ["press", "product", "2024-03-01", "", "10", "t", ""],
            ["nowhere", "product", "2024-03-01", "", "10", "t", ""],
        ],
    )

    preview = run(production_site, path, dry_run=True)

    assert preview["dry_run"] is True
    assert preview["batch"] is None
    assert not ProductionRecord.objects.exists()
    assert not ProductionRecord.history.exists()
    assert not ImportBatch.objects.exists()
    committed = run(production_site, path)
    for key in ("rows_read", "inserted", "duplicates_identical", "rejected", "rejected_by_code"):
        assert preview[key] == committed[key], key
    assert committed["inserted"] == 1


def test_reimport_adds_nothing(production_site, tmp_path):
    path = write_csv(
        tmp_path / "output.csv",
        [
            ["press", "product", "2024-03-01", "", "10", "t", ""],
            ["press", "product", "2024-03-02", "", "11", "t", ""],
        ],
    )
    first = run(production_site, path)
    preview = run(production_site, path, dry_run=True)

    second = run(production_site, path)

    assert first["already_imported"] == []
    assert [item["batch"] for item in second["already_imported"]] == [first["batch"]]
    assert second["already_imported"][0]["created_at"]
    # A dry run leaves no batch behind, so it is never listed.
    assert preview["already_imported"] == second["already_imported"]
    assert second["inserted"] == 0
    assert second["duplicates_identical"] == 2
    assert ProductionRecord.objects.count() == 2


def test_same_amount_in_another_unit_is_duplicate(production_site, tmp_path):
    run(production_site, write_csv(tmp_path / "t.csv", [["press", "product", "2024-03-01", "", "1.5", "t", ""]]))

    report = run(
        production_site, write_csv(tmp_path / "kg.csv", [["press", "product", "2024-03-01", "", "1500", "kg", ""]])
    )

    assert report["duplicates_identical"] == 1
    assert report["conflicts_rejected"] == 0


# -- conflicts ----------------------------------------------------------------------------


@pytest.fixture
def stored_march_first(production_site, tmp_path) -> ProductionRecord:
    run(production_site, write_csv(tmp_path / "first.csv", [["press", "product", "2024-03-01", "", "100", "t", "M1"]]))
    return ProductionRecord.objects.get()


def test_conflict_rejected_by_default(production_site, tmp_path, stored_march_first):
    path = write_csv(tmp_path / "second.csv", [["press", "product", "2024-03-01", "", "104", "t", "M1"]])

    report = run(production_site, path, rejected_path=tmp_path / "rejected.csv")

    assert report["conflicts_rejected"] == 1
    assert report["rejected_by_code"] == {"conflict": 1}
    stored_march_first.refresh_from_db()
    assert stored_march_first.quantity == 100
    assert stored_march_first.history.count() == 1
    with translation.override("en"):
        message = report["rejected_sample"][0]["message"]
    assert "100 t" in message
    assert "104" in message


def test_conflict_replaced_keeps_history(production_site, tmp_path, stored_march_first):
    user = User.objects.create_user(username="controller")
    path = write_csv(tmp_path / "second.csv", [["press", "product", "2024-03-01", "", "104", "t", "M1"]])

    report = run(production_site, path, replace_conflicts=True, user=user)

    assert report["conflicts_replaced"] == 1
    assert report["inserted"] == 0
    assert report["records"][0]["replaced"] == 1
    stored_march_first.refresh_from_db()
    assert stored_march_first.quantity == 104
    assert stored_march_first.batch_id == report["batch"]
    history = list(stored_march_first.history.order_by("history_date"))
    assert len(history) == 2
    assert [entry.quantity for entry in history] == [100, 104]
    assert history[1].history_type == "~"
    assert history[1].history_user == user
    assert str(report["batch"]) in history[1].history_change_reason
    assert ImportBatch.objects.get(pk=report["batch"]).rows_replaced == 1


def test_later_row_in_file_wins(production_site, tmp_path):
    path = write_csv(
        tmp_path / "output.csv",
        [
            ["press", "product", "2024-03-01", "", "10", "t", ""],
            ["press", "product", "2024-03-01", "", "12", "t", ""],
        ],
    )

    report = run(production_site, path)

    assert report["conflicts_in_file"] == 1
    assert report["inserted"] == 1
    assert report["rejected_by_code"] == {"conflict_in_file": 1}
    assert report["rejected_sample"][0]["row"] == 2
    assert ProductionRecord.objects.get().quantity == 12


def test_later_row_wins_across_chunks(production_site, tmp_path, settings):
    settings.CLEANPROD_IMPORT_CHUNK_ROWS = 1
    path = write_csv(
        tmp_path / "output.csv",
        [
            ["press", "product", "2024-03-01", "", "10", "t", ""],
            ["press", "product", "2024-03-02", "", "5", "t", ""],
            ["press", "product", "2024-03-01", "", "12", "t", ""],
            ["press", "product", "2024-03-02", "", "5", "t", ""],
        ],
    )

    report = run(production_site, path)

    assert report["conflicts_in_file"] == 1
    assert report["duplicates_identical"] == 1
    assert report["inserted"] == 2
    assert report["conflicts_rejected"] == 0
    assert record("press", "product", date(2024, 3, 1), date(2024, 3, 1)).quantity == 12
    assert report["rejected_sample"][0]["row"] == 4


def test_reversal_is_netted(production_site, tmp_path):
    path = write_csv(
        tmp_path / "output.csv",
        [
            ["press", "product", "2024-03-01", "", "100", "t", "SHIP-1"],
            ["press", "product", "2024-03-01", "", "-20", "t", "REV-1"],
        ],
    )

    report = run(production_site, path)

    assert report["inserted"] == 2
    output = net_output(
        site=production_site,
        product=Resource.objects.get(code="product"),
        start=date(2024, 3, 1),
        end=date(2024, 3, 1),
    )
    assert output.quantity == Decimal(80)
    assert output.record_count == 2


def test_generated_flag_marks_new_records(production_site, tmp_path):
    path = write_csv(tmp_path / "output.csv", [["press", "product", "2024-03-01", "", "10", "t", "GEN-1"]])

    run(production_site, path, generated=True)

    assert ProductionRecord.objects.get().is_generated is True


def test_replacement_sets_generated_flag(production_site, tmp_path):
    generated = write_csv(tmp_path / "generated.csv", [["press", "product", "2024-03-01", "", "10", "t", ""]])
    measured = write_csv(tmp_path / "measured.csv", [["press", "product", "2024-03-01", "", "12", "t", ""]])
    run(production_site, generated, generated=True)

    run(production_site, measured, replace_conflicts=True)

    stored = ProductionRecord.objects.get()
    assert stored.quantity == 12
    assert stored.is_generated is False


def test_blank_lines_are_skipped(production_site, tmp_path):
    path = tmp_path / "output.csv"
    path.write_text(
        ",".join(HEADER)
        + "\n"
        + "press,product,2024-03-01,,1,t,\n"
        + "\n"
        + ",,,,,,\n"
        + "press,product,2024-03-02,,2,t,\n",
        encoding="utf-8",
    )

    report = run(production_site, path)

    assert report["inserted"] == 2
    assert report["blank_lines"] == 2
    assert report["rows_read"] == 2


def test_counts_cover_every_row(production_site, tmp_path, stored_march_first, settings):
    settings.CLEANPROD_IMPORT_CHUNK_ROWS = 2
    path = write_csv(
        tmp_path / "output.csv",
        [
            ["press", "product", "2024-03-01", "", "100", "t", "M1"],  # identical to the stored record
            ["press", "product", "2024-03-02", "", "7", "t", ""],
            ["press", "product", "2024-03-02", "", "8", "t", ""],  # conflict in file, same chunk
            ["press", "product", "2024-03-03", "", "x", "t", ""],  # invalid
            ["press", "product", "2024-03-01", "", "101", "t", "M1"],  # conflict with stored
            ["press", "product", "2024-03-02", "", "9", "t", ""],  # conflict in file, later chunk
        ],
    )

    report = run(production_site, path)

    assert report["rows_read"] == 6
    assert report["duplicates_identical"] == 1
    assert report["inserted"] == 1
    assert report["conflicts_in_file"] == 2
    assert report["rows_rejected"] == 1
    assert report["conflicts_rejected"] == 1
    parts = ("inserted", "duplicates_identical", "conflicts_rejected", "conflicts_replaced", "conflicts_in_file")
    assert sum(report[key] for key in parts) + report["rows_rejected"] == report["rows_read"]
    assert record("press", "product", date(2024, 3, 2), date(2024, 3, 2)).quantity == 9


# -- rejected rows ------------------------------------------------------------------------

VALID = ["press", "product", "2024-03-01", "2024-03-01", "10", "t", "OK"]

REJECTIONS = [
    ("missing_organisation_unit", ["", "product", "2024-03-02", "", "1", "t", ""], "organisation_unit"),
    ("unknown_organisation_unit", ["nowhere", "product", "2024-03-02", "", "1", "t", ""], "organisation_unit"),
    ("unknown_organisation_unit", ["assembly-line", "product", "2024-03-02", "", "1", "t", ""], "organisation_unit"),
    ("missing_product", ["press", "", "2024-03-02", "", "1", "t", ""], "product"),
    ("unknown_product", ["press", "widget", "2024-03-02", "", "1", "t", ""], "product"),
    ("not_a_product", ["press", "electricity", "2024-03-02", "", "1", "kWh", ""], "product"),
    ("missing_unit", ["press", "product", "2024-03-02", "", "1", "", ""], "unit"),
    ("unknown_unit", ["press", "product", "2024-03-02", "", "1", "bushel-ish", ""], "unit"),
    ("incompatible_unit", ["press", "product", "2024-03-02", "", "1", "kWh", ""], "unit"),
    ("incompatible_unit", ["press", "product_pieces", "2024-03-02", "", "1", "t", ""], "unit"),
    ("unit_too_long", ["press", "product", "2024-03-02", "", "1", "t" * 31, ""], "unit"),
    ("missing_quantity", ["press", "product", "2024-03-02", "", "", "t", ""], "quantity"),
    ("missing_quantity", ["press", "product", "2024-03-02", "", "N/A", "t", ""], "quantity"),
    ("invalid_number", ["press", "product", "2024-03-02", "", "12 t", "t", ""], "quantity"),
    ("quantity_out_of_range", ["press", "product", "2024-03-02", "", "1e15", "t", ""], "quantity"),
    ("missing_period_start", ["press", "product", "", "2024-03-02", "1", "t", ""], "period_start"),
    ("invalid_timestamp", ["press", "product", "2024-02-30", "", "1", "t", ""], "period_start"),
    ("invalid_timestamp", ["press", "product", "2024-03-02", "next week", "1", "t", ""], "period_end"),
    ("missing_period_end", ["press", "product", "2024-03-02", "#REF!", "1", "t", ""], "period_end"),
    ("invalid_period", ["press", "product", "2024-03-05", "2024-03-04", "1", "t", ""], "period_end"),
    ("reference_too_long", ["press", "product", "2024-03-02", "", "1", "t", "R" * 61], "reference"),
    ("extra_cells", ["press", "product", "2024-03-02", "", "1", "t", "", "surplus"], ""),
]


@pytest.mark.parametrize(("code", "row", "column"), REJECTIONS)
def test_invalid_row_is_rejected(production_site, other_production_site, tmp_path, code, row, column):
    path = write_csv(tmp_path / "output.csv", [VALID, row])

    report = run(production_site, path)

    assert report["rejected_by_code"] == {code: 1}
    assert report["rows_rejected"] == 1
    assert report["inserted"] == 1
    rejection = report["rejected_sample"][0]
    assert rejection["row"] == 3
    assert rejection["column"] == column
    assert rejection["code"] == code
    assert rejection["message"].startswith("Row 3")
    assert ProductionRecord.objects.get().reference == "OK"


def test_rejection_message_names_value_and_fix(production_site, tmp_path):
    path = write_csv(tmp_path / "output.csv", [["nowhere", "product", "2024-03-01", "", "1", "t", ""]])

    with translation.override("en"):
        report = run(production_site, path)

    assert report["rejected_sample"][0]["message"] == (
        "Row 2, column “organisation_unit”: site Stamping works has no organisation unit with code “nowhere”. "
        "Correct the code, or create the organisation unit first."
    )


def test_row_with_several_problems_lists_each(production_site, tmp_path):
    path = write_csv(tmp_path / "output.csv", [["nowhere", "widget", "2024-03-01", "", "x", "t", ""]])

    report = run(production_site, path)

    assert report["rows_rejected"] == 1
    assert report["rejected"] == 3
    assert report["rejected_by_code"] == {"unknown_organisation_unit": 1, "unknown_product": 1, "invalid_number": 1}


def test_rejected_csv_lists_every_row(production_site, tmp_path):
    rows = [VALID] + [row for _code, row, _column in REJECTIONS]
    path = write_csv(tmp_path / "output.csv", rows)
    rejected_path = tmp_path / "reports" / "rejected.csv"

    report = run(production_site, path, rejected_path=rejected_path)

    with rejected_path.open(encoding="utf-8-sig", newline="") as handle:
        lines = list(csv.reader(handle))
    assert len(lines) == 1 + report["rejected"]
    assert {int(line[0]) for line in lines[1:]} == set(range(3, 3 + len(REJECTIONS)))
    assert sorted(line[3] for line in lines[1:]) == sorted(code for code, _row, _column in REJECTIONS)
    assert report["inserted"] == 1


# -- columns ------------------------------------------------------------------------------


def test_missing_column_lists_headers(production_site, tmp_path):
    header = ["organisation_unit", "product", "period_start", "unit"]
    path = write_csv(tmp_path / "output.csv", [["press", "product", "2024-03-01", "t"]], header=header)

    with pytest.raises(ParseError) as raised, translation.override("en"):
        run(production_site, path)

    assert raised.value.code == "missing_column"
    assert raised.value.params["field"] == "quantity"
    with translation.override("en"):
        message = str(raised.value)
    assert "“产量”" in message
    assert "“organisation_unit”, “product”, “period_start”, “unit”" in message


def test_unmapped_column_rejects_file(production_site, tmp_path):
    path = write_csv(
        tmp_path / "output.csv",
        [["press", "product", "2024-03-01", "", "1", "t", "", "day shift"]],
        header=[*HEADER, "备注"],
    )

    with pytest.raises(ParseError) as raised:
        run(production_site, path)

    assert raised.value.code == "unmapped_columns"
    assert "备注" in str(raised.value.params["columns"])
    assert not ProductionRecord.objects.exists()
    assert not ImportBatch.objects.exists()


def test_column_mapped_to_ignore_is_skipped(production_site, tmp_path):
    path = write_csv(
        tmp_path / "output.csv",
        [["press", "product", "2024-03-01", "", "1", "t", "", "day shift"]],
        header=[*HEADER, "备注"],
    )

    report = run(production_site, path, columns={"备注": "ignore"})

    assert report["inserted"] == 1
    assert report["unmapped_columns"] == []


def test_columns_mapping_overrides_headers(production_site, tmp_path):
    header = ["Werk", "Artikel", "Datum", "Menge", "Einheit"]
    path = write_csv(tmp_path / "output.csv", [["press", "product", "2024-03-01", "3", "t"]], header=header)
    columns = {
        "organisation_unit": "Werk",
        "product": "Artikel",
        "period_start": "Datum",
        "quantity": "Menge",
        "unit": "Einheit",
    }

    report = run(production_site, path, columns=columns)

    assert report["inserted"] == 1
    assert record("press", "product", date(2024, 3, 1), date(2024, 3, 1)).quantity == 3


def test_headers_match_after_trimming(production_site, tmp_path):
    header = [" Organisation_Unit ", "PRODUCT", "period_start", "quantity ", "unit"]
    path = write_csv(tmp_path / "output.csv", [["press", "product", "2024-03-01", "3", "t"]], header=header)

    report = run(production_site, path)

    assert report["inserted"] == 1


def test_two_headers_for_one_field_reject_file(production_site, tmp_path):
    header = ["车间", "产品", "开始日期", "产量", "数量", "单位"]
    path = write_csv(tmp_path / "output.csv", [["press", "product", "2024-03-01", "3", "3", "t"]], header=header)

    with pytest.raises(ParseError) as raised:
        run(production_site, path)

    assert raised.value.code == "ambiguous_column"


def test_invalid_columns_mapping_rejects_file(production_site, tmp_path):
    path = write_csv(tmp_path / "output.csv", [VALID])

    with pytest.raises(ParseError) as raised:
        run(production_site, path, columns={"备注": "reference"})

    assert raised.value.code == "invalid_column_mapping"


def test_options_declare_formats(production_site, tmp_path):
    path = write_csv(tmp_path / "output.csv", [["press", "product", "03/01/2024", "", "1,5", "t", ""]])

    report = run(production_site, path, options=FileOptions(decimal_separator=",", date_order="mdy"))

    assert report["decimal_separator"] == ","
    assert report["date_order"] == "mdy"
    assert record("press", "product", date(2024, 3, 1), date(2024, 3, 1)).quantity == Decimal("1.5")
