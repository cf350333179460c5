"""`cleanprod import FILE --site CODE ...`: the same pipeline as the upload page, on the terminal."""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from cleanprod.ingest.models import DataSource, Layout
from cleanprod.ingest.parsing import ParseError
from cleanprod.ingest.pipeline import ImportRequest, import_readings
from cleanprod.ingest.services import build_mapping, layout_of, mapping_of_source, options_of, save_data_source
from cleanprod.organization.models import Site


class Command(BaseCommand):
    help = "Import meter readings from a CSV or XLSX file (a dry run unless --commit is given)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--site", required=True, help="Site code.")
        parser.add_argument("--source", help="Name of a saved data source whose mapping to use.")
        parser.add_argument("--save-source", help="Save the mapping given here as a data source with this name.")
        parser.add_argument(
            "--production", action="store_true", help="The file contains production records, not meter readings."
        )
        parser.add_argument(
            "--layout",
            choices=[Layout.LONG, Layout.WIDE],
            help="long: one value per row; wide: one column per meter. Default: long when --meter-column is given, "
            "otherwise wide.",
        )
        parser.add_argument("--timestamp-column", action="append", default=[], help="Repeat for date + time columns.")
        parser.add_argument("--meter-column", default="", help="Long layout: column of meter codes.")
        parser.add_argument("--value-column", default="", help="Long layout: column of values.")
        parser.add_argument("--unit-column", default="", help="Long layout: optional column of units.")
        parser.add_argument(
            "--map", action="append", default=[], metavar="HEADER=CODE", help="Wide layout: column to meter."
        )
        parser.add_argument("--ignore-column", action="append", default=[])
        parser.add_argument(
            "--option",
            action="append",
            default=[],
            metavar="KEY=VALUE",
            help="Declared file option, e.g. decimal_separator=, date_order=dmy midnight_is_previous_day=true.",
        )
        parser.add_argument("--commit", action="store_true", help="Store the rows; without it nothing is stored.")
        parser.add_argument(
            "--replace", action="store_true", help="Replace stored readings that conflict with the file."
        )
        parser.add_argument("--rejected", type=Path, help="Write every rejected value to this CSV file.")
        parser.add_argument("--json", action="store_true", help="Print the report as JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"File not found: {path}")
        try:
            site = Site.objects.get(code=options["site"])
        except Site.DoesNotExist as error:
            raise CommandError(f"No site with code {options['site']!r}; see `cleanprod shell` or the admin.") from error
        if options["production"]:
            self._import_production(site, path, options)
            return
        mapping = self._mapping(site, options)
        if options["save_source"]:
            save_data_source(site, options["save_source"], mapping)

        bar = tqdm(total=0, unit=" rows", disable=options["json"] or options["verbosity"] == 0)

        def progress(state: dict[str, Any]) -> None:
            bar.total = state["total_rows"]
            bar.n = state["rows_read"]
            bar.set_description(state["phase"])
            bar.refresh()

        request = ImportRequest(
            site=site,
            path=path,
            layout=layout_of(mapping),
            options=options_of(mapping),
            dry_run=not options["commit"],
            replace_conflicts=options["replace"],
            source_name=path.name,
            rejected_path=options["rejected"],
            progress=progress,
        )
        try:
            report = import_readings(request)
        except ParseError as error:
            raise CommandError(str(error.message)) from error
        finally:
            bar.close()
        if options["json"]:
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2, default=str))
            return
        self._print(report)

    def _import_production(self, site: Site, path: Path, options: dict[str, Any]) -> None:
        from cleanprod.production.importing import import_production_file

        declared = build_mapping(options=self._declared(options))
        try:
            report = import_production_file(
                site=site,
                path=path,
                dry_run=not options["commit"],
                replace_conflicts=options["replace"],
                options=options_of(declared),
                rejected_path=options["rejected"],
            )
        except ParseError as error:
            raise CommandError(str(error.message)) from error
        if options["json"]:
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2, default=str))
            return
        self._print(report)

    def _declared(self, options: dict[str, Any]) -> dict[str, Any]:
        declared: dict[str, Any] = {}
        for item in options["option"]:
            key, _, value = item.partition("=")
            declared[key] = value.lower() == "true" if value.lower() in {"true", "false"} else value
        return declared

    def _mapping(self, site: Site, options: dict[str, Any]) -> dict[str, Any]:
        if options["source"]:
            try:
                return mapping_of_source(DataSource.objects.get(site=site, name=options["source"]))
            except DataSource.DoesNotExist as error:
                raise CommandError(f"No data source {options['source']!r} at site {site.code}.") from error
        if not options["timestamp_column"]:
            raise CommandError("Give --timestamp-column (or --source with a saved mapping).")
        declared = self._declared(options)
        layout = options["layout"] or (Layout.LONG if options["meter_column"] else Layout.WIDE)
        if layout == Layout.LONG and not (options["meter_column"] and options["value_column"]):
            raise CommandError("The long layout needs --meter-column and --value-column.")
        return build_mapping(
            layout=layout,
            timestamp_columns=options["timestamp_column"],
            meter_column=options["meter_column"],
            value_column=options["value_column"],
            unit_column=options["unit_column"],
            meter_columns=dict(item.split("=", 1) for item in options["map"]),
            ignore_columns=options["ignore_column"],
            options=declared,
        )

    def _print(self, report: dict[str, Any]) -> None:
        mode = (
            "dry run: nothing stored, counts are what --commit would store"
            if report["dry_run"]
            else (f"committed as batch #{report['batch']}")
        )
        self.stdout.write(f"Import finished ({mode}).")
        for key in ("encoding", "delimiter", "decimal_separator", "date_order", "excel_date_system"):
            if report.get(key) is not None:
                self.stdout.write(f"  {key}: {report[key]}")
        for key in (
            "rows_read",
            "values_read",
            "missing_values",
            "conflicts_in_file",
            "inserted",
            "duplicates_identical",
            "conflicts_rejected",
            "conflicts_replaced",
            "rejected",
        ):
            self.stdout.write(f"  {key}: {report.get(key, 0)}")
        for code, count in report.get("rejected_by_code", {}).items():
            self.stdout.write(f"    {code}: {count}")
        for item in report.get("rejected_sample", [])[:10]:
            self.stdout.write(f"    row {item['row']} {item['column']} {item['value']!r}: {item['message']}")
        for meter in report.get("meters", []):  # readings only; production reports list "records"
            self.stdout.write(f"  {meter['code']}: {meter['inserted']} readings, {meter['first']} – {meter['last']}")
        if report.get("already_imported"):
            batches = ", ".join(f"#{item['batch']}" for item in report["already_imported"])
            self.stdout.write(f"  This file was imported before (batch {batches}); stored rows were not added again.")
