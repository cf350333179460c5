"""Forms of the audit pages. Querysets are limited to the audit's site, so no form can reach another site."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib.auth.models import User
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Q, QuerySet
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from cleanprod.metering.models import Meter
from cleanprod.organization.models import ALL_SITE_ROLES, OrganizationUnit, Site
from cleanprod.resources.units import UnitError

from .balancing import meter_baseline_total
from .models import (
    AuditProject,
    Balance,
    BalanceFlow,
    Cause,
    FlowDirection,
    Step,
    Target,
    TargetIndicator,
    TeamMember,
    TeamRole,
    WasteStream,
)
from .services import leader_count, snapshot_baseline

MAX_EVIDENCE_BYTES = 20 * 1024 * 1024
# <input type="date"> accepts only ISO dates; the zh-hans locale format 2019/01/15 would show an empty field.
DATE_WIDGET_FORMAT = "%Y-%m-%d"


def site_users(site: Site) -> QuerySet[User]:
    """Active users with a membership on the site, or on every site."""
    return (
        User.objects.filter(is_active=True)
        .filter(Q(memberships__site=site) | Q(memberships__role__in=ALL_SITE_ROLES))
        .distinct()
        .order_by("username")
    )


def check_rate_fields(form: forms.BaseForm, names: tuple[str, ...]) -> None:
    """Check rate fields as fractions from 0 to 1 in the form, with one message naming the field and the fix.

    Without this, 25 entered for 25 % gets Django's message about digits before the decimal point.
    """
    for name in names:
        field = form.fields[name]
        message = gettext("%(field)s must be a fraction from 0 to 1; enter 25 %% as 0.25.") % {"field": field.label}
        # Django formats validator messages with the validator's params, so a literal percent sign is doubled.
        message = message.replace("%", "%%")
        field.validators.extend([MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))])
        for code in ("max_digits", "max_whole_digits", "min_value", "max_value"):
            field.error_messages[code] = message


class UserChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.get_full_name() or obj.get_username())


class ScopeUnitsField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    """Organisation units labelled with their site and code, because the create form lists several sites."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.site.name} · {obj.code} {obj.name}"


class AuditForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = AuditProject
        fields = [
            "site",
            "name",
            "kind",
            "trigger",
            "listed_on",
            "scope_units",
            "baseline_year",
            "started_on",
            "finished_on",
            "status",
            "low_cost_limit",
            "high_cost_limit",
            "tax_rate",
            "depreciation_years",
            "discount_rate",
            "report_overview",
            "enterprise_description",
            "continuous_plan",
            "conclusions",
        ]
        widgets = {
            "listed_on": forms.DateInput(attrs={"type": "date"}, format=DATE_WIDGET_FORMAT),
            "started_on": forms.DateInput(attrs={"type": "date"}, format=DATE_WIDGET_FORMAT),
            "finished_on": forms.DateInput(attrs={"type": "date"}, format=DATE_WIDGET_FORMAT),
            "scope_units": forms.CheckboxSelectMultiple,
            "report_overview": forms.Textarea(attrs={"rows": 4}),
            "enterprise_description": forms.Textarea(attrs={"rows": 4}),
            "continuous_plan": forms.Textarea(attrs={"rows": 4}),
            "conclusions": forms.Textarea(attrs={"rows": 4}),
        }
        field_classes = {"scope_units": ScopeUnitsField}

    def __init__(self, *args: Any, sites: QuerySet[Site], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        site_field = self.fields["site"]
        assert isinstance(site_field, forms.ModelChoiceField)
        site_field.queryset = sites
        check_rate_fields(self, ("tax_rate", "discount_rate"))
        units = self.fields["scope_units"]
        assert isinstance(units, forms.ModelMultipleChoiceField)
        if self.instance.pk is not None:
            # An audit stays on its site: the scope, team and balances refer to that site's units and users.
            site_field.disabled = True
            units.queryset = (
                OrganizationUnit.objects.filter(site_id=self.instance.site_id).select_related("site").order_by("code")
            )
        else:
            units.queryset = (
                OrganizationUnit.objects.filter(site__in=sites).select_related("site").order_by("site__name", "code")
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        site = cleaned.get("site")
        units = cleaned.get("scope_units")
        if site is not None and units is not None:
            foreign = [unit for unit in units if unit.site_id != site.pk]
            if foreign:
                self.add_error(
                    "scope_units",
                    forms.ValidationError(
                        _("%(units)s belong to another site; choose only units of %(site)s."),
                        code="unit_of_other_site",
                        params={"units": ", ".join(str(unit.name) for unit in foreign), "site": site.name},
                    ),
                )
        return cleaned


class TeamMemberForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = TeamMember
        fields = ["user", "name", "organisation", "role", "responsibilities"]
        widgets = {"responsibilities": forms.Textarea(attrs={"rows": 2})}
        labels = {"name": pgettext_lazy("person", "name")}
        field_classes = {"user": UserChoiceField}

    def __init__(self, *args: Any, audit: AuditProject, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.audit = audit
        user_field = self.fields["user"]
        assert isinstance(user_field, forms.ModelChoiceField)
        user_field.queryset = site_users(audit.site)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("user") is None and not cleaned.get("name", "").strip():
            self.add_error(
                "name",
                forms.ValidationError(
                    _("Choose a user of the site, or enter the name of an external person."), code="person_missing"
                ),
            )
        user = cleaned.get("user")
        if user is not None and self.audit.team.filter(user=user).exclude(pk=self.instance.pk).exists():
            self.add_error(
                "user",
                forms.ValidationError(
                    _("%(user)s is already in the audit team; edit that entry instead of adding the user again."),
                    code="duplicate_member",
                    params={"user": user.get_full_name() or user.get_username()},
                ),
            )
        if cleaned.get("role") == TeamRole.LEADER and leader_count(self.audit, exclude=self.instance) > 0:
            self.add_error(
                "role",
                forms.ValidationError(
                    _("The team already has a leader; an audit team has exactly one. Change the leader's role first."),
                    code="second_leader",
                ),
            )
        return cleaned


class StepForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Step
        fields = ["title", "owner", "due_on", "status"]
        widgets = {"due_on": forms.DateInput(attrs={"type": "date"}, format=DATE_WIDGET_FORMAT)}
        field_classes = {"owner": UserChoiceField}

    def __init__(self, *args: Any, audit: AuditProject, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner = self.fields["owner"]
        assert isinstance(owner, forms.ModelChoiceField)
        owner.queryset = site_users(audit.site)


class AddStepForm(forms.Form):
    title = forms.CharField(label=_("title"), max_length=300)


class CommentForm(forms.Form):
    text = forms.CharField(label=_("comment"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)


class EvidenceForm(forms.Form):
    file = forms.FileField(label=_("file"))
    description = forms.CharField(label=_("description"), max_length=300, required=False)

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_EVIDENCE_BYTES:
            raise forms.ValidationError(
                _("%(name)s is %(size)s MB; upload files of at most %(limit)s MB."),
                code="file_too_large",
                params={
                    "name": upload.name,
                    "size": round(upload.size / 1024 / 1024, 1),
                    "limit": MAX_EVIDENCE_BYTES // 1024 // 1024,
                },
            )
        return upload


class CriterionForm(forms.Form):
    label = forms.CharField(label=_("criterion"), max_length=100)
    weight = forms.DecimalField(label=_("weight"), min_value=Decimal("0"), max_value=Decimal("10"), decimal_places=2)


class CandidateForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("organisation unit"), queryset=OrganizationUnit.objects.none())

    def __init__(self, *args: Any, audit: AuditProject, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit = self.fields["unit"]
        assert isinstance(unit, forms.ModelChoiceField)
        unit.queryset = OrganizationUnit.objects.filter(site_id=audit.site_id).order_by("code")


class TargetForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Target
        fields = [
            "indicator",
            "name",
            "unit",
            "baseline_value",
            "near_term_value",
            "near_term_year",
            "long_term_value",
            "long_term_year",
        ]

    def __init__(self, *args: Any, snapshot_numbers: dict[str, Any] | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.snapshot_numbers = snapshot_numbers
        self.fields["baseline_value"].required = False
        self.fields["unit"].required = False
        self.fields["baseline_value"].help_text = _("Left empty, it is filled from the pre-assessment snapshot.")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        indicator = cleaned.get("indicator")
        if indicator == TargetIndicator.OTHER:
            if not cleaned.get("name", "").strip():
                self.add_error("name", forms.ValidationError(_("Name the indicator of this target."), code="name"))
        elif indicator and cleaned.get("baseline_value") is None:
            self._fill_baseline(cleaned, indicator)
        if cleaned.get("baseline_value") is None and indicator == TargetIndicator.OTHER:
            self.add_error(
                "baseline_value", forms.ValidationError(_("Enter the baseline value."), code="baseline_missing")
            )
        if not cleaned.get("unit") and indicator == TargetIndicator.OTHER:
            self.add_error("unit", forms.ValidationError(_("Enter the unit of the indicator."), code="unit_missing"))
        long_value, long_year = cleaned.get("long_term_value"), cleaned.get("long_term_year")
        if (long_value is None) != (long_year is None):
            self.add_error(
                "long_term_year",
                forms.ValidationError(
                    _("Enter both the long-term target and its year, or neither."), code="long_term_incomplete"
                ),
            )
        near_year = cleaned.get("near_term_year")
        if near_year is not None and long_year is not None and long_year < near_year:
            self.add_error(
                "long_term_year",
                forms.ValidationError(_("The long-term year must not be before the near-term year."), code="years"),
            )
        return cleaned

    def _fill_baseline(self, cleaned: dict[str, Any], indicator: str) -> None:
        if self.snapshot_numbers is None:
            self.add_error(
                "baseline_value",
                forms.ValidationError(
                    _("No pre-assessment snapshot was taken yet; take one, or enter the baseline value."),
                    code="no_snapshot",
                ),
            )
            return
        value, unit = snapshot_baseline(self.snapshot_numbers, indicator)
        if value is None:
            self.add_error(
                "baseline_value",
                forms.ValidationError(
                    _("The snapshot has no value for this indicator; enter the baseline value."), code="no_value"
                ),
            )
            return
        cleaned["baseline_value"] = value
        if not cleaned.get("unit"):
            cleaned["unit"] = unit


class BalanceForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Balance
        fields = ["kind", "name", "unit", "tolerance_percent"]


class FlowForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = BalanceFlow
        fields = ["step", "direction", "to_step", "name", "quantity", "estimated", "meter"]

    def __init__(self, *args: Any, balance: Balance, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.balance = balance
        self.fields["quantity"].required = False
        self.fields["quantity"].help_text = _("Leave empty to fill it from the meter's baseline-year total.")
        for name in ("step", "direction", "name"):
            field = self.fields[name]
            field.error_messages["required"] = gettext("%(field)s is missing; fill it in.") % {"field": field.label}
        meter = self.fields["meter"]
        assert isinstance(meter, forms.ModelChoiceField)
        meter.queryset = Meter.objects.filter(site_id=balance.audit.site_id, is_virtual=False).order_by("code")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        direction = cleaned.get("direction")
        if direction == FlowDirection.TRANSFER and not cleaned.get("to_step", "").strip():
            self.add_error(
                "to_step",
                forms.ValidationError(_("A transfer needs the step it goes to."), code="to_step_missing"),
            )
        if direction != FlowDirection.TRANSFER and cleaned.get("to_step"):
            cleaned["to_step"] = ""
        if direction == FlowDirection.TRANSFER and cleaned.get("to_step") == cleaned.get("step"):
            self.add_error(
                "to_step",
                forms.ValidationError(_("A transfer goes to another step; name a different step."), code="same_step"),
            )
        meter = cleaned.get("meter")
        # An invalid quantity, e.g. letters, already has its own error.
        if cleaned.get("quantity") is None and "quantity" not in self.errors:
            if meter is None:
                self.add_error(
                    "quantity",
                    forms.ValidationError(_("Enter the quantity, or choose a meter to fill it from."), code="quantity"),
                )
            else:
                self._fill_from_meter(cleaned, meter)
        return cleaned

    def _fill_from_meter(self, cleaned: dict[str, Any], meter: Meter) -> None:
        year = self.balance.audit.baseline_year
        try:
            total = meter_baseline_total(meter, year, self.balance.unit)
        except UnitError:
            self.add_error(
                "meter",
                forms.ValidationError(
                    _("Meter %(meter)s measures in %(meter_unit)s, which cannot be converted to %(unit)s."),
                    code="unit_mismatch",
                    params={
                        "meter": meter.code,
                        "meter_unit": meter.resource.canonical_unit,
                        "unit": self.balance.unit,
                    },
                ),
            )
            return
        cleaned["quantity"] = Decimal(str(round(total, 4)))


class WasteStreamForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = WasteStream
        fields = ["name", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}


class CauseForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Cause
        fields = ["stream", "aspect", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, audit: AuditProject, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        stream = self.fields["stream"]
        assert isinstance(stream, forms.ModelChoiceField)
        stream.queryset = audit.waste_streams.all()
