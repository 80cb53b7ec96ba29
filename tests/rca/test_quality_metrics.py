"""Quality metrics on generated audits with known truth: counts, rates, precision and recall per group equal a hand
computation; a weighted rate and its effective sample size are checked by hand (rca/quality/metrics.py)."""

from datetime import date

import pytest

from rca.importing import import_records
from rca.quality.dimensions import period_start
from rca.quality.metrics import quality_metrics
from rca.quality.reading import QualityQueryError

pytestmark = pytest.mark.django_db

WEEK = (date(2026, 11, 2), date(2026, 11, 15))  # two weeks of decisions, Monday to Sunday


def audit(external_id, source, decision, audit_label, *, day=3, market="US", weight=None):
    record = {
        "external_id": external_id,
        "content_id": f"c-{external_id}",
        "content_type": "video",
        "market": market,
        "language": "en",
        "decision_source": source,
        "model_version": "clf-1" if source == "model" else "",
        "decision_label": decision,
        "audit_label": audit_label,
        "decided_at": f"2026-11-{day:02d}T12:00:00+00:00",
        "audited_at": "2026-11-16T12:00:00+00:00",
    }
    return record if weight is None else {**record, "weight": weight}


KNOWN = [
    audit("h1", "human", "hate_speech", "hate_speech"),  # correct
    audit("h2", "human", "hate_speech", "none"),  # over-enforcement of hate speech
    audit("h3", "human", "none", "hate_speech"),  # under-enforcement of hate speech
    audit("h4", "human", "spam_scam", "hate_speech"),  # wrong policy: the truth is hate speech
    audit("h5", "human", "spam_scam", "spam_scam"),
    audit("h6", "human", "none", "none"),
    audit("m1", "model", "hate_speech", "hate_speech"),
    audit("m2", "model", "hate_speech", "hate_speech"),
    audit("m3", "model", "none", "spam_scam"),  # under-enforcement of spam
    audit("m4", "model", "none", "none"),
    audit("m5", "model", "hate_speech", "none", day=10),  # next week: over-enforcement
]


def by_group(rows):
    return {tuple(row.group.values()): row for row in rows}


def test_metrics_per_policy_and_decision_source_equal_a_hand_computation():
    import_records(KNOWN)

    rows = by_group(quality_metrics(start=WEEK[0], end=date(2026, 11, 8), group_by=["policy", "decision_source"]))

    assert set(rows) == {
        (policy, source) for policy in ("hate_speech", "spam_scam", "none") for source in ("human", "model")
    }
    hate_human = rows["hate_speech", "human"]
    assert (hate_human.audits, hate_human.errors) == (4, 3)
    assert (hate_human.over_enforcement, hate_human.under_enforcement, hate_human.wrong_policy) == (1, 1, 1)
    assert hate_human.error_rate.value == 0.75
    assert hate_human.over_enforcement_rate.value == hate_human.wrong_policy_rate.value == 0.25
    assert hate_human.precision.value == 1 / 2  # decided hate speech: h1, h2; confirmed: h1
    assert hate_human.recall.value == 1 / 3  # audited hate speech: h1, h3, h4
    assert (rows["hate_speech", "model"].precision.value, rows["hate_speech", "model"].recall.value) == (1, 1)
    assert rows["spam_scam", "human"].precision.value == 1 / 2  # h4 and h5 enforced spam; the audit confirmed h5
    assert rows["spam_scam", "model"].error_rate.value == 1
    assert rows["spam_scam", "model"].precision.value is None  # no model decision enforced spam
    assert rows["spam_scam", "model"].recall.value == 0
    assert rows["none", "human"].precision.value == 1 / 2  # h3, h6 decided no violation; h6 was right


def test_metrics_by_week_and_decision_source_with_wilson_intervals():
    import_records(KNOWN)

    rows = quality_metrics(start=WEEK[0], end=WEEK[1], group_by=["decision_source"], period="week")

    assert [(row.period_start, row.group["decision_source"], row.audits, row.errors) for row in rows] == [
        (date(2026, 11, 2), "human", 6, 3),
        (date(2026, 11, 2), "model", 4, 1),
        (date(2026, 11, 9), "model", 1, 1),
    ]
    assert {period_start(date(2026, 11, day), "week") for day in (2, 8)} == {date(2026, 11, 2)}
    human = rows[0].error_rate
    assert human.value == 0.5 and human.effective_n == 6
    assert human.low == pytest.approx(0.1876, abs=1e-4) and human.high == pytest.approx(0.8124, abs=1e-4)


def test_weighted_error_rate_and_effective_sample_size_by_hand():
    import_records(
        [
            audit("w1", "human", "hate_speech", "none", weight=1),  # an error
            audit("w2", "human", "none", "none", weight=1),
            audit("w3", "human", "spam_scam", "spam_scam", weight=2),
        ]
    )

    (weighted,) = quality_metrics(start=WEEK[0], end=WEEK[1])
    (plain,) = quality_metrics(start=WEEK[0], end=WEEK[1], weighted=False)

    # error weight 1 over total weight 4; n_eff = 4^2 / (1 + 1 + 4) = 8/3
    assert weighted.error_rate.value == 0.25
    assert weighted.effective_audits == pytest.approx(8 / 3)
    assert weighted.error_rate.effective_n == pytest.approx(8 / 3)
    assert weighted.error_rate.low == pytest.approx(0.033630, abs=1e-6)
    assert weighted.error_rate.high == pytest.approx(0.761498, abs=1e-6)
    assert (weighted.audits, weighted.weighted_audits) == (3, 4)
    assert plain.error_rate.value == 1 / 3 and plain.error_rate.effective_n == 3


def test_metrics_filtered_by_a_market_and_grouped_by_policy():
    import_records([*KNOWN, audit("id1", "human", "none", "hate_speech", market="ID")])

    rows = by_group(quality_metrics(start=WEEK[0], end=WEEK[1], group_by=["policy"], filters={"market": "ID"}))

    assert list(rows) == [("hate_speech",)]
    assert (rows["hate_speech",].audits, rows["hate_speech",].under_enforcement) == (1, 1)


def test_metrics_refuse_two_rollup_dimensions_naming_the_second():
    with pytest.raises(QualityQueryError) as refused:
        quality_metrics(start=WEEK[0], end=WEEK[1], group_by=["market"], filters={"language": "en"})

    assert refused.value.field == "language"
