"""Query parameters of a period of local days, validated into stable error codes.

The validators raise pydantic errors whose types are the API's error codes; cleanprod.api.errors
turns them into 400 responses with translated messages.
"""

import re
from datetime import date
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import BeforeValidator, Field, WithJsonSchema, model_validator
from pydantic_core import PydanticCustomError

from cleanprod.metering.forms import MAX_PERIOD_DAYS

# Only the calendar-date form of ISO 8601. date.fromisoformat alone would also take week dates
# and the basic form 20240301, and pydantic's own date parsing takes Unix timestamps.
ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_local_day(value: Any) -> date:
    """Parse a YYYY-MM-DD string, or raise PydanticCustomError of type invalid_date."""
    if isinstance(value, date):
        return value
    text = str(value)
    if ISO_DAY.fullmatch(text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    raise PydanticCustomError("invalid_date", "{value} is not a date in the form YYYY-MM-DD", {"value": text})


LocalDay = Annotated[
    date,
    BeforeValidator(parse_local_day),
    WithJsonSchema({"type": "string", "format": "date", "example": "2024-03-01"}),
]


class PeriodQuery(Schema):
    """Local days of the site, both included, of at most three years."""

    start: LocalDay = Field(description="First local day of the site, YYYY-MM-DD.")
    end: LocalDay = Field(description="Last local day of the site, included, YYYY-MM-DD.")

    @model_validator(mode="after")
    def check_period(self) -> "PeriodQuery":
        context = {"start": self.start.isoformat(), "end": self.end.isoformat()}
        if self.end < self.start:
            raise PydanticCustomError("period_reversed", "the period ends before it starts", context)
        days = (self.end - self.start).days + 1
        if days > MAX_PERIOD_DAYS:
            raise PydanticCustomError(
                "period_too_long",
                "the period has {days} days, more than {max_days}",
                {**context, "days": days, "max_days": MAX_PERIOD_DAYS},
            )
        return self


class IndicatorQuery(PeriodQuery):
    product: str | None = Field(
        None, description="Code of a product resource, e.g. product; intensities are per unit of its net output."
    )
    electricity_basis: Literal["calorific", "equivalent"] = Field(
        "calorific",
        description="Electricity in comprehensive energy at its calorific equivalent (当量值, 0.1229 kgce/kWh) "
        "or at the year's primary-energy equivalent value (等价值) from the factor table.",
    )
