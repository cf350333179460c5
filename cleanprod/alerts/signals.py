"""Receivers: detection after stored readings, and default rules for every new site."""

from datetime import datetime
from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from cleanprod.metering.signals import readings_stored
from cleanprod.organization.models import Site


@receiver(readings_stored)
def enqueue_detection(sender: object, site_id: int, spans: dict[int, tuple[datetime, datetime]], **kwargs: Any) -> None:
    """Queue detection for the touched meters; the sender already waits for the commit."""
    from .tasks import detect_after_readings

    if not spans:
        return
    payload = {str(meter_id): [first.isoformat(), last.isoformat()] for meter_id, (first, last) in spans.items()}
    detect_after_readings.enqueue(site_id, payload)


@receiver(post_save, sender=Site)
def default_rules_for_new_site(sender: type[Site], instance: Site, created: bool, **kwargs: Any) -> None:
    if created and not kwargs.get("raw"):
        from .services import create_default_rules

        create_default_rules(instance)
