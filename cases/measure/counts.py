"""Audits and errors of a measure over time windows, by the time of the **decision** (`decided_at`).

A fix changes decisions made after it; audits of older decisions arriving late say nothing about it. So windows are
taken on `decided_at`. Since every audit follows its decision (`audited_at >= decided_at`, a constraint), the
window's start also bounds `audited_at`, which lets PostgreSQL walk the `(label, audited_at)` indexes.

`window_counts` answers any number of windows in one query over the measure's comparable traffic (`comparable_q`): for
each window the audits and errors in the population and in the whole comparable traffic; the control is their
difference. For an audit-driven measure the comparable traffic is its structural slice audited by someone (an auditor
id), so the control is the same decisions audited by peers.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import reduce
from operator import or_

from django.db.models import Count, Q
from django.db.models.functions import TruncDate

from cases.measure.definition import POPULATION_FIELDS, Measure
from rca.choices import Outcome
from rca.models import ModerationSample


@dataclass(frozen=True)
class Window:
    """Decisions made in [start, end); `only` narrows the window further (e.g. decisions by a fixed model version)."""

    name: str
    start: datetime
    end: datetime
    only: Q | None = None


@dataclass(frozen=True)
class Tally:
    audits: int
    errors: int

    @property
    def rate(self) -> float | None:
        return self.errors / self.audits if self.audits else None


@dataclass(frozen=True)
class WindowCounts:
    slice: Tally
    control: Tally | None  # None when the measure has no traffic outside its population


def population_q(population: dict) -> Q:
    """The population's conditions as a `Q` on ModerationSample; a list value means any of its values."""
    condition = Q()
    for key, value in population.items():
        column = POPULATION_FIELDS[key]
        values = value if isinstance(value, list) else [value]
        if key == "tag":
            condition &= reduce(or_, [Q(tags__contains=f";{tag};") for tag in values])
        elif isinstance(value, list):
            condition &= Q(**{f"{column}__in": values})
        else:
            condition &= Q(**{column: value})
    return condition


def comparable_q(measure: Measure) -> Q:
    """The measure's comparable traffic (`Measure.comparable`) as a `Q`; for an audit-driven measure, only audits with
    an auditor id (the population's and its peers')."""
    condition = population_q(measure.comparable)
    return condition & ~Q(auditor_id="") if measure.is_audit_driven else condition


def topic_q(terms: tuple[str, ...]) -> Q:
    """Notes naming one of the terms as a whole word, case-insensitive, the same on PostgreSQL and SQLite."""
    if not terms:
        return Q()
    words = "|".join(re.escape(term) for term in terms)
    return Q(notes__iregex=rf"(^|[^a-z0-9])({words})([^a-z0-9]|$)")


def error_q(measure: Measure) -> Q:
    """The measure's errors among its population's audits."""
    condition = ~Q(outcome=Outcome.CORRECT)
    if measure.audit_label:
        condition &= Q(audit_label_id=measure.audit_label)
    return condition & topic_q(measure.topic_terms)


def _window_q(window: Window) -> Q:
    condition = Q(decided_at__gte=window.start, decided_at__lt=window.end)
    return condition & window.only if window.only is not None else condition


def window_counts(measure: Measure, windows: list[Window]) -> dict[str, WindowCounts]:
    """The slice's and the control's audits and errors in each window, from one query."""
    if not windows:
        return {}
    inside, error = population_q(measure.population), error_q(measure)
    aggregates = {}
    for index, window in enumerate(windows):
        in_window = _window_q(window)
        aggregates[f"sn{index}"] = Count("id", filter=in_window & inside)
        aggregates[f"se{index}"] = Count("id", filter=in_window & inside & error)
        if measure.has_control:
            aggregates[f"an{index}"] = Count("id", filter=in_window)
            aggregates[f"ae{index}"] = Count("id", filter=in_window & error)
    start = min(window.start for window in windows)
    rows = ModerationSample.objects.filter(comparable_q(measure), audited_at__gte=start)
    if not measure.has_control:
        rows = rows.filter(inside)
    rows = rows.filter(reduce(or_, [_window_q(window) for window in windows]))
    totals = rows.order_by().aggregate(**aggregates)
    result = {}
    for index, window in enumerate(windows):
        inside_tally = Tally(totals[f"sn{index}"], totals[f"se{index}"])
        control = None
        if measure.has_control:
            control = Tally(totals[f"an{index}"] - inside_tally.audits, totals[f"ae{index}"] - inside_tally.errors)
        result[window.name] = WindowCounts(slice=inside_tally, control=control)
    return result


@dataclass(frozen=True)
class Day:
    day: date
    audits: int
    errors: int

    @property
    def rate(self) -> float | None:
        return self.errors / self.audits if self.audits else None


def daily_counts(measure: Measure, start: datetime, end: datetime, *, only: Q | None = None) -> list[Day]:
    """Audits and errors of the population per day of decision in [start, end), days without audits left out;
    `only` narrows the decisions as a `Window`'s does."""
    rows = (
        ModerationSample.objects.filter(population_q(measure.population), audited_at__gte=start)
        .filter(_window_q(Window("days", start, end, only)))
        .annotate(day=TruncDate("decided_at"))
        .values("day")
        .annotate(audits=Count("id"), errors=Count("id", filter=error_q(measure)))
        .order_by("day")
    )
    return [Day(row["day"], row["audits"], row["errors"]) for row in rows]
