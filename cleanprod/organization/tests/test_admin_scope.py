import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from cleanprod.metering.models import Finding, FindingStatus, Meter
from cleanprod.organization.models import Membership, Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_alice(alice):
    """Alice as staff with the model permissions for meters, findings and memberships."""
    alice.is_staff = True
    alice.save()
    codenames = ["view_meter", "change_meter", "view_finding", "change_finding", "view_membership", "add_membership"]
    alice.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    return alice


def test_admin_meter_list_scoped_to_own_site(client_for, staff_alice, meter_a, meter_b):
    response = client_for(staff_alice).get(reverse("admin:metering_meter_changelist"))

    assert response.status_code == 200
    assert list(response.context["cl"].queryset) == [meter_a]


def test_admin_meter_of_other_site_not_reachable(client_for, staff_alice, meter_b):
    client = client_for(staff_alice)

    change = client.get(reverse("admin:metering_meter_change", args=[meter_b.pk]))
    history = client.get(reverse("admin:metering_meter_history", args=[meter_b.pk]))

    # The admin redirects to its index for an object outside the queryset.
    assert change.status_code == 302
    assert history.status_code == 403


def test_admin_meter_of_own_site_editable(client_for, staff_alice, meter_a):
    response = client_for(staff_alice).get(reverse("admin:metering_meter_change", args=[meter_a.pk]))

    assert response.status_code == 200
    site_field = response.context["adminform"].form.fields["site"]
    assert [site.code for site in site_field.queryset] == ["site-a"]


def test_admin_superuser_sees_every_site(client_for, meter_a, meter_b, django_user_model):
    root = django_user_model.objects.create_superuser("root", password="a-long-test-password-1")

    response = client_for(root).get(reverse("admin:metering_meter_changelist"))

    assert set(response.context["cl"].queryset) == {meter_a, meter_b}


def test_admin_membership_roles_limited_for_non_superuser(client_for, staff_alice):
    response = client_for(staff_alice).get(reverse("admin:organization_membership_add"))

    roles = [value for value, _ in response.context["adminform"].form.fields["role"].choices if value]
    assert Role.EHS_MANAGER not in roles
    assert Role.ADMINISTRATOR not in roles
    assert Role.DATA_ENTRY in roles


def test_admin_memberships_of_other_site_hidden(client_for, staff_alice, bob, erin):
    response = client_for(staff_alice).get(reverse("admin:organization_membership_changelist"))

    listed_memberships = set(response.context["cl"].queryset)
    assert listed_memberships == set(Membership.objects.filter(user=staff_alice))


def test_admin_finding_review_action(client_for, staff_alice, meter_a, meter_b):
    from datetime import UTC, datetime

    own = Finding.objects.create(meter=meter_a, timestamp=datetime(2024, 3, 1, tzinfo=UTC), code="counter.gap")
    other = Finding.objects.create(meter=meter_b, timestamp=datetime(2024, 3, 1, tzinfo=UTC), code="counter.gap")

    response = client_for(staff_alice).post(
        reverse("admin:metering_finding_changelist"),
        {"action": "mark_reviewed", "_selected_action": [own.pk, other.pk]},
    )

    assert response.status_code == 302
    own.refresh_from_db()
    other.refresh_from_db()
    assert own.status == FindingStatus.REVIEWED
    assert other.status == FindingStatus.OPEN


def test_admin_readings_need_a_meter(client_for, meter_a, django_user_model):
    root = django_user_model.objects.create_superuser("root", password="a-long-test-password-1")
    client = client_for(root)
    url = reverse("admin:metering_reading_changelist")

    assert client.get(url).status_code == 200
    assert client.get(url, {"meter": meter_a.pk}).status_code == 200


def test_admin_pages_render_for_superuser(client_for, meter_a, django_user_model):
    root = django_user_model.objects.create_superuser("root", password="a-long-test-password-1")
    client = client_for(root)

    for name in [
        "organization_enterprise",
        "organization_site",
        "organization_organizationunit",
        "organization_membership",
        "resources_resource",
        "resources_factor",
        "metering_meter",
        "metering_meterreplacement",
        "metering_finding",
        "metering_importbatch",
        "metering_readingchange",
        "metering_hourlyrollup",
        "metering_dailyrollup",
        "production_productionrecord",
        "ingest_datasource",
        "ingest_importjob",
    ]:
        assert client.get(reverse(f"admin:{name}_changelist")).status_code == 200, name
    assert client.get(reverse("admin:metering_meter_add")).status_code == 200
    assert Meter.objects.count() == 1
