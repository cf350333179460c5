"""Audits of site A and site B, created through the service as the audit page does."""

from datetime import date

import pytest
from django.contrib.auth.models import User

from cleanprod.audits.focus import ensure_default_criteria
from cleanprod.audits.models import AuditKind, AuditProject, MandatoryTrigger
from cleanprod.audits.services import create_audit
from cleanprod.organization.models import Site


def make_audit(site: Site, user: User, **fields: object) -> AuditProject:
    values: dict[str, object] = {
        "name": f"{site.name} 第一轮清洁生产审核",
        "kind": AuditKind.MANDATORY,
        "trigger": MandatoryTrigger.ENERGY,
        "listed_on": date(2024, 3, 15),
        "baseline_year": 2023,
        "started_on": date(2024, 4, 1),
    }
    values.update(fields)
    audit = create_audit(AuditProject(site=site, **values), list(site.units.filter(code="ws1")), acting_user=user)
    ensure_default_criteria(audit)
    return audit


@pytest.fixture
def audit_a(site_a: Site, alice: User) -> AuditProject:
    return make_audit(site_a, alice)


@pytest.fixture
def audit_b(site_b: Site, erin: User) -> AuditProject:
    return make_audit(site_b, erin)
