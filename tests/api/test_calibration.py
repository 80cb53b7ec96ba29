"""Calibration sets: `GET /api/v1/calibration-set/?case=` exports exactly the case's samples with their final labels
and the case's root cause, logged; sensitive text only for the roles that may see it, redacted for partners; refused to
users without a role. And the case room's calibration panel."""

import csv
import io
import json

from django.db import transaction
from django.template import Context, Template
from django.test import RequestFactory

from cases.choices import RootCauseCategory
from cases.disputes.models import CalibrationExport
from rca.models import SampleReveal
from rca.verdicts.choices import ReviewKind
from rca.verdicts.services import review_record
from tests.factories import CaseFactory, CaseSampleFactory, ModerationSampleFactory

SENSITIVE_NOTE = "Minor visible in the stream; removal was right."


def _case_with_samples(**case_fields):
    case = CaseFactory(
        root_cause_category=RootCauseCategory.GUIDELINE_AMBIGUITY,
        root_cause_statement="Banter between friends is not defined.",
        **case_fields,
    )
    overturned = CaseSampleFactory(case=case, sample=ModerationSampleFactory(external_id="qa-cal-1")).sample
    with transaction.atomic():
        review_record(sample=overturned, kind=ReviewKind.SECOND_REVIEW, label="none", reviewer_auditor_id="aud-9")
    sensitive = ModerationSampleFactory(
        external_id="qa-cal-2", decision_label_id="none", audit_label_id="minor_safety", notes=SENSITIVE_NOTE
    )
    CaseSampleFactory(case=case, sample=sensitive)
    ModerationSampleFactory(external_id="qa-not-in-case")
    return case


def test_calibration_export_holds_exactly_the_cases_samples_with_final_labels(lead_client, quality_lead):
    case = _case_with_samples()

    response = lead_client.get("/api/v1/calibration-set/", {"case": case.pk, "format": "jsonl"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/x-ndjson")
    rows = {row["external_id"]: row for row in map(json.loads, response.content.decode().splitlines())}
    assert set(rows) == {"qa-cal-1", "qa-cal-2"}
    assert (rows["qa-cal-1"]["audit_label"], rows["qa-cal-1"]["first_audit_label"]) == ("none", "bullying_harassment")
    assert rows["qa-cal-2"]["notes"] == SENSITIVE_NOTE and rows["qa-cal-2"]["redacted"] is False
    assert {row["root_cause_category"] for row in rows.values()} == {RootCauseCategory.GUIDELINE_AMBIGUITY}
    assert {row["case"] for row in rows.values()} == {case.key}
    export = CalibrationExport.objects.get()
    assert (export.user, export.case, export.sample_count, export.sensitive_included) == (quality_lead, case, 2, 1)
    assert SampleReveal.objects.filter(user=quality_lead, sample__external_id="qa-cal-2").count() == 1


def test_calibration_export_redacts_sensitive_text_for_partners(shared_partner_client, policy_team, shared_partner):
    case = _case_with_samples(shared_teams=[policy_team])

    response = shared_partner_client.get("/api/v1/calibration-set/", {"case": case.pk, "format": "csv"})

    assert response.status_code == 200
    rows = {row["external_id"]: row for row in csv.DictReader(io.StringIO(response.content.decode()))}
    assert set(rows) == {"qa-cal-1", "qa-cal-2"}
    assert (rows["qa-cal-2"]["notes"], rows["qa-cal-2"]["transcript"], rows["qa-cal-2"]["redacted"]) == ("", "", "true")
    assert rows["qa-cal-1"]["notes"] == "Slang insult missed by the model"
    assert rows["qa-cal-1"]["auditor_id"] == "••••••"
    assert CalibrationExport.objects.get().sensitive_redacted == 1
    assert not SampleReveal.objects.filter(user=shared_partner).exists()


def test_calibration_export_is_refused_to_users_without_a_role(outsider_client):
    case = _case_with_samples()

    response = outsider_client.get("/api/v1/calibration-set/", {"case": case.pk})

    assert response.status_code == 403
    assert not CalibrationExport.objects.exists()


def test_calibration_panel_scores_each_round_against_the_final_labels(quality_lead):
    case = _case_with_samples()
    samples = {link.sample.external_id: link.sample for link in case.sample_links.select_related("sample")}
    answers = [("before", "qa-cal-1", "bullying_harassment"), ("before", "qa-cal-2", "minor_safety"),
               ("after", "qa-cal-1", "none"), ("after", "qa-cal-2", "minor_safety")]  # fmt: skip
    for round_name, external_id, label in answers:
        with transaction.atomic():
            review_record(
                sample=samples[external_id],
                kind=ReviewKind.CALIBRATION,
                label=label,
                reviewer_auditor_id="aud-3",
                round_name=round_name,
            )
    request = RequestFactory().get("/")
    request.user = quality_lead

    html = Template("{% load disputes %}{% calibration_panel case %}").render(
        Context({"case": case, "request": request})
    )

    # before: 1 of 2 answers agree, kappa (0.5 - 0.25) / 0.75 = 0.33; after: 2 of 2, kappa 1.
    assert html.index("before") < html.index("after")
    assert "50.0%" in html and "100%" in html and "+50.0 pp, κ 0.67" in html
