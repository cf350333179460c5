"""`cleanprod modbus`: poll the enabled Modbus TCP devices at their intervals and store the values."""

import logging
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from cleanprod.ingest.collection.modbus import run_poller

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Poll every enabled Modbus TCP device at its poll interval and store the decoded values as readings."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Poll each enabled device one time, then exit.")

    def handle(self, *args: Any, **options: Any) -> None:
        logger.info("Modbus poller started")
        try:
            run_poller(once=options["once"])
        except KeyboardInterrupt:
            pass
        finally:
            logger.info("Modbus poller stopped")
