"""The Modbus poller against a pymodbus TCP server started in the test on 127.0.0.1."""

import asyncio
import socket
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core.management import call_command
from pymodbus.server import ModbusTcpServer
from pymodbus.simulator import DataType, SimData, SimDevice

from cleanprod.ingest.collection.modbus import MAPPING_FINDING, poll_device
from cleanprod.ingest.models import ModbusDevice, RegisterMap, RejectedMessage
from cleanprod.metering.models import Finding, Meter, Reading
from cleanprod.organization.models import Site
from cleanprod.resources.models import Resource

pytestmark = pytest.mark.django_db

UNIT_ID = 1


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_listening(port: int, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            assert time.monotonic() < deadline, f"the Modbus test server did not listen on port {port}"
            time.sleep(0.02)


@pytest.fixture
def modbus_server() -> Iterator[Callable[[dict[int, int]], int]]:
    """Start servers whose registers hold the given {address: word}; return the port of each."""
    running: list[tuple[asyncio.AbstractEventLoop, Any, threading.Thread]] = []

    def start(words: dict[int, int]) -> int:
        port = free_port()
        values = [0] * 200
        for address, word in words.items():
            values[address] = word
        device = SimDevice(id=UNIT_ID, simdata=[SimData(address=0, values=values, datatype=DataType.REGISTERS)])
        loop = asyncio.new_event_loop()
        ready = threading.Event()
        holder: dict[str, Any] = {}

        async def serve() -> None:
            holder["server"] = ModbusTcpServer(device, address=("127.0.0.1", port))
            ready.set()
            await holder["server"].serve_forever()

        thread = threading.Thread(target=loop.run_until_complete, args=(serve(),), daemon=True)
        thread.start()
        assert ready.wait(5)
        running.append((loop, holder, thread))
        wait_listening(port)
        return port

    yield start
    for loop, holder, thread in running:
        asyncio.run_coroutine_threadsafe(holder["server"].shutdown(), loop).result(5)
        thread.join(5)


@pytest.fixture
def counter(site_a: Site) -> Meter:
    return Meter.objects.create(
        site=site_a,
        code="E-A-HP1",
        name="heat pump 1",
        resource=Resource.objects.get(code="electricity"),
        unit="kWh",
        reading_kind="cumulative",
        interval_minutes=15,
    )


def device_with(site: Site, port: int, meter: Meter, address: int, word_order: str, **extra: Any) -> ModbusDevice:
    device = ModbusDevice.objects.create(site=site, name=f"HP controller {port}", host="127.0.0.1", port=port)
    RegisterMap.objects.create(
        device=device,
        meter=meter,
        address=address,
        data_type="uint32",
        word_order=word_order,
        scale=1.0,
        unit="Wh",
        **extra,
    )
    return device


def test_poll_stores_low_first_counters(site_a: Site, counter: Meter, modbus_server: Any) -> None:
    # Register pairs as the device sends them, low word first: 91,250 Wh.
    port = modbus_server({10: 25714, 11: 1})
    device = device_with(site_a, port, counter, 10, "low_first")

    report = poll_device(device, datetime(2024, 4, 10, 2, 0, tzinfo=UTC))

    assert report.errors == []
    assert report.inserted == 1
    assert list(Reading.objects.filter(meter=counter).values_list("value", flat=True)) == [pytest.approx(91.25)]
    assert not Finding.objects.filter(meter=counter, code=MAPPING_FINDING).exists()


def test_input_register_and_scale(site_a: Site, counter: Meter, modbus_server: Any) -> None:
    port = modbus_server({20: 0, 21: 40000})
    device = ModbusDevice.objects.create(site=site_a, name="meter", host="127.0.0.1", port=port)
    RegisterMap.objects.create(
        device=device, meter=counter, address=20, register_kind="input", data_type="uint32", scale=0.001, unit="kWh"
    )

    poll_device(device, datetime(2024, 4, 10, 2, 0, tzinfo=UTC))

    assert list(Reading.objects.filter(meter=counter).values_list("value", flat=True)) == [pytest.approx(40.0)]


def test_wrong_word_order_held_for_review(site_a: Site, counter: Meter, modbus_server: Any) -> None:
    # Pair B read high-first: 40000 × 65536 Wh, an exact multiple of 65,536.
    port = modbus_server({10: 40000, 11: 0})
    device = device_with(site_a, port, counter, 10, "high_first")

    poll_device(device, datetime(2024, 4, 10, 2, 0, tzinfo=UTC))

    reading = Reading.objects.get(meter=counter)
    assert reading.value == pytest.approx(2_621_440.0)
    finding = Finding.objects.get(meter=counter, code=MAPPING_FINDING)
    assert finding.blocking
    assert finding.evidence["reason"] == "multiple_of_65536"


def test_step_above_rated_power_held_for_review(site_a: Site, counter: Meter, modbus_server: Any) -> None:
    # Pair A read high-first after a correct 91.25 kWh: a jump of about 1.7 GWh in 15 minutes.
    port = modbus_server({10: 25714, 11: 1})
    device = device_with(site_a, port, counter, 10, "high_first", rated_power_kw=50.0)
    stamp = datetime(2024, 4, 10, 2, 0, tzinfo=UTC)
    Reading.objects.create(meter=counter, timestamp=stamp - timedelta(minutes=15), value=91.25)

    poll_device(device, stamp)

    finding = Finding.objects.get(meter=counter, code=MAPPING_FINDING)
    assert finding.evidence["reason"] == "step_above_rated_power"
    assert Reading.objects.filter(meter=counter, timestamp=stamp).exists()


def test_unreachable_device_stores_nothing(site_a: Site, counter: Meter) -> None:
    device = device_with(site_a, free_port(), counter, 10, "low_first")

    report = poll_device(device)

    assert report.read == 0
    assert "Could not connect" in report.errors[0]
    assert not Reading.objects.filter(meter=counter).exists()


def test_unknown_device_id_kept_as_rejected(site_a: Site, counter: Meter, modbus_server: Any) -> None:
    port = modbus_server({10: 25714, 11: 1})
    device = device_with(site_a, port, counter, 10, "low_first")
    device.unit_id = 7
    device.save()

    report = poll_device(device)

    assert report.read == 0
    assert RejectedMessage.objects.filter(site=site_a, source="modbus", code="read_failed").count() == 1


def test_command_polls_once(site_a: Site, counter: Meter, modbus_server: Any) -> None:
    port = modbus_server({10: 25714, 11: 1})
    device_with(site_a, port, counter, 10, "low_first")

    call_command("modbus", "--once")

    assert Reading.objects.filter(meter=counter).count() == 1


def test_poll_with_future_clock_rejected(site_a: Site, counter: Meter, modbus_server: Any) -> None:
    port = modbus_server({10: 25714, 11: 1})
    device = device_with(site_a, port, counter, 10, "low_first")

    report = poll_device(device, datetime(2030, 1, 1, 0, 0, tzinfo=UTC))

    assert report.inserted == 0
    assert not Reading.objects.filter(meter=counter).exists()
    assert RejectedMessage.objects.filter(site=site_a, code="future_timestamp").exists()
