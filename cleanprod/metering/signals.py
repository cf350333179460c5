"""Keep derived consumption in step with meter settings.

A change to anything that enters the arithmetic (unit, multiplier, kind, rollover, labels,
interval, resource) or a meter replacement makes every stored interval of that meter stale,
so the meter is recomputed in the background once the change is committed.
"""

from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import Signal, receiver

from .models import Meter, MeterReplacement

ARITHMETIC_FIELDS = (
    "unit",
    "multiplier",
    "reading_kind",
    "rollover_value",
    "timestamp_convention",
    "interval_minutes",
    "resource_id",
)


# Sent once new or replaced readings are committed, by every path that stores them (file
# import, HTTP, MQTT, Modbus), with ``site_id`` and ``spans``: {meter id: (first, last)}
# UTC timestamps touched. Detectors listen to it; senders call it through
# transaction.on_commit so receivers see the stored rows.
readings_stored = Signal()


def schedule_recompute(meter_id: int) -> None:
    from .tasks import recompute_meter

    transaction.on_commit(lambda: recompute_meter.enqueue(meter_id))


@receiver(pre_save, sender=Meter)
def remember_arithmetic_settings(sender: type[Meter], instance: Meter, **kwargs: Any) -> None:
    if instance.pk is None or kwargs.get("raw"):
        instance._arithmetic_before = None  # type: ignore[attr-defined]
        return
    stored = Meter.objects.filter(pk=instance.pk).values(*ARITHMETIC_FIELDS).first()
    instance._arithmetic_before = stored  # type: ignore[attr-defined]


@receiver(post_save, sender=Meter)
def recompute_after_settings_change(sender: type[Meter], instance: Meter, created: bool, **kwargs: Any) -> None:
    before = getattr(instance, "_arithmetic_before", None)
    if created or before is None or kwargs.get("raw"):
        return
    after = {name: getattr(instance, name) for name in ARITHMETIC_FIELDS}
    if any(before[name] != after[name] for name in ARITHMETIC_FIELDS):
        schedule_recompute(instance.pk)


@receiver(post_save, sender=MeterReplacement)
@receiver(post_delete, sender=MeterReplacement)
def recompute_after_replacement(sender: type[MeterReplacement], instance: MeterReplacement, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return
    schedule_recompute(instance.meter_id)
