"""The remediation report: one row per case with a fix, from the fix's stored verdict and figures, and the closed cases
without a fix record computed on the fly from their closing time.

NOW = 2026-06-30 12:00 UTC; the fixes took effect 10 days before NOW, so "after" is the 10 days since and "before" the
10 days before. The measure of the cases below: decisions `none` (nothing removed) in Indonesia, errors = missed
bullying; the control is the same decisions in Brazil.
"""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.choices import CaseStatus
from cases.fixes.choices import FixVerdict
from cases.fixes.models import Fix
from cases.fixes.services import fix_verdict_refresh
from cases.fixes.verdict import VerdictParams, fix_verdict
from cases.measure.definition import case_measure
from cases.reporting.choices import RemediationBasis
from cases.reporting.filters import ReportFilters
from cases.reporting.remediation import REMEDIATION_COLUMNS, figures_columns, not_holding, remediation_report
from rca.models import ModerationSample
from tests.factories import CaseFactory, ErrorPatternFactory, ModerationSampleFactory

NOW = datetime(2026, 6, 30, 12, 0, tzinfo=UTC)
FIXED = NOW - timedelta(days=10)
BEFORE = FIXED - timedelta(days=4)
AFTER = FIXED + timedelta(days=3)
BULLYING_ID = {"decision_label": "none", "audit_label": "bullying_harassment", "market": "ID"}


def decisions(count: int, *, errors: int, market: str, decided: datetime, label: str = "bullying_harassment") -> None:
    """`count` audited decisions `none` in `market`: `errors` of them missed `label`, the rest were right."""
    ModerationSample.objects.bulk_create(
        ModerationSampleFactory.build(
            market=market,
            decision_label_id="none",
            audit_label_id=label if index < errors else "none",
            decided_at=decided,
            audited_at=decided + timedelta(hours=6),
        )
        for index in range(count)
    )


def holding_audits(*, fixed: datetime = FIXED) -> None:
    """Missed bullying in ID falls from 20/40 to 2/40 after the fix; in BR (the control) it stays at 10/40."""
    decisions(40, errors=20, market="ID", decided=fixed - timedelta(days=4))
    decisions(40, errors=2, market="ID", decided=fixed + timedelta(days=3))
    decisions(40, errors=10, market="BR", decided=fixed - timedelta(days=4))
    decisions(40, errors=10, market="BR", decided=fixed + timedelta(days=3))


def case_with_fix(*, status=CaseStatus.MONITORING, fixed=FIXED, definition=BULLYING_ID, **extra):
    case = CaseFactory(
        status=status,
        opened_at=fixed - timedelta(days=30),
        remediating_at=fixed - timedelta(days=2),
        monitoring_at=fixed,
        pattern=ErrorPatternFactory(definition=definition),
        **extra,
    )
    return case, Fix.objects.create(case=case, effective_at=fixed, model_version="", description="Retrained on slang")


def _row(rows, case):
    return next(row for row in rows if row["case_id"] == case.pk)


@pytest.mark.django_db
def test_remediation_report_shows_a_holding_fix_with_the_figures_stored_on_it():
    holding_audits()
    case, fix = case_with_fix()
    fix = fix_verdict_refresh(fix, now=NOW)

    row = _row(remediation_report(filters=ReportFilters(), now=NOW), case)

    assert fix.verdict == row["verdict"] == FixVerdict.HOLDING
    before, after = fix.figures["before"], fix.figures["after"]
    assert (
        (row["before_audits"], row["before_errors"], row["before_rate"])
        == (40, 20, 0.5)
        == tuple(before[name] for name in ("audits", "errors", "rate"))
    )
    assert (
        (row["after_audits"], row["after_errors"], row["after_rate"])
        == (40, 2, 0.05)
        == tuple(after[name] for name in ("audits", "errors", "rate"))
    )
    assert [row["after_interval_low"], row["after_interval_high"]] == after["interval"]
    assert (row["control_before_rate"], row["control_after_rate"]) == (0.25, 0.25)
    assert (row["z"], row["p_value"]) == (fix.figures["test"]["z"], fix.figures["test"]["p_value"])
    assert row["did_z"] == fix.figures["difference_in_differences"]["z"] > 0
    assert row["measure_population"] == {"decision_label": "none", "market": "ID"}
    assert row["measure_errors"] == {"audit_label": "bullying_harassment", "topic_terms": []}
    assert (row["basis"], row["fix_id"], row["effective_at"], row["verdict_at"]) == ("fix", fix.pk, FIXED, NOW)
    assert row["what_changed"] == {"description": "Retrained on slang"}
    assert set(row) == set(REMEDIATION_COLUMNS)


@pytest.mark.django_db
def test_remediation_report_reads_the_stored_verdict_without_counting_audits():
    holding_audits()
    case, fix = case_with_fix()
    fix_verdict_refresh(fix, now=NOW)
    ModerationSample.objects.all().delete()  # the stored figures, not the audits, make the row

    with CaptureQueriesContext(connection) as queries:
        row = _row(remediation_report(filters=ReportFilters(), now=NOW), case)

    assert (row["verdict"], row["before_errors"], row["after_errors"]) == (FixVerdict.HOLDING, 20, 2)
    assert not any("rca_moderationsample" in query["sql"] for query in queries.captured_queries)


@pytest.mark.django_db
def test_remediation_report_computes_and_stores_a_fix_never_computed():
    holding_audits()
    case, fix = case_with_fix()

    row = _row(remediation_report(filters=ReportFilters(), now=NOW), case)

    fix.refresh_from_db()
    assert row["verdict"] == fix.verdict == FixVerdict.HOLDING
    assert fix.verdict_at == NOW
    assert row["after_errors"] == fix.figures["after"]["errors"] == 2


@pytest.mark.django_db
def test_remediation_report_lists_the_latest_fix_of_each_case_once_most_recent_first():
    holding_audits()
    older, _first = case_with_fix(fixed=FIXED - timedelta(days=20))
    case, first_fix = case_with_fix()
    later_fix = Fix.objects.create(case=case, effective_at=FIXED + timedelta(days=1), model_version="live-clf-4.0")
    CaseFactory(status=CaseStatus.MONITORING, pattern=ErrorPatternFactory(definition=BULLYING_ID))  # no fix

    rows = remediation_report(filters=ReportFilters(), now=NOW)

    assert [(row["case_id"], row["fix_id"]) for row in rows] == [(case.pk, later_fix.pk), (older.pk, _first.pk)]
    assert rows[0]["what_changed"] == {"model_version": "live-clf-4.0"}
    assert first_fix.pk not in [row["fix_id"] for row in rows]


@pytest.mark.django_db
def test_remediation_report_filters_by_verdict_and_case():
    holding_audits()
    holds, holds_fix = case_with_fix(market="ID")
    fails, fails_fix = case_with_fix(
        market="DE", definition={"decision_label": "none", "audit_label": "hate_speech", "market": "DE"}
    )
    decisions(60, errors=30, market="DE", decided=BEFORE, label="hate_speech")
    decisions(60, errors=30, market="DE", decided=AFTER, label="hate_speech")
    for fix in (holds_fix, fails_fix):
        fix_verdict_refresh(fix, now=NOW)

    failing = remediation_report(filters=ReportFilters(), verdict=FixVerdict.NOT_HOLDING, now=NOW)
    in_indonesia = remediation_report(filters=ReportFilters(market="ID"), now=NOW)
    everything = remediation_report(filters=ReportFilters(), now=NOW)

    assert [row["case_id"] for row in failing] == [fails.pk]
    assert [row["case_id"] for row in in_indonesia] == [holds.pk]
    assert [row["case_id"] for row in not_holding(everything)] == [fails.pk]


@pytest.mark.django_db
def test_remediation_report_query_count_does_not_grow_with_cases():
    holding_audits()
    for _index in range(3):
        fix_verdict_refresh(case_with_fix()[1], now=NOW)
    with CaptureQueriesContext(connection) as few:
        remediation_report(filters=ReportFilters(), now=NOW)
    for _index in range(20):
        fix_verdict_refresh(case_with_fix()[1], now=NOW)

    with CaptureQueriesContext(connection) as many:
        rows = remediation_report(filters=ReportFilters(), now=NOW)

    assert len(rows) == 23
    assert len(many) == len(few) == 2  # the fixes never computed (none), the latest fixes with their cases


@pytest.mark.django_db
def test_a_case_closed_without_a_fix_record_is_listed_apart_with_figures_from_its_closing_time():
    holding_audits()
    legacy = CaseFactory(
        status=CaseStatus.CLOSED,
        closed_at=FIXED,
        remediating_at=FIXED - timedelta(days=20),
        pattern=ErrorPatternFactory(definition=BULLYING_ID),
    )
    expected_verdict, expected = fix_verdict(
        case_measure(legacy), fix_at=FIXED, now=NOW, params=VerdictParams.from_settings()
    )

    fixes = remediation_report(filters=ReportFilters(), now=NOW)
    closings = remediation_report(filters=ReportFilters(), basis=RemediationBasis.CLOSING, now=NOW)

    assert fixes == []
    (row,) = closings
    assert (row["case_id"], row["basis"], row["fix_id"], row["effective_at"]) == (legacy.pk, "closing", None, FIXED)
    assert row["verdict"] == expected_verdict == FixVerdict.HOLDING
    assert {name: row[name] for name in figures_columns(expected)} == figures_columns(expected)
    assert (row["before_errors"], row["after_errors"]) == (20, 2)
    assert not Fix.objects.exists()  # computed on the fly, nothing stored


@pytest.mark.django_db
def test_closings_without_a_fix_record_are_bounded_most_recently_closed_first():
    for days in (1, 3, 2):
        CaseFactory(status=CaseStatus.CLOSED, closed_at=NOW - timedelta(days=days), title=f"closed {days} days ago")
    case_with_fix(status=CaseStatus.CLOSED, closed_at=NOW - timedelta(hours=1))  # has a fix: not a closing row

    rows = remediation_report(filters=ReportFilters(), basis=RemediationBasis.CLOSING, limit=2, now=NOW)

    assert [row["title"] for row in rows] == ["closed 1 days ago", "closed 2 days ago"]
    assert rows[0]["verdict"] is None  # no pattern, no samples: nothing to measure
