"""Helpers for the hand-written representations of the big list endpoints (samples, cases).

DRF builds a representation field by field (a `get_attribute` and a `to_representation` call per field per row, plus
a look-up of the current time zone per date-time): about half a millisecond a row for the sample and case shapes. The
two list endpoints that return up to 200 wide rows build their dicts directly instead; these helpers keep the output
identical to DRF's (tests/api/test_representations.py compares them).
"""

from collections.abc import Callable
from datetime import datetime

from django.utils import timezone

DateTimeText = Callable[[datetime | None], str | None]


def datetime_formatter() -> DateTimeText:
    """What `rest_framework.fields.DateTimeField` outputs (ISO 8601 in the current time zone, UTC as `Z`), with the
    time zone looked up once: make one per response, not one per value."""
    zone = timezone.get_current_timezone()

    def text(value: datetime | None) -> str | None:
        if value is None:
            return None
        iso = value.astimezone(zone).isoformat()
        return iso[:-6] + "Z" if iso.endswith("+00:00") else iso

    return text
