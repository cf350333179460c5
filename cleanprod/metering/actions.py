"""State changes of the metering app that users trigger from pages."""

import logging

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction

from .models import Finding, FindingStatus

logger = logging.getLogger(__name__)


def review_finding(finding: Finding, *, acting_user: AbstractBaseUser) -> Finding:
    """Mark a data-quality finding as reviewed. A finding already reviewed stays unchanged.

    TODO(when Finding gets a history or reviewed_by/reviewed_at fields): store who reviewed
    the finding and when. Until then only the log line below records it.
    """
    with transaction.atomic():
        locked = Finding.objects.select_for_update().get(pk=finding.pk)
        if locked.status == FindingStatus.REVIEWED:
            return locked
        locked.status = FindingStatus.REVIEWED
        locked.save(update_fields=["status"])
    logger.info(
        "finding %s (%s, meter %s) reviewed by user %s",
        locked.pk,
        locked.code,
        locked.meter_id,
        acting_user.pk,
    )
    return locked
