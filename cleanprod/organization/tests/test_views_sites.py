import pytest
from django.test import Client
from django.urls import reverse

from cleanprod.metering.models import Meter, VirtualMeterTerm
from cleanprod.organization.models import OrganizationUnit, Site, UnitKind
from cleanprod.organization.tree import build_unit_tree

pytestmark = pytest.mark.django_db

SITE_LIST = reverse("organization:site-list")


def site_url(site: Site) -> str:
    return reverse("organization:site-detail", args=[site.pk])


def switch_to_english(client: Client) -> None:
    response = client.post(reverse("set_language"), {"language": "en", "next": SITE_LIST})
    assert response.status_code == 302


def test_site_list_shows_only_own_site(client_for, alice, site_a, site_b):
    response = client_for(alice).get(SITE_LIST)

    assert response.status_code == 200
    body = response.content.decode()
    assert "A 厂区" in body
    assert "B 厂区" not in body
    assert "华东精密铸造有限公司" in body
    assert site_url(site_a) in body
    assert site_url(site_b) not in body


def test_site_list_is_chinese_by_default(client_for, alice):
    body = client_for(alice).get(SITE_LIST).content.decode()

    assert 'lang="zh-hans"' in body
    assert "全过程清洁生产管理系统" in body
    assert "厂区" in body
    assert "1 个计量器具" in body


def test_site_list_in_english_after_switch(client_for, alice):
    client = client_for(alice)
    switch_to_english(client)

    body = client.get(SITE_LIST).content.decode()

    assert 'lang="en"' in body
    assert "Whole-process cleaner production management system" in body
    assert "1 meter" in body


def test_site_list_shows_all_sites_to_ehs_manager(client_for, erin, site_a, site_b):
    body = client_for(erin).get(SITE_LIST).content.decode()

    assert site_url(site_a) in body
    assert site_url(site_b) in body


def test_site_list_empty_for_outsider(client_for, charlie, site_a, site_b):
    response = client_for(charlie).get(SITE_LIST)

    assert response.status_code == 200
    assert list(response.context["sites"]) == []
    assert site_url(site_a) not in response.content.decode()


def test_site_list_counts_meters(client_for, erin, site_a, site_b, meter_a):
    Meter.objects.create(site=site_a, code="E-A-2", name="二号表", resource=meter_a.resource, unit="kWh")

    sites = {site.pk: site for site in client_for(erin).get(SITE_LIST).context["sites"]}

    assert sites[site_a.pk].meter_count == 2
    assert sites[site_b.pk].meter_count == 1


def test_root_redirects_to_site_list(client_for, alice):
    response = client_for(alice).get("/")

    assert response.status_code == 302
    assert response["Location"] == SITE_LIST


def test_site_detail_shows_tree_and_meters(client_for, alice, site_a, meter_a):
    furnace = site_a.units.get(code="ws1-line1-melt-furnace")
    sub = Meter.objects.create(
        site=site_a,
        organization_unit=furnace,
        parent=meter_a,
        code="E-A-FURNACE",
        name="中频炉电表",
        resource=meter_a.resource,
        unit="kWh",
    )
    loose = Meter.objects.create(site=site_a, code="E-A-LOOSE", name="临时表", resource=meter_a.resource, unit="kWh")
    virtual = Meter.objects.create(
        site=site_a, code="E-A-REST", name="其余用电", resource=meter_a.resource, unit="kWh", is_virtual=True
    )
    VirtualMeterTerm.objects.create(virtual_meter=virtual, source=meter_a, sign=1)
    VirtualMeterTerm.objects.create(virtual_meter=virtual, source=sub, sign=-1)

    response = client_for(alice).get(site_url(site_a))

    assert response.status_code == 200
    tree = response.context["tree"]
    assert [node.unit.code for node in tree] == ["air", "ws1"]
    workshop = tree[1]
    assert [entry.meter.code for entry in workshop.items] == ["E-A-MAIN"]
    assert [meter.code for meter in workshop.items[0].sub_meters] == ["E-A-FURNACE"]
    furnace_node = workshop.children[0].children[0].children[0]
    assert furnace_node.unit.code == "ws1-line1-melt-furnace"
    assert [entry.meter.code for entry in furnace_node.items] == ["E-A-FURNACE"]
    unattached = {entry.meter.code: entry for entry in response.context["unattached"]}
    assert set(unattached) == {"E-A-LOOSE", "E-A-REST"}
    assert [(term.source.code, term.sign) for term in unattached["E-A-REST"].terms] == [
        ("E-A-MAIN", 1),
        ("E-A-FURNACE", -1),
    ]
    body = response.content.decode()
    for meter in (meter_a, sub, loose, virtual):
        assert reverse("metering:meter-detail", args=[meter.pk]) in body
    assert "中频感应炉" in body
    assert '<span class="unit-kind">工序</span>' in body
    assert "虚拟" in body


def test_site_detail_in_english(client_for, alice, site_a):
    client = client_for(alice)
    switch_to_english(client)

    body = client.get(site_url(site_a)).content.decode()

    assert "Organisation tree" in body
    assert "utility system" in body


def test_site_detail_of_other_site_is_404(client_for, alice, bob, site_a, site_b):
    assert client_for(alice).get(site_url(site_b)).status_code == 404
    assert client_for(bob).get(site_url(site_a)).status_code == 404


def test_site_detail_404_for_outsider(client_for, charlie, site_a):
    assert client_for(charlie).get(site_url(site_a)).status_code == 404


def test_site_detail_for_auditor(client_for, carol, site_a):
    assert client_for(carol).get(site_url(site_a)).status_code == 200


@pytest.mark.parametrize("name", ["organization:site-list", "organization:site-detail"])
def test_anonymous_redirected_to_login(client, site_a, name):
    url = reverse(name, args=[site_a.pk] if name.endswith("detail") else [])

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_login_page_renders_in_chinese(client):
    response = client.get(reverse("login"))

    assert response.status_code == 200
    assert "登录" in response.content.decode()


def test_login_then_logout(client, alice):
    response = client.post(reverse("login"), {"username": "alice", "password": "a-long-test-password-1"})
    assert response.status_code == 302
    assert response["Location"] == SITE_LIST

    assert client.get(SITE_LIST).status_code == 200
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(SITE_LIST).status_code == 302


def test_tree_keeps_units_of_a_parent_cycle():
    first = OrganizationUnit(pk=1, code="a", name="A", kind=UnitKind.WORKSHOP, parent_id=2)
    second = OrganizationUnit(pk=2, code="b", name="B", kind=UnitKind.WORKSHOP, parent_id=1)
    root = OrganizationUnit(pk=3, code="c", name="C", kind=UnitKind.BUILDING, parent_id=None)

    tree = build_unit_tree([first, second, root], {1: ["meter"]})

    assert [node.unit.pk for node in tree] == [3, 1]
    assert [child.unit.pk for child in tree[1].children] == [2]
    assert tree[1].children[0].children == []
    assert tree[1].items == ["meter"]


def test_tree_treats_unknown_parent_as_root():
    orphan = OrganizationUnit(pk=5, code="x", name="X", kind=UnitKind.PROCESS, parent_id=99)

    no_items: dict[int, list[str]] = {}
    tree = build_unit_tree([orphan], no_items)

    assert [node.unit.pk for node in tree] == [5]
