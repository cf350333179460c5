"""Implementation dates render as ISO values in zh-hans, so saving the form again keeps them."""

from datetime import date

from django.urls import reverse

from cleanprod.options.models import Implementation


def test_implementation_dates_kept_in_chinese(option_a, alice, client_for):
    Implementation.objects.create(
        option=option_a,
        start_on=date(2019, 1, 15),
        planned_completion_on=date(2019, 6, 30),
        in_service_on=date(2019, 7, 1),
        progress_percent=100,
    )
    client = client_for(alice)
    url = reverse("options:implementation", args=[option_a.pk])

    page = client.get(url).content.decode()
    assert 'name="start_on" value="2019-01-15"' in page
    assert 'name="planned_completion_on" value="2019-06-30"' in page
    assert 'name="in_service_on" value="2019-07-01"' in page

    data = {
        "start_on": "2019-01-15",
        "planned_completion_on": "2019-06-30",
        "in_service_on": "2019-07-01",
        "progress_percent": "100",
    }
    assert client.post(url, data).status_code == 302
    implementation = Implementation.objects.get(option=option_a)
    assert implementation.start_on == date(2019, 1, 15)
    assert implementation.planned_completion_on == date(2019, 6, 30)
    assert implementation.in_service_on == date(2019, 7, 1)
