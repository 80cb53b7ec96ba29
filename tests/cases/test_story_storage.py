"""A case's story over time: the trend series and its markers, the chart, and the stored figures (reused by the
case room, refreshed by the task, by detection feeding the case and by the daily beat)."""

from datetime import timedelta

import pytest
from django.template.loader import render_to_string
from django.utils import timezone

from cases.choices import ActivityVerb, CaseStatus
from cases.fixes.models import Fix
from cases.story.models import CaseStory
from cases.story.selectors import case_story
from cases.story.tasks import refresh_case_story, refresh_open_case_stories
from rca.case_port import pattern_case_record
from tests.factories import ActivityFactory, CaseFactory, ErrorPatternFactory, ModerationSampleFactory

pytestmark = pytest.mark.django_db


def _audits(count: int, *, days_ago: float, **fields) -> list:
    decided = timezone.now() - timedelta(days=days_ago)
    return ModerationSampleFactory.create_batch(count, decided_at=decided, audited_at=decided, **fields)


def test_trend_series_covers_the_case_life_with_its_markers():
    now = timezone.now()
    case = CaseFactory(detected=True, opened_at=now - timedelta(days=6), pattern__first_seen=now - timedelta(days=10))
    _audits(2, days_ago=5)
    _audits(1, days_ago=5, audit_label_id="none")  # a correct decision of the slice
    Fix.objects.create(case=case, effective_at=now - timedelta(days=2), model_version="live-clf-3.3")
    ActivityFactory(case=case, verb=ActivityVerb.TRANSITIONED, data={"source": "monitoring", "target": "closed"})
    ActivityFactory(case=case, verb=ActivityVerb.REOPENED, data={"source": "closed", "target": "investigating"})

    story = case_story(case)

    series = story.figures["trend"]["series"]
    today = timezone.localdate()
    assert series[0]["day"] == (today - timedelta(days=13)).isoformat()  # 3 days before the first error
    assert series[-1]["day"] == today.isoformat() and len(series) == 14
    by_day = {point["day"]: point for point in series}
    error_day = (today - timedelta(days=5)).isoformat()
    assert by_day[error_day] == {"day": error_day, "audits": 3, "errors": 2}
    assert by_day[(today - timedelta(days=4)).isoformat()]["audits"] == 0  # a day without audits is drawn as zero
    assert [marker["kind"] for marker in story.markers] == ["opened", "fix", "closed", "reopened"]
    assert story.markers[1]["label"] == "Fix (live-clf-3.3)"


def test_trend_chart_draws_bars_rate_and_labelled_markers_accessibly():
    now = timezone.now()
    case = CaseFactory(detected=True, opened_at=now - timedelta(days=3))
    _audits(4, days_ago=2)
    Fix.objects.create(case=case, effective_at=now - timedelta(days=1))

    html = render_to_string("cases/_trend_chart.html", {"chart": case_story(case).chart})

    assert 'role="img" aria-label="Daily audits and error rate of' in html and "<title>" in html
    assert 'data-kind="opened"' in html and 'data-kind="fix"' in html and ">Opened</text>" in html
    assert "trend-chart__rate" in html and "<rect" in html
    assert '<table class="visually-hidden">' in html and "<td>100%</td>" in html


def test_case_story_is_stored_once_then_read_without_scanning_audits(django_assert_num_queries):
    case = CaseFactory(detected=True)
    _audits(3, days_ago=2)
    first = case_story(case)

    with django_assert_num_queries(3):  # the stored row, the fixes and the timeline's moves
        again = case_story(case)

    assert CaseStory.objects.filter(case=case).count() == 1
    assert again.figures == first.figures and again.figures["header"]["slice"]["errors"] == 3


def test_case_story_is_computed_again_when_a_lead_changes_the_measure():
    case = CaseFactory(detected=True)
    _audits(3, days_ago=2)
    case_story(case)
    case.measure = {"population": {"market": "ID"}, "audit_label": "bullying_harassment"}
    case.save(update_fields=["measure"])

    story = case_story(case)

    assert story.figures["measure"]["population"] == {"market": "ID"}


def test_refresh_case_story_task_stores_fresh_figures():
    case = CaseFactory(detected=True)
    _audits(3, days_ago=2)
    before = case_story(case)
    _audits(2, days_ago=1)

    assert refresh_case_story.delay(case.pk).get() is True

    stored = CaseStory.objects.get(case=case)
    assert stored.figures["header"]["slice"]["errors"] == 5
    assert stored.computed_at > before.computed_at


def test_detection_opening_a_case_computes_its_story_on_commit(django_capture_on_commit_callbacks):
    pattern = ErrorPatternFactory()
    samples = _audits(3, days_ago=2)

    with django_capture_on_commit_callbacks(execute=True):
        outcome = pattern_case_record(pattern=pattern, sample_ids=[s.pk for s in samples], severity_weight=2)

    assert outcome == "opened"
    assert CaseStory.objects.get(case__pattern=pattern).figures["header"]["slice"]["errors"] == 3


def test_daily_refresh_recomputes_the_day_old_stories_of_open_cases():
    open_case, closed_case = CaseFactory(detected=True), CaseFactory(detected=True, status=CaseStatus.CLOSED)
    for case in (open_case, closed_case):
        case_story(case)
    old = timezone.now() - timedelta(days=2)
    CaseStory.objects.update(computed_at=old)

    assert refresh_open_case_stories() == 1

    assert CaseStory.objects.get(case=open_case).computed_at > old
    assert CaseStory.objects.get(case=closed_case).computed_at == old
