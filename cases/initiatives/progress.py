"""How an initiative is doing: its plan (the straight line from baseline to target), its measure's recent rate, its
status, and its weekly series.

**The status rule** (`initiative_status`). The plan is the straight line from the baseline rate at the end of the
baseline period to the target rate at the target date (flat at the target after it). The recent rate is the measure's
error rate over the decisions of the last `INITIATIVE_RECENT_DAYS` days (14 by default), with its 95% Wilson interval.
Compared with the plan's rate at today's date:

- **met**: the recent rate is at or below the target rate;
- **on track**: it is at or below the plan's rate today;
- **off track**: even the interval's lower bound is above the plan's rate today (clearly behind, not noise);
- **at risk**: otherwise (above the plan, but within the noise of the audits);
- **no recent audits**: no audit of a decision in the recent days.

Counts are taken by the day of the decision, as every figure of a measure (`cases.measure.counts`). The statuses of
a page of initiatives come from one query (`recent_tallies`; one per `TALLY_CHUNK` initiatives for a longer list).
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import reduce
from operator import or_

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone

from cases.initiatives.choices import InitiativeStatus
from cases.initiatives.models import Initiative
from cases.measure.counts import Tally, daily_counts, error_q, population_q
from cases.measure.definition import Measure, measure_from_dict
from cases.measure.stats import wilson_interval
from rca.models import ModerationSample

# THE PLAN AND THE RULE (pure)
# ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    baseline_rate: float
    baseline_end: date
    target_rate: float
    target_date: date

    def rate_on(self, day: date) -> float:
        """The plan's rate on `day`: the baseline until the baseline's end, then the straight line to the target,
        then the target."""
        span = (self.target_date - self.baseline_end).days
        fraction = min(1.0, max(0.0, (day - self.baseline_end).days / span)) if span > 0 else 1.0
        return self.baseline_rate + (self.target_rate - self.baseline_rate) * fraction


@dataclass(frozen=True)
class Progress:
    status: InitiativeStatus
    audits: int
    errors: int
    rate: float | None
    interval: tuple[float, float] | None
    planned_rate: float  # the plan's rate today
    window_start: date  # the recent days, first to last
    window_end: date


def initiative_status(*, plan: Plan, today: date, errors: int, audits: int) -> InitiativeStatus:
    """The rule of the module docstring, from the recent counts."""
    if audits <= 0:
        return InitiativeStatus.NO_DATA
    rate, planned = errors / audits, plan.rate_on(today)
    if rate <= plan.target_rate:
        return InitiativeStatus.MET
    if rate <= planned:
        return InitiativeStatus.ON_TRACK
    low, _high = wilson_interval(errors, audits)
    return InitiativeStatus.OFF_TRACK if low > planned else InitiativeStatus.AT_RISK


def plan_of(initiative: Initiative) -> Plan:
    return Plan(
        baseline_rate=initiative.baseline_rate,
        baseline_end=initiative.baseline_end,
        target_rate=initiative.target_rate,
        target_date=initiative.target_date,
    )


def initiative_measure(initiative: Initiative) -> Measure:
    return measure_from_dict(initiative.measure)


# RECENT COUNTS AND STATUS
# ------------------------------------------------------------------------------


def start_of_day(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def recent_window(now: datetime) -> tuple[datetime, datetime]:
    return now - timedelta(days=settings.INITIATIVE_RECENT_DAYS), now


# Initiatives counted per query: two aggregates each, well under PostgreSQL's 1,664 result columns and SQLite's
# expression limits, however many initiatives a CSV lists.
TALLY_CHUNK = 200


def recent_tallies(initiatives: list[Initiative], *, now: datetime) -> dict[int, Tally]:
    """Audits and errors of each initiative's measure among the decisions of the recent window: one query for all."""
    if not initiatives:
        return {}
    start, end = recent_window(now)
    aggregates, scopes = {}, []
    for initiative in initiatives:
        measure = initiative_measure(initiative)
        inside = population_q(measure.population)
        scopes.append(inside)
        aggregates[f"n{initiative.pk}"] = Count("id", filter=inside)
        aggregates[f"e{initiative.pk}"] = Count("id", filter=inside & error_q(measure))
    rows = ModerationSample.objects.filter(decided_at__gte=start, decided_at__lt=end, audited_at__gte=start)
    # Only the rows some population takes (a measure with no condition takes every row).
    totals = rows.filter(reduce(or_, scopes) if all(scopes) else Q()).order_by().aggregate(**aggregates)
    return {item.pk: Tally(totals[f"n{item.pk}"], totals[f"e{item.pk}"]) for item in initiatives}


def initiative_progress(initiative: Initiative, tally: Tally, *, now: datetime) -> Progress:
    start, end = recent_window(now)
    today = timezone.localdate(now)
    plan = plan_of(initiative)
    return Progress(
        status=initiative_status(plan=plan, today=today, errors=tally.errors, audits=tally.audits),
        audits=tally.audits,
        errors=tally.errors,
        rate=tally.rate,
        interval=wilson_interval(tally.errors, tally.audits),
        planned_rate=plan.rate_on(today),
        window_start=timezone.localdate(start),
        window_end=timezone.localdate(end),
    )


def attach_progress(initiatives: list[Initiative], *, now: datetime | None = None) -> list[Initiative]:
    """Set `initiative.progress` on each (one query for the lot, or per `TALLY_CHUNK`) and return the list."""
    now = now or timezone.now()
    tallies: dict[int, Tally] = {}
    for start in range(0, len(initiatives), TALLY_CHUNK):
        tallies.update(recent_tallies(initiatives[start : start + TALLY_CHUNK], now=now))
    for initiative in initiatives:
        initiative.progress = initiative_progress(initiative, tallies[initiative.pk], now=now)
    return initiatives


# THE WEEKLY SERIES
# ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Week:
    start: date  # a Monday
    audits: int
    errors: int
    planned_rate: float  # the plan's rate mid-week (Thursday)

    @property
    def rate(self) -> float | None:
        return self.errors / self.audits if self.audits else None

    @property
    def interval(self) -> tuple[float, float] | None:
        return wilson_interval(self.errors, self.audits)


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def weekly_series(initiative: Initiative, *, today: date) -> list[Week]:
    """The measure's audits and errors per week of decision, from the baseline's first week to this week (weeks with
    no audit included, with no rate)."""
    first, last = monday(initiative.baseline_start), monday(today)
    days = daily_counts(initiative_measure(initiative), start_of_day(first), start_of_day(today + timedelta(days=1)))
    counts: dict[date, list[int]] = {}
    for day in days:
        tally = counts.setdefault(monday(day.day), [0, 0])
        tally[0] += day.audits
        tally[1] += day.errors
    plan = plan_of(initiative)
    weeks, start = [], first
    while start <= last:
        audits, errors = counts.get(start, (0, 0))
        weeks.append(Week(start, audits, errors, plan.rate_on(start + timedelta(days=3))))
        start += timedelta(days=7)
    return weeks
