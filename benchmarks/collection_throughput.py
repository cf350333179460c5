"""Collection throughput: readings/s over HTTP and MQTT against a raw bulk_create, in one run.

For each database backend (a fresh SQLite file; PostgreSQL when DATABASE_URL is set) one worker
process migrates an empty database, creates the meters and measures three paths, each writing
the same number of new readings of its own meters:
- raw: Reading.objects.bulk_create in chunks of 1,000 (no derived consumption, rollups or checks);
- http: POST /api/v1/readings/batch with batches of 1,000 readings, sent one after another over
  real HTTP to a wsgiref server on 127.0.0.1 in a thread of the worker;
- mqtt: one JSON reading per message, published with QoS 1 to the local Mosquitto and stored by
  the MqttCollector in a thread. The time runs from the first publish until every reading is stored.
Prints readings per second and the ratio path / raw.

    .venv/bin/python benchmarks/collection_throughput.py [--meters 20] [--readings 20000] [--backend sqlite postgresql]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BATCH = 1000
MQTT_WINDOW = 100
MQTT_AHEAD = 400
START = datetime(2024, 1, 1, tzinfo=UTC)


def django_setup(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cleanprod.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def readings_for(codes: list[str], total: int) -> list[tuple[str, datetime, float]]:
    """Return ``total`` interval readings: every meter at each 15-minute step, in time order."""
    rows: list[tuple[str, datetime, float]] = []
    step = 0
    while len(rows) < total:
        stamp = START + timedelta(minutes=15 * step)
        for index, code in enumerate(codes):
            if len(rows) == total:
                break
            rows.append((code, stamp, 1.0 + index + (step % 7) * 0.25))
        step += 1
    return rows


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def measure_raw(site: Any, codes: list[str], total: int) -> float:
    from cleanprod.metering.models import Meter, Reading

    ids = dict(Meter.objects.filter(site=site, code__in=codes).values_list("code", "pk"))
    rows = readings_for(codes, total)
    started = time.perf_counter()
    for offset in range(0, len(rows), BATCH):
        Reading.objects.bulk_create(
            Reading(meter_id=ids[code], timestamp=stamp, value=value)
            for code, stamp, value in rows[offset : offset + BATCH]
        )
    return time.perf_counter() - started


def measure_http(site: Any, codes: list[str], total: int) -> float:
    from wsgiref.simple_server import WSGIRequestHandler, make_server

    from django.core.wsgi import get_wsgi_application

    from cleanprod.ingest.collection.tokens import create_token

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

    _token, secret = create_token(site, "benchmark")
    port = free_port()
    server = make_server("127.0.0.1", port, get_wsgi_application(), handler_class=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}/api/v1/readings/batch"
    rows = readings_for(codes, total)
    bodies = [
        json.dumps(
            {
                "readings": [
                    {"meter": code, "timestamp": stamp.isoformat(), "value": value}
                    for code, stamp, value in rows[offset : offset + BATCH]
                ]
            }
        ).encode()
        for offset in range(0, len(rows), BATCH)
    ]

    def send(body: bytes) -> int:
        request = urllib.request.Request(
            url,
            data=body,
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {secret}"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310 - loopback URL built above
            return int(json.loads(response.read())["inserted"])

    send(json.dumps({"readings": []}).encode())  # the first request loads Django's URLs and the API schema
    started = time.perf_counter()
    inserted = sum(send(body) for body in bodies)
    seconds = time.perf_counter() - started
    server.shutdown()
    server.server_close()
    if inserted != total:
        raise SystemExit(f"HTTP stored {inserted} of {total} readings")
    return seconds


def measure_mqtt(site: Any, codes: list[str], total: int) -> float:
    import paho.mqtt.client as paho
    from django.conf import settings
    from django.db import connection
    from paho.mqtt.enums import CallbackAPIVersion

    from cleanprod.ingest.collection.mqtt import MqttCollector
    from cleanprod.ingest.models import MqttSubscription
    from cleanprod.metering.models import Reading

    host, port = settings.CLEANPROD_MQTT_HOST, settings.CLEANPROD_MQTT_PORT
    topic = f"cleanprod-benchmark/{uuid.uuid4().hex[:12]}"
    MqttSubscription.objects.create(site=site, topic_filter=topic, payload_format="json_object")
    client_id = f"cleanprod-benchmark-{uuid.uuid4().hex[:8]}"
    collector = MqttCollector(host, port, client_id=client_id, batch_seconds=1.0, batch_size=BATCH)

    def run_collector() -> None:
        try:
            collector.run()
        finally:
            connection.close()

    collector.start()
    if not collector.connected.wait(10):
        raise SystemExit(f"no connection to the MQTT broker at {host}:{port}")
    while collector.confirmed_filters < 1:
        time.sleep(0.01)
    worker = threading.Thread(target=run_collector, daemon=True)
    worker.start()

    publisher = paho.Client(CallbackAPIVersion.VERSION2, client_id=f"{client_id}-pub")
    publisher.max_inflight_messages_set(1000)
    publisher.max_queued_messages_set(0)
    publisher.connect(host, port)
    publisher.loop_start()
    rows = readings_for(codes, total)
    meter_ids = list(site.meters.filter(code__in=codes).values_list("pk", flat=True))
    stored = Reading.objects.filter(meter_id__in=meter_ids)
    started = time.perf_counter()
    for offset in range(0, len(rows), MQTT_WINDOW):
        # Mosquitto drops QoS 1 messages beyond a client's queue (max_queued_messages, 1,000 by
        # default), so the publisher stays at most MQTT_AHEAD messages ahead of what is stored.
        while offset + MQTT_WINDOW - stored.count() > MQTT_AHEAD:
            time.sleep(0.005)
        for code, stamp, value in rows[offset : offset + MQTT_WINDOW]:
            message = json.dumps({"meter": code, "timestamp": stamp.isoformat(), "value": value})
            publisher.publish(topic, message, qos=1)
    while stored.count() < total:
        if time.perf_counter() - started > 600:
            raise SystemExit(f"MQTT readings: {stored.count()} of {total} stored within 600 s")
        time.sleep(0.02)
    seconds = time.perf_counter() - started
    publisher.disconnect()
    publisher.loop_stop()
    collector.stop_event.set()
    worker.join(10)
    collector.stop()
    forget = paho.Client(CallbackAPIVersion.VERSION2, client_id=client_id, clean_session=True)
    forget.connect(host, port)
    forget.disconnect()
    return seconds


def worker(database_url: str, meters: int, total: int) -> dict[str, float]:
    django_setup(database_url)
    from cleanprod.metering.models import Meter
    from cleanprod.organization.models import Enterprise, Site
    from cleanprod.resources.models import Resource

    enterprise = Enterprise.objects.create(name="Benchmark", uscc="91310000MA1FL5LX3K", industry_code="C3110")
    site = Site.objects.create(enterprise=enterprise, code="bench", name="Benchmark site", time_zone="Asia/Shanghai")
    electricity = Resource.objects.get(code="electricity")
    groups = {path: [f"{path.upper()}{index:03d}" for index in range(meters)] for path in ("raw", "http", "mqtt")}
    Meter.objects.bulk_create(
        Meter(site=site, code=code, name=code, resource=electricity, unit="kWh", reading_kind="interval")
        for codes in groups.values()
        for code in codes
    )
    results = {
        "raw": measure_raw(site, groups["raw"], total),
        "http": measure_http(site, groups["http"], total),
        "mqtt": measure_mqtt(site, groups["mqtt"], total),
    }
    return results


def reset_postgres(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--meters", type=int, default=20, help="Meters per path.")
    parser.add_argument("--readings", type=int, default=20_000, help="Readings per path.")
    parser.add_argument("--backend", nargs="+", default=["sqlite", "postgresql"], choices=["sqlite", "postgresql"])
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.worker:
        print(json.dumps(worker(args.database_url, args.meters, args.readings)))
        return

    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    print(f"{args.readings:,} readings per path, {args.meters} meters, batches of {BATCH}")
    with tempfile.TemporaryDirectory(prefix="cleanprod-bench-") as folder:
        for backend in args.backend:
            if backend == "sqlite":
                url = f"sqlite:///{folder}/collection.sqlite3"
            else:
                server = os.environ.get("DATABASE_URL", "")
                if not server.startswith("postgres"):
                    print("\npostgresql: skipped, DATABASE_URL is not a PostgreSQL URL")
                    continue
                url = server.rsplit("/", 1)[0] + "/cleanprod_collection_benchmark"
                reset_postgres(url)
            output = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--worker",
                    "--database-url",
                    url,
                    "--meters",
                    str(args.meters),
                    "--readings",
                    str(args.readings),
                ],
                check=True,
                capture_output=True,
                text=True,
                cwd=ROOT,
            )
            seconds = json.loads(output.stdout.strip().splitlines()[-1])
            raw_rate = args.readings / seconds["raw"]
            print(f"\n{backend}")
            print(f"  {'path':<6} {'seconds':>8} {'readings/s':>11} {'ratio to raw':>13}")
            for path in ("raw", "http", "mqtt"):
                rate = args.readings / seconds[path]
                print(f"  {path:<6} {seconds[path]:8.2f} {rate:11,.0f} {rate / raw_rate:13.2f}")


if __name__ == "__main__":
    main()
