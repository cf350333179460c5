"""Shared fixtures: one enterprise with two sites, their meters, and the persona users.

Personas: alice is site manager of site A, bob enters data on site B, carol audits site A
(read-only), erin is EHS manager of every site, charlie has no membership.
"""

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import translation
from pytest_django.fixtures import Settings

from cleanprod.metering.models import Meter
from cleanprod.organization.models import (
    Enterprise,
    Membership,
    OrganizationUnit,
    Role,
    Site,
    UnitKind,
)
from cleanprod.resources.models import Resource

PASSWORD = "a-long-test-password-1"  # noqa: S105 (password of the test users only)


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings: Settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _english_outside_requests() -> Iterator[None]:
    """Run code called directly by a test in English, the language of the msgids.

    Requests through the test client still pick their language in LocaleMiddleware, so pages
    are Chinese (LANGUAGE_CODE) unless the client switched to English.
    """
    with translation.override("en"):
        yield


@pytest.fixture
def media_root(settings: Settings, tmp_path: Path) -> Path:
    """Store uploaded and generated files under the test's temporary directory."""
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = root
    return root


@pytest.fixture
def enterprise(db: None) -> Enterprise:
    return Enterprise.objects.create(
        name="华东精密铸造有限公司",
        uscc="91320500MA1N2K3L4N",
        industry_code="C3391",
        province="江苏省",
    )


def _unit(site: Site, code: str, name: str, kind: str, parent: OrganizationUnit | None = None) -> OrganizationUnit:
    return OrganizationUnit.objects.create(site=site, code=code, name=name, kind=kind, parent=parent)


def _site_with_meter(enterprise: Enterprise, letter: str) -> Site:
    """Create site A or B: a four-level tree, a utility system and a main electricity meter."""
    site = Site.objects.create(enterprise=enterprise, code=f"site-{letter.lower()}", name=f"{letter} 厂区")
    workshop = _unit(site, "ws1", f"{letter} 铸造车间", UnitKind.WORKSHOP)
    line = _unit(site, "ws1-line1", f"{letter} 一号生产线", UnitKind.PRODUCTION_LINE, workshop)
    process = _unit(site, "ws1-line1-melt", f"{letter} 熔炼工序", UnitKind.PROCESS, line)
    _unit(site, "ws1-line1-melt-furnace", f"{letter} 中频感应炉", UnitKind.EQUIPMENT, process)
    _unit(site, "air", f"{letter} 空压系统", UnitKind.UTILITY_SYSTEM)
    Meter.objects.create(
        site=site,
        organization_unit=workshop,
        code=f"E-{letter}-MAIN",
        name=f"{letter} 总进线电表",
        resource=Resource.objects.get(code="electricity"),
        unit="kWh",
    )
    return site


@pytest.fixture
def site_a(enterprise: Enterprise) -> Site:
    return _site_with_meter(enterprise, "A")


@pytest.fixture
def site_b(enterprise: Enterprise) -> Site:
    return _site_with_meter(enterprise, "B")


@pytest.fixture
def meter_a(site_a: Site) -> Meter:
    return site_a.meters.get(code="E-A-MAIN")


@pytest.fixture
def meter_b(site_b: Site) -> Meter:
    return site_b.meters.get(code="E-B-MAIN")


def _persona(username: str, role: str | None = None, site: Site | None = None) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, first_name=username.title())
    if role is not None:
        Membership.objects.create(user=user, role=role, site=site)
    return user


@pytest.fixture
def alice(site_a: Site) -> User:
    return _persona("alice", Role.SITE_MANAGER, site_a)


@pytest.fixture
def bob(site_b: Site) -> User:
    return _persona("bob", Role.DATA_ENTRY, site_b)


@pytest.fixture
def carol(site_a: Site) -> User:
    return _persona("carol", Role.AUDITOR, site_a)


@pytest.fixture
def erin(site_a: Site, site_b: Site) -> User:
    return _persona("erin", Role.EHS_MANAGER)


@pytest.fixture
def charlie(db: None) -> User:
    return _persona("charlie")


@pytest.fixture
def client_for(db: None) -> Callable[[User], Client]:
    """Return a function that gives a test client logged in as the user."""

    def make_client(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make_client
