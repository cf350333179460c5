"""`cleanprod mqtt`: subscribe to the MQTT subscriptions of all sites and store the readings that arrive."""

import logging
import signal
import socket
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from cleanprod.ingest.collection.mqtt import MqttCollector

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Subscribe to the enabled MQTT subscriptions (QoS 1) and store the readings through the import pipeline. "
        "Messages are acknowledged only after their rows are committed. New or changed subscriptions are picked "
        "up within --refresh-seconds; create a subscription before its devices publish, because the broker does "
        "not keep messages sent to a topic nobody has subscribed to yet. Give each collector instance its own "
        "--client-id: two clients with the same id disconnect each other."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=settings.CLEANPROD_MQTT_HOST, help="Broker host name or address.")
        parser.add_argument("--port", type=int, default=settings.CLEANPROD_MQTT_PORT, help="Broker TCP port.")
        parser.add_argument(
            "--client-id",
            default=f"cleanprod-{socket.gethostname()}",
            help=(
                "MQTT client id (default cleanprod-<host name>). Keep it fixed so the broker keeps unacknowledged "
                "messages across restarts (persistent session), and give every other instance its own id."
            ),
        )
        parser.add_argument(
            "--batch-seconds",
            type=float,
            default=1.0,
            help="Maximum time one batch collects messages before it is stored (s).",
        )
        parser.add_argument("--batch-size", type=int, default=1000, help="Most messages stored in one batch.")
        parser.add_argument(
            "--refresh-seconds",
            type=float,
            default=5.0,
            help="How often the subscriptions are reloaded from the database (s).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        collector = MqttCollector(
            options["host"],
            options["port"],
            client_id=options["client_id"],
            batch_seconds=options["batch_seconds"],
            batch_size=options["batch_size"],
            refresh_seconds=options["refresh_seconds"],
        )

        def stop(signum: int, frame: FrameType | None) -> None:
            logger.info("MQTT collector stopping on signal %s", signum)
            collector.stop_event.set()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        collector.start()
        logger.info(
            "MQTT collector started: broker %s:%s, %d subscriptions",
            options["host"],
            options["port"],
            len(collector.specs),
        )
        self.stdout.write(f"Collecting from {options['host']}:{options['port']}; stop with Ctrl+C.")
        try:
            collector.run()
        finally:
            collector.stop()
            logger.info("MQTT collector stopped after %d messages", collector.stored_messages)
