"""The demo's quality initiatives: three leads' goals on the measures of the demo's stories, defined through the
service (`cases.initiatives.services.initiative_create`) once the case history exists, each serving its story's cases.

- Two are **on track**: their patterns are fixed in the generated audits (`cases.demo.plan.FIXED_STORIES`), so the
  showcase fix of each lowered its rate. The baseline is the `BASELINE_DAYS` whole days before the fix's day; the
  target date a quarter after it.
- One is **off track**: the GB pile-on raids (`OFF_TRACK_STORY`), whose fixes never held (the audits keep its rate). It
  was set from the first `BASELINE_DAYS` days of audits, and its target date is near, so the plan's rate today is far
  below the rate the audits still show.

Every baseline is measured from the audits (its rate, audits and errors); every target is a quarter of its baseline,
rounded down to half a point. Each initiative is dated (`created_at`) the day after its baseline, when its lead set
it. Run again, it adds the initiatives that are missing (by name) and changes none.
"""

import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db.models import Min
from django.utils import timezone

from cases.choices import CaseStatus
from cases.demo.plan import FIXED_STORY, SECOND_FIXED_STORY
from cases.demo.stories import STORIES, Story
from cases.fixes.records import latest_fix
from cases.initiatives.models import Initiative
from cases.initiatives.services import clean_measure, initiative_create, measured_baseline
from cases.models import Case
from rca.models import ModerationSample

BASELINE_DAYS = 28
ON_TRACK_HORIZON = timedelta(days=91)  # a quarter from the baseline's end
OFF_TRACK_DUE = timedelta(days=21)  # three weeks from today
TARGET_SHARE = 0.25  # cut the baseline rate by three quarters
OFF_TRACK_STORY = "gb_pile_on_raid_missed"


@dataclass(frozen=True)
class Goal:
    story_key: str
    name: str
    owner: str  # username of a demo quality lead
    why: str
    on_track: bool  # designed on track (its showcase fix holds), else off track


GOALS = (
    Goal(
        FIXED_STORY,
        "Cut missed slang insults in ID live streams",
        "lead",
        "Guests in ID live battles are insulted in local slang that the live classifier does not know.",
        True,
    ),
    Goal(
        SECOND_FIXED_STORY,
        "Stop crypto giveaway scams slipping through TR live comments",
        "lead3",
        "Wallet-doubling scams in TR live comments reach viewers because the comment model misses them.",
        True,
    ),
    Goal(
        OFF_TRACK_STORY,
        "Cut missed pile-on raids in GB live comments",
        "lead2",
        "Raids and doxxing against GB streamers are reviewed one comment at a time and missed.",
        False,
    ),
)


def _story(key: str) -> Story:
    return next(story for story in STORIES if story.pattern_key == key)


def target_of(baseline_rate: float) -> float:
    """A quarter of the baseline, rounded down to half a point (to a tenth of a point when that would be 0)."""
    target = math.floor(baseline_rate * TARGET_SHARE * 200) / 200
    return target if target > 0 else math.floor(baseline_rate * TARGET_SHARE * 1000) / 1000


def _story_cases(story: Story) -> list[Case]:
    """The story's cases (not those closed as duplicates), in the order they were played: the showcase case last."""
    return list(Case.objects.filter(title__in=story.titles).exclude(status=CaseStatus.DUPLICATE).order_by("id"))


def _serving(cases: list[Case], *, since: date) -> list[Case]:
    """The cases worked on since the baseline began: still open, or resolved since."""
    return [case for case in cases if case.resolved_at is None or timezone.localdate(case.resolved_at) >= since]


def _periods(goal: Goal, cases: list[Case], *, first_day: date, today: date) -> tuple[date, date, date] | None:
    """(baseline start, baseline end, target date) of the goal, or None when the data cannot give them."""
    if goal.on_track:
        showcase = cases[-1] if cases else None  # played last, after the history
        fix = latest_fix(showcase) if showcase is not None else None
        if fix is None:
            return None
        end = timezone.localdate(fix.effective_at) - timedelta(days=1)
        start = max(first_day, end - timedelta(days=BASELINE_DAYS - 1))
        target_date = end + ON_TRACK_HORIZON
    else:
        start = first_day + timedelta(days=1)  # the first whole day of audits
        end = min(start + timedelta(days=BASELINE_DAYS - 1), today - timedelta(days=1))
        target_date = today + OFF_TRACK_DUE
    if start > end:
        return None
    return start, end, target_date


def seed_initiatives(users: dict[str, User]) -> list[str]:
    """Create the goals' initiatives that do not exist yet; return a line for each goal (created, kept or skipped)."""
    first = ModerationSample.objects.aggregate(first=Min("decided_at"))["first"]
    if first is None:
        return ["Initiatives: no audits to measure baselines from."]
    first_day, today = timezone.localdate(first), timezone.localdate()
    existing = set(Initiative.objects.filter(name__in=[goal.name for goal in GOALS]).values_list("name", flat=True))
    lines = []
    for goal in GOALS:
        if goal.name in existing:
            lines.append(f"Initiative kept: {goal.name}.")
            continue
        lines.append(_create(goal, users, first_day=first_day, today=today))
    return lines


def _create(goal: Goal, users: dict[str, User], *, first_day: date, today: date) -> str:
    story = _story(goal.story_key)
    cases = _story_cases(story)
    periods = _periods(goal, cases, first_day=first_day, today=today)
    if periods is None:
        return f"Initiative skipped (no fix or audits to set it from): {goal.name}."
    start, end, target_date = periods
    cases = _serving(cases, since=start)
    owner = users[goal.owner]
    try:
        baseline, _audits, _errors = measured_baseline(clean_measure(story.measure), start=start, end=end)
        target = target_of(baseline)
        initiative = initiative_create(
            actor=owner,
            name=goal.name,
            measure=story.measure,
            description=f"{goal.why} Target: a quarter of the baseline by {target_date:%d %B %Y}.",
            baseline_start=start,
            baseline_end=end,
            target_rate=target,
            target_date=target_date,
            owner=owner,
            cases=cases,
        )
    except ValidationError as error:  # a demo too small for this goal (too few audits of its measure)
        return f"Initiative skipped ({'; '.join(error.messages)}): {goal.name}."
    # When the lead set it: the morning after the baseline's end (the fix's day for the on-track ones).
    created = min(timezone.make_aware(datetime.combine(end + timedelta(days=1), time(9))), timezone.now())
    Initiative.objects.filter(pk=initiative.pk).update(created_at=created, updated_at=created)
    return (
        f"Initiative: {goal.name} ({initiative.baseline_rate:.1%} -> {target:.1%} by {target_date}, "
        f"{len(cases)} cases, owner {owner.username})."
    )
