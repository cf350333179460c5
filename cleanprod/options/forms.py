"""Forms of the option pages: the option with its effects, status changes, implementation and verification."""

from typing import Any

from django import forms
from django.forms import inlineformset_factory
from django.utils.translation import gettext_lazy as _

from cleanprod.metering.models import Meter
from cleanprod.resources.models import Category, Resource

from .models import Aspect, Implementation, Option, OptionEffect, Verification
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
        label=_("comment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when rejecting an option or finding it not feasible."),
    )


class DateInput(forms.DateInput):
    input_type = "date"


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
