"""The Modbus TCP poller behind `cleanprod modbus`: read each device's registers and store the values.

Values go through the import pipeline like any other readings. A decoded value that looks like
a wrong register mapping (see modbus_decode.check_plausibility) is still stored, and a finding
"check register mapping" is held for review on the meter.
"""

import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from pymodbus.client import ModbusTcpClient
from pymodbus.exceptions import ModbusException

from cleanprod.ingest.models import CollectionSource, ModbusDevice, RegisterKind, RegisterMap, RejectedMessage
from cleanprod.ingest.pipeline import MemoryRow, RowsRequest, store_rows
from cleanprod.metering import store
from cleanprod.metering.models import Reading
from cleanprod.resources.units import UnitError, conversion_factor

from .modbus_decode import DecodeError, check_plausibility, decode_value, register_count

logger = logging.getLogger(__name__)

# Starts with "import." so that recomputing the meter's intervals keeps it (see metering.services.rebuild_window).
MAPPING_FINDING = "import.register_mapping"
CONNECT_TIMEOUT_SECONDS = 3.0


@dataclass
class PollReport:
    device: str
    read: int = 0
    inserted: int = 0
    warnings: int = 0
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class DecodedRegister:
    register: RegisterMap
    words: list[int]
    raw: int | float
    value: float


def read_registers(
    device: ModbusDevice, registers: list[RegisterMap]
) -> tuple[list[DecodedRegister], list[tuple[RegisterMap | None, str, str]]]:
    """Read and decode every register map of a device; return the values and (register, code, message) errors."""
    decoded: list[DecodedRegister] = []
    errors: list[tuple[RegisterMap | None, str, str]] = []
    client = ModbusTcpClient(device.host, port=device.port, timeout=CONNECT_TIMEOUT_SECONDS, retries=0)
    try:
        if not client.connect():  # type: ignore[no-untyped-call]
            message = _(
                "Could not connect to Modbus device %(device)s at %(host)s:%(port)s; check host, port and network."
            ) % {
                "device": device.name,
                "host": device.host,
                "port": device.port,
            }
            return [], [(None, "connection_failed", message)]
        for register in registers:
            try:
                count = register_count(register.data_type)
                if register.register_kind == RegisterKind.INPUT:
                    response: Any = client.read_input_registers(register.address, count=count, device_id=device.unit_id)
                else:
                    response = client.read_holding_registers(register.address, count=count, device_id=device.unit_id)
                if response.isError():
                    errors.append((register, "read_failed", _read_failed(device, register, str(response))))
                    continue
                words = list(response.registers)
                raw, value = decode_value(words, register.data_type, register.word_order, register.scale)
            except (ModbusException, DecodeError) as error:
                errors.append((register, "read_failed", _read_failed(device, register, str(error))))
                continue
            decoded.append(DecodedRegister(register, words, raw, value))
    finally:
        client.close()  # type: ignore[no-untyped-call]
    return decoded, errors


def _read_failed(device: ModbusDevice, register: RegisterMap, detail: str) -> str:
    return _(
        "Reading register %(address)s (%(kind)s, %(type)s) of %(device)s failed: %(detail)s. "
        "Check the address, register kind and unit id in the register map."
    ) % {
        "address": register.address,
        "kind": register.register_kind,
        "type": register.data_type,
        "device": device.name,
        "detail": detail,
    }


def poll_device(device: ModbusDevice, now: datetime | None = None) -> PollReport:
    """Poll one device once and store what it returns; a connection failure stores nothing and is reported."""
    stamp = (now or datetime.now(UTC)).replace(microsecond=0)
    registers = list(RegisterMap.objects.filter(device=device).select_related("meter"))
    report = PollReport(device=str(device))
    if not registers:
        return report
    decoded, errors = read_registers(device, registers)
    report.read = len(decoded)
    report.errors = [message for _register, _code, message in errors]

    with transaction.atomic():
        warnings = _mapping_findings(decoded, stamp)
        report.warnings = len(warnings)
        rows: list[MemoryRow] = [
            (index, item.register.meter.code, stamp, item.value, item.register.unit or None)
            for index, item in enumerate(decoded)
        ]
        if rows:
            result = store_rows(RowsRequest(site=device.site, source_name=f"Modbus {device.name}"), rows)
            report.inserted = result["inserted"]
            for rejection in result["rejected_sample"]:
                register = decoded[rejection["row"]].register
                errors.append((register, rejection["code"], rejection["message"]))
        store.insert_findings(warnings)
        # A failed connection repeats every poll, so it is logged but not kept as a rejected message.
        RejectedMessage.objects.bulk_create(
            RejectedMessage(
                site=device.site,
                source=CollectionSource.MODBUS,
                origin=f"{device.name} @ {register.address}"[:300],
                payload="",
                code=code,
                message=message,
            )
            for register, code, message in errors
            if register is not None
        )
    for _register, code, message in errors:
        logger.warning("Modbus device %s (%s): %s", device.pk, code, message)
    return report


def _mapping_findings(
    decoded: list[DecodedRegister], stamp: datetime
) -> list[tuple[int, datetime, str, dict[str, Any], bool]]:
    findings = []
    for item in decoded:
        register = item.register
        step_kwh: float | None = None
        elapsed: float | None = None
        previous = (
            Reading.objects.filter(meter=register.meter, timestamp__lt=stamp)
            .order_by("-timestamp")
            .values_list("timestamp", "value")
            .first()
        )
        if previous is not None and register.rated_power_kw:
            try:
                to_meter_unit = conversion_factor(register.unit, register.meter.unit) if register.unit else 1.0
                to_kwh = conversion_factor(register.meter.unit, "kWh")
            except UnitError:
                pass  # not an energy meter, or a unit the pipeline rejects: no step check
            else:
                step = item.value * to_meter_unit - previous[1]
                step_kwh = step * float(register.meter.multiplier) * to_kwh
                elapsed = (stamp - previous[0]).total_seconds()
        for warning in check_plausibility(item.raw, register.data_type, step_kwh, elapsed, register.rated_power_kw):
            evidence: dict[str, Any] = {
                "reason": warning.reason,
                "registers": str(item.words),
                "data_type": register.data_type,
                "word_order": register.word_order,
                **warning.evidence,
            }
            findings.append((register.meter_id, stamp, MAPPING_FINDING, evidence, True))
    return findings


def run_poller(once: bool = False, sleep: Any = time.sleep) -> None:
    """Poll every enabled device at its interval; with ``once``, poll each device one time and return."""
    next_poll: dict[int, float] = {}
    while True:
        devices = list(ModbusDevice.objects.filter(enabled=True).select_related("site"))
        now = time.monotonic()
        for device in devices:
            if next_poll.get(device.pk, 0.0) > now:
                continue
            next_poll[device.pk] = now + device.poll_seconds
            report = poll_device(device)
            logger.info(
                "Modbus poll of %s: %d values read, %d inserted, %d mapping warnings, %d errors",
                report.device,
                report.read,
                report.inserted,
                report.warnings,
                len(report.errors),
            )
        if once:
            return
        waits = [moment - time.monotonic() for moment in next_poll.values()]
        sleep(max(0.5, min(waits, default=5.0)))
