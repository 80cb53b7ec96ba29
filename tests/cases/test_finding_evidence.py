"""The case room's finding form cites evidence: linked samples ticked in a checklist or typed by external id; a sample
not linked to the case is refused with its id, and what was typed is kept."""

import pytest
from django.urls import reverse

from cases.models import Finding
from tests.factories import CaseFactory, CaseSampleFactory, ModerationSampleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead_client(client, quality_lead):
    client.force_login(quality_lead)
    return client


def _linked(case, external_id: str):
    return CaseSampleFactory(case=case, sample=ModerationSampleFactory(external_id=external_id)).sample


def test_finding_form_lists_the_linked_samples_as_a_checklist(lead_client):
    case = CaseFactory()
    sample = _linked(case, "qa-linked-1")
    ModerationSampleFactory(external_id="qa-elsewhere")

    html = lead_client.get(reverse("case-detail", args=[case.pk])).content.decode()

    assert f'name="evidence" value="{sample.pk}"' in html
    assert 'name="evidence_ids"' in html
    assert "qa-elsewhere" not in html


def test_finding_cites_ticked_and_typed_linked_samples(lead_client):
    case = CaseFactory()
    ticked, typed = _linked(case, "qa-ticked"), _linked(case, "qa-typed")

    response = lead_client.post(
        reverse("case-detail", args=[case.pk]),
        {
            "action": "finding",
            "statement": "Slang misread.",
            "status": "hypothesis",
            "evidence": [ticked.pk],
            "evidence_ids": "qa-typed, qa-ticked",
        },
    )

    finding = case.findings.get()
    assert response.status_code == 302
    assert response["Location"].endswith(f"#finding-{finding.pk}")
    assert set(finding.evidence.values_list("external_id", flat=True)) == {ticked.external_id, typed.external_id}
    page = lead_client.get(response["Location"]).content.decode()
    assert "2 evidence samples" in page


def test_finding_refuses_a_sample_not_linked_to_the_case_and_keeps_the_text(lead_client):
    case = CaseFactory()
    _linked(case, "qa-linked")
    ModerationSampleFactory(external_id="qa-other-case")

    response = lead_client.post(
        reverse("case-detail", args=[case.pk]),
        {
            "action": "finding",
            "statement": "Keep me",
            "status": "hypothesis",
            "evidence_ids": "qa-linked qa-other-case",
        },
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert "Not linked to this case: qa-other-case." in html
    assert "Keep me" in html
    assert not Finding.objects.exists()


def test_finding_refuses_a_ticked_sample_outside_the_checklist(lead_client):
    case = CaseFactory()
    stranger = ModerationSampleFactory()

    response = lead_client.post(
        reverse("case-detail", args=[case.pk]),
        {"action": "finding", "statement": "Sneaky", "status": "hypothesis", "evidence": [stranger.pk]},
    )

    assert response.status_code == 400
    assert not Finding.objects.exists()
