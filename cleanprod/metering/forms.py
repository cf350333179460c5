from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# A period of three years is at most 1,096 daily bars; longer periods belong in reports.
MAX_PERIOD_DAYS = 1096


class PeriodForm(forms.Form):
    """The local days shown on the meter page; both ends are included."""

    start = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter the first day as a date in the form YYYY-MM-DD.")},
    )
    end = forms.DateField(
        label=_("To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter the last day as a date in the form YYYY-MM-DD.")},
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start: date | None = cleaned.get("start")
        end: date | None = cleaned.get("end")
        if start is None or end is None:
            return cleaned
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
