"""Forms of the alert pages: rules, calendar, overrides, channels and responses."""

import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cleanprod.metering.models import Meter
from cleanprod.organization.models import OrganizationUnit, Site
from cleanprod.resources.models import Resource

from .models import AlertRule, CalendarOverride, EventAction, NotificationChannel, RuleTarget, Shift


class ParametersField(forms.CharField):
    """JSON object text; the rule's clean() checks the names and values per kind."""

    widget = forms.Textarea(attrs={"rows": 3, "cols": 50})

    def to_python(self, value: Any) -> Any:
        text = super().to_python(value)
        if not text:
            return {}
        try:
            return json.loads(text)
        except ValueError:
            raise forms.ValidationError(
                _(
                    "Parameters are not valid JSON. Write an object of names and values in double quotes, such as "
                    '{"above": 120, "period": "hour"} for a threshold. The table below lists the names of each kind.'
                ),
                code="invalid_json",
            ) from None

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, dict):
            return json.dumps(value, ensure_ascii=False)
        return value


class AlertRuleForm(forms.ModelForm[AlertRule]):
    parameters = ParametersField(
        label=_("Parameters"),
        required=False,
        help_text=_("JSON object; empty means the defaults of the kind. The table below lists the parameters."),
    )

    class Meta:
        model = AlertRule
        fields = [
            "name",
            "kind",
            "meter",
            "organization_unit",
            "target",
            "resource",
            "parameters",
            "severity",
            "enabled",
            "channels",
        ]

    def __init__(self, *args: Any, site: Site, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.site = site
        self.fields["meter"].queryset = Meter.objects.filter(site=site).order_by("code")  # type: ignore[attr-defined]
        self.fields["organization_unit"].queryset = OrganizationUnit.objects.filter(site=site).order_by("code")  # type: ignore[attr-defined]
        self.fields["resource"].queryset = Resource.objects.filter(meters__site=site).distinct().order_by("code")  # type: ignore[attr-defined]
        self.fields["channels"].queryset = NotificationChannel.objects.filter(site=site)  # type: ignore[attr-defined]
        self.fields["channels"].required = False
        self.fields["meter"].help_text = _("Empty: every meter of the site (or of the organisation unit).")
        # Forms and API clients written before unit totals send no target, which means each meter.
        self.fields["target"].required = False

    def clean_target(self) -> str:
        return self.cleaned_data.get("target") or RuleTarget.EACH_METER


class ShiftForm(forms.ModelForm[Shift]):
    class Meta:
        model = Shift
        fields = ["weekday", "start", "end"]
        widgets = {"start": forms.TimeInput(attrs={"type": "time"}), "end": forms.TimeInput(attrs={"type": "time"})}


class CalendarOverrideForm(forms.ModelForm[CalendarOverride]):
    class Meta:
        model = CalendarOverride
        fields = ["day", "working", "start", "end", "note"]
        widgets = {
            "day": forms.DateInput(attrs={"type": "date"}),
            "start": forms.TimeInput(attrs={"type": "time"}),
            "end": forms.TimeInput(attrs={"type": "time"}),
        }

    def __init__(self, *args: Any, calendar_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.calendar_id = calendar_id

    def clean_day(self) -> Any:
        day = self.cleaned_data["day"]
        if CalendarOverride.objects.filter(calendar_id=self.calendar_id, day=day).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(
                _("%(day)s already has an override; delete it first to change it.") % {"day": day}, code="duplicate"
            )
        return day


class ChannelForm(forms.ModelForm[NotificationChannel]):
    class Meta:
        model = NotificationChannel
        fields = ["name", "kind", "webhook_format", "target", "enabled", "min_severity"]


class RespondForm(forms.Form):
    action = forms.ChoiceField(
        choices=[
            (EventAction.ACKNOWLEDGE, _("Acknowledge")),
            (EventAction.COMMENT, _("Comment")),
            (EventAction.RESOLVE, _("Resolve")),
            (EventAction.REOPEN, _("Reopen")),
        ]
    )
    text = forms.CharField(label=_("comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
