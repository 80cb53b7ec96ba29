"""`GET /api/v1/cases/{id}/calibration/`: the case room's calibration panel as data (baseline, rounds in order with
agreement, kappa and change), for whoever sees the case (404 otherwise), auditors counted and never named, in a
number of queries that does not grow with the samples or the rounds."""

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.disputes.models import CalibrationExport
from rca.verdicts.choices import ReviewKind
from rca.verdicts.services import review_record
from tests.factories import CaseFactory, CaseSampleFactory, ModerationSampleFactory


def _url(case) -> str:
    return f"/api/v1/cases/{case.pk}/calibration/"


def _review(sample, *, kind, label, auditor, round_name="", at=None):
    with transaction.atomic():
        review_record(
            sample=sample, kind=kind, label=label, reviewer_auditor_id=auditor, round_name=round_name, reviewed_at=at
        )


def _calibrated_case(*, samples: int, rounds: int, **case_fields):
    """A case of `samples` samples, each overturned to `none` by a second review (the baseline: every first audit
    disagreed), then `rounds` calibration rounds a day apart where round r gets the first r samples right."""
    case = CaseFactory(**case_fields)
    linked = []
    for index in range(samples):
        sample = ModerationSampleFactory(external_id=f"qa-calround-{case.pk}-{index}")
        CaseSampleFactory(case=case, sample=sample)
        _review(sample, kind=ReviewKind.SECOND_REVIEW, label="none", auditor="aud-lead")
        linked.append(sample)
    start = timezone.now() - timedelta(days=rounds + 1)
    for number in range(1, rounds + 1):
        for index, sample in enumerate(linked):
            label = "none" if index < number else "bullying_harassment"
            _review(
                sample, kind=ReviewKind.CALIBRATION, label=label, auditor=f"aud-secret-{index % 2}",
                round_name=f"r{number}", at=start + timedelta(days=number, minutes=index),
            )  # fmt: skip
    return case


def test_case_calibration_lists_the_baseline_and_each_round_in_order(lead_client):
    case = _calibrated_case(samples=2, rounds=2)
    CalibrationExport.objects.create(case=case, user=None, format="csv", sample_count=2)

    response = lead_client.get(_url(case))

    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["case"], data["case_key"], data["exports"], data["can_export"]) == (case.pk, case.key, 1, True)
    baseline = data["baseline"]
    assert (baseline["name"], baseline["started_at"], baseline["answers"], baseline["agreed"]) == (
        "First audits, second-reviewed", None, 2, 0,
    )  # fmt: skip
    assert [row["name"] for row in data["rounds"]] == ["r1", "r2"]
    first, second = data["rounds"]
    assert (first["answers"], first["auditors"], first["samples"], first["agreed"]) == (2, 2, 2, 1)
    assert first["agreement"] == pytest.approx(0.5) and first["agreement_change"] is None
    assert second["agreement"] == pytest.approx(1.0) and second["agreement_change"] == pytest.approx(0.5)
    # Every final label is `none`: kappa is 0 for a coin's agreement and undefined (null) once all answers agree.
    assert first["kappa"] == pytest.approx(0.0) and second["kappa"] is None
    assert "aud-secret" not in response.content.decode()


def test_case_calibration_of_a_case_without_rounds_is_empty(lead_client):
    case = CaseFactory()

    data = lead_client.get(_url(case)).json()

    assert (data["baseline"], data["rounds"], data["exports"]) == (None, [], 0)


def test_case_calibration_follows_the_case_visibility(shared_partner_client, shared_case, partner_client):
    hidden = _calibrated_case(samples=1, rounds=1)

    assert shared_partner_client.get(_url(shared_case)).status_code == 200
    assert shared_partner_client.get(_url(hidden)).status_code == 404
    assert partner_client.get(_url(shared_case)).status_code == 404
    assert shared_partner_client.get("/api/v1/cases/999999/calibration/").status_code == 404


def test_case_calibration_queries_do_not_grow_with_samples_or_rounds(lead_client):
    small = _calibrated_case(samples=1, rounds=1)
    large = _calibrated_case(samples=6, rounds=4)

    counts = []
    for case in (small, large):
        with CaptureQueriesContext(connection) as queries:
            assert lead_client.get(_url(case)).status_code == 200
        counts.append(len(queries))

    assert counts[0] == counts[1], counts
