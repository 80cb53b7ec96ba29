"""Reads for the evidence pages: the samples explorer, the patterns list and a pattern's page.

Samples are read through `cases.permissions.visible_samples` and filtered with the shared
`cases.evidence.filters.SampleFilter`; patterns with `PatternFilter`. The samples explorer never counts the whole
(million-row) table: it pages by fetching one row more than it shows.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib.auth.models import User
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, QueryDict

from cases import permissions
from cases.evidence.filters import PatternFilter, SampleFilter
from cases.selectors import blur_preference, mark_sensitive, sample_rows
from cases.story.display import StoryView
from cases.story.selectors import pattern_story
from cases.titles import pattern_titles
from rca.choices import ERROR_OUTCOMES
from rca.models import ErrorPattern, ModerationSample, PolicyLabel

SAMPLE_PAGE_SIZE = 50
PATTERN_PAGE_SIZE = 25
PATTERN_SAMPLES_SHOWN = 20
MAX_SAMPLE_PAGE = 200  # offset paging past 10,000 rows gets slow; the filters are the way to dig deeper


# SAMPLES
# ------------------------------------------------------------------------------


def default_sample_params(params: QueryDict) -> QueryDict:
    """With no filter at all the explorer shows the misclassified samples: what cases are made of."""
    meaningful = [key for key in params if key not in ("page",) and any(params.getlist(key))]
    if meaningful:
        return params
    defaults = params.copy()
    defaults.setlist("outcome", [str(outcome) for outcome in ERROR_OUTCOMES])
    return defaults


@dataclass
class SampleExplorer:
    filterset: SampleFilter
    rows: list[ModerationSample]
    page_number: int
    has_next: bool
    has_previous: bool
    is_valid: bool
    blur: bool
    labels: list[PolicyLabel]
    params: QueryDict


def _partner_default_case(user: User, params: QueryDict) -> QueryDict:
    """A partner browses the samples of one of its cases at a time (its most recent case unless it picks one): the
    samples of every case shared with a team run to six figures, and walking them all for one page is slow."""
    if permissions.sees_all_cases(user) or params.get("case"):
        return params
    latest = permissions.visible_cases(user).order_by("-opened_at", "-id").values_list("pk", flat=True).first()
    if latest is None:
        return params
    params = params.copy()
    params["case"] = str(latest)
    return params


def sample_explorer(*, request: HttpRequest) -> SampleExplorer:
    """The explorer's page for the request's user and query string (the filter set takes the request: its `case` and
    `pattern` filters accept only what this user sees)."""
    user = request.user
    params = _partner_default_case(user, default_sample_params(request.GET))
    try:
        page_number = min(max(int(params.get("page", 1)), 1), MAX_SAMPLE_PAGE)
    except ValueError:
        page_number = 1
    filterset = SampleFilter(params, queryset=permissions.visible_samples(user), request=request)
    is_valid = filterset.is_valid()
    rows: list[ModerationSample] = []
    if is_valid:
        start = (page_number - 1) * SAMPLE_PAGE_SIZE
        queryset = sample_rows(filterset.qs).order_by("-audited_at", "-id")
        rows = list(queryset[start : start + SAMPLE_PAGE_SIZE + 1])
    has_next = len(rows) > SAMPLE_PAGE_SIZE and page_number < MAX_SAMPLE_PAGE
    rows = rows[:SAMPLE_PAGE_SIZE]
    blur = blur_preference(user)
    mark_sensitive(rows, blur=blur)
    return SampleExplorer(
        filterset=filterset,
        rows=rows,
        page_number=page_number,
        has_next=has_next,
        has_previous=page_number > 1,
        is_valid=is_valid,
        blur=blur,
        labels=list(PolicyLabel.objects.filter(is_active=True).only("code", "name")),
        params=params,
    )


def visible_sample_or_none(*, user: User, sample_id: int) -> ModerationSample | None:
    return sample_rows(permissions.visible_samples(user)).filter(pk=sample_id).first()


# PATTERNS
# ------------------------------------------------------------------------------


@dataclass
class PatternList:
    filterset: PatternFilter
    page: Page
    is_valid: bool


def pattern_list(*, request: HttpRequest, page_number: str | int | None = 1) -> PatternList:
    filterset = PatternFilter(request.GET, queryset=ErrorPattern.objects.all(), request=request)
    is_valid = filterset.is_valid()
    queryset = filterset.qs if is_valid else ErrorPattern.objects.none()
    queryset = queryset.select_related("case").order_by("-last_seen", "-id")
    page = Paginator(queryset, PATTERN_PAGE_SIZE).get_page(page_number)
    page.object_list = list(page.object_list)
    titles = pattern_titles(page.object_list)
    for pattern in page.object_list:
        pattern.title = titles[pattern.pk]  # what people read (`cases.titles`), not the machine name
    return PatternList(filterset, page, is_valid)


@dataclass
class PatternPage:
    pattern: ErrorPattern
    samples: list[ModerationSample]
    daily: list[tuple[date, int]]
    blur: bool
    story: StoryView | None = None


def daily_series(daily_counts: dict[str, int], *, days: int | None = None) -> list[tuple[date, int]]:
    """`ErrorPattern.daily_counts` as a gap-free list of (day, count), the missing days counted as 0."""
    parsed: dict[date, int] = {}
    for key, value in (daily_counts or {}).items():
        try:
            parsed[date.fromisoformat(str(key)[:10])] = int(value)
        except (TypeError, ValueError):
            continue
    if not parsed:
        return []
    first, last = min(parsed), max(parsed)
    if days is not None:
        first = max(first, last - timedelta(days=days - 1))
    return [
        (first + timedelta(days=n), parsed.get(first + timedelta(days=n), 0)) for n in range((last - first).days + 1)
    ]


def pattern_page(*, user: User, pattern_id: int) -> PatternPage | None:
    pattern = ErrorPattern.objects.select_related("case").filter(pk=pattern_id).first()
    if pattern is None:
        return None
    samples = list(
        sample_rows(permissions.visible_samples(user).filter(patternsample__pattern=pattern)).order_by(
            "-audited_at", "-id"
        )[:PATTERN_SAMPLES_SHOWN]
    )
    blur = blur_preference(user)
    mark_sensitive(samples, blur=blur)
    return PatternPage(
        pattern=pattern,
        samples=samples,
        daily=daily_series(pattern.daily_counts),
        blur=blur,
        story=pattern_story(pattern, user=user),
    )
