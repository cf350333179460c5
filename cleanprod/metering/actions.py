"""State changes of the metering app that users trigger from pages."""

import logging

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from .models import Finding, FindingStatus

logger = logging.getLogger(__name__)


def review_finding(finding: Finding, *, acting_user: AbstractBaseUser) -> Finding:
    """Mark a data-quality finding as reviewed by the user. A finding already reviewed stays unchanged."""
    with transaction.atomic():
        locked = Finding.objects.select_for_update().get(pk=finding.pk)
        if locked.status == FindingStatus.REVIEWED:
            return locked
        locked.status = FindingStatus.REVIEWED
        locked.reviewed_by_id = acting_user.pk
        locked.reviewed_at = timezone.now()
        locked.save(update_fields=["status", "reviewed_by", "reviewed_at"])
    logger.info(
        "finding %s (%s, meter %s) reviewed by user %s",
        locked.pk,
        locked.code,
        locked.meter_id,
        acting_user.pk,
    )
    return locked
