"""Reads of stories: a case's (stored, computed on its first view), a pattern's, and the stories due a refresh.

`case_story` is what the case room and the case API use; `pattern_story` what the pattern page and the pattern API
use. Both return a `cases.story.display.StoryView`: the raw figures and markers, their texts and the chart, with
personal values masked for a user who may not see them.
"""

from datetime import datetime, timedelta

from django.contrib.auth.models import AnonymousUser, User
from django.core.cache import cache

from cases import permissions
from cases.choices import OPEN_STATUSES
from cases.models import Case
from cases.story.compute import FORMAT_VERSION, pattern_story_compute
from cases.story.display import StoryView, story_view
from cases.story.models import CaseStory
from cases.story.services import case_story_refresh, story_source_key
from cases.story.trend import case_markers
from rca.models import ErrorPattern

STALE_AFTER = timedelta(hours=20)  # the daily beat refreshes stories older than this
PATTERN_STORY_SECONDS = 15 * 60  # a pattern without a case of its own measure: its figures are cached this long


def _mask(user: User | AnonymousUser | None):
    return permissions.personal_id_masker(user) if user is not None else permissions.mask_personal_id


def stored_case_figures(case: Case, *, now: datetime | None = None) -> tuple[dict, datetime]:
    """The case's stored figures and when they were computed; computed and stored first when there are none, or
    when they no longer match the case (`story_source_key`)."""
    stored = CaseStory.objects.filter(case=case).first()
    if stored is None or stored.source_key != story_source_key(case) or stored.figures.get("version") != FORMAT_VERSION:
        stored = case_story_refresh(case=case, now=now)
    return stored.figures, stored.computed_at


def case_story(case: Case, *, user: User | AnonymousUser | None = None, now: datetime | None = None) -> StoryView:
    """The story of `case` as `user` may see it: stored figures (see `stored_case_figures`) and fresh markers."""
    figures, _computed_at = stored_case_figures(case, now=now)
    return story_view(figures, case_markers(case), mask=_mask(user))


def pattern_story(pattern: ErrorPattern, *, user: User | AnonymousUser | None = None) -> StoryView:
    """The story of `pattern`: its case's stored story when the case measures the pattern itself (no measure set by a
    lead), else the pattern's own figures (`pattern_measure`), cached `PATTERN_STORY_SECONDS`."""
    case = getattr(pattern, "case", None)  # no query when the caller selected it (`select_related("case")`)
    if case is not None and not case.measure:
        return case_story(case, user=user)
    stamp = pattern.updated_at.timestamp() if pattern.updated_at else 0
    key = f"story:pattern:{pattern.pk}:{stamp}:{FORMAT_VERSION}"
    figures = cache.get_or_set(key, lambda: pattern_story_compute(pattern), PATTERN_STORY_SECONDS)
    markers = case_markers(case) if case is not None else []
    return story_view(figures, markers, mask=_mask(user), subject="the pattern's slice")


def stories_due(*, now: datetime) -> list[int]:
    """Ids of the open cases whose stored story is older than `STALE_AFTER` (cases never viewed nor fed by detection
    have none: their first view computes it)."""
    return list(
        CaseStory.objects.filter(case__status__in=OPEN_STATUSES, computed_at__lt=now - STALE_AFTER)
        .order_by("computed_at")
        .values_list("case_id", flat=True)
    )
