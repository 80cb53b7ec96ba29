"""The remediation effect: error rate of a case's slice before and after its fix, on hand-built audits.

NOW = 2026-06-30 12:00 UTC; the fixes were made 10 days before NOW, so "before" is the 28 days before that and
"after" the 10 days since.
"""

from datetime import UTC, datetime, timedelta
from math import erfc, sqrt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.choices import CaseStatus
from cases.reporting.choices import RemediationVerdict
from cases.reporting.filters import ReportFilters
from cases.reporting.remediation import not_lowered, rate_slice, remediation_report, two_proportion_z_test
from cases.reporting.slice_counts import WindowSpec, slice_q, window_counts
from rca.models import ModerationSample
from tests.factories import CaseFactory, CaseSampleFactory, ErrorPatternFactory, ModerationSampleFactory

NOW = datetime(2026, 6, 30, 12, 0, tzinfo=UTC)
FIXED = NOW - timedelta(days=10)
BEFORE = FIXED - timedelta(days=5)
AFTER = FIXED + timedelta(days=3)


def _audits(count: int, *, errors: int, label: str, market: str = "ID", when: datetime) -> list[ModerationSample]:
    """`count` audits of content whose true label is `label`: `errors` missed (decision none), the rest correct."""
    return ModerationSample.objects.bulk_create(
        ModerationSampleFactory.build(
            market=market,
            audit_label_id=label,
            decision_label_id="none" if index < errors else label,
            audited_at=when,
        )
        for index in range(count)
    )


def _remediated_case(**extra):
    return CaseFactory(
        status=CaseStatus.MONITORING,
        opened_at=NOW - timedelta(days=60),
        due_at=NOW - timedelta(days=46),
        remediating_at=FIXED,
        monitoring_at=FIXED + timedelta(days=2),
        **extra,
    )


@pytest.fixture
def remediation_dataset(db):
    """Case A (pattern bullying/ID): 20/40 wrong before, 4/40 after. Case B (samples hate_speech/ID): 10/40 and 10/40.
    Case C (pattern spam_scam/JP): no audits. Case D: still investigating, not in the report. Noise: other markets,
    other labels, and audits older than the window."""
    pattern = ErrorPatternFactory(
        definition={"decision_label": "none", "audit_label": "bullying_harassment", "market": "ID", "terms": ["x"]}
    )
    case_a = _remediated_case(title="A", pattern=pattern)
    _audits(40, errors=20, label="bullying_harassment", when=BEFORE)
    _audits(40, errors=4, label="bullying_harassment", when=AFTER)

    case_b = _remediated_case(title="B", pattern=None)
    before_b = _audits(40, errors=10, label="hate_speech", when=BEFORE)
    _audits(40, errors=10, label="hate_speech", when=AFTER)
    for sample in before_b[:3]:
        CaseSampleFactory(case=case_b, sample=sample)
    CaseSampleFactory(
        case=case_b,
        sample=ModerationSampleFactory(decision_label_id="hate_speech", audit_label_id="none", audited_at=AFTER),
    )

    case_c = _remediated_case(
        title="C", pattern=ErrorPatternFactory(definition={"audit_label": "spam_scam", "market": "JP"})
    )
    CaseFactory(title="D", status=CaseStatus.INVESTIGATING, remediating_at=None)

    _audits(30, errors=30, label="bullying_harassment", market="BR", when=AFTER)  # other market
    _audits(30, errors=30, label="bullying_harassment", when=FIXED - timedelta(days=40))  # before the window
    return case_a, case_b, case_c


def test_remediation_report_measures_error_rates_before_and_after_the_fix(remediation_dataset):
    case_a, _case_b, _case_c = remediation_dataset

    rows = {row["case_id"]: row for row in remediation_report(filters=ReportFilters(), now=NOW)}

    row = rows[case_a.pk]
    assert row["slice"] == {"audit_label": "bullying_harassment", "market": "ID"}
    assert row["slice_source"] == "pattern"
    assert row["remediated_at"] == FIXED
    assert (row["before_audits"], row["before_errors"], row["before_error_rate"]) == (40, 20, 0.5)
    # the 40 after-audits plus the over-enforced hate_speech sample of case B, which is not in this slice
    assert (row["after_audits"], row["after_errors"], row["after_error_rate"]) == (40, 4, 0.1)
    assert row["change"] == -0.4


def test_remediation_report_z_test_matches_the_pooled_formula(remediation_dataset):
    case_a, _case_b, _case_c = remediation_dataset
    pooled = 24 / 80
    z = (0.5 - 0.1) / sqrt(pooled * (1 - pooled) * (1 / 40 + 1 / 40))
    p_two_sided = erfc(abs(z) / sqrt(2))

    row = next(row for row in remediation_report(filters=ReportFilters(), now=NOW) if row["case_id"] == case_a.pk)

    assert row["z"] == pytest.approx(z, abs=1e-4)  # 3.9036
    assert row["p_value"] == pytest.approx(p_two_sided, rel=1e-3)  # 9.5e-5
    assert row["verdict"] == RemediationVerdict.LOWERED


def test_remediation_report_takes_the_slice_of_a_case_without_pattern_from_its_samples(remediation_dataset):
    _case_a, case_b, _case_c = remediation_dataset

    row = next(row for row in remediation_report(filters=ReportFilters(), now=NOW) if row["case_id"] == case_b.pk)

    assert row["slice"] == {"audit_label": "hate_speech", "market": "ID"}
    assert row["slice_source"] == "samples"
    assert (row["before_audits"], row["before_errors"]) == (40, 10)
    assert (row["after_audits"], row["after_errors"]) == (40, 10)
    assert (row["z"], row["p_value"]) == (0.0, 1.0)
    assert row["verdict"] == RemediationVerdict.NO_CHANGE


def test_remediation_report_flags_a_slice_without_audits_as_insufficient(remediation_dataset):
    _case_a, _case_b, case_c = remediation_dataset

    row = next(row for row in remediation_report(filters=ReportFilters(), now=NOW) if row["case_id"] == case_c.pk)

    assert (row["before_audits"], row["after_audits"]) == (0, 0)
    assert row["before_error_rate"] is None
    assert row["z"] is None
    assert row["verdict"] == RemediationVerdict.INSUFFICIENT_DATA


def test_remediation_report_lists_only_cases_that_reached_monitoring_or_closed_with_a_slice(remediation_dataset):
    _remediated_case(title="E", pattern=None)  # no pattern, no samples
    _remediated_case(title="F", pattern=ErrorPatternFactory(definition={"top_terms": ["x"]}))  # nothing to slice by

    rows = remediation_report(filters=ReportFilters(), now=NOW)

    assert sorted(row["title"] for row in rows) == ["A", "B", "C"]


def test_not_lowered_lists_the_fixes_that_did_not_lower_the_error_rate(remediation_dataset):
    _case_a, case_b, _case_c = remediation_dataset

    rows = not_lowered(remediation_report(filters=ReportFilters(), now=NOW))

    assert [row["case_id"] for row in rows] == [case_b.pk]


def test_remediation_report_query_count_does_not_grow_with_cases(remediation_dataset):
    with CaptureQueriesContext(connection) as few:
        remediation_report(filters=ReportFilters(), now=NOW)
    for index in range(30):
        definition = {"audit_label": "hate_speech", "market": "ID"}
        _remediated_case(title=f"more {index}", pattern=ErrorPatternFactory(definition=definition))
    with CaptureQueriesContext(connection) as many:
        rows = remediation_report(filters=ReportFilters(), now=NOW)

    assert len(rows) == 33
    assert len(many) == len(few) == 3  # cases, slices from samples, one joined count for the (label, market) shape


def test_remediation_report_window_days_narrows_the_before_window(remediation_dataset):
    case_a, _case_b, _case_c = remediation_dataset

    rows = remediation_report(filters=ReportFilters(), window_days=3, now=NOW)

    row = next(row for row in rows if row["case_id"] == case_a.pk)
    assert row["before_audits"] == 0  # the before-audits are 5 days before the fix


@pytest.mark.parametrize(
    ("definition", "expected"),
    [
        (
            {"decision_label": "none", "audit_label": "hate_speech", "market": "ID"},
            {"audit_label": "hate_speech", "market": "ID"},
        ),
        ({"decision_label": "adult_nudity", "audit_label": "none"}, {"decision_label": "adult_nudity"}),
        ({"decision_label": "a", "audit_label": "b", "outcome": "wrong_policy"}, {"audit_label": "b"}),
        ({"language": "id", "tag": "gaming", "top_terms": ["x"], "queue": ""}, {"language": "id", "tag": "gaming"}),
    ],
)
def test_rate_slice_keeps_sample_features_and_one_label(definition, expected):
    assert rate_slice(definition) == expected


@pytest.mark.django_db
def test_slice_q_matches_tags_and_lists():
    gaming = ModerationSampleFactory(tags=";gaming;minor_present;", language="id")
    ModerationSampleFactory(tags=";gaming_pro;", language="id")
    english = ModerationSampleFactory(tags=";gaming;", language="en")

    by_tag = set(ModerationSample.objects.filter(slice_q({"tag": "gaming"})))
    by_languages = set(ModerationSample.objects.filter(slice_q({"tag": "gaming", "language": ["en", "id"]})))

    assert by_tag == {gaming, english}
    assert by_languages == {gaming, english}


def test_two_proportion_z_test_known_values():
    test = two_proportion_z_test(30, 100, 15, 100)  # 30% -> 15%

    pooled = 45 / 200
    expected_z = 0.15 / sqrt(pooled * (1 - pooled) * 0.02)
    assert test.z == pytest.approx(expected_z)  # 2.5355
    assert test.p_value == pytest.approx(erfc(expected_z / sqrt(2)))  # 0.0112
    assert two_proportion_z_test(1, 0, 1, 10) is None
    assert two_proportion_z_test(0, 10, 0, 10).p_value == 1.0


@pytest.mark.django_db
def test_window_counts_join_matches_the_orm_for_scalar_list_and_tag_slices():
    _audits(10, errors=4, label="hate_speech", market="ID", when=BEFORE)
    _audits(6, errors=1, label="hate_speech", market="BR", when=AFTER)
    ModerationSample.objects.filter(market="BR").update(tags=";gaming;music;")
    ModerationSample.objects.filter(market="ID", decision_label_id="none").update(tags=";gaming_x;")
    start = FIXED - timedelta(days=28)
    specs = [
        WindowSpec(case_id=1, slice={"audit_label": "hate_speech", "market": "ID"}, start=start, remediated_at=FIXED),
        WindowSpec(case_id=2, slice={"market": ["ID", "BR"]}, start=start, remediated_at=FIXED),
        WindowSpec(case_id=3, slice={"tag": "gaming"}, start=start, remediated_at=FIXED),
        WindowSpec(case_id=4, slice={"tag": ["gaming", "music"]}, start=start, remediated_at=FIXED),
    ]

    counts = window_counts(specs, NOW)

    assert counts[1] == (10, 4, 0, 0)
    assert counts[2] == (10, 4, 6, 1)
    assert counts[3] == (0, 0, 6, 1)  # ";gaming_x;" is not the tag "gaming" (LIKE wildcards are escaped)
    assert counts[4] == (0, 0, 6, 1)  # a sample with both tags counts once
    for spec in specs:
        condition = slice_q(spec.slice)
        before = ModerationSample.objects.filter(condition, audited_at__gte=start, audited_at__lt=FIXED).count()
        after = ModerationSample.objects.filter(condition, audited_at__gte=FIXED, audited_at__lt=NOW).count()
        assert (counts[spec.case_id][0], counts[spec.case_id][2]) == (before, after)
