"""The MQTT collector behind `cleanprod mqtt`: subscribe, decode, store in batches, acknowledge after commit.

paho-mqtt runs the network loop in its own thread and only queues each message. The main
thread takes a batch (up to ``batch_size`` messages, ``batch_seconds`` long, ended early by a
pause of ``idle_seconds``), stores it through the import pipeline in one transaction, and
acknowledges its messages (PUBACK, QoS 1) only after the commit.
While the database is unavailable the batch is kept and retried with exponential back-off, and
nothing is acknowledged, so the broker keeps every message. The session is persistent
(clean_session=False and a fixed client id), so after a crash the broker delivers the
unacknowledged messages again and the pipeline drops the ones already stored as identical duplicates.

NOTE: the broker itself drops QoS 1 messages for a client whose queue is full (Mosquitto 2.0:
max_queued_messages, default 1000). Raise it in the broker's configuration for sources that
send faster than the collector stores, or while the database may be down for long.
"""

import logging
import queue
import threading
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import paho.mqtt.client as paho
from django.db import DatabaseError, connection, transaction
from django.utils.translation import gettext as _
from paho.mqtt.enums import CallbackAPIVersion

from cleanprod.ingest.models import CollectionSource, MqttSubscription, RejectedMessage
from cleanprod.ingest.pipeline import MemoryRow, RowsRequest, store_rows
from cleanprod.organization.models import Site

from .mqtt_payloads import DecodedMessage, SubscriptionSpec, decode_message, topic_matches

logger = logging.getLogger(__name__)

QOS = 1
PAYLOAD_KEPT = 1000  # characters of a rejected payload kept for the collection page


@dataclass(frozen=True)
class Received:
    topic: str
    payload: bytes
    mid: int
    qos: int
    received_at: datetime


def load_subscriptions() -> list[SubscriptionSpec]:
    specs = []
    for subscription in MqttSubscription.objects.filter(enabled=True).prefetch_related("topic_meters"):
        specs.append(
            SubscriptionSpec(
                pk=subscription.pk,
                site_id=subscription.site_id,
                topic_filter=subscription.topic_filter,
                payload_format=subscription.payload_format,
                meter_level=subscription.meter_level,
                topic_meters={entry.topic: entry.meter_code for entry in subscription.topic_meters.all()},
            )
        )
    return specs


class MqttCollector:
    """Subscribe to every enabled MqttSubscription and store what arrives."""

    def __init__(
        self,
        host: str,
        port: int,
        client_id: str = "cleanprod-collector",
        batch_seconds: float = 1.0,
        batch_size: int = 1000,
        refresh_seconds: float = 5.0,
        max_retry_seconds: float = 60.0,
        first_retry_seconds: float = 0.5,
        idle_seconds: float = 0.05,
    ) -> None:
        self.host = host
        self.port = port
        self.batch_seconds = batch_seconds
        self.batch_size = batch_size
        self.refresh_seconds = refresh_seconds
        self.max_retry_seconds = max_retry_seconds
        self.first_retry_seconds = first_retry_seconds
        self.idle_seconds = idle_seconds
        self.confirmed_filters = 0  # SUBACKs received since the last connect
        self.inbox: queue.Queue[Received] = queue.Queue()
        self.stop_event = threading.Event()
        self.connected = threading.Event()
        self.specs: list[SubscriptionSpec] = []
        self.subscribed: set[str] = set()
        self.pending_filters: dict[int, str] = {}  # SUBSCRIBE message id -> topic filter, until the SUBACK
        self.confirmed: set[str] = set()  # topic filters the broker confirmed since the last connect
        self.confirmed_changed = threading.Event()
        self.sites: dict[int, Site] = {}
        self.stored_messages = 0
        self.client = paho.Client(
            CallbackAPIVersion.VERSION2,
            client_id=client_id,
            clean_session=False,
            protocol=paho.MQTTv311,
            manual_ack=True,
        )
        # paho doubles the delay after each failed reconnect, from 1 s up to 60 s.
        self.client.reconnect_delay_set(min_delay=1, max_delay=60)
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self.client.on_message = self._on_message
        self.client.on_subscribe = self._on_subscribe

    # -- network thread -----------------------------------------------------------------

    def _on_connect(self, client: paho.Client, userdata: Any, flags: Any, reason_code: Any, properties: Any) -> None:
        if reason_code.is_failure:
            logger.error("MQTT connection to %s:%s refused: %s", self.host, self.port, reason_code)
            return
        logger.info("MQTT connected to %s:%s, session present=%s", self.host, self.port, flags.session_present)
        self.subscribed = set()
        self.confirmed = set()
        self.confirmed_filters = 0
        self._subscribe_all()
        self.connected.set()

    def _on_disconnect(self, client: paho.Client, userdata: Any, flags: Any, reason_code: Any, properties: Any) -> None:
        self.connected.clear()
        if not self.stop_event.is_set():
            logger.warning("MQTT disconnected from %s:%s (%s); reconnecting", self.host, self.port, reason_code)

    def _on_subscribe(self, client: paho.Client, userdata: Any, mid: int, reason_codes: Any, properties: Any) -> None:
        for reason_code in reason_codes:
            if reason_code.is_failure:
                logger.error("MQTT subscription (message id %s) rejected by the broker: %s", mid, reason_code)
            else:
                self.confirmed_filters += 1
                topic_filter = self.pending_filters.pop(mid, None)
                if topic_filter is not None:
                    self.confirmed.add(topic_filter)
                    self.confirmed_changed.set()

    def _on_message(self, client: paho.Client, userdata: Any, message: paho.MQTTMessage) -> None:
        self.inbox.put(Received(message.topic, bytes(message.payload), message.mid, message.qos, datetime.now(UTC)))

    def _subscribe_all(self) -> None:
        wanted = {spec.topic_filter for spec in self.specs}
        for topic_filter in sorted(self.subscribed - wanted):
            self.client.unsubscribe(topic_filter)
            self.subscribed.discard(topic_filter)
            self.confirmed.discard(topic_filter)
            logger.info("MQTT unsubscribed from %s", topic_filter)
        for topic_filter in sorted(wanted - self.subscribed):
            result, mid = self.client.subscribe(topic_filter, qos=QOS)
            if result == paho.MQTT_ERR_SUCCESS:
                if mid is not None:
                    self.pending_filters[mid] = topic_filter
                self.subscribed.add(topic_filter)
                logger.info("MQTT subscribed to %s", topic_filter)
            else:
                logger.error("MQTT subscription to %s failed: %s", topic_filter, paho.error_string(result))

    # -- main thread --------------------------------------------------------------------

    def start(self) -> None:
        """Load the subscriptions and connect in the background; paho retries a failed connection."""
        self.refresh()
        self.client.connect_async(self.host, self.port, keepalive=30)
        self.client.loop_start()

    def refresh(self) -> None:
        """Reload the enabled subscriptions (two queries), subscribe to new filters and record confirmed ones."""
        self.specs = load_subscriptions()
        self.sites = {site.pk: site for site in Site.objects.filter(pk__in={spec.site_id for spec in self.specs})}
        if self.client.is_connected():
            self._subscribe_all()
        self.record_subscribed()

    def record_subscribed(self) -> int:
        """Set subscribed_at on the enabled subscriptions whose topic filter the broker confirmed; return how many."""
        self.confirmed_changed.clear()
        confirmed = set(self.confirmed)
        if not confirmed:
            return 0
        updated = MqttSubscription.objects.filter(
            enabled=True, subscribed_at__isnull=True, topic_filter__in=confirmed
        ).update(subscribed_at=datetime.now(UTC))
        if updated:
            logger.info("MQTT subscriptions confirmed by the broker: %d", updated)
        return updated

    def run(self) -> None:
        """Store batches until stop() is called; reload the subscriptions every refresh_seconds."""
        last_refresh = time.monotonic()
        while not self.stop_event.is_set():
            self.run_once()
            if self.confirmed_changed.is_set():
                self._retrying(self.record_subscribed)
            if time.monotonic() - last_refresh >= self.refresh_seconds:
                self._retrying(self.refresh)
                last_refresh = time.monotonic()

    def run_once(self, wait: float | None = None) -> int:
        """Collect one batch (up to batch_size messages, or what arrives within ``wait`` seconds) and store it."""
        batch = self._collect(self.batch_seconds if wait is None else wait)
        if batch:
            self._retrying(lambda: self._store_and_ack(batch))
        return len(batch)

    def stop(self) -> None:
        self.stop_event.set()
        self.client.disconnect()
        self.client.loop_stop()

    def _collect(self, wait: float) -> list[Received]:
        """Take messages until batch_size, ``wait`` seconds, or a pause of idle_seconds once the batch has begun.

        The broker stops sending once its in-flight window is full of unacknowledged messages.
        Waiting longer then only delays the acknowledgements, so a pause ends the batch.
        """
        batch: list[Received] = []
        deadline = time.monotonic() + wait
        while len(batch) < self.batch_size:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            try:
                batch.append(self.inbox.get(timeout=min(remaining, self.idle_seconds) if batch else remaining))
            except queue.Empty:
                break
        return batch

    def _retrying(self, work: Any) -> None:
        """Run work until it succeeds; after a database error wait first_retry_seconds, then twice as long each time."""
        delay = self.first_retry_seconds
        attempt = 0
        while True:
            try:
                work()
                return
            except DatabaseError as error:
                attempt += 1
                logger.warning(
                    "storing MQTT messages failed (attempt %d), retrying in %.1f s: %s", attempt, delay, error
                )
                # The next query opens a new connection. Inside an outer transaction (tests) the
                # connection belongs to the caller and stays open.
                if not connection.in_atomic_block:
                    connection.close()
                if self.stop_event.wait(delay):
                    logger.warning("collector stopped before the batch was stored; the broker keeps the messages")
                    return
                delay = min(delay * 2, self.max_retry_seconds)

    def _store_and_ack(self, batch: list[Received]) -> None:
        with transaction.atomic():
            self.store(batch)
        # Only now are the rows committed, so the broker may forget the messages.
        for received in batch:
            if received.qos > 0:
                self.client.ack(received.mid, received.qos)
        self.stored_messages += len(batch)

    # -- storing ------------------------------------------------------------------------

    def store(self, batch: list[Received]) -> None:
        """Decode a batch, store its readings per site, and keep every rejection with its topic and payload."""
        per_site: dict[int, list[tuple[Received, DecodedMessage]]] = defaultdict(list)
        for received in batch:
            spec = self._spec_for(received.topic)
            if spec is None:
                logger.warning(
                    "MQTT message on %s matches no enabled subscription; acknowledged and dropped", received.topic
                )
                continue
            per_site[spec.site_id].append(
                (received, decode_message(spec, received.topic, received.payload, received.received_at))
            )
        for site_id, messages in per_site.items():
            self._store_site(self.sites[site_id], messages)

    def _spec_for(self, topic: str) -> SubscriptionSpec | None:
        for spec in self.specs:
            if topic_matches(spec.topic_filter, topic):
                return spec
        return None

    def _store_site(self, site: Site, messages: list[tuple[Received, DecodedMessage]]) -> None:
        rows: list[MemoryRow] = []
        row_origin: list[Received] = []
        rejected: list[RejectedMessage] = []
        for received, decoded in messages:
            for problem in decoded.problems:
                rejected.append(self._rejected(site, received, problem.code, problem.message))
            for meter, stamp, value, unit in decoded.readings:
                rows.append((len(rows), meter, stamp, value, unit))
                row_origin.append(received)
        if rows:
            request = RowsRequest(
                site=site,
                source_name=f"MQTT {self.host}:{self.port}",
                conflict_hint=_(
                    "A value received over MQTT does not overwrite a stored reading; "
                    "correct it with a file import that replaces conflicting values."
                ),
                keep_all_rejections=True,
            )
            report = store_rows(request, rows)
            for rejection in report["rejected_sample"]:
                received = row_origin[rejection["row"]]
                rejected.append(self._rejected(site, received, rejection["code"], rejection["message"]))
        if rejected:
            for item in rejected:
                logger.info("MQTT message on %s rejected: %s", item.origin, item.code)
            RejectedMessage.objects.bulk_create(rejected)

    @staticmethod
    def _rejected(site: Site, received: Received, code: str, message: str) -> RejectedMessage:
        return RejectedMessage(
            site=site,
            source=CollectionSource.MQTT,
            origin=received.topic[:300],
            payload=received.payload.decode("utf-8", errors="replace")[:PAYLOAD_KEPT],
            code=code,
            message=message,
        )


__all__ = ["MqttCollector", "Received"]
