"""Helpers for the hand-written representations of the big list endpoints (samples, cases).

DRF builds a representation field by field (a `get_attribute` and a `to_representation` call per field per row, plus
a timezone conversion per date-time): about half a millisecond a row for the sample and case shapes. The two list
endpoints that return up to 200 wide rows build their dicts directly instead; these helpers keep the output identical
to DRF's (tests/api/test_representations.py compares them).
"""

from datetime import datetime

from django.utils import timezone


def datetime_text(value: datetime | None) -> str | None:
    """What `rest_framework.fields.DateTimeField` outputs: ISO 8601 in the current time zone, UTC as `Z`."""
    if value is None:
        return None
    text = value.astimezone(timezone.get_current_timezone()).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text
