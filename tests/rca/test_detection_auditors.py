"""Auditor-driven patterns: the auditor pass on plain rows (a lenient auditor across policies, no pattern from a new
auditor or a bad day), and in a run: its errors claimed once, its case audit-driven, routed to quality, in doubt."""

from datetime import UTC, datetime, timedelta
from functools import cache

import pytest
from django.utils import timezone

from cases.choices import RootCauseCategory
from cases.models import Case, Team
from rca.choices import AUDIT_QUALITY
from rca.detection.auditors import find_auditor_patterns
from rca.detection.params import DetectionParams
from rca.detection_runs import detection_run_create, detection_run_execute
from rca.importing import import_records
from rca.models import ErrorPattern, ModerationSample, PatternSample
from rca.synthetic import auditor_rows, generate_audits

END = datetime(2026, 11, 20, tzinfo=UTC)
LABELS = ("hate_speech", "spam_scam", "adult_nudity", "self_harm", "violence_graphic", "regulated_goods")
PARAMS = DetectionParams()


def _audit(index: int, auditor: str, *, day: int, market: str, decision: str, audit: str) -> dict:
    return {
        "auditor_id": auditor, "market": market, "decision_source": "human", "decision_label": decision,
        "audit_label": audit, "content_id": f"c{index}",
        "audited_at": (END - timedelta(days=day, hours=1, minutes=index % 600)).isoformat(),
    }  # fmt: skip


def _traffic(*, auditors: int = 20, days: int = 10, per_day: int = 16, lenient: str = "") -> list[dict]:
    """`auditors` auditors, `per_day` audits each a day over two markets; one removal in three, under every label.
    Peers overturn one removal in ten; `lenient` overturns one in two."""
    records = []
    for day in range(days):
        for number in range(auditors):
            auditor = f"aud-{number:02d}"
            for slot in range(per_day):
                index = len(records)
                market = ("US", "BR")[slot % 2]
                decision = LABELS[(slot + day) % len(LABELS)] if slot % 3 == 0 else "none"
                removals = day * per_day // 3 + slot // 3  # this auditor's removals so far
                every = 2 if auditor == lenient else 10
                audit = "none" if decision != "none" and removals % every == every - 1 else decision
                records.append(_audit(index, auditor, day=day, market=market, decision=decision, audit=audit))
    return records


def _hits(records: list[dict], params: DetectionParams = PARAMS):
    return find_auditor_patterns(*auditor_rows(records), params).hits


def test_auditor_pass_finds_a_lenient_auditor_across_policies():
    records = _traffic(lenient="aud-07")

    (hit,) = _hits(records)

    assert hit.conditions == {"auditor_id": "aud-07"}
    assert (hit.decision_label, hit.audit_label) == ("", "none")  # removals overturned, whatever their policy
    overturned = [records[index] for index in hit.sample_ids]
    assert {record["auditor_id"] for record in overturned} == {"aud-07"}
    assert len({record["decision_label"] for record in overturned}) == len(LABELS)
    assert hit.error_rate > 5 * hit.baseline_rate and hit.days_seen == 10


def _overturns(auditor: str, count: int, *, days: list[int], start: int) -> list[dict]:
    return [
        _audit(start + i, auditor, day=days[i % len(days)], market="BR", decision=LABELS[i % len(LABELS)], audit="none")
        for i in range(count)
    ]


@pytest.mark.parametrize(("days", "found"), [([3], 0), (list(range(10)), 1)], ids=["one bad day", "every day"])
def test_auditor_pass_reports_no_bad_day(days, found):
    records = _traffic()

    hits = _hits(records + _overturns("aud-07", 30, days=days, start=len(records)))

    assert len(hits) == found


@pytest.mark.parametrize(("min_audits", "found"), [(PARAMS.auditor_min_audits, 0), (20, 1)])
def test_auditor_pass_reports_no_new_auditor_with_few_audits(min_audits, found):
    records = _traffic()  # 160 audits per auditor
    new = _overturns("aud-new", 30, days=list(range(5)), start=len(records))
    new += [_audit(len(records) + 100 + i, "aud-new", day=i % 5, market="US", decision="none", audit="none")
            for i in range(20)]  # fmt: skip

    hits = _hits(records + new, DetectionParams(auditor_min_audits=min_audits))

    assert len(hits) == found


# IN A RUN
# ------------------------------------------------------------------------------


@cache
def _generated():
    return generate_audits(seed=1, days=12, audits_per_day=1800, end=timezone.now() - timedelta(days=1))


@pytest.fixture
def detected(db, quality_lead):
    quality_lead.teams.add(Team.objects.get(slug="quality"))
    assert import_records(_generated().records).rejected == []
    return detection_run_execute(run=detection_run_create(actor=None))


def test_detection_claims_an_overturn_once_auditor_patterns_first(detected):
    planted = {plant.key for plant in _generated().auditor_planted}
    in_patterns = PatternSample.objects.filter(pattern__status="active")

    assert in_patterns.count() == in_patterns.values("sample").distinct().count()  # no sample in two patterns
    moderation = in_patterns.exclude(pattern__policy_area=AUDIT_QUALITY).values_list("sample__external_id", flat=True)
    assert not {_generated().truth.get(external_id) for external_id in moderation} & planted
    audit_driven = ErrorPattern.objects.filter(policy_area=AUDIT_QUALITY)
    assert audit_driven.count() == len(planted) == 2


def test_detection_opens_an_audit_driven_case_routed_to_quality_with_its_verdicts_in_doubt(detected, quality_lead):
    pattern = ErrorPattern.objects.get(definition__auditor_id="aud-17")
    case = Case.objects.get(pattern=pattern)

    assert case.title == "An auditor overturns correct removals across policies"
    assert "aud-17" not in case.problem_statement  # partners read it: the slice's auditor chip is masked
    assert case.root_cause_category == RootCauseCategory.QA_CALIBRATION
    assert (case.team.slug, case.owner) == ("quality", quality_lead)
    in_doubt = set(ModerationSample.objects.filter(verdict_in_doubt=True).values_list("pk", flat=True))
    assert set(pattern.samples.values_list("pk", flat=True)) <= in_doubt
    audit_driven = PatternSample.objects.filter(pattern__policy_area=AUDIT_QUALITY).values_list("sample", flat=True)
    assert in_doubt == set(audit_driven)  # the audit-driven patterns' samples, and no other


def test_detection_without_the_auditor_pass_finds_no_audit_driven_pattern_and_doubts_no_verdict(db, settings):
    settings.DETECTION_AUDITOR_PASS = False
    assert import_records(_generated().records).rejected == []

    run = detection_run_execute(run=detection_run_create(actor=None))

    assert run.parameters["auditor_pass"] is False
    assert run.status == "succeeded" and run.patterns_found > 0
    assert not ErrorPattern.objects.filter(policy_area=AUDIT_QUALITY).exists()
    assert not ModerationSample.objects.filter(verdict_in_doubt=True).exists()
