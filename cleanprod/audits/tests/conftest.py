"""Audits of site A and site B, created through the service as the audit page does."""

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.base import ContentFile

from cleanprod.audits.models import (
    Aspect,
    AuditKind,
    AuditProject,
    Balance,
    BalanceFlow,
    BalanceKind,
    Cause,
    Evidence,
    FlowDirection,
    FocusCandidate,
    MandatoryTrigger,
    Step,
    Target,
    TargetIndicator,
    TeamMember,
    TeamRole,
    WasteStream,
)
from cleanprod.audits.services import create_audit
from cleanprod.metering.models import Meter
from cleanprod.organization.models import Site
from cleanprod.reports.tests.conftest import ledger_a  # noqa: F401 (the ledger fixture of site A)


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
    return audit


def first_step(audit: AuditProject) -> Step:
    """Return the first step of the first phase."""
    return Step.objects.filter(phase__audit=audit).order_by("phase__number", "position")[:1].get()


def last_step(audit: AuditProject) -> Step:
    return Step.objects.filter(phase__audit=audit).order_by("-phase__number", "-position")[:1].get()


@pytest.fixture
def audit_a(site_a: Site, alice: User) -> AuditProject:
    return make_audit(site_a, alice)


@pytest.fixture
def audit_b(site_b: Site, erin: User) -> AuditProject:
    return make_audit(site_b, erin)


@pytest.fixture
def filled_audit(audit_a: AuditProject, alice: User, meter_a: Meter, media_root: Any) -> dict[str, Any]:
    """Audit A with one row of every kind, and the ids the pages of those rows need."""
    step = first_step(audit_a)
    evidence = Evidence.objects.create(
        step=step, file=ContentFile(b"minutes", name="minutes.txt"), original_name="minutes.txt", uploaded_by=alice
    )
    member = TeamMember.objects.create(audit=audit_a, user=alice, role=TeamRole.LEADER)
    candidate = FocusCandidate.objects.create(audit=audit_a, unit=audit_a.site.units.get(code="ws1"))
    criterion = audit_a.focus_criteria.first()
    assert criterion is not None
    target = Target.objects.create(
        audit=audit_a,
        indicator=TargetIndicator.ENERGY_TCE,
        unit="tce",
        baseline_value=Decimal("100"),
        near_term_value=Decimal("95"),
        near_term_year=2025,
    )
    balance = Balance.objects.create(audit=audit_a, kind=BalanceKind.WATER, name="水平衡", unit="m³")
    flow = BalanceFlow.objects.create(
        balance=balance, step="清洗", direction=FlowDirection.INPUT, name="新鲜水", quantity=Decimal("10")
    )
    stream = WasteStream.objects.create(audit=audit_a, name="清洗废水")
    cause = Cause.objects.create(stream=stream, aspect=Aspect.EQUIPMENT, description="喷嘴磨损")
    return {
        "audit": audit_a,
        "step": step,
        "phase": step.phase,
        "evidence": evidence,
        "member": member,
        "candidate": candidate,
        "criterion": criterion,
        "target": target,
        "balance": balance,
        "flow": flow,
        "stream": stream,
        "cause": cause,
    }
