"""The fix verdict on generated audits (issue 15): a few thousand decisions made over days before and after a fix, in
the case's slice (market ID) and in comparable traffic outside it (market TH, the control), read through the real
measure and counts (`cases.measure`) on whichever database the run uses (PostgreSQL or SQLite).

Windows are by decision time: the fix took effect `FIX_AGE` ago, so "after" is the last `FIX_AGE` of decisions and
"before" the `FIX_AGE` before the fix.
"""

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from cases.choices import ActivityVerb, CaseStatus
from cases.fixes.choices import FixVerdict
from cases.fixes.models import Fix
from cases.fixes.records import FixInput, fix_record
from cases.fixes.services import fix_verdict_refresh, fixes_refresh
from cases.models import Activity
from cases.services import case_transition
from cases.workflow import TransitionRefused
from tests.factories import CaseFactory, ErrorPatternFactory, audits_bulk

pytestmark = pytest.mark.django_db
FIX_AGE = timedelta(days=10)
AUDITS = 300  # per window and traffic: enough for the test's power at a 20% rate (157 needed, see below)


@pytest.fixture
def now():
    return timezone.now()


def _traffic(now, *, market: str, rates: tuple[float, float], audits: tuple[int, int] = (AUDITS, AUDITS), **fields):
    """Audits of `market` before and after the fix, misclassified at `rates` (before, after)."""
    fix_at = now - FIX_AGE
    windows = ((fix_at - FIX_AGE + timedelta(hours=1), fix_at), (fix_at, now - timedelta(hours=1)))
    for (start, end), rate, count in zip(windows, rates, audits, strict=True):
        audits_bulk(audits=count, errors=round(count * rate), start=start, end=end, market=market, **fields)


def _case_with_fix(now, lead, *, definition: dict | None = None, model_version: str = ""):
    """A detected case in monitoring since its fix took effect, `FIX_AGE` ago, recorded through the fix service."""
    definition = definition or {"decision_label": "none", "audit_label": "bullying_harassment", "market": "ID"}
    case = CaseFactory(
        detected=True,
        pattern=ErrorPatternFactory(definition=definition),
        status=CaseStatus.MONITORING,
        owner=lead,
        monitoring_at=now - FIX_AGE,
    )
    fix = fix_record(case=case, fix=FixInput(effective_at=now - FIX_AGE, model_version=model_version), actor=lead)
    return case, fix


# VERDICTS
# ------------------------------------------------------------------------------


def test_fix_verdict_holding_when_the_fix_removes_the_pattern(now, quality_lead):
    _traffic(now, market="ID", rates=(0.20, 0.04))
    _traffic(now, market="TH", rates=(0.10, 0.10))
    _case, fix = _case_with_fix(now, quality_lead)

    fix = fix_verdict_refresh(fix, now=now)

    assert fix.verdict == FixVerdict.HOLDING
    figures = fix.figures
    assert (figures["before"]["audits"], figures["before"]["errors"]) == (AUDITS, 60)
    assert (figures["after"]["audits"], figures["after"]["errors"]) == (AUDITS, 12)
    assert figures["control"]["before"]["rate"] == figures["control"]["after"]["rate"] == pytest.approx(0.10)
    assert figures["test"]["p_value"] < 0.05 and figures["difference_in_differences"]["p_value"] < 0.05
    entry = Activity.objects.get(verb=ActivityVerb.FIX_VERDICT)
    assert (entry.data["verdict"], entry.data["previous"]) == (FixVerdict.HOLDING, "")


def test_fix_verdict_not_holding_when_the_rate_stays(now, quality_lead):
    _traffic(now, market="ID", rates=(0.20, 0.20))
    _traffic(now, market="TH", rates=(0.10, 0.10))
    _case, fix = _case_with_fix(now, quality_lead)

    fix = fix_verdict_refresh(fix, now=now)

    assert fix.verdict == FixVerdict.NOT_HOLDING
    assert fix.figures["after"]["rate"] == pytest.approx(0.20)
    assert fix.figures["audits_more"] == 0


def test_fix_verdict_does_not_credit_a_platform_wide_drop(now, quality_lead):
    """The slice's rate halves, but so does the control's: the slice alone would pass the test, net of the control
    it does not."""
    _traffic(now, market="ID", rates=(0.20, 0.10))
    _traffic(now, market="TH", rates=(0.20, 0.10))
    _case, fix = _case_with_fix(now, quality_lead)

    fix = fix_verdict_refresh(fix, now=now)

    assert fix.verdict == FixVerdict.NOT_HOLDING
    assert fix.figures["test"]["p_value"] < 0.001  # the slice's own drop is significant...
    assert fix.figures["difference_in_differences"]["p_value"] > 0.4  # ...and no larger than the control's
    assert fix.figures["control"]["after"]["rate"] == pytest.approx(0.10)


def test_fix_verdict_without_traffic_outside_the_slice_judges_the_slice_alone(now, quality_lead):
    """The measure narrows its comparable traffic (market ID), but nothing else was audited: no control to net out."""
    _traffic(now, market="ID", rates=(0.20, 0.04))
    _case, fix = _case_with_fix(now, quality_lead)

    fix = fix_verdict_refresh(fix, now=now)

    assert fix.verdict == FixVerdict.HOLDING
    assert fix.figures["control"] is None and fix.figures["difference_in_differences"] is None


def test_fix_verdict_not_enough_audits_says_how_many_more(now, quality_lead):
    _traffic(now, market="ID", rates=(0.20, 0.15), audits=(400, 40))
    _traffic(now, market="TH", rates=(0.10, 0.10))
    _case, fix = _case_with_fix(now, quality_lead)

    fix = fix_verdict_refresh(fix, now=now)

    assert fix.verdict == FixVerdict.NOT_ENOUGH_AUDITS
    # By hand: p1 = 0.2 before, p2 = 0.1 (a 50% drop), mean 0.15, z(0.95) = 1.6449, z(0.80) = 0.8416:
    # n = (1.6449 * sqrt(2 * 0.15 * 0.85) + 0.8416 * sqrt(0.2 * 0.8 + 0.1 * 0.9))^2 / 0.1^2
    #   = (0.83065 + 0.42080)^2 / 0.01 = 156.6 -> 157 audits in each window.
    assert fix.figures["audits_needed"] == 157
    assert fix.figures["audits_more"] == 157 - 40


def test_fix_verdict_of_a_model_version_ignores_older_versions_after_the_fix(now, quality_lead):
    """After the fix, the old version still decides part of the traffic (a staged rollout) and still errs; only the
    named version and later ones count as after."""
    _traffic(now, market="ID", rates=(0.20, 0.35), model_version="live-clf-3.2")
    audits_bulk(audits=AUDITS, errors=6, start=now - FIX_AGE, end=now, market="ID", model_version="live-clf-3.10")
    _traffic(now, market="TH", rates=(0.10, 0.10), model_version="live-clf-3.2")
    audits_bulk(audits=AUDITS, errors=30, start=now - FIX_AGE, end=now, market="TH", model_version="live-clf-3.3")
    _case, fix = _case_with_fix(now, quality_lead, model_version="live-clf-3.3")

    fix = fix_verdict_refresh(fix, now=now)

    assert fix.verdict == FixVerdict.HOLDING
    assert (fix.figures["after"]["audits"], fix.figures["after"]["errors"]) == (AUDITS, 6)
    assert fix.figures["control"]["after"]["audits"] == AUDITS
    assert fix.figures["model_version"] == "live-clf-3.3"


# CLOSURE
# ------------------------------------------------------------------------------


def _monitored_case(lead, *, verdict: str, days: int, status: str = CaseStatus.MONITORING):
    now = timezone.now()
    case = CaseFactory(status=status, owner=lead, monitoring_at=now - timedelta(days=days))
    Fix.objects.create(case=case, effective_at=now - timedelta(days=days), verdict=verdict, recorded_by=lead)
    return case


def _transition_entry(case) -> Activity:
    return Activity.objects.filter(case=case, verb=ActivityVerb.TRANSITIONED).latest("id")


@override_settings(FIX_MIN_MONITORING_DAYS=7)
def test_close_on_evidence_needs_no_reason_when_the_fix_holds_after_the_period(quality_lead):
    case = _monitored_case(quality_lead, verdict=FixVerdict.HOLDING, days=8)

    closed = case_transition(case=case, to=CaseStatus.CLOSED, actor=quality_lead)

    assert (closed.status, closed.closed_by_override) == (CaseStatus.CLOSED, False)
    assert "override" not in _transition_entry(case).data


@override_settings(FIX_MIN_MONITORING_DAYS=10)
def test_close_before_the_monitoring_period_needs_an_override_reason(quality_lead):
    case = _monitored_case(quality_lead, verdict=FixVerdict.HOLDING, days=8)

    with pytest.raises(TransitionRefused, match="10 days of monitoring") as refused:
        case_transition(case=case, to=CaseStatus.CLOSED, actor=quality_lead)
    closed = case_transition(case=case, to=CaseStatus.CLOSED, actor=quality_lead, reason="Model retired anyway")

    assert refused.value.code == "guard_failed"
    assert (closed.status, closed.closed_by_override) == (CaseStatus.CLOSED, True)
    entry = _transition_entry(case)
    assert (entry.data["override"], entry.data["reason"]) == (True, "Model retired anyway")


@pytest.mark.parametrize(
    ("verdict", "status", "why"),
    [
        (FixVerdict.NOT_HOLDING, CaseStatus.MONITORING, "not holding"),
        (FixVerdict.NOT_ENOUGH_AUDITS, CaseStatus.MONITORING, "not enough audits"),
        ("", CaseStatus.MONITORING, "not computed yet"),
        (FixVerdict.HOLDING, CaseStatus.REMEDIATING, "not been monitored"),
    ],
)
@override_settings(FIX_MIN_MONITORING_DAYS=7)
def test_close_without_a_holding_verdict_is_an_override(quality_lead, verdict, status, why):
    case = _monitored_case(quality_lead, verdict=verdict, days=30, status=status)

    with pytest.raises(TransitionRefused, match=why):
        case_transition(case=case, to=CaseStatus.CLOSED, actor=quality_lead, reason="  ")
    closed = case_transition(case=case, to=CaseStatus.CLOSED, actor=quality_lead, reason="Accepted risk")

    assert closed.closed_by_override is True
    assert _transition_entry(case).data["override"] is True


def test_reopening_clears_the_override_mark(quality_lead):
    case = _monitored_case(quality_lead, verdict=FixVerdict.NOT_HOLDING, days=30)
    case_transition(case=case, to=CaseStatus.CLOSED, actor=quality_lead, reason="Accepted risk")

    reopened = case_transition(case=case, to=CaseStatus.INVESTIGATING, actor=quality_lead, reason="Back")

    assert reopened.closed_by_override is False


@override_settings(FIX_MIN_MONITORING_DAYS=7)
def test_fixes_refresh_closes_a_case_whose_fix_holds_and_leaves_one_that_does_not(now, quality_lead):
    _traffic(now, market="ID", rates=(0.20, 0.04))
    _traffic(now, market="TH", rates=(0.10, 0.10))
    holds, _ = _case_with_fix(now, quality_lead)
    false_positives = {"decision_label": "hate_speech", "audit_label": "none", "market": "ID"}
    _traffic(now, market="ID", rates=(0.20, 0.20), decision_label_id="hate_speech", error_label="none")
    _traffic(now, market="TH", rates=(0.10, 0.10), decision_label_id="hate_speech", error_label="none")
    stays, _ = _case_with_fix(now, quality_lead, definition=false_positives)

    counts = fixes_refresh()

    assert counts == {"refreshed": 2, "closed": 1}
    holds.refresh_from_db()
    stays.refresh_from_db()
    assert (holds.status, holds.closed_by_override) == (CaseStatus.CLOSED, False)
    assert _transition_entry(holds).actor is None
    assert stays.status == CaseStatus.MONITORING
    assert stays.fixes.get().verdict == FixVerdict.NOT_HOLDING


@override_settings(FIX_MIN_MONITORING_DAYS=14)
def test_fixes_refresh_leaves_a_holding_fix_open_until_the_period_passed(now, quality_lead):
    _traffic(now, market="ID", rates=(0.20, 0.04))
    _traffic(now, market="TH", rates=(0.10, 0.10))
    case, _ = _case_with_fix(now, quality_lead)

    fixes_refresh()

    case.refresh_from_db()
    assert case.status == CaseStatus.MONITORING
    assert case.fixes.get().verdict == FixVerdict.HOLDING
