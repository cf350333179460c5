"""Background tasks of the metering app, run by the task worker (`cleanprod db_worker`)."""

import logging

from django_tasks import task

from .models import Meter
from .services import rebuild_meter

logger = logging.getLogger(__name__)


@task()
def recompute_meter(meter_id: int) -> None:
    """Recompute a meter's derived consumption and rollups after its settings changed."""
    meter = Meter.objects.select_related("site", "resource").filter(pk=meter_id).first()
    if meter is None:
        logger.info("recompute skipped: meter %s no longer exists", meter_id)
        return
    rebuild_meter(meter)
    logger.info("recomputed meter %s (%s)", meter.pk, meter.code)
