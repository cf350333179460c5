"""Option pages and downloads as the personas use them, including site isolation and read-only roles."""

from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from cleanprod.options.models import Implementation, Option, OptionScore, Verification
from cleanprod.options.screening import ensure_criteria
from cleanprod.options.workflow import OptionStatus
from cleanprod.organization.models import Membership, Role
from cleanprod.resources.models import Resource

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}

OPTION_FORM = {
    "title": "余热回收",
    "description": "",
    "source": "employee",
    "aspect": "equipment",
    "investment": "3",
    "effects-TOTAL_FORMS": "1",
    "effects-INITIAL_FORMS": "0",
    "effects-MIN_NUM_FORMS": "0",
    "effects-MAX_NUM_FORMS": "1000",
}


def _effect(unit: str) -> dict[str, str]:
    electricity = Resource.objects.get(code="electricity")
    return {"effects-0-resource": str(electricity.pk), "effects-0-annual_quantity": "20", "effects-0-unit": unit}


def _pages(audit_pk: int, option_pk: int) -> list[str]:
    return [
        reverse("options:list", args=[audit_pk]),
        reverse("options:register-xlsx", args=[audit_pk]),
        reverse("options:detail", args=[option_pk]),
    ]


def _change_pages(audit_pk: int, option_pk: int) -> list[str]:
    return [
        reverse("options:create", args=[audit_pk]),
        reverse("options:edit", args=[option_pk]),
        reverse("options:implementation", args=[option_pk]),
        reverse("options:verification", args=[option_pk]),
    ]


def test_pages_open_for_site_manager(option_a, alice, client_for):
    client = client_for(alice)
    for url in _pages(option_a.audit_id, option_a.pk) + _change_pages(option_a.audit_id, option_a.pk):
        assert client.get(url).status_code == 200, url


def test_auditor_reads_but_cannot_change(option_a, carol, client_for):
    client = client_for(carol)
    for url in _pages(option_a.audit_id, option_a.pk):
        assert client.get(url).status_code == 200, url
    for url in _change_pages(option_a.audit_id, option_a.pk):
        assert client.get(url).status_code == 403, url
        assert client.post(url, {}).status_code == 403, url
    response = client.post(reverse("options:transition", args=[option_a.pk]), {"target": "screened_in"})

    assert response.status_code == 403
    option_a.refresh_from_db()
    assert option_a.status == OptionStatus.PROPOSED
    assert "Edit" not in client.get(reverse("options:detail", args=[option_a.pk]), **EN).content.decode()


@pytest.mark.parametrize("persona", ["bob", "charlie"])
def test_other_site_gets_404(persona, option_a, client_for, request):
    client = client_for(request.getfixturevalue(persona))
    urls = _pages(option_a.audit_id, option_a.pk) + _change_pages(option_a.audit_id, option_a.pk)
    urls.append(reverse("options:transition", args=[option_a.pk]))
    for url in urls:
        assert client.get(url).status_code in (404, 405), url
        assert client.post(url, {"target": "screened_in"}).status_code == 404, url


def test_erin_sees_both_sites(option_a, option_b, erin, client_for):
    client = client_for(erin)

    assert client.get(reverse("options:detail", args=[option_a.pk])).status_code == 200
    assert client.get(reverse("options:detail", args=[option_b.pk])).status_code == 200


def test_create_option_with_effect(audit_a, alice, client_for):
    response = client_for(alice).post(reverse("options:create", args=[audit_a.pk]), {**OPTION_FORM, **_effect("MWh")})

    option = Option.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("options:detail", args=[option.pk])
    assert option.code == "F1"
    assert option.created_by == alice
    assert option.effects.get().unit == "MWh"


def test_create_rejects_wrong_unit_and_keeps_input(audit_a, alice, client_for):
    response = client_for(alice).post(
        reverse("options:create", args=[audit_a.pk]), {**OPTION_FORM, **_effect("m3")}, **EN
    )

    content = response.content.decode()
    assert response.status_code == 400
    assert Option.objects.count() == 0
    assert "cannot be converted to kWh" in content
    assert "余热回收" in content


def test_list_filters_by_cost_class(audit_a, alice, client_for):
    from .conftest import make_option

    make_option(audit_a, "便宜", "1")
    make_option(audit_a, "贵", "80")
    client = client_for(alice)

    content = client.get(reverse("options:list", args=[audit_a.pk]), {"cost_class": "high"}).content.decode()

    assert "贵" in content
    assert "便宜" not in content


def test_illegal_transition_shows_message(option_a, alice, client_for):
    client = client_for(alice)
    client.post(reverse("options:transition", args=[option_a.pk]), {"target": "screened_in"})

    response = client.post(reverse("options:transition", args=[option_a.pk]), {"target": "implementing"}, **EN)

    option_a.refresh_from_db()
    assert response.status_code == 400
    assert option_a.status == OptionStatus.SCREENED_IN
    assert "feasibility" in response.content.decode()


def test_rejection_needs_comment_on_page(option_a, alice, client_for):
    client = client_for(alice)
    url = reverse("options:transition", args=[option_a.pk])

    assert client.post(url, {"target": "rejected"}).status_code == 400
    assert client.post(url, {"target": "rejected", "comment": "已有同类方案"}).status_code == 302

    option_a.refresh_from_db()
    assert option_a.status == OptionStatus.REJECTED
    page = client.get(reverse("options:detail", args=[option_a.pk])).content.decode()
    assert "已有同类方案" in page


def test_detail_shows_history(option_a, alice, client_for):
    client = client_for(alice)
    client.post(reverse("options:edit", args=[option_a.pk]), {**OPTION_FORM, "title": "新标题"})

    page = client.get(reverse("options:detail", args=[option_a.pk]), **EN).content.decode()

    assert "title: 空压机变频改造 → 新标题" in page


def test_history_shows_status_change(option_a, alice, client_for):
    client = client_for(alice)
    client.post(reverse("options:transition", args=[option_a.pk]), {"target": "screened_in", "comment": ""})

    page = client.get(reverse("options:detail", args=[option_a.pk])).content.decode()

    assert "状态: 已提出 → 已列入" in page
    assert "保存，无变化" not in page


def test_implementation_form_rejects_service_before_start(option_a, alice, client_for):
    response = client_for(alice).post(
        reverse("options:implementation", args=[option_a.pk]),
        {"start_on": "2023-05-01", "in_service_on": "2023-04-01", "progress_percent": "10"},
        **EN,
    )

    assert response.status_code == 400
    assert "before the start" in response.content.decode()
    assert not Implementation.objects.exists()


def test_verification_form_offers_only_site_meters(option_a, meter_a, meter_b, alice, client_for):
    client = client_for(alice)
    url = reverse("options:verification", args=[option_a.pk])

    rejected = client.post(url, {"meters": [meter_b.pk]})
    accepted = client.post(url, {"meters": [meter_a.pk], "before_start": "2023-01-01", "before_end": "2023-01-31"})

    assert rejected.status_code == 400
    assert accepted.status_code == 302
    assert list(Verification.objects.get().meters.all()) == [meter_a]


def test_register_workbook_contents(option_a, alice, client_for):
    client = client_for(alice)
    response = client.get(reverse("options:register-xlsx", args=[option_a.audit_id]), **EN)

    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert rows[0][:5] == ("code", "title", "aspect", "source", "cost class")
    assert rows[1][0] == "F1"
    assert rows[1][4] == "medium cost"
    assert rows[1][5] == 30.0
    assert rows[1][6] == "Electricity 100 MWh"
    assert rows[1][7] == pytest.approx(53.66)
    assert rows[1][8] == "proposed"


def test_register_workbook_headers_in_chinese(option_a, alice, client_for):
    response = client_for(alice).get(reverse("options:register-xlsx", args=[option_a.audit_id]))

    sheet = load_workbook(BytesIO(response.content)).active
    assert sheet.cell(row=1, column=2).value == "标题"
    assert sheet.cell(row=2, column=7).value == "电力 100 MWh"


def test_low_cost_option_implemented_and_verified(audit_a, alice, client_for):
    from .conftest import make_option

    option = make_option(audit_a, "关闭空载设备", "0")
    client = client_for(alice)
    url = reverse("options:transition", args=[option.pk])
    for target in ("implementing", "implemented", "verified"):
        assert client.post(url, {"target": target}).status_code == 302, target

    option.refresh_from_db()
    assert option.status == OptionStatus.VERIFIED
    assert [t.to_status for t in option.transitions.order_by("at", "pk")] == ["implementing", "implemented", "verified"]


def test_feasible_only_through_conclusion(option_a, alice, client_for):
    client = client_for(alice)
    url = reverse("options:transition", args=[option_a.pk])
    client.post(url, {"target": "screened_in"})

    response = client.post(url, {"target": "feasible"}, **EN)

    option_a.refresh_from_db()
    assert response.status_code == 400
    assert "feasibility analysis page" in response.content.decode()
    assert option_a.status == OptionStatus.SCREENED_IN


def test_duplicate_effect_resource_rejected(audit_a, alice, client_for):
    electricity = Resource.objects.get(code="electricity")
    data = {
        **OPTION_FORM,
        "effects-TOTAL_FORMS": "2",
        **_effect("MWh"),
        "effects-1-resource": str(electricity.pk),
        "effects-1-annual_quantity": "5",
        "effects-1-unit": "kWh",
    }

    response = client_for(alice).post(reverse("options:create", args=[audit_a.pk]), data, **EN)

    assert response.status_code == 400
    assert Option.objects.count() == 0


def test_admin_lists_options(option_a, client_for, django_user_model):
    admin_user = django_user_model.objects.create_superuser("root", password="a-long-test-password-1")
    client = client_for(admin_user)

    for name in ("option", "screeningcriterion", "optionscore", "feasibility", "implementation", "verification"):
        assert client.get(reverse(f"admin:options_{name}_changelist")).status_code == 200, name
    assert client.get(reverse("admin:options_option_change", args=[option_a.pk])).status_code == 200


def test_consultant_may_change_options(audit_a, site_a, client_for, django_user_model):
    consultant = django_user_model.objects.create_user("dora", password="a-long-test-password-1")
    Membership.objects.create(user=consultant, role=Role.CONSULTANT, site=site_a)

    response = client_for(consultant).post(reverse("options:create", args=[audit_a.pk]), OPTION_FORM)

    assert response.status_code == 302
    assert Option.objects.get().created_by == consultant


def test_rejection_from_screening_stays_there(option_a, alice, client_for):
    ensure_criteria(option_a.audit)
    for criterion in option_a.audit.screening_criteria.all():
        OptionScore.objects.create(option=option_a, criterion=criterion, score=Decimal("5"))
    screening_url = reverse("options:screening", args=[option_a.audit_id])

    response = client_for(alice).post(
        reverse("options:transition", args=[option_a.pk]),
        {"target": "rejected", "comment": "", "next": screening_url},
        **EN,
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert response.request["PATH_INFO"] == reverse("options:transition", args=[option_a.pk])
    assert "<h1>Screening of options</h1>" in page
    reason_box = page.split('aria-invalid="true"')[1].split("</ul>")[0]
    assert "Give the reason for this decision" in reason_box
    option_a.refresh_from_db()
    assert option_a.status == OptionStatus.PROPOSED
