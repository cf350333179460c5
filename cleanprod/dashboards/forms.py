from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from cleanprod.metering.forms import MAX_PERIOD_DAYS
from cleanprod.resources.models import Resource

from .periods import PERIOD_KIND_CHOICES, Period, PeriodKind, period_containing

DATE_WIDGET_FORMAT = "%Y-%m-%d"


class DashboardPeriodForm(forms.Form):
    """The period of a dashboard, read from the query string.

    A calendar period (day to year) is the one containing ``day``. A custom period runs from
    ``start`` to ``end``, both included. ``product`` chooses the denominator of the energy per
    unit of product. The field exists only when the caller passes products and there is at least one.
    """

    kind = forms.ChoiceField(
        label=_("Period"),
        choices=PERIOD_KIND_CHOICES,
        required=False,
        error_messages={"invalid_choice": _("%(value)s is not a period; choose day, week, month, quarter or year.")},
    )
    day = forms.DateField(
        label=_("Day in the period"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format=DATE_WIDGET_FORMAT),
        error_messages={"invalid": _("Enter the day as a date in the form YYYY-MM-DD.")},
    )
    start = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format=DATE_WIDGET_FORMAT),
        error_messages={"invalid": _("Enter the first day as a date in the form YYYY-MM-DD.")},
    )
    end = forms.DateField(
        label=_("To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format=DATE_WIDGET_FORMAT),
        error_messages={"invalid": _("Enter the last day as a date in the form YYYY-MM-DD.")},
    )
    product = forms.ModelChoiceField(
        label=_("Product"),
        queryset=Resource.objects.none(),
        required=False,
        to_field_name="code",
        empty_label=None,
        error_messages={"invalid_choice": _("This site has no production records of the chosen product.")},
    )

    def __init__(self, *args: Any, products: QuerySet[Resource] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        product_field = self.fields["product"]
        assert isinstance(product_field, forms.ModelChoiceField)
        if products is None or not products.exists():
            del self.fields["product"]
        else:
            product_field.queryset = products

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("kind") != PeriodKind.CUSTOM:
            return cleaned
        start: date | None = cleaned.get("start")
        end: date | None = cleaned.get("end")
        if "start" in self.errors or "end" in self.errors:
            return cleaned
        if start is None or end is None:
            raise ValidationError(
                _("A custom period needs both its first and its last day."), code="custom_period_incomplete"
            )
        if end < start:
            raise ValidationError(
                _("The last day %(end)s is before the first day %(start)s; swap the two dates."),
                code="period_reversed",
                params={"start": start.isoformat(), "end": end.isoformat()},
            )
        days = (end - start).days + 1
        if days > MAX_PERIOD_DAYS:
            raise ValidationError(
                _("The period from %(start)s to %(end)s has %(days)d days; choose at most %(max)d days."),
                code="period_too_long",
                params={"start": start.isoformat(), "end": end.isoformat(), "days": days, "max": MAX_PERIOD_DAYS},
            )
        return cleaned

    def period(self, default_day: date) -> Period:
        """Return the chosen period; call only after is_valid() returned True.

        Without a kind the period is the month, and without a day it is the one containing ``default_day``.
        """
        kind = PeriodKind(self.cleaned_data.get("kind") or PeriodKind.MONTH)
        if kind is PeriodKind.CUSTOM:
            return Period(kind, self.cleaned_data["start"], self.cleaned_data["end"])
        return period_containing(kind, self.cleaned_data.get("day") or default_day)
