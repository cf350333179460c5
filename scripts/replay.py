"""Replay one day of the steel demo plant's 15-minute electricity data into a running cleanprod.

The demo (`make run`, http://127.0.0.1:8000) has the site steel-gwangyang with the interval
meter STEEL-MAIN. This script takes one day of the same KEPCO data, moves it to yesterday (or
--date) in the site's time zone, and sends it over HTTP or MQTT, spread over --speed seconds,
so that the dashboards and alert detectors see the day arrive. A fault can be injected.
The server rejects readings dated more than CLEANPROD_FUTURE_TOLERANCE_MINUTES (default 10)
after its clock, so when the target day is today the script sends only the readings up to now.

Run it with the venv's python from the repository root:

    # HTTP: create a token on the Collection page (or with --create-token) and send a day in 96 s
    .venv/bin/python scripts/replay.py --via http --create-token
    .venv/bin/python scripts/replay.py --via http --token cp_... --speed 96

    # MQTT: the collector must run next to the server: `.venv/bin/python manage.py mqtt`
    .venv/bin/python scripts/replay.py --via mqtt --speed 60

    # inject a fault: spike | offhours | missing, at local time HH:MM for --minutes
    .venv/bin/python scripts/replay.py --via http --token cp_... --inject spike --at 10:00

    # a line left running from 00:00 to 07:00; the off-hours rule learns the idle level from the
    # 4 weeks before the day, so send 29 days of history first (once is enough)
    .venv/bin/python scripts/replay.py --via http --token cp_... --history-days 29 --speed 0 \
        --inject offhours --at 00:00 --minutes 420

The examples use the default server http://127.0.0.1:8000; add --url for another address.

Detectors that learn from recent weeks need those weeks: the off-hours rule uses 4 weeks of
rest hours ending a day before the checked hours, and the statistical baseline 8 weeks. The
demo's own data are from 2018, so on a new demo they find no history and raise nothing.
--history-days N first sends the N days before the target, each from a 2018 day of the same
weekday, at once and without a fault. The real data can raise alerts of their own while this
history arrives, for example a night of 2018-11-27 when the plant ran until 08:00. A day that was
sent before is stored once only, and its hours are not checked again.

Options: --source-day (a day of 2018 in the data, default the latest 2018 day with the target's
weekday, so working days replay onto working days), --date (target day, default yesterday in the
site's time zone), --url (default http://127.0.0.1:8000), --mqtt-host, --mqtt-port, --topic
(default cleanprod/demo/<site>/<meter>), --print (only print the readings).

MQTT: the broker does not keep messages published to a topic that no client has subscribed to,
so the subscription must exist and the collector must have subscribed before anything is
published. With --via mqtt the script creates the subscription for --topic through
`manage.py collection_setup` (in the database of this repository's settings, as `make run` uses)
and waits up to --wait seconds until the running collector has recorded its subscription; the
collector reloads subscriptions every 5 s. Run one collector per --client-id: two instances with
the same id (the default is fixed per host, with a persistent session) disconnect each other.

Faults: spike adds the data's 95th-percentile 15-minute value to every reading of --minutes
(default one hour), the fault the alert detectors were evaluated on. offhours sets every reading
of the window to the day's highest reading. The window must end by 24:00 of the replayed day, and
the off-hours rule reports a run of at least 6 hours outside the shifts (Monday to Friday
08:00–21:00, Saturday 08:00–17:00), for example 00:00 for 420 minutes. stuck is not offered: the
steel site has one meter, and the stuck detector needs a related meter that keeps moving.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import date, datetime, timedelta
from datetime import time as dt_time
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cleanprod.ingest.collection.replay import (  # noqa: E402
    REPLAY_INJECTIONS,
    ReplayReading,
    full_load_reading,
    inject,
    same_weekday_source,
    shift_to,
    steel_day,
    until,
)

STEEL_FILE = ROOT / "cleanprod" / "demo" / "data" / "steel_industry" / "Steel_industry_data.csv"
SITE = "steel-gwangyang"
ZONE = ZoneInfo("Asia/Seoul")
HTTP_BATCH = 1000


def manage(*arguments: str) -> str:
    """Run a management command of this repository and return its output, or exit with its error."""
    result = subprocess.run(  # noqa: S603 - this interpreter and this repository's manage.py
        [sys.executable, str(ROOT / "manage.py"), *arguments], capture_output=True, text=True, cwd=ROOT
    )
    if result.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(arguments)} failed:\n{result.stderr.strip()}")
    return result.stdout


def send_http(url: str, token: str, meter: str, readings: list[ReplayReading]) -> dict[str, object]:
    body = json.dumps(
        {
            "readings": [
                {"meter": meter, "timestamp": item.timestamp.isoformat(), "value": item.value} for item in readings
            ]
        }
    ).encode()
    request = urllib.request.Request(  # noqa: S310 - the server URL the user gave
        f"{url.rstrip('/')}/api/v1/readings/batch",
        data=body,
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - the URL the user gave
            return dict(json.loads(response.read()))
    except urllib.error.HTTPError as error:
        answer = error.read().decode(errors="replace")
        # The server's messages are translated; print them as text, not as \u escapes.
        with contextlib.suppress(ValueError):
            answer = json.dumps(json.loads(answer), ensure_ascii=False)
        raise SystemExit(f"HTTP {error.code} from {url}: {answer}") from error
    except urllib.error.URLError as error:
        raise SystemExit(
            f"connection to {url} failed ({error.reason}); start the demo with `make run`, "
            "or pass --url with the address it serves (e.g. --url http://127.0.0.1:8123 for PORT=8123)"
        ) from error


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--via", choices=["http", "mqtt"], default="http", help="Transport (default http).")
    parser.add_argument("--token", help="API token of the steel site (HTTP).")
    parser.add_argument("--create-token", action="store_true", help="Create a token through manage.py and print it.")
    parser.add_argument("--url", default="http://127.0.0.1:8000", help="Base URL of the running server.")
    parser.add_argument("--mqtt-host", default="127.0.0.1", help="MQTT broker host.")
    parser.add_argument("--mqtt-port", type=int, default=1883, help="MQTT broker port.")
    parser.add_argument("--topic", help="MQTT topic (default cleanprod/demo/<site>/<meter>).")
    parser.add_argument("--meter", default="STEEL-MAIN", help="Meter code that receives the readings.")
    parser.add_argument(
        "--source-day", type=date.fromisoformat, help="Day of the 2018 data (default: same weekday as the target)."
    )
    parser.add_argument("--date", type=date.fromisoformat, help="Target day (default yesterday in Asia/Seoul).")
    parser.add_argument("--speed", type=float, default=96.0, help="Seconds the whole day takes (0 = at once).")
    parser.add_argument("--inject", help=f"Fault to inject: {', '.join(REPLAY_INJECTIONS)}.")
    parser.add_argument("--at", default="02:00", help="Local start time of the fault, HH:MM.")
    parser.add_argument("--minutes", type=int, default=60, help="Length of the fault, minutes.")
    parser.add_argument("--wait", type=float, default=30.0, help="MQTT: seconds to wait for the collector (s).")
    parser.add_argument(
        "--history-days",
        type=int,
        default=0,
        help="Send the N days before the target first, at once and without a fault (default 0).",
    )
    parser.add_argument("--print", action="store_true", help="Print the readings instead of sending them.")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cleanprod.settings")
    if args.create_token:
        output = manage("collection_setup", SITE, "--token", "replay script")
        print(output.strip())
        print("Run the script again with --token and the secret above.")
        return

    if args.inject == "stuck":
        raise SystemExit(
            "--inject stuck cannot raise an alert here: the steel site has one meter, and the stuck detector "
            "needs a related meter that keeps moving. Use spike, offhours or missing."
        )
    if args.inject and args.inject not in REPLAY_INJECTIONS:
        raise SystemExit(f"unknown fault {args.inject!r}; use one of {', '.join(REPLAY_INJECTIONS)}")
    now = datetime.now(ZONE)
    target = args.date or now.date() - timedelta(days=1)
    if target > now.date():
        raise SystemExit(f"--date {target} is in the future; the server rejects future readings")
    if args.history_days < 0:
        raise SystemExit(f"--history-days must be 0 or more, not {args.history_days}")
    source_day = args.source_day or same_weekday_source(target)
    print(f"replaying {source_day} ({source_day:%A}) onto {target} ({target:%A})")
    readings = shift_to(steel_day(STEEL_FILE, source_day, ZONE), target)
    if args.inject:
        full_load = full_load_reading(STEEL_FILE)
        try:
            readings = inject(readings, args.inject, dt_time.fromisoformat(args.at), args.minutes, full_load)
        except ValueError as error:
            raise SystemExit(f"--inject {args.inject}: {error}") from error
    history = [
        reading
        for offset in range(args.history_days, 0, -1)
        for reading in shift_to(
            steel_day(STEEL_FILE, same_weekday_source(target - timedelta(days=offset)), ZONE),
            target - timedelta(days=offset),
        )
    ]
    if target == now.date():
        readings = until(readings, now)
        print(f"the target is today: sending the {len(readings)} readings up to {now:%H:%M}")
    if args.print:
        for item in [*history, *readings]:
            print(f"{args.meter} {item.timestamp.isoformat()} {item.value}")
        return

    pause = args.speed / max(len(readings), 1)
    if args.via == "http":
        if not args.token:
            raise SystemExit("--via http needs --token (create one on the Collection page or with --create-token)")
        for offset in range(0, len(history), HTTP_BATCH):
            send_http(args.url, args.token, args.meter, history[offset : offset + HTTP_BATCH])
        if history:
            print(f"sent {args.history_days} days of history ({len(history)} readings) over HTTP")
        # At full speed the day goes in one batch; otherwise one reading per request at its scaled time.
        chunk = HTTP_BATCH if args.speed <= 0 else 1
        for offset in range(0, len(readings), chunk):
            result = send_http(args.url, args.token, args.meter, readings[offset : offset + chunk])
            rejected_rows = result.get("rejected")
            for rejected in rejected_rows if isinstance(rejected_rows, list) else []:
                print(f"rejected: {rejected}", file=sys.stderr)
            if pause:
                time.sleep(pause)
        print(f"sent {len(readings)} readings of {args.meter} for {target} over HTTP")
        return

    import paho.mqtt.client as paho
    from paho.mqtt.enums import CallbackAPIVersion

    topic = args.topic or f"cleanprod/demo/{SITE}/{args.meter}"
    print(f"creating the subscription {topic} and waiting up to {args.wait:.0f} s for the MQTT collector")
    print("(it must be running: .venv/bin/python manage.py mqtt) to subscribe before publishing ...")
    print(manage("collection_setup", SITE, "--mqtt-topic", topic, "--wait-subscribed", str(args.wait)).strip())
    client = paho.Client(CallbackAPIVersion.VERSION2, client_id=f"cleanprod-replay-{os.getpid()}")
    client.connect(args.mqtt_host, args.mqtt_port)
    client.loop_start()
    try:
        for item in history:
            payload = json.dumps({"meter": args.meter, "timestamp": item.timestamp.isoformat(), "value": item.value})
            client.publish(topic, payload, qos=1).wait_for_publish(timeout=10)
        if history:
            print(f"published {args.history_days} days of history ({len(history)} readings) to {topic}")
        for item in readings:
            payload = json.dumps({"meter": args.meter, "timestamp": item.timestamp.isoformat(), "value": item.value})
            client.publish(topic, payload, qos=1).wait_for_publish(timeout=10)
            if pause:
                time.sleep(pause)
    finally:
        client.disconnect()
        client.loop_stop()
    print(f"published {len(readings)} readings of {args.meter} for {target} to {topic}")


if __name__ == "__main__":
    main()
