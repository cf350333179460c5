"""`cleanprod recompute --site CODE [--meter CODE ...]`: rebuild derived consumption from readings."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from cleanprod.metering.models import Meter
from cleanprod.metering.services import rebuild_meter
from cleanprod.organization.models import Site


class Command(BaseCommand):
    help = "Recompute interval consumption, rollups and findings of meters from their stored readings."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--site", required=True, help="Site code.")
        parser.add_argument(
            "--meter", action="append", default=[], help="Meter code; repeat for several. Default: all."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not Site.objects.filter(code=options["site"]).exists():
            raise CommandError(f"No site with code {options['site']!r}.")
        meters = Meter.objects.filter(site__code=options["site"], is_virtual=False).select_related("site", "resource")
        if options["meter"]:
            meters = meters.filter(code__in=options["meter"])
            missing = set(options["meter"]) - set(meters.values_list("code", flat=True))
            if missing:
                raise CommandError(f"No meter {', '.join(sorted(missing))} at site {options['site']}.")
        if not meters.exists():
            raise CommandError(f"No meters to recompute at site {options['site']!r}.")
        for meter in meters:
            with transaction.atomic():
                rebuild_meter(meter)
            self.stdout.write(f"recomputed {meter.code}")
