"""Disputes and second reviews: a dispute puts a verdict in doubt, a second review upholds or overturns it; an
overturn corrects the sample (its history kept, its cases told) and the next detection run counts the corrected label.
Who may dispute and who may review."""

import pytest

from cases.choices import ActivityVerb
from cases.disputes.choices import DisputeStatus
from cases.disputes.models import AuditorIdentity, Dispute
from cases.models import Activity
from rca.choices import Outcome
from rca.detection_runs import detection_run_create, detection_run_execute
from rca.verdicts.models import SampleReview
from tests.factories import CaseFactory, CaseSampleFactory, ModerationSampleFactory, UserFactory


@pytest.fixture
def second_lead(db):
    lead = UserFactory(username="lead2", role="quality_lead")
    AuditorIdentity.objects.create(user=lead, auditor_id="aud-99")
    return lead


def _dispute(client, external_id, **body):
    return client.post(
        f"/api/v1/samples/{external_id}/disputes/", {"reason": "Banter, not bullying.", **body}, format="json"
    )


def test_dispute_review_overturn_corrects_the_sample_and_the_next_detection_runs_counts(
    lead_client, make_client, second_lead
):
    errors = ModerationSampleFactory.create_batch(3, auditor_id="aud-17")  # none -> bullying: misclassified
    ModerationSampleFactory.create_batch(4, correct=True)
    disputed = errors[0]
    case = CaseFactory()
    CaseSampleFactory(case=case, sample=disputed)
    before = detection_run_execute(run=detection_run_create(actor=None))

    opened = _dispute(lead_client, disputed.external_id, proposed_label="none")
    disputed.refresh_from_db()
    in_doubt = disputed.verdict_in_doubt
    reviewed = make_client(second_lead).post(
        f"/api/v1/disputes/{opened.json()['id']}/review/", {"label": "none", "notes": "Friendly banter."}, format="json"
    )
    after = detection_run_execute(run=detection_run_create(actor=None))

    assert opened.status_code == 201 and in_doubt
    assert reviewed.status_code == 200, reviewed.content
    assert reviewed.json()["status"] == DisputeStatus.OVERTURNED
    assert reviewed.json()["review"]["verdict_label"] == "bullying_harassment"
    disputed.refresh_from_db()
    assert (disputed.audit_label_id, disputed.outcome, disputed.verdict_in_doubt) == ("none", Outcome.CORRECT, False)
    history = SampleReview.objects.get(sample=disputed)
    assert (history.verdict_label_id, history.verdict_outcome, history.verdict_auditor_id) == (
        "bullying_harassment",
        Outcome.FALSE_NEGATIVE,
        "aud-17",
    )
    verbs = list(Activity.objects.filter(case=case).values_list("verb", flat=True))
    assert verbs == [ActivityVerb.VERDICT_DISPUTED, ActivityVerb.VERDICT_OVERTURNED]
    assert (before.samples_read, before.errors_read) == (7, 3)
    assert (after.samples_read, after.errors_read) == (7, 2)


def test_dispute_review_with_the_verdicts_label_upholds_it(lead_client, make_client, second_lead):
    sample = ModerationSampleFactory()
    dispute_id = _dispute(lead_client, sample.external_id).json()["id"]

    response = make_client(second_lead).post(
        f"/api/v1/disputes/{dispute_id}/review/", {"label": "bullying_harassment"}, format="json"
    )

    assert response.json()["status"] == DisputeStatus.UPHELD
    sample.refresh_from_db()
    assert (sample.audit_label_id, sample.verdict_in_doubt) == ("bullying_harassment", False)


def test_dispute_review_refuses_the_samples_first_auditor(lead_client, make_client, quality_lead):
    sample = ModerationSampleFactory(auditor_id="aud-17")
    first_auditor = UserFactory(username="auditor17", role="quality_lead")
    AuditorIdentity.objects.create(user=first_auditor, auditor_id="aud-17")
    dispute_id = _dispute(lead_client, sample.external_id).json()["id"]

    response = make_client(first_auditor).post(
        f"/api/v1/disputes/{dispute_id}/review/", {"label": "none"}, format="json"
    )

    assert response.status_code == 403
    assert Dispute.objects.get(pk=dispute_id).status == DisputeStatus.OPEN
    sample.refresh_from_db()
    assert sample.audit_label_id == "bullying_harassment"


def test_dispute_review_of_a_settled_dispute_is_a_conflict(lead_client, make_client, second_lead):
    sample = ModerationSampleFactory()
    dispute_id = _dispute(lead_client, sample.external_id).json()["id"]
    reviewer = make_client(second_lead)
    reviewer.post(f"/api/v1/disputes/{dispute_id}/review/", {"label": "none"}, format="json")

    response = lead_client.post(f"/api/v1/disputes/{dispute_id}/review/", {"label": "hate_speech"}, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "already_settled"


def test_dispute_open_twice_is_a_conflict(lead_client):
    sample = ModerationSampleFactory()
    _dispute(lead_client, sample.external_id)

    response = _dispute(lead_client, sample.external_id)

    assert response.status_code == 409
    assert Dispute.objects.filter(sample=sample).count() == 1


def test_partner_cannot_dispute_a_sample_of_a_case_not_shared_with_them(shared_partner_client, shared_case):
    elsewhere = CaseSampleFactory(case=CaseFactory()).sample

    refused = _dispute(shared_partner_client, elsewhere.external_id)
    allowed = _dispute(shared_partner_client, "qa-shared-1")

    assert refused.status_code == 404
    assert not Dispute.objects.filter(sample=elsewhere).exists()
    assert allowed.status_code == 201


def test_manager_may_not_dispute(manager_client):
    sample = ModerationSampleFactory()

    assert _dispute(manager_client, sample.external_id).status_code == 403


def test_dispute_list_shows_a_partner_only_the_disputes_of_its_cases(lead_client, shared_partner_client, shared_case):
    other = ModerationSampleFactory()
    _dispute(lead_client, other.external_id)
    _dispute(lead_client, "qa-shared-1")

    listed = shared_partner_client.get("/api/v1/disputes/").json()["results"]

    assert [row["sample"] for row in listed] == ["qa-shared-1"]
