"""Second audits through the import (docs/sample-format.md, "Second audits"): a record with `review_of` resolves a
sample's verdict (`second_review`) or answers a calibration round (`calibration`); a later import of the sample keeps
its resolved label; a CSV file may mix samples and second audits."""

import io

import pytest
from django.core.management import call_command

from rca.choices import Outcome
from rca.importing import import_records
from rca.models import ModerationSample
from rca.verdicts.models import SampleReview
from rca.verdicts.selectors import calibration_rounds

pytestmark = pytest.mark.django_db

SAMPLE = {
    "external_id": "qa-1", "content_id": "ls-1", "content_type": "live_stream", "market": "ID", "language": "id",
    "decision_source": "human", "moderator_id": "mod-1", "decision_label": "none", "audit_label": "hate_speech",
    "decided_at": "2026-11-02T10:00:00+07:00", "audited_at": "2026-11-03T10:00:00+07:00", "auditor_id": "aud-1",
}  # fmt: skip


def review(external_id: str, **fields) -> dict:
    return {"external_id": external_id, "review_of": "qa-1", "review_kind": "second_review", "audit_label": "none",
            "audited_at": "2026-11-04T10:00:00+07:00", "auditor_id": "aud-2", **fields}  # fmt: skip


def test_import_second_review_overturns_and_a_later_import_of_the_sample_keeps_the_final_label():
    first = import_records([SAMPLE, review("rev-1", notes="Quoting a slur to report it.")])
    again = import_records([SAMPLE])

    assert (first.created, first.updated, first.rejected) == (2, 0, [])
    assert again.rejected == []
    sample = ModerationSample.objects.get(external_id="qa-1")
    assert (sample.audit_label_id, sample.outcome) == ("none", Outcome.CORRECT)
    history = SampleReview.objects.get(external_id="rev-1")
    assert (history.verdict_label_id, history.overturned, history.notes) == (
        "hate_speech",
        True,
        "Quoting a slur to report it.",
    )


def test_import_second_review_is_never_changed_by_a_later_import():
    import_records([SAMPLE, review("rev-1")])

    same = import_records([review("rev-1")])
    changed = import_records([review("rev-1", audit_label="hate_speech")])

    assert (same.created, same.updated, same.rejected) == (0, 1, [])
    assert list(changed.rejected[0]["errors"]) == ["external_id"]
    assert SampleReview.objects.get(external_id="rev-1").label_id == "none"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"auditor_id": "aud-1"}, "auditor_id"),  # the sample's own auditor
        ({"review_of": "qa-unknown"}, "review_of"),
        ({"review_kind": "appeal"}, "review_kind"),
        ({"market": "ID"}, "market"),  # a sample's field is not part of a second audit
        ({"review_round": "r1"}, "review_round"),  # only calibration answers have a round
    ],
)
def test_import_second_review_refuses(fields, field):
    import_records([SAMPLE])

    result = import_records([review("rev-1", **fields)])

    assert (result.created, result.updated) == (0, 0)
    assert list(result.rejected[0]["errors"]) == [field]
    assert ModerationSample.objects.get(external_id="qa-1").audit_label_id == "hate_speech"


def test_import_calibration_answers_are_scored_per_round_and_leave_the_sample_alone():
    answers = [
        review("cal-1", review_kind="calibration", review_round="before", auditor_id="aud-3", audit_label="none"),
        review("cal-2", review_kind="calibration", review_round="after", auditor_id="aud-3", audit_label="hate_speech",
               audited_at="2026-11-10T10:00:00+07:00"),
    ]  # fmt: skip

    result = import_records([SAMPLE, *answers])
    baseline, rounds = calibration_rounds(sample_ids=ModerationSample.objects.values_list("id", flat=True))

    assert (result.created, result.rejected) == (3, [])
    assert ModerationSample.objects.get(external_id="qa-1").audit_label_id == "hate_speech"
    assert baseline is None
    assert [(score.name, score.figures.agreed, score.answers) for score in rounds] == [
        ("before", 0, 1),
        ("after", 1, 1),
    ]


def test_import_samples_csv_mixes_samples_and_second_audits(tmp_path):
    columns = [*SAMPLE, "review_of", "review_kind", "review_round", "notes"]
    second = {**review("rev-1"), "notes": "Counter-speech."}
    lines = [",".join(columns), ",".join(str(SAMPLE.get(name, "")) for name in columns),
             ",".join(str(second.get(name, "")) for name in columns)]  # fmt: skip
    path = tmp_path / "audits.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = io.StringIO()

    call_command("import_samples", str(path), stdout=out, stderr=io.StringIO())

    assert "created: 2, updated: 0, rejected: 0" in out.getvalue()
    assert ModerationSample.objects.get(external_id="qa-1").audit_label_id == "none"
