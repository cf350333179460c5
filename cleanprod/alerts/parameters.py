"""Parameters of each alert rule kind: names, types, defaults and ranges, with translated errors."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


@dataclass(frozen=True)
class Param:
    kind: type  # float, int, bool or str
    default: Any = None
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    help: Any = ""  # translated meaning and unit, shown with the rule form


def period_param(default: str, meaning: Any) -> Param:
    return Param(str, default, choices=("hour", "day"), help=meaning)


SPECS: dict[str, dict[str, Param]] = {
    "threshold": {
        "period": period_param("hour", gettext_lazy("Period checked: hour or day.")),
        "above": Param(
            float,
            None,
            0,
            help=gettext_lazy("Alert when the consumption of a period is above this value, in the meter's unit."),
        ),
        "below": Param(
            float,
            None,
            0,
            help=gettext_lazy(
                "Alert when the consumption of a complete period is below this value, in the meter's unit."
            ),
        ),
    },
    "threshold_per_unit": {
        "product": Param(
            str,
            "",
            help=gettext_lazy(
                "Code of the product whose output divides the consumption; empty: the first product recorded."
            ),
        ),
        "above": Param(
            float, None, 0, help=gettext_lazy("Alert when the consumption per unit of product is above this value.")
        ),
        "below": Param(
            float, None, 0, help=gettext_lazy("Alert when the consumption per unit of product is below this value.")
        ),
        "flag_without_production": Param(
            bool, True, help=gettext_lazy("Alert on a day with consumption but no recorded production.")
        ),
    },
    "rate_of_change": {
        "period": period_param("day", gettext_lazy("Period compared with the one before: hour or day.")),
        "max_increase_percent": Param(
            float,
            None,
            0,
            help=gettext_lazy("Alert when a period uses more than this percentage above the one before."),
        ),
        "max_decrease_percent": Param(
            float,
            None,
            0,
            100,
            help=gettext_lazy("Alert when a period uses more than this percentage below the one before."),
        ),
    },
    # Defaults tuned on injected faults in real series (docs/alert_evaluation.md, seed 1).
    "off_hours": {
        "baseload": Param(
            float,
            None,
            0,
            help=gettext_lazy(
                "Fixed baseload per hour in the meter's unit. Empty: learned from the idle rest hours of the "
                "4 weeks before."
            ),
        ),
        "margin_percent": Param(
            float, 0.0, 0, 1000, help=gettext_lazy("Percentage added to the baseload to give the limit of an hour.")
        ),
        "baseload_spread": Param(
            float,
            5.0,
            0,
            100,
            help=gettext_lazy("Learned baseload: the median idle hour plus this many robust standard deviations."),
        ),
        "min_hours": Param(
            int,
            6,
            1,
            24,
            help=gettext_lazy("Successive hours above the limit, outside working time, that raise an alert."),
        ),
    },
    "statistical": {
        "weeks": Param(int, 8, 1, 52, help=gettext_lazy("Weeks of history in the baseline.")),
        "threshold": Param(
            float, 10.0, 1, 100, help=gettext_lazy("Robust standard deviations from the baseline that raise an alert.")
        ),
        "mad_floor_fraction": Param(
            float, 0.05, 0, 1, help=gettext_lazy("Smallest spread of a baseline slot, as a share of its median.")
        ),
        "mad_floor_of_mean": Param(
            float, 0.1, 0, 1, help=gettext_lazy("Smallest spread of a baseline slot, as a share of the history's mean.")
        ),
        "peak_factor": Param(
            float,
            1.1,
            0,
            10,
            help=gettext_lazy("Also alert above this multiple of the history's 99th percentile; 0 switches it off."),
        ),
    },
    "stuck": {
        "intervals": Param(
            int, 8, 2, 10000, help=gettext_lazy("Successive readings without change while related meters move.")
        ),
        "tolerance": Param(
            float, 0.0, 0, help=gettext_lazy("A change up to this value, in the meter's unit, counts as no change.")
        ),
    },
    "drift": {
        "days": Param(int, 7, 1, 90, help=gettext_lazy("Days checked for a lasting shift.")),
        "weeks": Param(int, 4, 1, 52, help=gettext_lazy("Weeks of history before those days.")),
        "slack": Param(float, 1.0, 0, 10, help=gettext_lazy("CUSUM slack k, in robust standard deviations.")),
        "threshold": Param(
            float, 15.0, 0.5, 100, help=gettext_lazy("CUSUM decision limit h, in robust standard deviations.")
        ),
    },
    "offline": {
        "missed_intervals": Param(
            int,
            4,
            1,
            10000,
            help=gettext_lazy("Expected intervals without a reading before a meter counts as offline."),
        )
    },
    "completeness": {
        "limit_percent": Param(
            float, 90.0, 1, 100, help=gettext_lazy("Alert when a day has less than this percentage of its data.")
        )
    },
}

# Parameters of earlier versions, with the parameter that replaced them.
RENAMED: dict[str, dict[str, str]] = {"off_hours": {"baseload_quantile": "baseload_spread"}}

# At least one of these must be set for the rule to check anything.
ONE_OF: dict[str, tuple[str, ...]] = {
    "threshold": ("above", "below"),
    "threshold_per_unit": ("above", "below", "flag_without_production"),
    "rate_of_change": ("max_increase_percent", "max_decrease_percent"),
}


def _convert(name: str, spec: Param, raw: Any) -> Any:
    if spec.kind is bool:
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, str) and raw.lower() in {"true", "false", "1", "0", "yes", "no"}:
            return raw.lower() in {"true", "1", "yes"}
        raise ValidationError(_("“%(name)s” must be true or false.") % {"name": name}, code="not_bool")
    if spec.kind is str:
        if not isinstance(raw, str):
            raise ValidationError(_("“%(name)s” must be text.") % {"name": name}, code="not_text")
        if spec.choices and raw not in spec.choices:
            raise ValidationError(
                _("“%(name)s” must be one of: %(choices)s.") % {"name": name, "choices": ", ".join(spec.choices)},
                code="bad_choice",
            )
        return raw
    if isinstance(raw, bool):
        raise ValidationError(_("“%(name)s” must be a number.") % {"name": name}, code="not_number")
    try:
        value = int(raw) if spec.kind is int else float(raw)
    except (TypeError, ValueError, OverflowError):
        if spec.kind is int:
            message = _("“%(name)s” must be a whole number, e.g. 4.")
        else:
            message = _("“%(name)s” must be a number, e.g. 2.5.")
        raise ValidationError(message % {"name": name}, code="not_number") from None
    if not math.isfinite(value):
        raise ValidationError(_("“%(name)s” must be a finite number.") % {"name": name}, code="not_finite")
    if spec.kind is int and isinstance(raw, float) and not raw.is_integer():
        raise ValidationError(_("“%(name)s” must be a whole number, e.g. 4.") % {"name": name}, code="not_integer")
    if spec.minimum is not None and value < spec.minimum:
        raise ValidationError(
            _("“%(name)s” must be at least %(minimum)s.") % {"name": name, "minimum": spec.minimum}, code="too_small"
        )
    if spec.maximum is not None and value > spec.maximum:
        raise ValidationError(
            _("“%(name)s” must be at most %(maximum)s.") % {"name": name, "maximum": spec.maximum}, code="too_large"
        )
    return value


def clean_parameters(kind: str, raw: Any) -> dict[str, Any]:
    """Return the parameters with defaults filled in, or raise ValidationError naming each bad field."""
    specs = SPECS.get(kind)
    if specs is None:
        raise ValidationError(_("Unknown rule kind “%(kind)s”.") % {"kind": kind}, code="unknown_kind")
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ValidationError(
            _('Parameters must be a JSON object of names and values, such as {"above": 120} for a threshold.'),
            code="parameters_not_object",
        )
    errors: list[ValidationError] = []
    unknown = sorted(set(raw) - set(specs))
    for old, new in RENAMED.get(kind, {}).items():
        if old in unknown:
            errors.append(
                ValidationError(
                    _("“%(old)s” was replaced by “%(new)s”; see the parameter table.") % {"old": old, "new": new},
                    code="renamed_parameter",
                )
            )
            unknown.remove(old)
    if unknown:
        errors.append(
            ValidationError(
                _("Unknown parameter(s) %(names)s for this kind; allowed: %(allowed)s.")
                % {"names": ", ".join(unknown), "allowed": ", ".join(specs)},
                code="unknown_parameter",
            )
        )
    cleaned: dict[str, Any] = {}
    for name, spec in specs.items():
        value = raw.get(name)
        if value is None or value == "":
            cleaned[name] = spec.default
            continue
        try:
            cleaned[name] = _convert(name, spec, value)
        except ValidationError as error:
            errors.append(error)
    required = ONE_OF.get(kind)
    if not errors and required and all(cleaned.get(name) in (None, False) for name in required):
        errors.append(
            ValidationError(
                _("Set at least one of: %(names)s.") % {"names": ", ".join(required)}, code="nothing_to_check"
            )
        )
    if errors:
        raise ValidationError(errors)
    return cleaned


def parameter_range(spec: Param) -> str:
    """Return the allowed values of a parameter: its choices, or its minimum and maximum."""
    if spec.choices:
        return ", ".join(spec.choices)
    if spec.kind is bool:
        return "true, false"
    if spec.minimum is not None and spec.maximum is not None:
        return f"{spec.minimum:g}–{spec.maximum:g}"
    if spec.minimum is not None:
        return f"≥ {spec.minimum:g}"
    return ""


def format_parameter(value: Any) -> str:
    """Format a parameter value as it is written in the JSON object: true/false, 5 for 5.0."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def parameter_items(kind: str, parameters: dict[str, Any]) -> list[tuple[str, str]]:
    """Return the parameters that are set, as (name, value) texts in the order of the kind's parameters."""
    specs = SPECS.get(kind, {})
    names = [name for name in specs if name in parameters] + sorted(set(parameters) - set(specs))
    items = []
    for name in names:
        value = parameters[name]
        if value is None or value == "":
            continue
        items.append((name, format_parameter(value)))
    return items
