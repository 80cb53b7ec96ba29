"""The slice's errors in the window, one row each: what the noise test and the unusual values count.

One query over the measure's population (its errors: `cases.measure.counts.error_q`), decided in the window. A
pattern's errors in a detection window run to hundreds or a few thousand; `MAX_ERROR_ROWS` bounds a runaway one
(the figures then say so).
"""

from datetime import datetime
from typing import NamedTuple

from cases.measure.counts import error_q, population_q
from cases.measure.definition import Measure
from cases.story.window import StoryWindow
from rca.models import ModerationSample

MAX_ERROR_ROWS = 50_000


class ErrorRow(NamedTuple):
    decided_at: datetime
    content_id: str
    moderator_id: str
    decision_source: str
    model_version: str
    market: str
    language: str
    queue: str
    content_type: str
    surface: str
    tags: str
    auditor_id: str


COLUMNS = ErrorRow._fields


def slice_error_rows(measure: Measure, window: StoryWindow) -> list[ErrorRow]:
    """The errors of the measure decided in [window.start, window.end), oldest first."""
    rows = (
        ModerationSample.objects.filter(population_q(measure.population), audited_at__gte=window.start)
        .filter(error_q(measure), decided_at__gte=window.start, decided_at__lt=window.end)
        .order_by("decided_at", "id")
        .values_list(*COLUMNS)[:MAX_ERROR_ROWS]
    )
    return [ErrorRow(*row) for row in rows]
