"""The audit-quality pages: a sample's verdict page with its dispute and review forms, the disputes list and the
agreement page (quality leads and managers)."""

import pytest

from cases.disputes.choices import DisputeStatus
from cases.disputes.models import AuditorIdentity, Dispute
from tests.factories import ModerationSampleFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_sample_verdict_page_disputes_then_a_second_lead_overturns(client, quality_lead):
    sample = ModerationSampleFactory()
    reviewer = UserFactory(username="lead2", role="quality_lead")
    AuditorIdentity.objects.create(user=reviewer, auditor_id="aud-99")
    client.force_login(quality_lead)

    page = client.get(f"/samples/{sample.pk}/verdict/")
    client.post(f"/samples/{sample.pk}/disputes/", {"reason": "Reclaimed term.", "proposed_label": "none"})
    client.force_login(reviewer)
    review_page = client.get(f"/samples/{sample.pk}/verdict/")
    dispute = Dispute.objects.get(sample=sample)
    client.post(f"/disputes/{dispute.pk}/review/", {"label": "none", "notes": "Agreed."})

    assert b"Dispute this verdict" in page.content
    assert b"Record my review" in review_page.content
    dispute.refresh_from_db()
    sample.refresh_from_db()
    assert (dispute.status, sample.audit_label_id) == (DisputeStatus.OVERTURNED, "none")
    listing = client.get("/disputes/", {"status": "overturned"})
    assert sample.external_id.encode() in listing.content


def test_sample_verdict_page_of_a_sample_the_partner_does_not_see_is_a_404(client, partner):
    sample = ModerationSampleFactory()
    client.force_login(partner)

    assert client.get(f"/samples/{sample.pk}/verdict/").status_code == 404
    assert client.post(f"/samples/{sample.pk}/disputes/", {"reason": "No."}).status_code == 404
    assert client.get("/disputes/").status_code == 403


def test_agreement_page_is_shown_to_managers(client, manager):
    client.force_login(manager)

    response = client.get("/quality/agreement/", {"group_by": "policy"})

    assert response.status_code == 200
    assert b"Agreement with the resolution" in response.content


def test_agreement_page_links_the_csv_of_its_table(client, manager):
    client.force_login(manager)

    response = client.get("/quality/agreement/", {"group_by": "policy", "market": "ID", "auditor": ""})
    link = response.context["csv_url"]
    sheet = client.get(link)

    assert link == "/api/v1/quality/agreement/?group_by=policy&market=ID&format=csv"
    assert f'href="{link.replace("&", "&amp;")}" download' in response.content.decode()
    assert sheet.status_code == 200 and sheet["Content-Disposition"].endswith('agreement-by-policy.csv"')
    assert sheet.content.decode().splitlines()[1].startswith("policy,overall,all,0,")


def test_agreement_page_with_bad_options_links_no_csv(client, quality_lead):
    client.force_login(quality_lead)

    response = client.get("/quality/agreement/", {"market": "Indonesia"})

    assert response.status_code == 400 and "Download CSV" not in response.content.decode()
