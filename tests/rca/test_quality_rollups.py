"""The daily quality rollups equal a direct aggregate of the samples (split by whether their verdict is in doubt) after
imports, re-imports of changed rows, an interrupted import and a full rebuild (rca/quality/rollups.py)."""

import io
import json
from collections import defaultdict

import pytest
from django.core.management import call_command

from rca.importing import import_records
from rca.importing.validation import RecordValidator, active_label_codes
from rca.importing.writer import write_batch
from rca.models import ModerationSample, QualityRollup, QualityRollupMark
from rca.quality.dimensions import ALL, ROLLUP_COLUMNS
from rca.quality.rollups import decision_day, quality_rollups_refresh
from tests.services import require_postgres

pytestmark = pytest.mark.django_db


def record(external_id: str, **overrides) -> dict:
    base = {
        "external_id": external_id,
        "content_id": f"content-{external_id}",
        "content_type": "live_stream",
        "market": "US",
        "language": "en",
        "queue": "us_general",
        "decision_source": "human",
        "decision_label": "hate_speech",
        "audit_label": "none",
        "decided_at": "2026-11-02T10:00:00+00:00",
        "audited_at": "2026-11-03T10:00:00+00:00",
        "auditor_id": "aud-1",
    }
    return {**base, **overrides}


def mixed_records() -> list[dict]:
    """Three days, two markets and sources, every outcome, unequal weights."""
    records = []
    labels = [("hate_speech", "none"), ("none", "hate_speech"), ("spam_scam", "hate_speech"), ("none", "none")]
    for i in range(24):
        decision, audit = labels[i % 4]
        source = "model" if i % 3 else "human"
        records.append(
            record(
                f"qa-{i}",
                market=("US", "ID")[i % 2],
                language=("en", "id")[i % 2],
                decision_source=source,
                model_version="clf-1" if source == "model" else "",
                decision_label=decision,
                audit_label=audit,
                decided_at=f"2026-11-0{1 + i % 3}T{(i * 5) % 24:02d}:00:00+00:00",
                audited_at="2026-11-05T00:00:00+00:00",
                auditor_id=f"aud-{i % 5}",
                weight=1 + (i % 4) * 0.5,
            )
        )
    return records


def direct_aggregate() -> dict[tuple, tuple]:
    """What the rollups must hold, computed from the samples one by one."""
    totals: dict[tuple, list] = defaultdict(lambda: [0, 0.0, 0.0])
    for sample in ModerationSample.objects.all():
        day = decision_day(sample.decided_at)
        labels = (sample.decision_source, sample.decision_label_id, sample.audit_label_id, sample.verdict_in_doubt)
        values = [(ALL, "")] + [(name, getattr(sample, column)) for name, column in ROLLUP_COLUMNS.items()]
        for dimension, value in values:
            total = totals[(day, dimension, value, *labels)]
            total[0] += 1
            total[1] += sample.weight
            total[2] += sample.weight**2
    return {key: tuple(total) for key, total in totals.items()}


def stored_rollups() -> dict[tuple, tuple]:
    return {
        (row.day, row.dimension, row.value, row.decision_source, row.decision_label, row.audit_label, row.in_doubt): (
            row.audits,
            row.weight,
            row.weight_squared,
        )
        for row in QualityRollup.objects.all()
    }


def test_rollups_equal_a_direct_aggregate_after_an_import():
    import_records(mixed_records())

    assert stored_rollups() == direct_aggregate()
    assert QualityRollupMark.objects.count() == 0


def test_rollups_follow_a_reimport_of_changed_rows_including_a_decision_moved_to_another_day():
    import_records(mixed_records())
    changed = mixed_records()
    changed[0].update(audit_label="hate_speech", weight=7)  # a new verdict and weight, same day
    changed[1].update(decided_at="2026-10-20T12:00:00+00:00")  # the only sample that moves to Oct 20
    changed[2].update(market="BR", language="pt-BR")  # a dimension's value changes
    changed[3].update(decided_at="2026-11-04T12:00:00+00:00")  # leaves Nov 1 for a day without samples yet

    result = import_records(changed)

    assert result.updated == 24
    assert stored_rollups() == direct_aggregate()


def test_rollups_of_an_interrupted_import_are_rebuilt_by_the_next_refresh():
    validate = RecordValidator(active_label_codes())
    write_batch([validate(item)[0] for item in mixed_records()])  # a batch written, the import stopped before its end
    assert QualityRollup.objects.count() == 0
    assert QualityRollupMark.objects.exists()

    days = quality_rollups_refresh()

    assert days == 3
    assert stored_rollups() == direct_aggregate()
    assert not QualityRollupMark.objects.exists()


def test_rebuild_quality_rollups_command_rebuilds_every_day_and_drops_days_without_samples(capsys):
    import_records(mixed_records())
    ModerationSample.objects.filter(decided_at__date="2026-11-01").delete()  # a writer that did not mark its days
    QualityRollup.objects.filter(dimension="market").update(audits=99)

    call_command("rebuild_quality_rollups")

    assert stored_rollups() == direct_aggregate()
    assert "rows for every day" in capsys.readouterr().out


def test_import_without_rollups_leaves_them_to_the_rebuild():
    import_records(mixed_records()[:4])
    validate = RecordValidator(active_label_codes())

    write_batch([validate(item)[0] for item in mixed_records()], mark_rollups=False)

    assert not QualityRollupMark.objects.exists()
    assert stored_rollups() != direct_aggregate()


@pytest.mark.django_db(transaction=True)
def test_rollups_rebuilt_on_two_connections_equal_a_direct_aggregate():
    """Outside a caller's transaction PostgreSQL rebuilds the two halves of the rollups side by side."""
    require_postgres()
    import_records(mixed_records())
    changed = mixed_records()
    changed[5].update(decided_at="2026-10-30T12:00:00+00:00", auditor_id="aud-9")

    import_records(changed)

    assert stored_rollups() == direct_aggregate()


def test_import_samples_command_reports_the_rollups_and_no_rollups_skips_them(tmp_path):
    source = tmp_path / "samples.jsonl"
    source.write_text("\n".join(json.dumps(item) for item in mixed_records()) + "\n")
    out = io.StringIO()

    call_command("import_samples", str(source), "--no-rollups", stdout=out)
    skipped = QualityRollup.objects.count()
    call_command("import_samples", str(source), stdout=out)

    assert skipped == 0
    assert "quality rollups: 0 days" in out.getvalue()  # the second import changed nothing: nothing to rebuild
