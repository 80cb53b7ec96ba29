"""Verdicts in doubt in the quality figures: the rollups keep them apart (`in_doubt`), the metrics count them in every
row (`audits_in_doubt`) and leave them out on request, as does the change explainer; detection marking the samples of
an audit-driven pattern rebuilds their days once the run commits; the migration marks the days to rebuild."""

import importlib
from datetime import date

import pytest
from django.apps import apps
from django.core.management import call_command

from cases.models import Team
from rca.detection_runs import detection_run_create, detection_run_execute
from rca.importing import import_records
from rca.models import ModerationSample, QualityRollup, QualityRollupMark
from rca.quality.decomposition import quality_change
from rca.quality.metrics import quality_metrics
from rca.quality.rollups import decision_day, quality_rollups_mark, quality_rollups_refresh
from tests.rca.test_detection_auditors import _generated
from tests.rca.test_quality_metrics import KNOWN, WEEK, by_group
from tests.rca.test_quality_rollups import direct_aggregate, mixed_records, stored_rollups
from tests.services import require_postgres

pytestmark = pytest.mark.django_db


def put_in_doubt(*external_ids: str) -> None:
    """What a writer of the flag does: set it, mark the samples' days, refresh."""
    samples = ModerationSample.objects.filter(external_id__in=external_ids)
    quality_rollups_mark({decision_day(moment) for moment in samples.values_list("decided_at", flat=True)})
    samples.update(verdict_in_doubt=True)
    quality_rollups_refresh()


def test_rollups_keep_verdicts_in_doubt_apart_and_equal_a_direct_aggregate():
    import_records(mixed_records())

    put_in_doubt("qa-0", "qa-4", "qa-7")

    assert QualityRollup.objects.filter(in_doubt=True, dimension="all").exists()
    assert stored_rollups() == direct_aggregate()
    # Three in doubt in every dimension's rows, once per sample.
    in_doubt = QualityRollup.objects.filter(in_doubt=True)
    assert sum(in_doubt.filter(dimension="all").values_list("audits", flat=True)) == 3
    assert sum(in_doubt.filter(dimension="auditor").values_list("audits", flat=True)) == 3
    QualityRollup.objects.all().delete()
    call_command("rebuild_quality_rollups")
    assert stored_rollups() == direct_aggregate()


@pytest.mark.django_db(transaction=True)
def test_rollups_rebuilt_on_two_connections_keep_verdicts_in_doubt_apart():
    require_postgres()
    import_records(mixed_records())
    ModerationSample.objects.filter(external_id__in=["qa-1", "qa-2"]).update(verdict_in_doubt=True)

    call_command("rebuild_quality_rollups")

    assert stored_rollups() == direct_aggregate()
    assert QualityRollup.objects.filter(in_doubt=True).exists()


def test_metrics_count_verdicts_in_doubt_and_leave_them_out_on_request():
    import_records(KNOWN)
    put_in_doubt("h2", "h5")  # an over-enforcement of hate speech and a correct spam decision, both human

    counted = by_group(quality_metrics(start=WEEK[0], end=WEEK[1], group_by=["policy", "decision_source"]))
    left_out = by_group(
        quality_metrics(start=WEEK[0], end=WEEK[1], group_by=["policy", "decision_source"], exclude_in_doubt=True)
    )
    (everything,) = quality_metrics(start=WEEK[0], end=WEEK[1], exclude_in_doubt=True, weighted=False)

    hate, spam = ("hate_speech", "human"), ("spam_scam", "human")
    assert (counted[hate].audits, counted[hate].errors, counted[hate].audits_in_doubt) == (4, 3, 1)
    assert (left_out[hate].audits, left_out[hate].errors, left_out[hate].audits_in_doubt) == (3, 2, 1)
    # Decided hate speech by humans: h1 (confirmed) and h2, which leaves the precision with it.
    assert (counted[hate].precision.value, left_out[hate].precision.value) == (1 / 2, 1.0)
    assert spam not in left_out  # its one audit was in doubt: no audit left to count
    assert counted[spam].audits_in_doubt == 1
    assert counted["none", "human"].audits_in_doubt == 0
    assert (everything.audits, everything.audits_in_doubt) == (len(KNOWN) - 2, 2)
    assert everything.error_rate.value == pytest.approx(4 / 9)  # h3, h4, m3, m5: h2 left out


def test_change_explainer_leaves_verdicts_in_doubt_out_on_request():
    import_records(KNOWN)
    put_in_doubt("m5")  # the one audit of the second week: an over-enforcement
    period_a, period_b = (date(2026, 11, 2), date(2026, 11, 8)), (date(2026, 11, 9), date(2026, 11, 15))

    counted = quality_change(dimension="decision_source", period_a=period_a, period_b=period_b)
    left_out = quality_change(dimension="decision_source", period_a=period_a, period_b=period_b, exclude_in_doubt=True)

    assert (counted.audits_b, counted.rate_b) == (1, 1.0)
    assert (left_out.audits_a, left_out.audits_b, left_out.rate_b, left_out.change) == (10, 0, None, None)


def test_migration_marks_the_days_with_verdicts_in_doubt_for_the_refresh():
    migration = importlib.import_module("rca.migrations.0009_quality_rollup_in_doubt")
    import_records(mixed_records())
    doubted = ModerationSample.objects.filter(external_id__in=["qa-0", "qa-3", "qa-6"])
    days = sorted({decision_day(moment) for moment in doubted.values_list("decided_at", flat=True)})
    doubted.update(verdict_in_doubt=True)

    migration.mark_days_in_doubt(apps, None)

    assert sorted(QualityRollupMark.objects.values_list("day", flat=True)) == days
    quality_rollups_refresh()
    assert stored_rollups() == direct_aggregate()


def test_detection_marking_audit_driven_verdicts_in_doubt_rebuilds_their_days_once_it_commits(
    quality_lead, django_capture_on_commit_callbacks
):
    quality_lead.teams.add(Team.objects.get(slug="quality"))
    assert import_records(_generated().records).rejected == []

    with django_capture_on_commit_callbacks() as callbacks:
        detection_run_execute(run=detection_run_create(actor=None))
    in_doubt = ModerationSample.objects.filter(verdict_in_doubt=True)
    days = {decision_day(moment) for moment in in_doubt.values_list("decided_at", flat=True)}
    marked = set(QualityRollupMark.objects.values_list("day", flat=True))
    before = QualityRollup.objects.filter(in_doubt=True).exists()
    for callback in callbacks:
        callback()

    assert in_doubt.exists() and not before
    assert marked == days
    assert not QualityRollupMark.objects.exists()
    assert stored_rollups() == direct_aggregate()
    (row,) = quality_metrics(start=min(days), end=max(days))
    assert row.audits_in_doubt == in_doubt.count()
