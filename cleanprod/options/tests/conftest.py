"""Audits of site A and B with options, shared by the option tests."""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import User

from cleanprod.audits.models import AuditProject
from cleanprod.options.models import Aspect, Option, OptionEffect
from cleanprod.options.services import create_option
from cleanprod.organization.models import Site
from cleanprod.resources.models import Resource


def make_audit(site: Site, name: str) -> AuditProject:
    return AuditProject.objects.create(
        site=site,
        name=name,
        baseline_year=2022,
        started_on=date(2023, 3, 1),
        low_cost_limit=Decimal("5"),
        high_cost_limit=Decimal("50"),
    )


def make_option(audit: AuditProject, title: str, investment: str, user: User | None = None) -> Option:
    return create_option(
        Option(audit=audit, title=title, aspect=Aspect.EQUIPMENT, investment=Decimal(investment)), acting_user=user
    )


@pytest.fixture
def audit_a(site_a: Site) -> AuditProject:
    return make_audit(site_a, "A 第一轮清洁生产审核")


@pytest.fixture
def audit_b(site_b: Site) -> AuditProject:
    return make_audit(site_b, "B 第一轮清洁生产审核")


@pytest.fixture
def option_a(audit_a: AuditProject) -> Option:
    option = make_option(audit_a, "空压机变频改造", "30")
    OptionEffect.objects.create(
        option=option, resource=Resource.objects.get(code="electricity"), annual_quantity=Decimal("100"), unit="MWh"
    )
    return option


@pytest.fixture
def option_b(audit_b: AuditProject) -> Option:
    return make_option(audit_b, "B 照明改造", "2")
