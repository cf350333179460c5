"""Template filters that show stored snapshot values: a number, or the translated reason it is missing."""

from typing import Any

from django import template
from django.template.defaultfilters import floatformat

from cleanprod.indicators.formulas import UNDEFINED_REASONS

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
