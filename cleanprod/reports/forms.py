"""The form that issues a report for a site, or for the enterprise of that site."""

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import ReportKind

FIRST_YEAR = 2000


class IssueReportForm(forms.Form):
    site = forms.IntegerField(widget=forms.HiddenInput, required=False)
    kind = forms.ChoiceField(label=_("kind"), choices=ReportKind.choices, initial=ReportKind.MONTHLY)
    year = forms.IntegerField(label=_("year"), min_value=FIRST_YEAR)
    month = forms.IntegerField(
        label=_("month"), min_value=1, max_value=12, required=False, help_text=_("Needed for a monthly report.")
    )
    whole_enterprise = forms.BooleanField(
        label=_("whole enterprise"),
        required=False,
        help_text=_("Sum every site of this site's enterprise on which you may issue reports."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["year"].initial = today.year
        self.fields["month"].initial = today.month

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("kind") == ReportKind.MONTHLY and cleaned.get("month") is None:
            self.add_error("month", forms.ValidationError(_("A monthly report needs a month."), code="month_missing"))
        year = cleaned.get("year")
        if year is not None and year > timezone.localdate().year:
            self.add_error(
                "year",
                forms.ValidationError(
                    _("%(value)s is in the future; choose this year or an earlier one."),
                    code="future_year",
                    params={"value": year},
                ),
            )
        return cleaned
