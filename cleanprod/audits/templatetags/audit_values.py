"""Template filters that show stored snapshot values: a number, or the translated reason it is missing."""

from typing import Any

from django import template
from django.template.defaultfilters import floatformat
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from cleanprod.audits.models import BalanceKind
from cleanprod.indicators.formulas import UNDEFINED_REASONS
from cleanprod.resources.models import FactorKind, Resource

register = template.Library()


@register.filter
def snapshot_value(value: Any, places: int = 2) -> str:
    """Format ``{"value": number | None, "reason": code | None}`` or a bare number."""
    if isinstance(value, dict):
        if value.get("value") is None:
            reason = value.get("reason")
            return str(UNDEFINED_REASONS[reason]) if reason in UNDEFINED_REASONS else "–"
        value = value["value"]
    if value is None:
        return "–"
    return str(floatformat(value, f"{places}g"))


@register.filter
def percent(value: Any, places: int = 1) -> str:
    """Format a fraction 0..1 as a percentage."""
    if value is None:
        return "–"
    return str(floatformat(float(value) * 100, places))


@register.filter
def lookup(mapping: Any, key: Any) -> Any:
    return mapping.get(key) if isinstance(mapping, dict) else None


@register.filter
def resource_label(code: Any, default: str = "") -> str:
    """Return the name of the resource ``code`` in the active language, ``default`` (or the code) when unknown."""
    resource = Resource.objects.filter(code=code).only("name_zh", "name_en").first() if code else None
    if resource is None:
        return default or str(code or "")
    language = get_language() or "zh-hans"
    return resource.name_zh if language.startswith("zh") else resource.name_en


@register.filter
def factor_kind_label(kind: Any) -> str:
    """Return the translated label of a factor kind code stored in a snapshot."""
    return str(FactorKind(kind).label) if kind in FactorKind.values else str(kind)


@register.filter
def region_label(region: Any) -> str:
    """Return the grid region as stored, with the national average translated."""
    return _("national average") if region == "national" else str(region)


@register.filter
def balance_kind_label(kind: Any) -> str:
    """Return the translated label of a balance kind code stored in a snapshot row."""
    return str(BalanceKind(kind).label) if kind in BalanceKind.values else str(kind)
