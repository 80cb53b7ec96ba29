"""A won't-fix case keeps an eye on its pattern: a timeline note when the pattern has doubled since the decision.

A won't-fix case never reopens by itself (`cases.services.detection.case_record_pattern` only links its new samples).
Like Sentry's "ignore until", it says so when what was set aside has grown:

- **Weekly errors**: the case measure's errors among the decisions of the last 7 days (`cases.measure.counts`, by
  decision time, like every figure of a case), not the pattern's `daily_counts` (counted by audit time, and only on
  the days detection runs covered).
- **Reference**: the weekly errors of the 7 days before the decision (`resolved_at`), computed when first needed and
  stored in `Case.set_aside_weekly_errors`; after a note, the noted count becomes the reference, so the case notes
  again only at the next doubling. Reopening clears it (`cases.services.case_transition`).
- **Doubled**: at least twice the reference, and at least 2 errors (a reference of 0 counts as 1).

Recent decisions are not all audited yet, so the current week reads low until its audits arrive: a note may come
late, never early.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from cases import events
from cases.choices import CaseStatus
from cases.measure.counts import Window, window_counts
from cases.measure.definition import case_measure
from cases.models import Activity, Case
from cases.tasks import notify_activity

WEEK = timedelta(days=7)


@dataclass(frozen=True)
class Growth:
    weekly_errors: int
    reference: int

    @property
    def doubled(self) -> bool:
        return self.weekly_errors >= 2 * max(self.reference, 1)


def case_growth(case: Case, *, now: datetime | None = None) -> Growth | None:
    """The weekly errors now and the reference (the stored one, else the week before the decision); None when the
    case has no measure."""
    now = now or timezone.now()
    measure = case_measure(case)
    if measure is None:
        return None
    windows = [Window("now", now - WEEK, now)]
    if case.set_aside_weekly_errors is None:
        decided = case.resolved_at or case.updated_at
        windows.append(Window("decision", decided - WEEK, decided))
    counts = window_counts(measure, windows)
    reference = case.set_aside_weekly_errors
    if reference is None:
        reference = counts["decision"].slice.errors
    return Growth(weekly_errors=counts["now"].slice.errors, reference=reference)


@transaction.atomic
def case_growth_check(*, case: Case, now: datetime | None = None) -> Activity | None:
    """For a won't-fix case: store the reference when first needed; when the pattern has doubled, write
    `pattern_grew`, make the new count the reference and notify the owner and watchers (on commit). Returns the
    entry, or None. Never changes the case's status."""
    case = Case.objects.select_for_update(of=("self",)).select_related("pattern").get(pk=case.pk)
    if case.status != CaseStatus.WONT_FIX:
        return None
    growth = case_growth(case, now=now)
    if growth is None:
        return None
    activity = None
    reference = growth.reference
    if growth.doubled:
        activity = events.pattern_grew(
            case, weekly_errors=growth.weekly_errors, previous_weekly_errors=growth.reference
        )
        reference = growth.weekly_errors
        transaction.on_commit(lambda: notify_activity.delay(activity.pk), robust=True)
    if reference != case.set_aside_weekly_errors:
        Case.objects.filter(pk=case.pk).update(set_aside_weekly_errors=reference)
    return activity
