"""Display of economic results: rates as percentages, IRR with its non-unique and missing cases, paybacks."""

from typing import Any

from django import template
from django.utils.translation import gettext as _

register = template.Library()


def format_percent(value: float | None, places: int = 2) -> str:
    if value is None:
        return "—"
    return f"{value * 100:.{places}f} %"


@register.filter
def percent(value: float | None, places: int = 2) -> str:
    return format_percent(value, places)


def irr_label(irr: dict[str, Any]) -> str:
    """Return the IRR as the page and the export show it; several roots are never reduced to one."""
    if irr["status"] == "unique":
        return format_percent(irr["value"], 3)
    if irr["status"] == "multiple":
        roots = ", ".join(format_percent(root) for root in irr["roots"])
        return _("IRR not unique (%(roots)s)") % {"roots": roots}
    return _("no IRR")


@register.filter
def irr_text(irr: dict[str, Any]) -> str:
    return irr_label(irr)


def payback_label(years: float | None) -> str:
    if years is None:
        return _("no payback")
    return _("%(years).2f years") % {"years": years}


@register.filter
def payback_text(years: float | None) -> str:
    return payback_label(years)


@register.filter
def lookup(mapping: dict[Any, Any], key: Any) -> Any:
    return mapping.get(key) if mapping else None


@register.filter(name="criterion_label")
def criterion_label_filter(criterion: Any) -> str:
    """Return a screening criterion's label, a default one translated into the active language."""
    from cleanprod.options.screening import criterion_label

    return criterion_label(criterion)
