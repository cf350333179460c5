"""`cleanprod load_demo`: the demo enterprise on real public data, loaded through the import pipeline.

Safe to run again: existing rows are kept, files already imported at a site are skipped.
"""

import csv
import random
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from cleanprod.alerts.models import AlertKind, AlertRule, Shift, WorkingCalendar
from cleanprod.alerts.services import CAUSE_TITLES
from cleanprod.demo.sites import SITES, SiteSpec
from cleanprod.ingest.pipeline import ImportRequest, file_sha256, import_readings
from cleanprod.ingest.services import build_mapping, layout_of, options_of, save_data_source
from cleanprod.metering.models import BatchKind, DailyRollup, ImportBatch, Meter, VirtualMeterTerm
from cleanprod.organization.models import Enterprise, Membership, OrganizationUnit, Role, Site
from cleanprod.production.models import ProductionRecord
from cleanprod.resources.models import Resource

# A syntactically valid code (check character computed per GB 32100-2015) for a fictitious group.
DEMO_USCC = "91310000MA1FL5LX3K"
DEMO_PASSWORD = "cleanprod-demo"  # noqa: S105  (printed for the local demo on purpose)
DEMO_USERS = (
    # username, role, site code or None for all sites
    ("admin", Role.ADMINISTRATOR, None),
    ("ehs", Role.EHS_MANAGER, None),
    ("steel_manager", Role.SITE_MANAGER, "steel-gwangyang"),
    ("operator", Role.DATA_ENTRY, "steel-gwangyang"),
    ("consultant", Role.CONSULTANT, "steel-gwangyang"),
    ("auditor", Role.AUDITOR, "konstanz-industrial3"),
)
PRODUCTION_SEED = 20180101


class Command(BaseCommand):
    help = "Create the demo enterprise and load the demo data sets (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--site", action="append", help="Load only these site codes.")

    def handle(self, *args: Any, **options: Any) -> None:
        enterprise, _ = Enterprise.objects.get_or_create(
            uscc=DEMO_USCC,
            defaults={"name": "cleanprod 演示集团 (demo group on public data)", "industry_code": "C3110"},
        )
        electricity = Resource.objects.get(code="electricity")
        wanted = set(options["site"] or [spec.code for spec in SITES])
        for spec in SITES:
            if spec.code in wanted:
                site = self._site(enterprise, spec, electricity)
                self._import(site, spec)
                self._calendar(site, spec)
                if spec.production_unit:
                    self._production(site, spec)
        self._users()
        self._print_logins()

    def _site(self, enterprise: Enterprise, spec: SiteSpec, electricity: Resource) -> Site:
        with transaction.atomic():
            site, _ = Site.objects.get_or_create(
                code=spec.code,
                defaults={"enterprise": enterprise, "name": spec.name, "time_zone": spec.time_zone, "note": spec.note},
            )
            units: dict[str, OrganizationUnit] = {}
            for code, name, kind, parent in spec.units:
                units[code], _ = OrganizationUnit.objects.get_or_create(
                    site=site, code=code, defaults={"name": name, "kind": kind, "parent": units.get(parent or "")}
                )
            meters: dict[str, Meter] = {}
            for meter_spec in spec.meters:
                meter, _ = Meter.objects.get_or_create(
                    site=site,
                    code=meter_spec.code,
                    defaults={
                        "name": meter_spec.name,
                        "organization_unit": units.get(meter_spec.unit_code or ""),
                        "resource": electricity,
                        "unit": meter_spec.unit,
                        "reading_kind": meter_spec.reading_kind,
                        "interval_minutes": meter_spec.interval_minutes,
                        "timestamp_convention": meter_spec.convention,
                        "parent": meters.get(meter_spec.parent or ""),
                        "is_virtual": bool(meter_spec.virtual_terms),
                        "flow": meter_spec.flow,
                    },
                )
                meter.full_clean()
                meters[meter_spec.code] = meter
                for source_code, sign in meter_spec.virtual_terms:
                    VirtualMeterTerm.objects.get_or_create(
                        virtual_meter=meter, source=meters[source_code], defaults={"sign": sign}
                    )
        return site

    def _calendar(self, site: Site, spec: SiteSpec) -> None:
        """Set the site's working calendar and off-hours rule once; a calendar edited since is kept."""
        with transaction.atomic():
            if spec.shifts:
                calendar, created = WorkingCalendar.objects.get_or_create(
                    site=site, defaults={"official_holidays": spec.official_holidays}
                )
                if created or not calendar.shifts.exists():
                    Shift.objects.bulk_create(
                        Shift(calendar=calendar, weekday=weekday, start=start, end=end)
                        for weekday, start, end in spec.shifts
                    )
            if spec.off_hours_rule and not AlertRule.objects.filter(site=site, kind=AlertKind.OFF_HOURS).exists():
                rule = AlertRule(
                    site=site,
                    kind=AlertKind.OFF_HOURS,
                    name=str(CAUSE_TITLES[("off_hours", "off_hours")]),
                    parameters={},
                )
                rule.parameters = rule.params()
                rule.save()

    def _mapping(self, spec: SiteSpec) -> dict[str, Any]:
        mapping = dict(spec.mapping)
        ignore = list(mapping.get("ignore_columns", []))
        if mapping.pop("ignore_other_columns", False):
            with spec.file.open(encoding="utf-8-sig") as handle:
                header = next(csv.reader(handle))
            used = set(mapping["meter_columns"]) | set(mapping["timestamp_columns"])
            ignore = [column for column in header if column not in used]
        mapping["ignore_columns"] = ignore
        return build_mapping(**mapping)

    def _import(self, site: Site, spec: SiteSpec) -> None:
        mapping = self._mapping(spec)
        save_data_source(site, spec.source_name, mapping)
        if ImportBatch.objects.filter(site=site, sha256=file_sha256(spec.file), kind=BatchKind.READINGS).exists():
            self.stdout.write(f"{site.code}: {spec.file.name} was loaded before; nothing to add.")
            return
        reports_dir = Path(settings.MEDIA_ROOT) / "import-reports"
        report = import_readings(
            ImportRequest(
                site=site,
                path=spec.file,
                layout=layout_of(mapping),
                options=options_of(mapping),
                dry_run=False,
                source_name=f"demo: {spec.file.name}",
                rejected_path=reports_dir / f"demo-{site.code}-rejected.csv",
            )
        )
        self.stdout.write(
            f"{site.code}: {spec.file.name}: {report['rows_read']} rows, {report['inserted']} readings stored, "
            f"{report['missing_values']} missing values, {report['rejected']} rejected, "
            f"{report['duplicates_identical']} identical duplicates."
        )
        for meter in report["meters"]:
            self.stdout.write(f"    {meter['code']}: {meter['inserted']} readings {meter['first']} – {meter['last']}")

    def _production(self, site: Site, spec: SiteSpec) -> None:
        from cleanprod.production.importing import import_production_file

        # The production unit's own meters, or the site's incomers when it has none.
        meters = Meter.objects.filter(site=site, is_virtual=False, organization_unit__code=spec.production_unit)
        if not meters.exists():
            meters = Meter.objects.filter(site=site, is_virtual=False, parent__isnull=True)
        daily_energy: dict[date, float] = {}
        for day, quantity in DailyRollup.objects.filter(meter__in=meters).values_list("day", "quantity"):
            daily_energy[day] = daily_energy.get(day, 0.0) + quantity
        if not daily_energy:
            return
        # Earlier demo versions booked generated output on another unit. Leaving those records
        # would count the output twice in the site's total.
        moved = (
            ProductionRecord.objects.filter(site=site, is_generated=True)
            .exclude(organization_unit__code=spec.production_unit)
            .delete()[0]
        )
        if moved:
            self.stdout.write(f"{site.code}: removed {moved} generated production records of another unit.")
        path = Path(settings.MEDIA_ROOT) / "demo" / f"{site.code}-generated-production.csv"
        write_generated_production(path, spec, daily_energy)
        report = import_production_file(site=site, path=path, dry_run=False, generated=True, user=None)
        self.stdout.write(
            f"{site.code}: generated production records (fixed seed {PRODUCTION_SEED}, marked as generated): "
            f"{report['inserted']} stored, {report['duplicates_identical']} already present."
        )

    def _users(self) -> None:
        users = get_user_model()
        for username, role, site_code in DEMO_USERS:
            user, created = users.objects.get_or_create(
                username=username, defaults={"is_staff": role == Role.ADMINISTRATOR}
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.is_superuser = role == Role.ADMINISTRATOR
                user.save()
            site = Site.objects.filter(code=site_code).first() if site_code else None
            if site_code and site is None:
                continue
            Membership.objects.get_or_create(user=user, role=role, site=site)

    def _print_logins(self) -> None:
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for username, role, site_code in DEMO_USERS:
            self.stdout.write(f"  {username:<14} {role.label} {site_code or ''}")


def write_generated_production(path: Path, spec: SiteSpec, daily_energy: dict[date, float]) -> None:
    """Write one generated output figure per day in the production import format.

    Output follows the day's metered energy (so idle days produce little) with noise from a
    fixed seed; pieces are whole numbers. It is demo data, marked as generated when imported.
    """
    generator = random.Random(f"{PRODUCTION_SEED}-{spec.code}")  # noqa: S311  (demo data, not security)
    mean, spread = spec.production_per_day
    typical = sorted(daily_energy.values())[len(daily_energy) // 2] if daily_energy else 0.0
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["organisation_unit", "product", "period_start", "period_end", "quantity", "unit", "reference"])
        for day, energy in sorted(daily_energy.items()):
            load = energy / typical if typical > 0 else 0.0
            quantity = max(0.0, mean * load * generator.gauss(1.0, spread / mean / 4))
            text = f"{round(quantity)}" if spec.production_unit_of_measure == "pcs" else f"{quantity:.2f}"
            writer.writerow(
                [
                    spec.production_unit,
                    spec.product_code,
                    day.isoformat(),
                    day.isoformat(),
                    text,
                    spec.production_unit_of_measure,
                    f"GEN-{day:%Y%m%d}",
                ]
            )
