"""Forms of the option pages: the option with its effects, status changes, implementation and verification."""

from typing import Any

from django import forms
from django.forms import BaseModelFormSet, inlineformset_factory, modelformset_factory
from django.utils.translation import gettext_lazy as _

from cleanprod.audits.forms import check_rate_fields
from cleanprod.metering.models import Meter
from cleanprod.resources.models import Category, Resource

from .models import (
    Aspect,
    Conclusion,
    ExtraCashFlow,
    Feasibility,
    Implementation,
    Option,
    OptionEffect,
    ScreeningCriterion,
    Verification,
)
from .workflow import CostClass, OptionStatus


class OptionForm(forms.ModelForm[Option]):
    class Meta:
        model = Option
        fields = ["title", "description", "source", "aspect", "investment"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}


class EffectForm(forms.ModelForm[OptionEffect]):
    class Meta:
        model = OptionEffect
        fields = ["resource", "annual_quantity", "unit"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["resource"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Resource.objects.exclude(category=Category.PRODUCT).order_by("category", "code")


EffectFormSet = inlineformset_factory(
    Option, OptionEffect, form=EffectForm, extra=2, can_delete=True, fields=["resource", "annual_quantity", "unit"]
)


class OptionFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("status"), required=False, choices=[("", "—"), *OptionStatus.choices])
    cost_class = forms.ChoiceField(label=_("cost class"), required=False, choices=[("", "—"), *CostClass.choices])
    aspect = forms.ChoiceField(label=_("aspect"), required=False, choices=[("", "—"), *Aspect.choices])


class TransitionForm(forms.Form):
    target = forms.ChoiceField(label=_("new status"), choices=OptionStatus.choices)
    comment = forms.CharField(
        label=_("reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when rejecting an option or finding it not feasible."),
    )


class DateInput(forms.DateInput):
    """Date picker rendering ISO dates, the only format <input type="date"> accepts, whatever the locale."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None, format: str | None = "%Y-%m-%d") -> None:
        super().__init__(attrs, format)


class ImplementationForm(forms.ModelForm[Implementation]):
    class Meta:
        model = Implementation
        fields = [
            "start_on",
            "planned_completion_on",
            "responsible",
            "progress_percent",
            "notes",
            "actual_investment",
            "in_service_on",
        ]
        widgets = {
            "start_on": DateInput,
            "planned_completion_on": DateInput,
            "in_service_on": DateInput,
            "notes": forms.Textarea(attrs={"rows": 3}),
        }


class VerificationForm(forms.ModelForm[Verification]):
    class Meta:
        model = Verification
        fields = ["meters", "product", "before_start", "before_end", "after_start", "after_end"]
        widgets = {
            "meters": forms.CheckboxSelectMultiple,
            "before_start": DateInput,
            "before_end": DateInput,
            "after_start": DateInput,
            "after_end": DateInput,
        }

    def __init__(self, *args: Any, site_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        meters = self.fields["meters"]
        assert isinstance(meters, forms.ModelMultipleChoiceField)
        # Only meters of the audit's own site can show the option's effect.
        meters.queryset = Meter.objects.filter(site_id=site_id).order_by("code")
        product = self.fields["product"]
        assert isinstance(product, forms.ModelChoiceField)
        product.queryset = Resource.objects.filter(category=Category.PRODUCT).order_by("code")


class FeasibilityForm(forms.ModelForm[Feasibility]):
    class Meta:
        model = Feasibility
        fields = [
            "technical_assessment",
            "environmental_assessment",
            "investment",
            "subsidy",
            "revenue_increase",
            "cost_saving",
            "tax_rate",
            "depreciation_years",
            "discount_rate",
            "life_years",
            "override_note",
        ]
        widgets = {
            "technical_assessment": forms.Textarea(attrs={"rows": 4}),
            "environmental_assessment": forms.Textarea(attrs={"rows": 4}),
            "override_note": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        check_rate_fields(self, ("tax_rate", "discount_rate"))


class ExtraFlowForm(forms.ModelForm[ExtraCashFlow]):
    class Meta:
        model = ExtraCashFlow
        fields = ["year", "amount", "note"]


ExtraFlowFormSet = inlineformset_factory(
    Feasibility, ExtraCashFlow, form=ExtraFlowForm, extra=1, can_delete=True, fields=["year", "amount", "note"]
)


class ConclusionForm(forms.Form):
    conclusion = forms.ChoiceField(label=_("conclusion"), choices=Conclusion.choices)
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 2}))


class CriterionForm(forms.ModelForm[ScreeningCriterion]):
    class Meta:
        model = ScreeningCriterion
        fields = ["key", "label", "weight", "order"]


class BaseCriterionFormSet(BaseModelFormSet[ScreeningCriterion, CriterionForm]):
    def clean(self) -> None:
        super().clean()
        seen: set[str] = set()
        for form in self.forms:
            if not form.has_changed() and form.instance.pk is None:
                continue
            if form.cleaned_data.get("DELETE"):
                continue
            key = form.cleaned_data.get("key")
            if key in seen:
                message = _("The key %(key)s is used twice; give each criterion its own key.") % {"key": key}
                form.add_error("key", message)
            if key:
                seen.add(key)


CriterionFormSet = modelformset_factory(
    ScreeningCriterion,
    form=CriterionForm,
    formset=BaseCriterionFormSet,
    fields=["key", "label", "weight", "order"],
    extra=1,
    can_delete=True,
)


def score_field_name(option_pk: int, criterion_pk: int) -> str:
    return f"score-{option_pk}-{criterion_pk}"
