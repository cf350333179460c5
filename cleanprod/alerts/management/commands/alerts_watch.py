"""Periodic alert checks: meters offline and yesterday's completeness, every minute or once."""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from cleanprod.alerts.services import watch_pass


class Command(BaseCommand):
    help = "Check every minute for meters gone offline and days with incomplete data (--once: one pass, for cron)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Run one pass and exit.")
        parser.add_argument("--interval", type=float, default=60.0, help="Seconds between passes (default 60).")

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            raised = watch_pass()
            self.stdout.write(f"alerts_watch: {len(raised)} new alert(s)")
            if options["once"]:
                return
            time.sleep(options["interval"])
