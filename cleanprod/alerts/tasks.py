"""Background tasks of the alerts app, run by the task worker (`cleanprod db_worker`)."""

import logging
from datetime import datetime

from django_tasks import task

from .models import NotificationDelivery
from .notify import deliver
from .services import detect_spans

logger = logging.getLogger(__name__)


@task()
def detect_after_readings(site_id: int, spans: dict[str, list[str]]) -> int:
    """Run the detectors on the meters and periods that stored readings touched.

    ``spans`` maps meter ids (as text, JSON keys) to [first, last] ISO timestamps.
    """
    parsed = {
        int(meter_id): (datetime.fromisoformat(first), datetime.fromisoformat(last))
        for meter_id, (first, last) in spans.items()
    }
    raised = detect_spans(site_id, parsed)
    logger.info("detection on site %s, %s meter(s): %s new alert(s)", site_id, len(parsed), len(raised))
    return len(raised)


@task()
def deliver_notification(delivery_id: int) -> bool:
    delivery = NotificationDelivery.objects.select_related("alert__site", "alert__meter", "channel__site").filter(
        pk=delivery_id
    )
    found = delivery.first()
    if found is None:
        logger.info("delivery %s no longer exists", delivery_id)
        return False
    return deliver(found)
