"""The daily report snapshot: headline figures stored once per day, so trends survive later edits to the cases."""

from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from cases.models import ReportSnapshot
from cases.reporting.filters import ReportFilters
from cases.reporting.selectors import headline_figures


def report_snapshot_take(*, day: date) -> ReportSnapshot:
    """Store the figures of all cases as of now under `day`; an existing snapshot of that day is kept unchanged
    (the first measurement of a day is the one that stands, so a retried or repeated task changes nothing)."""
    existing = ReportSnapshot.objects.filter(date=day).first()
    if existing is not None:
        return existing
    figures = headline_figures(filters=ReportFilters())
    try:
        with transaction.atomic():
            return ReportSnapshot.objects.create(date=day, figures=figures)
    except IntegrityError:
        return ReportSnapshot.objects.get(date=day)


def snapshot_trend(*, limit: int = 90) -> QuerySet[ReportSnapshot]:
    """The latest `limit` snapshots, oldest first."""
    latest = ReportSnapshot.objects.order_by("-date").values_list("pk", flat=True)[:limit]
    return ReportSnapshot.objects.filter(pk__in=list(latest)).order_by("date")
