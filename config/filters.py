"""Filters shared by every filter set of the project (pages and API): strict ids, booleans and date-times, and an
ordering with a stable tie-break. Filter sets themselves subclass `django_filters.FilterSet` as documented."""

from datetime import UTC, timedelta

import django_filters
from django import forms
from django.core.validators import RegexValidator
from django_filters.constants import EMPTY_VALUES
from drf_spectacular.utils import extend_schema_field


class StableOrderingFilter(django_filters.OrderingFilter):
    """django-filter's `OrderingFilter`, with the primary key as the last sort key (in the direction of the last one
    asked for, so an index such as `(due_at, id)` still serves it). Without it, rows that tie on the sort field (cases
    of one severity, of equal sample counts) have no fixed order: PostgreSQL's top-N sort may order them differently
    for each `LIMIT`/`OFFSET`, and paging through them shows some rows twice and others never."""

    def filter(self, qs, value):
        fields = [self.get_ordering_value(param) for param in value or () if param not in EMPTY_VALUES]
        if not fields:
            return qs
        if fields[-1].lstrip("-") not in ("pk", "id"):
            fields.append("-pk" if fields[-1].startswith("-") else "pk")
        return qs.order_by(*fields)


class IdFilter(django_filters.NumberFilter):
    """A database id: a whole number in the range of a bigint (a decimal or a 30-digit number is a 400, not a 500)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(*args, **kwargs)

    def get_max_validator(self):
        return None


# What the schema declares: two letters, or empty for "no filter". The server's own check anchors with `\A`/`\Z`
# (Python's `$` also matches before a final newline) and does not strip spaces.
MARKET_PATTERN = r"^(?:[A-Za-z]{2})?$"
market_validator = RegexValidator(r"\A[A-Za-z]{2}\Z", "Enter two letters (ISO 3166-1 alpha-2).")


@extend_schema_field({"type": "string", "pattern": MARKET_PATTERN})
class MarketFilter(django_filters.CharFilter):
    """A market, ISO 3166-1 alpha-2 in either case (`BR`, `br`): two letters or a 400. Filter sets give the `method`
    (markets are stored upper case)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 2)
        kwargs.setdefault("strip", False)
        kwargs.setdefault("validators", [market_validator])
        super().__init__(*args, **kwargs)


class StrictBooleanField(forms.Field):
    """`true`/`false` (also `1`/`0`, `yes`/`no`, `on`/`off`); empty means "no filter"; anything else is an error."""

    widget = forms.TextInput
    VALUES = {"true": True, "1": True, "yes": True, "on": True, "false": False, "0": False, "no": False, "off": False}

    def to_python(self, value):
        if value in (None, ""):
            return None
        if isinstance(value, bool):
            return value
        try:
            return self.VALUES[str(value).strip().lower()]
        except KeyError:
            raise forms.ValidationError("Enter true or false.", code="invalid") from None


class StrictBooleanFilter(django_filters.BooleanFilter):
    """A boolean filter that refuses a value it does not understand (django-filter's ignores it)."""

    field_class = StrictBooleanField


class BoundedIsoDateTimeField(django_filters.fields.IsoDateTimeField):
    """An ISO 8601 date-time within what databases store: years 1900-2999 and a UTC offset of at most 14 hours
    (Python accepts offsets up to 24 hours, which PostgreSQL rejects with an error), converted to UTC."""

    def to_python(self, value):
        parsed = super().to_python(value)
        if parsed is None:
            return None
        offset = parsed.utcoffset()
        if offset is not None and abs(offset) > timedelta(hours=14):
            raise forms.ValidationError("The UTC offset must be between -14:00 and +14:00.", code="invalid")
        if not 1900 <= parsed.year <= 2999:
            raise forms.ValidationError("The year must be between 1900 and 2999.", code="invalid")
        return parsed.astimezone(UTC) if offset is not None else parsed


# The bounds of `BoundedIsoDateTimeField` in the schema: a year from 1900 to 2999, an offset of at most 14 hours.
DATETIME_PATTERN = (
    r"^(?:19|2\d)\d\d-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d{1,6})?)?"
    r"(?:Z|[+-](?:(?:0\d|1[0-3]):?[0-5]\d|14:?00))?$"
)


@extend_schema_field({"type": "string", "format": "date-time", "pattern": DATETIME_PATTERN})
class BoundedIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = BoundedIsoDateTimeField
