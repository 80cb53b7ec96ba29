"""Helpers for the hand-written representations of the big list endpoints (samples, cases).

DRF builds a representation field by field (a `get_attribute` and a `to_representation` call per field per row, plus
a look-up of the current time zone per date-time): about half a millisecond a row for the sample and case shapes. The
two list endpoints that return up to 200 wide rows build their dicts directly instead; these helpers keep the output
identical to DRF's (tests/api/test_representations.py compares them).
"""

from collections.abc import Callable
from datetime import UTC, datetime

from django.utils import timezone

DateTimeText = Callable[[datetime | None], str | None]


def datetime_formatter() -> DateTimeText:
    """What `rest_framework.fields.DateTimeField` outputs (ISO 8601 in the current time zone, UTC as `Z`), with the
    time zone looked up once: make one per response, not one per value.

    Within a response a value already in the current zone (PostgreSQL's, in UTC, when the zone is UTC) is not
    converted, and each distinct instant is formatted once (the samples of an import share `imported_at`)."""
    zone = timezone.get_current_timezone()
    native = UTC if str(zone) in ("UTC", "Etc/UTC") else zone
    texts: dict[datetime, str] = {}

    def text(value: datetime | None) -> str | None:
        if value is None:
            return None
        iso = texts.get(value)
        if iso is None:
            iso = (value if value.tzinfo is native else value.astimezone(zone)).isoformat()
            iso = texts[value] = iso[:-6] + "Z" if iso.endswith("+00:00") else iso
        return iso

    return text
